"""``supportops tickets``: the per-ticket facts behind every metric, on both engines."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from supportops.metrics.drilldown import FACT_COLUMNS
from supportops.metrics.names import NAMED
from supportops.metrics.ticket_files import write_tickets
from supportops.model.schema import TABLES

LOG = {
    "tickets": [
        {
            "ticket_id": "t1",
            "created_at": "2026-03-02T09:00:00Z",
            "status": "solved",
            "channel": "email",
            "tags": ["vip", "billing"],
        },
        {
            "ticket_id": "t2",
            "created_at": "2026-03-02T09:00:00Z",
            "status": "open",
            "channel": "chat",
            "created_by": "agent",
        },
    ],
    "events": [
        {"ticket_id": "t1", "at": "+10m", "kind": "message", "actor": "bot", "public": True},
        {"ticket_id": "t1", "at": "+30m", "kind": "message", "actor": "agent", "public": True},
        {"ticket_id": "t1", "at": "+1h", "kind": "status", "value": "pending"},
        {"ticket_id": "t1", "at": "+2h", "kind": "status", "value": "solved"},
        {"ticket_id": "t1", "at": "+3h", "kind": "status", "value": "open"},
        {"ticket_id": "t1", "at": "+4h", "kind": "status", "value": "solved"},
        {"ticket_id": "t2", "at": "+0m", "kind": "message", "actor": "agent", "public": True},
    ],
}


def _row(frame: Any, ticket: str) -> dict[str, Any]:
    return dict(frame[frame.ticket_id == ticket].iloc[0])


def test_one_row_per_ticket_with_its_facts(make_ws: Any) -> None:
    ws = make_ws(LOG)
    frame = ws.tickets()
    named = {n.column: [n.column, n.name_column] for n in NAMED}  # each id, then its name
    columns = [c for column in TABLES["tickets"].names for c in named.get(column, [column])]
    assert list(frame.columns) == [*columns, *FACT_COLUMNS]
    t1, t2 = _row(frame, "t1"), _row(frame, "t2")
    assert t1["first_reply_time"] == 1800
    assert t1["first_resolution_time"] == 7200 and t1["full_resolution_time"] == 14400
    assert t1["agent_wait_time"] == 3600 and t1["requester_wait_time"] == 7200
    assert t1["agent_replies"] == 1 and t1["reopens"] == 1
    assert math.isnan(t2["first_reply_time"])  # agent-created, the customer never wrote
    assert math.isnan(t2["full_resolution_time"])


def test_filters_are_bound_and_tags_match_any_element(make_ws: Any) -> None:
    ws = make_ws(LOG)
    assert list(ws.tickets(filters=["tag=vip"]).ticket_id) == ["t1"]
    assert list(ws.tickets(filters={"channel": ["chat", "phone"]}).ticket_id) == ["t2"]
    assert ws.tickets(filters=["channel=x'; DROP TABLE tickets; --"]).empty
    assert ws.store.count("tickets") == 2


def test_as_of_cuts_the_facts(make_ws: Any) -> None:
    ws = make_ws(LOG)
    t1 = _row(ws.tickets(as_of="2026-03-02T10:30:00Z"), "t1")
    assert t1["first_reply_time"] == 1800
    assert math.isnan(t1["first_resolution_time"])
    assert math.isnan(t1["full_resolution_time"])


def test_streams_to_parquet_in_chunks(make_ws: Any, tmp_path: Path) -> None:
    ws = make_ws(LOG)
    path = tmp_path / "tickets.parquet"
    assert write_tickets(ws, path, "parquet") == 2
    table = pq.read_table(path)
    assert table.column("ticket_id").to_pylist() == ["t1", "t2"]
    assert table.column("tags").to_pylist()[0] == ["vip", "billing"]
