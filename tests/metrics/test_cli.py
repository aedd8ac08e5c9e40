"""The metric commands: JSON shape, list, explain, SQL for a warehouse, tickets, quality."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import sqlglot
from typer.testing import CliRunner

from supportops.cli import app

from .eventlog import load

LOG = {
    "tickets": [
        {
            "ticket_id": "t1",
            "created_at": "2026-03-02T09:00:00Z",
            "status": "open",
            "channel": "email",
        },
        {
            "ticket_id": "t2",
            "created_at": "2026-03-09T09:00:00Z",
            "status": "open",
            "channel": "chat",
        },
    ],
    "events": [
        {"ticket_id": "t1", "at": "+1h", "kind": "message", "actor": "agent", "public": True}
    ],
}


def _workspace(tmp_path: Path) -> Path:
    from supportops.workspace import Workspace

    (tmp_path / "supportops.yaml").write_text("report_timezone: UTC\n", encoding="utf-8")
    with Workspace(tmp_path) as ws:
        load(ws.store, LOG)
    return tmp_path


def run(*args: Any) -> Any:
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.stdout  # notes (stale data) go to stderr


def test_json_is_one_object_per_group_with_metrics_as_asked(tmp_path: Path) -> None:
    folder = _workspace(tmp_path)
    out = run(
        "metrics",
        "tickets_created",
        "first_reply_time:median",
        "--by",
        "channel",
        "--grain",
        "week",
        "--format",
        "json",
        "--workspace",
        folder,
    )
    assert json.loads(out) == [
        {
            "channel": "chat",
            "period": "2026-03-09",
            "tickets_created": 1,
            "first_reply_time:median": None,
        },
        {
            "channel": "email",
            "period": "2026-03-02",
            "tickets_created": 1,
            "first_reply_time:median": 3600.0,
        },
    ]


def test_list_explain_and_warehouse_sql(tmp_path: Path) -> None:
    folder = _workspace(tmp_path)
    assert "first_reply_time_business" in run("metrics", "--list")
    explained = run("metrics", "explain", "one_touch_rate")
    assert "fewer than two agent replies" in explained
    sql = run(
        "metrics",
        "first_reply_time",
        "--by",
        "channel",
        "--sql",
        "--dialect",
        "snowflake",
        "--workspace",
        folder,
    )
    sqlglot.parse_one(sql, read="snowflake")


def test_tickets_and_quality(tmp_path: Path) -> None:
    folder = _workspace(tmp_path)
    rows = json.loads(
        run("tickets", "--format", "json", "--filter", "channel=email", "--workspace", folder)
    )
    assert [r["ticket_id"] for r in rows] == ["t1"] and rows[0]["first_reply_time"] == 3600
    report = json.loads(run("quality", "--format", "json", "--workspace", folder))
    assert {"scores", "completeness", "validity", "freshness", "imports"} <= set(report)
    out = tmp_path / "t.parquet"
    run("tickets", "--format", "parquet", "--output", out, "--workspace", folder)
    assert out.stat().st_size > 0


def test_errors_name_the_problem(tmp_path: Path) -> None:
    folder = _workspace(tmp_path)
    result = CliRunner().invoke(app, ["metrics", "nope", "--workspace", str(folder)])
    assert result.exit_code != 0 and "unknown metric" in str(result.exception)


def test_headline_is_a_kpi_table_from_the_catalog(tmp_path: Path) -> None:
    from supportops.metrics import headline
    from supportops.workspace import Workspace

    with Workspace(_workspace(tmp_path)) as ws:
        table = headline(ws)
    values = dict(zip(table.metric, table.value, strict=True))
    assert values["tickets_created"] == 2 and values["first_reply_time"] == 3600
    assert pd.isna(values["csat"])  # no survey answered: no data, not zero
    assert set(table.columns) == {"metric", "value", "unit", "definition"}


def test_filters_are_conditions_and_a_typo_names_the_closest_dimension(tmp_path: Path) -> None:
    folder = _workspace(tmp_path)

    def ids(*filters: str) -> list[str]:
        args = [a for f in filters for a in ("--filter", f)]
        rows = json.loads(run("tickets", "--format", "json", *args, "--workspace", folder))
        return sorted(r["ticket_id"] for r in rows)

    assert ids("channel=email", "channel=chat") == ["t1", "t2"]  # one dimension: any of
    assert ids("{not: {channel: email}}") == ["t2"]
    assert ids("{any: [{channel: chat}, {field: priority, null: false}]}") == ["t2"]
    for command in ("tickets", "metrics"):
        metric = ["tickets_created"] if command == "metrics" else []
        result = CliRunner().invoke(
            app, [command, *metric, "--filter", "chanel=email", "--workspace", str(folder)]
        )
        assert result.exit_code != 0
        assert "unknown field (did you mean 'channel'?)" in str(result.exception)
