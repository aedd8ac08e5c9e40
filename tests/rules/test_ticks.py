"""Time-based rules (``every: N`` minutes) are checked on the clock, as helpdesks run their
automations: in the replay at each period from a ticket's creation until it is closed or the
history ends, live (``serve``, ``supportops rules tick``) once per period on every ticket not
closed. A rule with a longer period is checked only at its own multiples; a closed ticket is
never checked."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from supportops.rules.files import workspace_rules
from supportops.rules.ledger import read_ledger
from supportops.rules.live import run_timed
from supportops.rules.replay import replay
from supportops.rules.ticks import period_of, ticks_of
from supportops.workspace import Workspace
from tests.metrics.conftest import engine
from tests.metrics.eventlog import load

__all__ = ["engine"]  # the store fixture of the metrics tests, on both engines

RULES: list[dict[str, Any]] = [
    {  # the classic automation: close what has been solved (checked hourly)
        "name": "close-solved",
        "every": 60,
        "when": {"status": "solved"},
        "actions": [{"set": {"status": "closed"}}],
    },
    {  # checked every second hour only
        "name": "tag-open",
        "every": 120,
        "when": {"status": "open", "not": {"tags": ["waiting"]}},
        "actions": [{"add_tags": ["waiting"]}],
    },
    {  # an event rule: never fired by a tick
        "name": "on-update",
        "on": ["update"],
        "when": {"status": "pending"},
        "actions": [{"add_tags": ["never"]}],
    },
]
# Ticket 1 opens at 09:10 and is solved at 10:20; ticket 2 opens at 09:30 and is closed at 09:50,
# before any tick; ticket 3 opens at 11:05 and stays open.
LOG: dict[str, list[dict[str, Any]]] = {
    "tickets": [
        {"ticket_id": "1", "created_at": "2026-03-02T09:10:00Z", "status": "solved"},
        {"ticket_id": "2", "created_at": "2026-03-02T09:30:00Z", "status": "closed"},
        {"ticket_id": "3", "created_at": "2026-03-02T11:05:00Z", "status": "open"},
    ],
    "events": [
        {"ticket_id": "1", "at": "2026-03-02T09:10:00Z", "kind": "created", "actor": "customer"},
        {"ticket_id": "1", "at": "2026-03-02T09:10:00Z", "kind": "status", "actor": "agent",
         "value": "open", "previous": "new"},
        {"ticket_id": "1", "at": "2026-03-02T10:20:00Z", "kind": "status", "actor": "agent",
         "value": "solved", "previous": "open"},
        {"ticket_id": "2", "at": "2026-03-02T09:30:00Z", "kind": "created", "actor": "customer"},
        {"ticket_id": "2", "at": "2026-03-02T09:50:00Z", "kind": "status", "actor": "agent",
         "value": "closed", "previous": "new"},
        {"ticket_id": "3", "at": "2026-03-02T11:05:00Z", "kind": "created", "actor": "customer"},
        {"ticket_id": "3", "at": "2026-03-02T11:05:00Z", "kind": "status", "actor": "agent",
         "value": "open", "previous": "new"},
    ],
}  # fmt: skip


@pytest.fixture
def ws(engine: str, tmp_path: Path) -> Iterator[Workspace]:
    config = {"store": engine, "rules": {"mode": "dry_run", "rules": RULES}}
    (tmp_path / "supportops.yaml").write_text(json.dumps(config), encoding="utf-8")
    with Workspace(tmp_path) as workspace:
        load(workspace.store, LOG)
        yield workspace


def _fired(actions: pd.DataFrame) -> set[tuple[str, str, str]]:
    at = pd.to_datetime(actions["at"], utc=True).dt.strftime("%H:%M")
    rule = actions["rule"] if "rule" in actions else actions["rule_name"]
    return set(zip(rule.astype(str), actions["ticket_id"].astype(str), at, strict=True))


def test_the_period_is_the_gcd_of_the_rules_periods(ws: Workspace) -> None:
    assert period_of(workspace_rules(ws.config, ws.path)) == 60


def test_ticks_run_from_creation_until_closed_or_the_end(ws: Workspace) -> None:
    tickets = ws.store.query("SELECT * FROM tickets ORDER BY ticket_id")
    events = ws.store.query("SELECT * FROM events")
    end = pd.Timestamp("2026-03-02T13:30:00Z")
    ticks = ticks_of(tickets, events, 60, end)
    got = set(zip(ticks["ticket_id"], ticks["at"].dt.strftime("%H:%M"), strict=True))
    assert got == {
        ("1", "10:00"),
        ("1", "11:00"),
        ("1", "12:00"),
        ("1", "13:00"),
        ("3", "12:00"),
        ("3", "13:00"),
    }  # fmt: skip  (2 is closed at 09:50, before its first boundary)


def test_the_replay_checks_time_based_rules_on_the_clock(ws: Workspace) -> None:
    ruleset = workspace_rules(ws.config, ws.path)
    low, high = datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 2, 14, 30, tzinfo=UTC)
    report = replay(ws, ruleset, low, high)
    assert _fired(report.replayed.actions) == {
        ("tag-open", "1", "10:00"),  # open at 10:00, an even hour
        ("close-solved", "1", "11:00"),  # solved at 10:20, closed at the next hour...
        ("tag-open", "3", "12:00"),  # ... and never checked again
    }
    final = report.replayed.final.set_index("ticket_id")
    assert final.loc["1", "status"] == "closed" and final.loc["3", "status"] == "open"


def test_live_checks_each_ticket_not_closed_once_per_period(ws: Workspace) -> None:
    first = run_timed(ws, datetime(2026, 3, 2, 12, 7, tzinfo=UTC))
    again = run_timed(ws, datetime(2026, 3, 2, 12, 40, tzinfo=UTC))  # the same period
    later = run_timed(ws, datetime(2026, 3, 2, 13, 1, tzinfo=UTC))  # 13:00 is odd: no tag-open
    assert _fired(first) == {("close-solved", "1", "12:00"), ("tag-open", "3", "12:00")}
    assert again.empty  # checked twice in one period: acted once
    # dry run leaves ticket 1 solved in the store, so the next hour's check fires again
    assert _fired(later) == {("close-solved", "1", "13:00")}
    ledger = read_ledger(ws.store, limit=100)
    assert set(ledger["result"]) == {"dry_run"}
    assert not (ledger["rule"] == "on-update").any()


def test_the_tick_command_acts_once_per_period(ws: Workspace) -> None:
    from typer.testing import CliRunner

    from supportops.cli import app

    runner = CliRunner()
    args = ["rules", "tick", "--as-of", "2026-03-02T12:07Z", "-w", str(ws.path)]
    ws.close()
    first = runner.invoke(app, args)
    again = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "close-solved" in first.output and "tag-open" in first.output
    assert "no time-based rule acted this period" in again.output


def test_a_ticket_closed_by_a_replayed_rule_is_not_checked_again(ws: Workspace) -> None:
    from supportops.rules.model import RuleSet

    ruleset = RuleSet.model_validate(
        {
            "rules": [
                RULES[0],  # closes ticket 1 at 11:00
                {
                    "name": "note-each-check",
                    "every": 60,
                    "when": {},
                    "actions": [{"add_tags": ["checked"]}],
                },
            ]
        }
    )
    low, high = datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 2, 14, 30, tzinfo=UTC)
    fired = _fired(replay(ws, ruleset, low, high).replayed.actions)
    checks = sorted((t, at) for rule, t, at in fired if rule == "note-each-check")
    # ticket 1: 10:00 and 11:00 (closed by the other rule in that check), then never again
    assert [at for t, at in checks if t == "1"] == ["10:00", "11:00"]
    assert [at for t, at in checks if t == "3"] == ["12:00", "13:00", "14:00"]


def test_serve_checks_each_minute_but_once_per_period(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from supportops.rules import live
    from supportops.web.app import _timed_checks, create_app

    calls: list[datetime] = []
    run = live.run_timed

    def counted(*args: Any, **kw: Any) -> pd.DataFrame:
        calls.append(args[1])
        return run(*args, **kw)

    monkeypatch.setattr(live, "run_timed", counted)

    class Clock:
        at = datetime(2026, 3, 2, 12, 7, tzinfo=UTC)

        def now(self) -> datetime:
            return self.at

    clock = Clock()
    ws.close()
    check = _timed_checks(create_app(ws.path, clock=clock).state.web, 60)
    check()
    clock.at = datetime(2026, 3, 2, 12, 40, tzinfo=UTC)  # the same period: nothing to do
    check()
    assert len(calls) == 1
    with Workspace(ws.path) as again:
        fired = _fired(read_ledger(again.store, limit=100))
    clock.at = datetime(2026, 3, 2, 13, 1, tzinfo=UTC)  # the next period: checked again
    check()
    assert len(calls) == 2
    assert fired == {
        ("close-solved", "1", "12:00"),
        ("tag-open", "3", "12:00"),
    }
