"""``supportops tickets`` as a manager types it: --limit, --columns, --sort, --from/--to, the
terminal view (the columns that fit, times in the report time zone, durations as durations),
lists as lists in every format, and clear errors for a mistyped column or an empty match."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from supportops.cli import app
from tests.metrics.eventlog import load

ZONE = "America/New_York"
LOG = {
    "tickets": [
        {
            "ticket_id": "t1",
            "created_at": "2026-03-02T14:00:00Z",
            "status": "open",
            "channel": "email",
            "subject": "Refund for order 1",
            "tags": ["vip", "billing"],
        },
        {
            "ticket_id": "t2",
            "created_at": "2026-03-09T15:30:00Z",
            "status": "open",
            "channel": "chat",
            "subject": "Login fails",
            "tags": [],
        },
        {
            "ticket_id": "t3",
            "created_at": "2026-03-10T12:00:00Z",
            "status": "new",
            "channel": "email",
            "subject": "Where is my invoice?",
            "tags": ["billing"],
        },
    ],
    "events": [
        {"ticket_id": "t1", "at": "+1h", "kind": "message", "actor": "agent", "public": True},
        {"ticket_id": "t2", "at": "+5m", "kind": "message", "actor": "agent", "public": True},
    ],
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from supportops.workspace import Workspace

    path = tmp_path_factory.mktemp("tickets-cli")
    (path / "supportops.yaml").write_text(f"report_timezone: {ZONE}\n", encoding="utf-8")
    with Workspace(path) as ws:
        load(ws.store, LOG)
    return path


def invoke(folder: Path, *args: str, columns: int = 100) -> Any:
    env = {"COLUMNS": str(columns)}
    return CliRunner().invoke(app, ["tickets", *args, "-w", str(folder)], env=env)


def ok(folder: Path, *args: str, columns: int = 100) -> str:
    result = invoke(folder, *args, columns=columns)
    assert result.exit_code == 0, result.output
    return str(result.stdout)


def test_limit_columns_and_sort_pick_the_rows_and_their_order(folder: Path) -> None:
    args = ("--columns", "ticket_id,first_reply_time", "--sort", "first_reply_time:desc")
    rows = json.loads(ok(folder, "--format", "json", *args, "--limit", "2"))
    assert rows == [
        {"ticket_id": "t1", "first_reply_time": 3600.0},
        {"ticket_id": "t2", "first_reply_time": 300.0},
    ]


def test_without_a_sort_the_newest_come_first(folder: Path) -> None:
    rows = json.loads(ok(folder, "--format", "json", "--columns", "ticket_id", "--limit", "2"))
    assert [r["ticket_id"] for r in rows] == ["t3", "t2"]


def test_from_and_to_keep_the_tickets_created_on_those_days(folder: Path) -> None:
    days = ("--from", "2026-03-09", "--to", "2026-03-09")
    rows = json.loads(ok(folder, "--format", "json", "--columns", "ticket_id", *days))
    assert [r["ticket_id"] for r in rows] == ["t2"]


def test_lists_are_lists_in_csv_json_and_parquet(folder: Path, tmp_path: Path) -> None:
    pick = ("--columns", "ticket_id,tags", "--sort", "ticket_id")
    text = ok(folder, "--format", "csv", *pick)
    assert list(csv.DictReader(io.StringIO(text))) == [
        {"ticket_id": "t1", "tags": "vip;billing"},
        {"ticket_id": "t2", "tags": ""},
        {"ticket_id": "t3", "tags": "billing"},
    ]
    rows = json.loads(ok(folder, "--format", "json", *pick))
    assert [r["tags"] for r in rows] == [["vip", "billing"], [], ["billing"]]
    out = tmp_path / "t.parquet"
    ok(folder, "--format", "parquet", "--output", str(out), *pick)
    assert pq.read_table(out).column("tags").to_pylist() == [["vip", "billing"], [], ["billing"]]


def test_the_terminal_view_shows_the_columns_that_fit_in_the_managers_units(
    folder: Path,
) -> None:
    out = ok(folder, "--sort", "ticket_id", "--limit", "1", columns=72)
    header = out.splitlines()[1].split()
    assert header[:3] == ["ticket_id", "created_at", "status"]
    assert "sla_breached" not in header and "custom" not in header
    assert "2026-03-02 09:00" in out  # 14:00 UTC in New York
    assert f"times in {ZONE}" in out
    assert "more columns do not fit" in out and "--columns" in out
    assert "more tickets: --limit N" in out  # t2 and t3 were not shown


def test_a_chosen_duration_column_reads_as_a_duration(folder: Path) -> None:
    out = ok(folder, "--columns", "ticket_id,first_reply_time", "--sort", "ticket_id")
    assert "1h 0m" in out and "5m 0s" in out and "3600" not in out
    assert "do not fit" not in out


def test_a_mistyped_column_or_sort_names_the_closest(folder: Path) -> None:
    result = invoke(folder, "--columns", "ticket_id,tgas")
    assert result.exit_code != 0
    assert "unknown column 'tgas'; did you mean 'tags'?" in str(result.exception)
    result = invoke(folder, "--sort", "created_a:desc")
    assert "unknown column 'created_a'; did you mean 'created_at'?" in str(result.exception)
    result = invoke(folder, "--sort", "created_at:down")
    assert "the order is asc or desc" in str(result.exception)


def test_a_filter_that_matches_nothing_says_so_and_succeeds(folder: Path) -> None:
    result = invoke(folder, "--filter", "channel=phone", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert "no ticket matches these filters and days" in result.stderr
    result = invoke(folder, "--filter", "channel=email", "--format", "csv")
    assert "no ticket matches" not in result.stderr


# The terminal view in a fresh interpreter, reporting which heavy libraries it loaded.
VIEW = """
import contextlib, sys
import supportops.cli
with contextlib.suppress(SystemExit):
    supportops.cli.root.main(sys.argv[1:], prog_name="supportops")
heavy = [m for m in ("pandas", "pyarrow", "numpy", "sqlglot") if m in sys.modules]
print("loaded:", ", ".join(heavy) or "none")
"""


def _view(cache: Path, *args: str) -> str:
    import os
    import subprocess
    import sys

    src = Path(__file__).resolve().parents[2] / "src"
    env = {**os.environ, "PYTHONPATH": str(src), "COLUMNS": "100"}
    env["SUPPORTOPS_CACHE_DIR"] = str(cache)
    done = subprocess.run(
        [sys.executable, "-c", VIEW, *args], capture_output=True, text=True, env=env, check=True
    )
    return done.stdout


def test_the_terminal_view_starts_without_pandas_arrow_numpy_or_sqlglot(tmp_path: Path) -> None:
    """Over the materialised facts (as ``supportops import`` and the demo leave them), the
    50-ticket view reads its rows from the store as Python values and prints them: pandas,
    Arrow and numpy (half a second to import together) are not loaded, nor SQLGlot once the
    query's generated text is kept (:mod:`supportops.sql_cache`). Without the facts the
    drill-down builds calendar days, with pandas."""
    from supportops.metrics.materialize import refresh_facts
    from supportops.workspace import Workspace

    (tmp_path / "supportops.yaml").write_text(f"report_timezone: {ZONE}\n", encoding="utf-8")
    with Workspace(tmp_path) as ws:
        load(ws.store, LOG)
    cache = tmp_path / "sql-cache"
    view = ("tickets", "--limit", "50", "-w", str(tmp_path))
    assert "pandas" in _view(cache, *view).splitlines()[-1]
    with Workspace(tmp_path) as ws:
        refresh_facts(ws)
    fresh = tmp_path / "fresh-cache"
    first, again = _view(fresh, *view), _view(fresh, *view)
    assert "3 tickets" in first and " t3 " in first
    assert first.splitlines()[-1] == "loaded: sqlglot"  # the query generated once ...
    assert again.splitlines()[-1] == "loaded: none"  # ... and read back after
    assert first.splitlines()[:-1] == again.splitlines()[:-1]
