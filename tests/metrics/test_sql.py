"""Metric SQL is built once and generated per dialect; warehouse SQL parses in its dialect;
filter values travel as bound parameters, never in the SQL text."""

from __future__ import annotations

from typing import Any

import pytest
import sqlglot

from supportops.metrics.catalog import catalog
from supportops.metrics.compiler import render
from supportops.metrics.drilldown import tickets_sql
from supportops.metrics.query import build_query, metrics_sql, prepare

WAREHOUSES = ("snowflake", "bigquery", "spark", "postgres", "duckdb")
CONFIG = {
    "report_timezone": "America/New_York",
    "default_calendar": "office",
    "calendars": {
        "office": {"timezone": "America/New_York", "hours": {"mon-fri": ["09:00-17:00"]}}
    },
    "groups": {"tier2": {"tier": 2}},
    "sla_policies": [{"name": "vip", "when": {"tags": ["vip"]}, "targets": {"first_reply": "1h"}}],
}
LOG = {"tickets": [{"ticket_id": "t1", "created_at": "2026-03-02T09:00:00Z", "status": "open"}]}
EVERY = [m for m, metric in catalog().items() if not metric.hidden]


@pytest.fixture
def ws(tmp_path: Any) -> Any:
    import json

    from supportops.workspace import Workspace

    from .eventlog import load

    (tmp_path / "supportops.yaml").write_text(json.dumps(CONFIG), encoding="utf-8")
    workspace = Workspace(tmp_path)
    load(workspace.store, LOG)
    yield workspace
    workspace.close()


@pytest.mark.parametrize("dialect", WAREHOUSES)
def test_every_metric_prints_sql_that_parses_in_the_warehouse_dialect(
    ws: Any, dialect: str
) -> None:
    sql = metrics_sql(
        ws,
        EVERY,
        dialect,
        by=["channel", "tag"],
        grain="week",
        filters=["priority=high"],
        as_of="2026-03-10T00:00:00",
    )
    tree = sqlglot.parse_one(sql, read=dialect)
    assert tree.find(sqlglot.exp.With) is not None
    sqlglot.parse_one(tickets_sql(ws, dialect, filters=["tag=vip"]), read=dialect)


def test_filter_values_are_bound_parameters(ws: Any) -> None:
    hostile = "x') OR 1=1 --"
    query = build_query(["tickets_created", "csat"], filters=[f"channel={hostile}"])
    compiled = prepare(ws, query, execute=False)
    for dialect in ("duckdb", "postgres"):
        sql, params = render(compiled, dialect)
        assert hostile not in sql and hostile in params


def test_one_tree_many_dialects(ws: Any) -> None:
    query = build_query(["first_reply_time:p90"], by=["channel"], grain="month")
    compiled = prepare(ws, query, execute=False)
    duck, _ = render(compiled, "duckdb")
    pg, _ = render(compiled, "postgres")
    assert "QUANTILE_CONT" in duck and "PERCENTILE_CONT" in pg
    assert "DATE_TRUNC('MONTH'" in duck.upper() and "DATE_TRUNC('MONTH'" in pg.upper()
