"""Materialised facts give the same numbers as the inline facts, and are left alone when stale."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from supportops.metrics.materialize import refresh_facts
from supportops.metrics.ticket_files import write_tickets
from supportops.model.schema import TABLES

from .eventlog import arrow_rows
from .test_tickets import LOG

ASK = [
    "tickets_created",
    "tickets_solved",
    "backlog",
    "first_reply_time",
    "first_reply_time_business",
    "requester_wait_time_business",
    "reopen_rate",
    "one_touch_rate",
    "full_resolution_time",
]


def test_same_numbers_from_materialised_facts(make_ws: Any, tmp_path: Path) -> None:
    ws = make_ws(LOG)
    inline = ws.metrics(ASK, by=["channel"], grain="day")
    assert refresh_facts(ws)["metric_facts"] == 2
    stored = ws.metrics(ASK, by=["channel"], grain="day")
    pd.testing.assert_frame_equal(inline, stored, check_dtype=False)
    path = tmp_path / "t.parquet"
    assert write_tickets(ws, path, "parquet") == 2
    assert sorted(pq.read_table(path).column("ticket_id").to_pylist()) == ["t1", "t2"]


def test_stale_materialised_facts_are_not_read(make_ws: Any) -> None:
    ws = make_ws(LOG)
    refresh_facts(ws)
    row = {"ticket_id": "t3", "created_at": "2026-03-02T09:00:00Z", "status": "new"}
    ws.store.upsert(TABLES["tickets"], arrow_rows("tickets", [row], {}))
    assert int(ws.metrics(["tickets_created"]).iloc[0, 0]) == 3
