"""CLI tables in the manager's units, as the pages write them (:mod:`supportops.numbers`), with
times in the report time zone named in the caption and only the columns that fit; one output
flag name; a mistyped metric id or dimension names the closest valid one."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console
from typer.testing import CliRunner

from supportops import numbers
from supportops.cli import app, spelled
from supportops.cli.output import Units, cell, fit, print_table, unit_of
from supportops.errors import MetricError
from tests.metrics.eventlog import load


def render(frame: pd.DataFrame, units: Units | None = None, width: int = 120, **kw: object) -> str:
    console = Console(width=width, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    print_table(frame, "t", units, console=console, **kw)  # type: ignore[arg-type]
    return console.export_text()


@pytest.mark.parametrize(
    ("name", "kind", "unit"),
    [
        ("elapsed_seconds", "f", "seconds"),
        ("first_reply_time", "f", "seconds"),
        ("asa", "f", "seconds"),
        ("compliance_after", "f", "rate"),
        ("abandon_rate", "f", "rate"),
        ("change", "f", "rate_change"),
        ("achieved", "i", "count"),
        ("y_hat", "f", "number"),
        ("created_at", "M", "time"),
        ("target", "O", None),
    ],
)
def test_a_columns_unit_is_read_from_its_name_and_type(name: str, kind: str, unit: str) -> None:
    assert unit_of(name, kind, Units()) == unit


def test_a_given_unit_wins_over_the_name() -> None:
    assert unit_of("csat", "f", Units({"csat": "rate"})) == "rate"
    assert unit_of("elapsed_seconds", "f", Units({"elapsed_seconds": "number"})) == "number"


@pytest.mark.parametrize(
    ("value", "unit"), [(11377.0, "seconds"), (0.8814, "rate"), (1234, "count"), (12.4, "currency")]
)
def test_cells_are_written_as_the_pages_write_them(value: float, unit: str) -> None:
    assert cell(value, unit, Units(currency="EUR")) == numbers.fmt(value, unit, "EUR")


def test_cells_read_as_a_manager_reads_them() -> None:
    units = Units(zone="America/New_York")
    assert cell(11377.0, "seconds", units) == "3h 9m"
    assert cell(0.8814, "rate", units) == "88.1%"
    assert cell(-0.182, "rate_change", units) == "-18.2 pts"
    assert cell(float("nan"), "rate", units) == "—"
    assert cell(datetime(2026, 3, 2, 14, 0, tzinfo=UTC), "time", units) == "2026-03-02 09:00"
    assert cell(["vip", "billing"], None, units) == "vip, billing"


def test_fit_keeps_the_leading_columns_that_fit() -> None:
    assert fit([10, 10, 10], 40) == 3  # 10+3 + 10+3 + 10+3 - 1 = 38
    assert fit([10, 10, 10], 30) == 2
    assert fit([100], 30) == 1  # one column at least


def test_a_table_names_the_time_zone_and_what_does_not_fit() -> None:
    frame = pd.DataFrame(
        {
            "ticket_id": ["t1"],
            "due_at": pd.to_datetime(["2026-03-02T14:00:00Z"]),
            "elapsed_seconds": [11377.0],
            "a_long_column_name": ["x"],
            "another_long_column": ["y"],
        }
    )
    wide = render(frame, Units(zone="America/New_York"))
    assert "2026-03-02 09:00" in wide and "3h 9m" in wide and "11377" not in wide
    assert "times in America/New_York" in wide and "do not fit" not in wide
    narrow = render(frame, Units(zone="America/New_York"), width=50, first=["elapsed_seconds"])
    assert narrow.splitlines()[1].split()[:2] == ["elapsed_seconds", "ticket_id"]
    note = " ".join(narrow.split())
    assert "2 more columns do not fit (a_long_column_name, another_long_column)" in note


def test_rows_beyond_the_limit_are_counted() -> None:
    frame = pd.DataFrame({"n": range(5)})
    assert "… 3 more rows" in render(frame, limit=2)


def _metrics_workspace(tmp_path: Path) -> Path:
    from supportops.workspace import Workspace

    (tmp_path / "supportops.yaml").write_text("report_timezone: UTC\n", encoding="utf-8")
    log = {
        "tickets": [{"ticket_id": "t1", "created_at": "2026-03-02T09:00:00Z", "status": "open"}],
        "events": [
            {"ticket_id": "t1", "at": "+3h9m37s", "kind": "message", "actor": "agent"},
        ],
    }
    with Workspace(tmp_path) as ws:
        load(ws.store, log)
    return tmp_path


def test_the_metrics_table_prints_durations_and_counts_in_their_units(tmp_path: Path) -> None:
    folder = _metrics_workspace(tmp_path)
    args = ["metrics", "first_reply_time", "tickets_created", "-w", str(folder)]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    assert "3h 9m" in result.stdout and "11377" not in result.stdout
    raw = CliRunner().invoke(app, [*args, "--format", "csv"])
    assert "11377" in raw.stdout  # CSV keeps the raw number


def test_a_mistyped_metric_or_dimension_names_the_closest(tmp_path: Path) -> None:
    folder = _metrics_workspace(tmp_path)
    result = CliRunner().invoke(app, ["metrics", "first_reply_tme", "-w", str(folder)])
    assert isinstance(result.exception, MetricError)
    assert str(result.exception).startswith(
        "unknown metric 'first_reply_tme'; did you mean 'first_reply_time'?"
    )
    assert result.exception.context["suggestion"] == "first_reply_time"
    result = CliRunner().invoke(app, ["metrics", "csat", "--by", "chanel", "-w", str(folder)])
    assert "unknown dimension 'chanel'; did you mean 'channel'?" in str(result.exception)


def test_the_output_file_is_output_everywhere_and_out_is_read_as_it() -> None:
    assert spelled(["report", "--out", "r.pdf"]) == ["report", "--output", "r.pdf"]
    assert spelled(["report", "--out=r.pdf"]) == ["report", "--output=r.pdf"]
    assert spelled(["import", "--", "--out"]) == ["import", "--", "--out"]
    assert spelled(["sla", "compare", "--changes-out", "c.csv"])[-2] == "--changes-out"
    from typer.main import get_command

    root = get_command(app)
    names: set[str] = set()

    def walk(command: object) -> None:
        for param in getattr(command, "params", []):
            names.update(param.opts)
        for sub in getattr(command, "commands", {}).values():
            walk(sub)

    walk(root)
    assert "--output" in names and "--out" not in names


def test_a_metric_filter_that_matches_nothing_says_so(tmp_path: Path) -> None:
    folder = _metrics_workspace(tmp_path)
    args = ["metrics", "tickets_created", "-w", str(folder), "--format", "json"]
    empty = CliRunner().invoke(app, [*args, "--filter", "channel=phone"])
    assert empty.exit_code == 0, empty.output
    assert "no ticket matches these filters" in empty.stderr
    found = CliRunner().invoke(app, [*args, "--filter", "status=open"])
    assert "no ticket matches" not in found.stderr
