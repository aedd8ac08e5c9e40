"""Fixtures of the rules tests: a small demo workspace (2,000 tickets), built once, and a
fresh copy of it for a test that writes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROUTING = """\
semantics: default
rules:
  - name: urgent-to-tier2
    on: [create, update]
    when: {priority: urgent, not: {group: tier2-escalations}}
    actions: [{set: {group: tier2-escalations}}]
  - name: chat-high
    on: [create]
    when: {channel: chat}
    actions: [{set: {priority: high}}, {add_tags: [chat-first]}]
"""


@pytest.fixture(scope="session")
def rules_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo workspace, read-only by convention."""
    from supportops.cli.demo import build_demo

    folder = tmp_path_factory.mktemp("rules-ws") / "demo"
    build_demo(folder, tickets=2000, progress=False)
    return folder


@pytest.fixture
def demo_copy(rules_demo: Path, tmp_path: Path) -> Path:
    """A copy of the demo workspace this test may change."""
    target = tmp_path / "demo"
    shutil.copytree(rules_demo, target)
    return target


@pytest.fixture
def routing_file(tmp_path: Path) -> Path:
    path = tmp_path / "routing.yaml"
    path.write_text(ROUTING, encoding="utf-8")
    return path
