"""Fixtures of the report tests: a small demo workspace (the generator's 8 weeks from
2026-09-28 to 2026-11-23, 4,000 tickets), built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def demo_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo workspace: tickets, events, surveys, agents, work, contacts, bot sessions."""
    from supportops.cli.demo import build_demo

    folder = tmp_path_factory.mktemp("report-ws") / "demo"
    build_demo(folder, tickets=4000, progress=False)
    return folder
