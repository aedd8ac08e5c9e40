"""Golden cases of verified bot resolutions: a resolution holds only when the same customer makes
no human contact on any channel within the window — read from a real store on both engines."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from supportops.roi.ledger import ledger
from supportops.roi.verify import verified, verify
from supportops.workspace import Workspace
from tests.metrics.eventlog import load

DAY0 = datetime(2026, 11, 2, 9, tzinfo=UTC)

SESSIONS = [  # id, started, outcome, customer; comment: the expected verdict
    ("b1", "2026-11-02T09:00:00Z", "resolved", "ann"),  # e-mail ticket 3 days later: not verified
    ("b2", "2026-11-02T10:00:00Z", "resolved", "bob"),  # nothing afterwards: verified
    ("b3", "2026-11-02T11:00:00Z", "resolved", "cy"),  # a phone ticket 8 days later: verified
    ("b4", "2026-11-02T12:00:00Z", "resolved", None),  # no customer id: cannot be verified
    ("b5", "2026-11-02T13:00:00Z", "handed_off", "dee"),  # not a resolution at all
    ("b6", "2026-11-05T09:00:00Z", "resolved", "eve"),  # eve wrote the day before: verified
]
TICKETS = [  # id, created, channel, customer, created by
    ("t1", "2026-11-05T09:00:00Z", "email", "ann", "customer"),
    ("t2", "2026-11-10T12:00:00Z", "phone", "cy", "customer"),
    ("t3", "2026-11-04T09:00:00Z", "email", "eve", "customer"),
    ("t4", "2026-11-03T09:00:00Z", "email", "bob", "agent"),  # outbound: not the customer's
    ("t5", "2026-11-02T13:05:00Z", "chat", "dee", "customer"),
]
EXPECTED = [False, True, True, False, False, True]


def _frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    sessions = pd.DataFrame(
        SESSIONS, columns=["session_id", "started_at", "outcome", "requester_id"]
    )
    tickets = pd.DataFrame(TICKETS, columns=["ticket_id", "at", "channel", "requester_id", "by"])
    return sessions, tickets[tickets.by != "agent"]


def test_each_golden_session_is_verified_as_its_comment_says() -> None:
    sessions, contacts = _frames()
    assert verified(sessions, contacts).tolist() == EXPECTED


def test_the_window_is_a_setting() -> None:
    sessions, contacts = _frames()
    found = verified(sessions, contacts, window=9 * 86400)  # cy's phone call now undoes b3
    assert found.tolist() == [False, True, False, False, False, True]


def test_the_false_resolution_rate_is_the_share_reported_but_not_verified() -> None:
    found = verify(*_frames())
    assert (found.sessions, found.reported, found.verified) == (6, 5, 3)
    assert found.false_resolution_rate == pytest.approx(2 / 5)


def test_the_ledger_reads_the_same_from_the_store(tmp_path: Path, engine: str) -> None:
    folder = tmp_path / "ws"
    folder.mkdir()
    config = {"store": engine, "cost": {"default_hourly_cost": 40}}
    (folder / "supportops.yaml").write_text(json.dumps(config), encoding="utf-8")
    log = {
        "tickets": [
            {
                "ticket_id": t,
                "created_at": at,
                "channel": ch,
                "requester_id": who,
                "created_by": by,
                "status": "solved",
                "solved_at": at,
            }
            for t, at, ch, who, by in TICKETS
        ],
        "bot_sessions": [
            {
                "session_id": s,
                "started_at": at,
                "outcome": o,
                "requester_id": who,
                "channel": "chat",
            }
            for s, at, o, who in SESSIONS
        ],
        "work": [
            {
                "agent_id": "a1",
                "ticket_id": "t5",
                "started_at": "2026-11-02T13:10:00Z",
                "seconds": 600,
            }
        ],
    }
    with Workspace(folder) as ws:
        load(ws.store, log)
        found = ledger(ws, datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 8, tzinfo=UTC))
    bot = found.rows[0]
    assert bot.verification is not None
    assert (bot.verification.reported, bot.verification.verified) == (5, 3)
    # three verified resolutions × the chat tickets' 600 s of handle time = 0.5 h, at $40/h
    assert bot.saving.basis == "observational"
    assert bot.saving.hours == pytest.approx(0.5)
    assert bot.saving.money_saved[0] == pytest.approx(20.0)
