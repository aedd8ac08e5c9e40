"""``supportops quality``: completeness, validity findings with their tickets, freshness, scores."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from supportops.metrics.quality import quality_report

LOG = {
    "tickets": [
        {
            "ticket_id": "t1",
            "created_at": "2026-03-02T09:00:00Z",
            "status": "open",
            "subject": "hello",
            "source": "zendesk",
        },
        {"ticket_id": "t2", "created_at": "2026-03-02T09:00:00Z", "status": "solved"},
        {
            "ticket_id": "t3",
            "created_at": "2026-03-02T09:00:00Z",
            "status": "closed",
            "solved_at": "2026-03-02T08:00:00Z",
        },
    ],
    "events": [
        {"ticket_id": "t2", "at": "-5m", "kind": "message", "actor": "agent", "public": True},
        {"ticket_id": "t2", "at": "+1h", "kind": "status", "value": "open"},
        {"ticket_id": "t1", "source": "zendesk", "at": "+2h", "kind": "status", "value": "open"},
    ],
    "imports": [
        {
            "import_id": "i1",
            "at": "2026-03-02T10:00:00Z",
            "rows_read": 5,
            "imported": 4,
            "updated": 0,
            "duplicates": 1,
            "quarantined": 0,
        }
    ],
}


def test_quality_report(make_ws: Any) -> None:
    ws = make_ws(LOG)
    report = quality_report(ws, now=datetime(2026, 3, 3, 9, tzinfo=UTC))
    complete = report["completeness"].set_index(["table", "column"])["completeness"]
    assert complete[("tickets", "subject")] == 1 / 3
    assert complete[("tickets", "ticket_id")] == 1.0
    valid = report["validity"].set_index("rule")
    assert valid.at["reply_before_creation", "examples"] == "csv:t2"
    assert valid.at["status_contradicts_events", "examples"] == "csv:t2, csv:t3"
    assert valid.at["solve_before_creation", "examples"] == "csv:t3"
    fresh = report["freshness"].set_index("source")["age_seconds"]
    assert fresh["zendesk"] == 22 * 3600 and fresh["csv"] == 23 * 3600
    assert int(report["imports"]["duplicates"].sum()) == 1
    scores = report["scores"].set_index("table")
    assert 0 < scores.at["tickets", "score"] < scores.at["tickets", "completeness"]
    assert abs(scores.at["tickets", "valid"] - 1 / 3) < 1e-9


def test_a_solved_ticket_without_status_events_or_solved_at_is_a_finding(make_ws: Any) -> None:
    ws = make_ws(
        {
            "tickets": [
                {"ticket_id": "t1", "created_at": "2026-03-02T09:00:00Z", "status": "closed"},
                {"ticket_id": "t2", "created_at": "2026-03-02T09:00:00Z", "status": "open"},
            ]
        }
    )
    valid = quality_report(ws)["validity"].set_index("rule")
    assert valid.at["solved_without_solve_time", "examples"] == "csv:t1"
    assert valid.at["solved_without_solve_time", "tickets"] == 1
