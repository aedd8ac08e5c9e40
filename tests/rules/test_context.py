"""Rules see every context field they read: business hours, SLA state, hours since a state,
the experiment arm, in the replay and live alike, on both storage engines.

One small history (two tickets, a Monday and a Tuesday in UTC) and, per field, a rule with the
events it must fire on and on no other. A field left empty fires nowhere, so each case fails.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from supportops.conditions.model import fields_of
from supportops.experiments.assign import arm_of
from supportops.rules.ledger import read_ledger
from supportops.rules.lint import lint
from supportops.rules.live import evaluate_applied, references_of
from supportops.rules.model import RuleSet
from supportops.rules.replay import replay
from supportops.workspace import Workspace
from tests.metrics.conftest import engine
from tests.metrics.eventlog import load

__all__ = ["engine"]  # the store fixture of the metrics tests, on both engines

CONFIG: dict[str, Any] = {
    "calendars": {"office": {"timezone": "UTC", "hours": {"mon-fri": ["09:00-17:00"]}}},
    "sla_policies": [
        {"name": "all", "when": {}, "calendar": "office", "targets": {"first_reply": "1h"}}
    ],
    "experiments": [
        {
            "name": "trial",
            "unit": "ticket",
            "arms": {"a": 1, "b": 1},
            "salt": "trial-1",
            "start": "2026-03-01",
            "end": "2026-03-31",
            "primary": "first_reply_time:median",
        }
    ],
}
# Ticket 1 opens before the office does (its first reply is due at 10:00, the agent answers
# at 10:30: breached); ticket 2 opens at 09:30 and is answered in 20 minutes.
LOG: dict[str, list[dict[str, Any]]] = {
    "tickets": [
        {"ticket_id": "1", "created_at": "2026-03-02T08:00:00Z", "status": "open"},
        {"ticket_id": "2", "created_at": "2026-03-02T09:30:00Z", "status": "solved"},
    ],
    "events": [
        {"ticket_id": "1", "at": "2026-03-02T08:00:00Z", "kind": "created", "actor": "customer"},
        {"ticket_id": "1", "at": "2026-03-02T08:00:00Z", "kind": "message", "actor": "customer"},
        {"ticket_id": "1", "at": "2026-03-02T09:15:00Z", "kind": "status", "actor": "agent",
         "value": "open", "previous": "new"},
        {"ticket_id": "1", "at": "2026-03-02T09:45:00Z", "kind": "group", "actor": "agent",
         "value": "billing"},
        {"ticket_id": "1", "at": "2026-03-02T10:10:00Z", "kind": "priority", "actor": "agent",
         "value": "high"},
        {"ticket_id": "1", "at": "2026-03-02T10:30:00Z", "kind": "message", "actor": "agent"},
        {"ticket_id": "1", "at": "2026-03-02T10:31:00Z", "kind": "status", "actor": "agent",
         "value": "pending", "previous": "open"},
        {"ticket_id": "1", "at": "2026-03-03T09:00:00Z", "kind": "message", "actor": "customer"},
        {"ticket_id": "1", "at": "2026-03-03T09:01:00Z", "kind": "status", "actor": "customer",
         "value": "open", "previous": "pending"},
        {"ticket_id": "2", "at": "2026-03-02T09:30:00Z", "kind": "created", "actor": "customer"},
        {"ticket_id": "2", "at": "2026-03-02T09:30:00Z", "kind": "message", "actor": "customer"},
        {"ticket_id": "2", "at": "2026-03-02T09:40:00Z", "kind": "assignee", "actor": "agent",
         "value": "ann"},
        {"ticket_id": "2", "at": "2026-03-02T09:50:00Z", "kind": "message", "actor": "agent"},
        {"ticket_id": "2", "at": "2026-03-02T12:00:00Z", "kind": "status", "actor": "agent",
         "value": "solved", "previous": "new"},
    ],
}  # fmt: skip


def _rule(name: str, when: dict[str, Any], on: tuple[str, ...] = ("create", "update")) -> Any:
    return {"name": name, "on": list(on), "when": when, "actions": [{"add_tags": [name]}]}


ARM = arm_of("trial-1", "1", {"a": 1, "b": 1})
CASES: dict[str, tuple[dict[str, Any], set[tuple[str, str]]]] = {
    "open-hours": (
        _rule("open-hours", {"business_hours": ["office"]}),
        {("1", "03-02T09:15"), ("1", "03-02T09:45"), ("1", "03-02T10:10"), ("1", "03-02T10:30"),
         ("1", "03-02T10:31"), ("1", "03-03T09:00"), ("1", "03-03T09:01"), ("2", "03-02T09:30"),
         ("2", "03-02T09:40"), ("2", "03-02T09:50"), ("2", "03-02T12:00")},
    ),
    "reply-soon": (  # under 30 minutes left (or late) while the first reply is awaited
        _rule("reply-soon", {"sla.first_reply.due_in": {"lt": 1800}}),
        {("1", "03-02T09:45"), ("1", "03-02T10:10")},
    ),
    "late": (  # breached from 10:00 on, for good
        _rule("late", {"sla.breached": ["first_reply"]}),
        {("1", "03-02T10:10"), ("1", "03-02T10:30"), ("1", "03-02T10:31"), ("1", "03-03T09:00"),
         ("1", "03-03T09:01")},
    ),
    "waited": (  # pending since Monday 10:31
        _rule("waited", {"hours_since.pending": {"gt": 12}}),
        {("1", "03-03T09:00"), ("1", "03-03T09:01")},
    ),
    "just-assigned": (
        _rule("just-assigned", {"hours_since.assigned": {"lt": 1}}),
        {("2", "03-02T09:40"), ("2", "03-02T09:50")},
    ),
    "in-arm": (
        _rule("in-arm", {"experiment.trial": ARM}, on=("create",)),
        {(t, at) for t, at in (("1", "03-02T08:00"), ("2", "03-02T09:30"))
         if arm_of("trial-1", t, {"a": 1, "b": 1}) == ARM},
    ),
}  # fmt: skip


def _workspace(folder: Path, engine: str, rules: list[dict[str, Any]]) -> Workspace:
    folder.mkdir()
    config = {"store": engine, **CONFIG, "rules": {"mode": "dry_run", "rules": rules}}
    (folder / "supportops.yaml").write_text(json.dumps(config), encoding="utf-8")
    ws = Workspace(folder)
    load(ws.store, LOG)
    return ws


def _fires(frame: pd.DataFrame) -> dict[str, set[tuple[str, str]]]:
    out: dict[str, set[tuple[str, str]]] = {name: set() for name in CASES}
    out |= {str(r): set() for r in frame["rule"]} if len(frame) else {}
    at = pd.to_datetime(frame["at"], utc=True).dt.strftime("%m-%dT%H:%M")
    for rule, ticket, when in zip(frame["rule"], frame["ticket_id"], at, strict=True):
        out[str(rule)].add((str(ticket), when))
    return out


def test_each_field_fires_where_it_holds_in_the_replay_and_live(
    engine: str, tmp_path: Path
) -> None:
    rules = [rule for rule, _ in CASES.values()]
    expected = {name: fires for name, (_, fires) in CASES.items()}
    ws = _workspace(tmp_path / "ws", engine, rules)
    try:
        ruleset = RuleSet.model_validate({"rules": rules})
        low, high = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)
        replayed = replay(ws, ruleset, low, high)
        assert replayed.unfilled == ()
        assert _fires(replayed.replayed.actions) == expected
        evaluate_applied(ws, ws.store.query("SELECT * FROM events"))
        assert _fires(read_ledger(ws.store, limit=1000)) == expected
    finally:
        ws.close()


def test_a_custom_field_set_by_a_rule_is_seen_by_the_next_rule(tmp_path: Path) -> None:
    rules = [
        {"name": "mark", "on": ["create"], "when": {}, "actions": [{"set": {"custom.seen": "y"}}]},
        {"name": "after", "on": ["create"], "when": {"custom.seen": "y"},
         "actions": [{"add_tags": ["seen"]}]},
        {"name": "later", "on": ["update"], "when": {"custom.seen": "y", "changed": ["group"]},
         "actions": [{"add_tags": ["carried"]}]},
    ]  # fmt: skip
    ws = _workspace(tmp_path / "ws", "duckdb", rules)
    try:
        ruleset = RuleSet.model_validate({"rules": rules})
        low, high = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)
        actions = replay(ws, ruleset, low, high).replayed.actions
        fired = set(zip(actions["rule"], actions["ticket_id"], strict=True))
        assert fired == {("mark", "1"), ("mark", "2"), ("after", "1"), ("after", "2"),
                         ("later", "1")}  # fmt: skip
        final = replay(ws, ruleset, low, high).replayed.final
        assert all(json.loads(c)["seen"] == "y" for c in final["custom"])
    finally:
        ws.close()


def test_lint_names_what_the_workspace_cannot_fill(tmp_path: Path) -> None:
    rules = [
        _rule("a", {"business_hours": ["night-shift"]}),
        _rule("b", {"sla.resolution.due_in": {"lt": 60}}),
        _rule("c", {"experiment.nope": "a"}),
        _rule("d", {"triage.category": "billing", "triage.confidence": {"ge": 0.9}}),
        _rule("e", {"hours_since.lunch": {"gt": 1}}),
        _rule("g", {"triage.confidence": {"lt": 0.5}}),
        _rule("f", {"business_hours": ["office"], "sla.first_reply.due_in": {"lt": 60},
                    "experiment.trial": "a", "hours_since.open": {"gt": 1}}),
    ]  # fmt: skip
    ws = _workspace(tmp_path / "ws", "duckdb", rules)
    try:
        found = lint(RuleSet.model_validate({"rules": rules}), references_of(ws))
        low, high = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)
        report = replay(ws, RuleSet.model_validate({"rules": rules}), low, high)
    finally:
        ws.close()
    unknown = {f.rules[0]: f.example for f in found if f.kind == "unknown_reference"}
    assert unknown == {
        "a": {"calendars": ["night-shift"]},
        "b": {"targets": ["resolution"]},
        "c": {"experiments": ["nope"]},
        "d": {"triage": ["category"]},
        "g": {"triage": ["confidence"]},
        "e": {"states": ["lunch"]},
    }
    assert any("no triage model is saved" in f.explanation for f in found)
    assert set(report.unfilled) == {
        "sla.resolution.due_in: no SLA policy sets a resolution target",
        "triage.category: no triage model is saved for category",
        "triage.confidence: no triage model is saved, or several are and no rule names "
        "the triage.<target> it is the confidence of",
        "experiment.nope: no experiment 'nope'",
    }


def _train_category(folder: Path) -> None:
    """A real (TF-IDF) model of ``category`` saved in the workspace, learnt from two kinds of
    request."""
    from supportops.triage.history import train_and_save

    billing = [f"please refund invoice {i} charged twice on my card" for i in range(40)]
    access = [f"cannot login password reset {i} locked out of my account" for i in range(40)]
    frame = pd.DataFrame(
        {"text": billing + access, "label": ["billing"] * 40 + ["access"] * 40}
    ).sample(frac=1.0, random_state=3)
    when = datetime(2026, 3, 1, tzinfo=UTC)
    train_and_save(folder, "category", frame, {"target": "category"}, when, kinds=["tfidf"])


def test_the_triage_prediction_reads_the_text_as_it_stood(tmp_path: Path) -> None:
    rules = [
        _rule("billing", {"triage.category": "billing", "triage.confidence": {"ge": 0.5}}),
        _rule("access", {"triage.category": "access"}),
    ]
    ws = _workspace(tmp_path / "ws", "duckdb", rules)
    try:
        _train_category(ws.path)
        # ticket 1 is about billing from its subject on; ticket 2's subject reads as billing
        # until its first message, five minutes after it opened, says it is about access
        ws.store.execute("UPDATE tickets SET subject = 'refund my invoice' WHERE ticket_id = '1'")
        ws.store.execute("UPDATE tickets SET subject = 'refund' WHERE ticket_id = '2'")
        ws.store.execute(
            "UPDATE events SET body = 'cannot login, password reset, locked out of my account', "
            "\"at\" = ? WHERE ticket_id = '2' AND kind = 'message' AND actor = 'customer'",
            [datetime(2026, 3, 2, 9, 35, tzinfo=UTC)],
        )
        ruleset = RuleSet.model_validate({"rules": rules})
        low, high = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)
        report = replay(ws, ruleset, low, high)
        evaluate_applied(ws, ws.store.query("SELECT * FROM events"))
        ledger = read_ledger(ws.store, limit=1000)
        live = _fires(ledger)
        from supportops.triage.prediction import rule_fields
        from supportops.triage.saved import load as load_model

        model = load_model(ws.path, "category")
        texts = [
            "refund my invoice",
            "refund. cannot login, password reset, locked out of my account",
        ]
        expected = rule_fields(model, texts)["triage.confidence"].tolist()
    finally:
        ws.close()
    # every prediction a rule acted on is in the ledger beside the action, with its confidence
    seen = [json.loads(c) for c in ledger["context"]]
    assert {tuple(sorted(c)) for c in seen} == {("triage.category", "triage.confidence")}
    assert all(c["triage.category"] == rule for c, rule in zip(seen, ledger["rule"], strict=True))
    confidence = {
        (str(t), c["triage.category"]): c["triage.confidence"]
        for t, c in zip(ledger["ticket_id"], seen, strict=True)
        if (str(t), c["triage.category"]) in {("1", "billing"), ("2", "access")}
    }
    assert confidence == pytest.approx(
        {("1", "billing"): expected[0], ("2", "access"): expected[1]}
    )
    replayed = _fires(report.replayed.actions)
    every_one = {
        ("1", at)
        for at in (
            "03-02T08:00",
            "03-02T09:15",
            "03-02T09:45",
            "03-02T10:10",
            "03-02T10:30",
            "03-02T10:31",
            "03-03T09:00",
            "03-03T09:01",
        )
    }
    assert replayed["billing"] == every_one | {("2", "03-02T09:30")}
    assert replayed["access"] == {
        ("2", at) for at in ("03-02T09:35", "03-02T09:40", "03-02T09:50", "03-02T12:00")
    }
    assert live == replayed
    assert report.unfilled == ()


DEMO_RULES = [
    _rule("d-hours", {"business_hours": ["us-support"]}, on=("create",)),
    _rule("d-soon", {"sla.first_reply.due_in": {"lt": 1800}}),
    _rule("d-late", {"sla.breached": ["first_reply", "next_reply"]}),
    _rule("d-waiting", {"hours_since.pending": {"gt": 24}}, on=("customer_message",)),
    _rule("d-arm", {"experiment.refund-macro": "macro"}, on=("create",)),
]


def test_the_replay_and_live_take_the_same_actions_on_the_demo(demo_copy: Path) -> None:
    from supportops.rules.history import replay_history
    from supportops.rules.replay import known_in, load_history

    config = demo_copy / "supportops.yaml"
    section = json.dumps({"mode": "dry_run", "rules": DEMO_RULES})
    config.write_text(config.read_text(encoding="utf-8") + f"\nrules: {section}\n")
    ruleset = RuleSet.model_validate({"rules": DEMO_RULES})
    with Workspace.open(demo_copy) as ws:
        low, high = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
        tickets, events = load_history(ws, low, high, bodies=False)
        tickets = tickets.sample(400, random_state=1).reset_index(drop=True)
        events = events[events["ticket_id"].isin(tickets["ticket_id"])]
        reads = {n for r in ruleset.rules for n in fields_of(r.condition)}
        known = known_in(ws, reads, tickets, events, pd.to_datetime(events["at"]).max())
        replayed = replay_history(ruleset, tickets, events, known=known).actions
        evaluate_applied(ws, events.drop(columns="body"))
        live = read_ledger(ws.store, limit=100_000)
    ours = {(r, t, pd.Timestamp(a)) for r, t, a in zip(*_keys(replayed), strict=True)}
    theirs = {(r, t, pd.Timestamp(a)) for r, t, a in zip(*_keys(live), strict=True)}
    assert ours == theirs
    assert {r for r, _, _ in ours} == {r["name"] for r in DEMO_RULES}  # each rule fired


def _keys(frame: pd.DataFrame) -> tuple[list[str], list[str], list[Any]]:
    at = pd.to_datetime(frame["at"], utc=True)
    return list(frame["rule"].astype(str)), list(frame["ticket_id"].astype(str)), list(at)
