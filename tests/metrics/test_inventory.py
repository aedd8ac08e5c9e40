"""The store questions the pages and the CLI ask (``metrics/inventory``, ``metrics/bot_sessions``),
on every engine, against a small hand-built log with the answers beside it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd

from supportops.metrics import inventory
from supportops.metrics.bot_sessions import sessions_by_outcome
from tests.metrics.conftest import WorkspaceFactory

LOG = {
    "tickets": [
        {"ticket_id": "T1", "created_at": "2026-03-01T09:00:00Z", "channel": "email", "group": "b"},
        {"ticket_id": "T2", "created_at": "2026-03-02T23:30:00Z", "channel": "chat", "group": "a"},
        {"ticket_id": "T3", "created_at": "2026-03-02T10:00:00Z", "channel": "chat"},
    ],
    "events": [
        {"ticket_id": "T1", "at": "+1h", "kind": "status", "value": "open"},
        {"ticket_id": "T2", "at": "+2h", "kind": "status", "value": "solved"},
    ],
    "bot_sessions": [
        {"session_id": "S1", "started_at": "2026-03-01T08:00:00Z", "channel": "chat",
         "outcome": "resolved"},
        {"session_id": "S2", "started_at": "2026-03-01T12:00:00Z", "channel": "chat",
         "outcome": "handed_off"},
        {"session_id": "S3", "started_at": "2026-03-02T08:00:00Z", "channel": "web",
         "outcome": "resolved"},
    ],
    "imports": [
        {"import_id": "i1", "at": "2026-03-01T00:00:00Z"},
        {"import_id": "i2", "at": "2026-03-03T00:00:00Z"},
    ],
    "quarantine": [
        {"import_id": "i1", "table_name": "tickets", "file": "a.csv", "row": 7, "reason": "old"},
        {"import_id": "i2", "table_name": "tickets", "file": "b.csv", "row": 3, "reason": "x"},
        {"import_id": "i2", "table_name": "events", "file": "a.csv", "row": 9, "reason": "y"},
    ],
}  # fmt: skip


def test_the_store_answers_what_the_pages_and_the_cli_ask(make_ws: WorkspaceFactory) -> None:
    store = make_ws(LOG).store
    assert inventory.newest_event(store) == datetime(2026, 3, 3, 1, 30, tzinfo=UTC)
    assert inventory.newest_ticket_day(store) == date(2026, 3, 2)
    assert inventory.distinct_values(store, "group") == ["a", "b"]
    assert inventory.tickets_per_channel(store) == {"chat": 2, "email": 1}
    count, newest = inventory.data_version(store)
    assert count == 2 and newest.startswith("2026-03-03 00:00:00")


def test_quarantined_rows_come_latest_import_first_then_by_file_and_row(
    make_ws: WorkspaceFactory,
) -> None:
    store = make_ws(LOG).store
    rows = inventory.quarantined_rows(store)
    assert list(zip(rows.import_id, rows.file, rows["row"], strict=True)) == [
        ("i2", "a.csv", 9), ("i2", "b.csv", 3), ("i1", "a.csv", 7)
    ]  # fmt: skip
    assert list(inventory.quarantined_rows(store, "i1").reason) == ["old"]
    assert len(inventory.quarantined_rows(store, limit=1)) == 1


def test_an_empty_store_has_no_newest_anything(make_ws: WorkspaceFactory) -> None:
    store = make_ws().store
    assert inventory.newest_event(store) is None and inventory.newest_ticket_day(store) is None
    assert inventory.tickets_per_channel(store) == {}


def test_bot_sessions_are_counted_per_outcome_in_the_range_and_channel(
    make_ws: WorkspaceFactory,
) -> None:
    store = make_ws(LOG).store

    def counted(**options: object) -> dict[str, int]:
        frame = sessions_by_outcome(store, **options)  # type: ignore[arg-type]
        return {str(o): int(n) for o, n in zip(frame.outcome, frame.sessions, strict=True)}

    assert counted() == {"resolved": 2, "handed_off": 1}
    day = pd.Timestamp("2026-03-01", tz="UTC")
    assert counted(low=day, high=day + pd.Timedelta(days=1)) == {"resolved": 1, "handed_off": 1}
    assert counted(channel="web") == {"resolved": 1}
    assert counted(unmatchable=True) == {}
