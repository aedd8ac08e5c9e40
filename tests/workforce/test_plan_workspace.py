"""``supportops plan`` and the Plan page plan a workspace the same way: one function, one set
of defaults, the same heads for the same workspace and options — with the workspace's shift
templates and without any (then both plan round the clock)."""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import typer
from fastapi.testclient import TestClient
from ruamel.yaml import YAML
from typer.testing import CliRunner

from supportops.cli.demo import build_demo
from supportops.cli.workforce import register
from supportops.config import load_config
from supportops.tokens import TokenFile
from supportops.web import create_app
from supportops.workforce.shifts import read_shift_templates

DOC = Path(__file__).resolve().parents[2] / "docs" / "workforce.md"

FIGURES = {  # the page's name of a channel figure: the command's
    "volume": "volume",
    "required_agent_hours": "required_head_hours",
    "scheduled_agent_hours": "scheduled_head_hours",
    "under_agent_hours": "under_agent_hours",
    "over_agent_hours": "over_agent_hours",
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("plan") / "demo"
    build_demo(folder, tickets=2_000, progress=False)
    return folder


@pytest.fixture(scope="module")
def no_shifts(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo without its ``shift_templates`` section."""
    folder = tmp_path_factory.mktemp("plan") / "no-shifts"
    shutil.copytree(demo, folder)
    config = folder / "supportops.yaml"
    text = config.read_text(encoding="utf-8")
    head, _, rest = text.partition("\nshift_templates:")
    config.write_text(head + "\nalerts:" + rest.partition("\nalerts:")[2], encoding="utf-8")
    return folder


def _cli(workspace: Path, *options: str) -> dict[str, dict[str, Any]]:
    """The base plan of ``supportops plan`` per channel."""
    app = typer.Typer()
    register(app)
    args = ["plan", "-w", str(workspace), "--replications", "0", "--format", "json", *options]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["rows"]
    return {r["channel"]: r for r in rows if r["scenario"] == "base"}


def _page(workspace: Path, query: str = "") -> dict[str, Any]:
    """The summary of ``GET /api/plan`` (the Plan page's plan), from a live app."""
    _, token = TokenFile.of_workspace(workspace).create("plan-test", "read")
    app = create_app(workspace)
    try:
        answer = TestClient(app).get(
            f"/api/plan{query}", headers={"Authorization": f"Bearer {token}"}
        )
    finally:
        app.state.web.close()  # the store is free again for the command
    assert answer.status_code == 200, answer.text
    summary: dict[str, Any] = answer.json()["summary"]
    return summary


def _assert_same(page: dict[str, Any], cli: dict[str, dict[str, Any]]) -> None:
    channels = {c["channel"]: c for c in page["channels"]}
    assert set(channels) == set(cli)
    for name, channel in channels.items():
        for figure, column in FIGURES.items():
            assert channel[figure] == pytest.approx(cli[name][column], abs=1e-9), (name, figure)
    assert sum(c["scheduled_agent_hours"] for c in channels.values()) > 0


def test_without_shift_templates_both_plan_round_the_clock_alike(no_shifts: Path) -> None:
    page = _page(no_shifts)  # every default
    assert (page["horizon"], page["grain"], page["templates"]) == ("7d", "30min", "default")
    _assert_same(page, _cli(no_shifts))


def test_with_the_workspaces_templates_both_plan_alike(demo: Path) -> None:
    page = _page(demo, "?channel=chat&horizon=3d&grain=1h")
    assert page["templates"] == "workspace"
    _assert_same(page, _cli(demo, "--channel", "chat", "--horizon", "3d", "--grain", "1h"))


def test_the_demo_ships_the_shift_templates_docs_workforce_shows(demo: Path) -> None:
    text = DOC.read_text(encoding="utf-8")
    (block,) = re.findall(r"```yaml\n(shift_templates:.*?)```", text, re.DOTALL)
    shown = read_shift_templates(YAML(typ="safe").load(io.StringIO(block)), "docs/workforce.md")
    assert shown == load_config(demo / "supportops.yaml").shift_templates
