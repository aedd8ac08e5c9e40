"""Stale data: when the newest event is older than ``stale_after``, commands and pages say where
the data ends and what ``--as-of`` / ``as_of=`` at that instant would show."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from supportops.cli import app
from supportops.instants import FrozenClock
from supportops.metrics.staleness import newest_instant, stale_data
from supportops.tokens import TokenFile
from supportops.web import create_app
from supportops.workspace import Workspace
from tests.instants.conftest import NOW
from tests.web.conftest import session

runner = CliRunner()


def test_fresh_data_is_not_stale_and_old_data_is(cli_workspace: Path) -> None:
    with Workspace.open(cli_workspace) as ws:
        newest = newest_instant(ws)
        assert newest is not None and ws.config.stale_after == 6 * 3600
        assert stale_data(ws, newest + timedelta(hours=6)) is None
        late = stale_data(ws, newest + timedelta(hours=6, seconds=1))
    assert late is not None and late.newest == newest and late.zone == "America/New_York"


def test_at_risk_on_stale_data_says_where_it_ends_and_what_as_of_would_show(
    cli_workspace: Path,
) -> None:
    later = {"SUPPORTOPS_NOW": "2024-06-01T12:00:00Z"}
    ask = ["sla", "at-risk", "--within", "3d", "--format", "json", "-w", str(cli_workspace)]
    result = runner.invoke(app, ask, env=later)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "[]"  # nothing is due within 3d of June: all breached
    assert "note: the data ends at 2024-" in result.stderr
    line = next(x for x in result.stderr.splitlines() if x.startswith("note: with --as-of"))
    as_of = line.split()[3].rstrip(",")
    count = int(line.split(", ")[1].split()[0].replace(",", ""))
    again = runner.invoke(app, [*ask, "--as-of", as_of], env=later)
    assert again.exit_code == 0 and "note:" not in again.stderr
    assert count > 0 and again.stdout.count('"ticket_id"') == count


def test_metrics_on_stale_data_say_so_on_stderr_only(cli_workspace: Path) -> None:
    args = ["metrics", "backlog", "--format", "json", "-w", str(cli_workspace)]
    fresh = runner.invoke(app, args, env={"SUPPORTOPS_NOW": NOW.isoformat()})
    late = runner.invoke(app, args, env={"SUPPORTOPS_NOW": "2024-06-01T12:00:00Z"})
    assert "note:" not in fresh.stderr and "the data ends at" in late.stderr
    assert late.stdout.lstrip().startswith("[")


def test_pages_on_stale_data_show_where_it_ends(cli_workspace: Path) -> None:
    token = TokenFile.of_workspace(cli_workspace).create("stale", "read")[1]
    later = create_app(cli_workspace, clock=FrozenClock(NOW + timedelta(days=90)))
    try:
        client = TestClient(later)
        client.cookies.update(session(later, token))
        page = client.get("/sla").text
    finally:
        later.state.web.close()
    assert 'class="stale"' in page and "The data ends at" in page
    assert "/sla?as_of=" in page


def test_pages_on_fresh_data_say_nothing(api: TestClient) -> None:
    assert 'class="stale"' not in api.get("/sla").text
