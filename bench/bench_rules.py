"""Benchmark: replaying rule sets over the demo history, and linting 1,000 Zendesk triggers.

- Replay of a 20-rule set over every ticket and event of a demo workspace (built here with
  ``supportops demo`` unless a folder is given): tickets/s and events/s of the vectorised
  replay (:func:`supportops.rules.history.replay_history`), side by side with a
  straightforward per-ticket Python loop over the same rules and events (each condition read
  for one ticket at a time), timed on a sample of tickets and scaled; both must take the same
  actions on the sample.
- The same replay with 20 rules that read context fields (business hours, SLA due-in and
  breaches, hours since created and pending: :mod:`supportops.rules.context`), the context
  gathered from the history included, beside the plain 20-rule figure of the same run.
- How the cost grows with rules: 20, 200 and 2,000 rules over the same sample of tickets.
- Lint of 1,000 imported Zendesk triggers (routing by form field, tag and word, each with
  creation scope, some overlapping), against the 10 s goal.

Each figure has the process's CPU seconds (user + sys) beside it, and the load average: on a
shared machine tickets per CPU-second is the fairer figure.

Run: ``.venv/bin/python bench/bench_rules.py [tickets] [demo folder] [--replay]`` (default
200,000; ``--replay``: the two replay figures only).
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

from supportops.conditions.model import All, AnyOf, Compare, Condition, Not, Tags, fields_of
from supportops.rules.history import replay_history
from supportops.rules.lint import lint
from supportops.rules.model import Rule, RuleSet
from supportops.rules.replay import known_in, load_history
from supportops.rules.zendesk import import_zendesk
from supportops.workspace import Workspace

GROUPS = ["billing", "technical", "accounts", "tier2-escalations"]
WORDS = ["invoice", "refund", "password", "login", "export", "api", "crash", "upgrade"]


def rule_set(count: int) -> RuleSet:
    """``count`` rules of the shapes support teams write: routing on creation, escalation on a
    change, tagging on a customer's words, a priority bump by channel."""
    rules: list[dict[str, Any]] = []
    for i in range(count):
        word, group = WORDS[i % len(WORDS)], GROUPS[i % len(GROUPS)]
        shape = i % 5
        if shape == 0:
            rules.append(
                {
                    "on": ["create"],
                    "when": {"subject": {"contains": word}},
                    "actions": [{"set": {"group": group}}],
                }
            )
        elif shape == 1:
            rules.append(
                {
                    "on": ["update"],
                    "when": {
                        "changed": ["priority"],
                        "priority": "urgent",
                        "not": {"group": "tier2-escalations"},
                    },
                    "actions": [{"set": {"group": "tier2-escalations"}}],
                }
            )
        elif shape == 2:
            rules.append(
                {
                    "on": ["customer_message"],
                    "when": {"message": {"contains": word}, "tags_none": [f"w-{word}"]},
                    "actions": [{"add_tags": [f"w-{word}"]}],
                }
            )
        elif shape == 3:
            rules.append(
                {
                    "on": ["create"],
                    "when": {"channel": ["chat", "phone"][i % 2], "priority": {"null": True}},
                    "actions": [{"set": {"priority": "high"}}],
                }
            )
        else:
            rules.append(
                {
                    "on": ["update"],
                    "when": {"changed": ["status"], "status": "solved", "group": group},
                    "actions": [{"note": f"solved in {group}"}],
                }
            )
    return RuleSet.model_validate(
        {"rules": [{"name": f"r{i:04d}", **r} for i, r in enumerate(rules)]}
    )


def context_rule_set(count: int) -> RuleSet:
    """``count`` rules that read context fields: business hours on creation, a first reply
    soon due or breached, tickets old or long pending when the customer writes; their actions
    the same mix as :func:`rule_set`'s (a priority, a tag, a group, notes)."""
    rules: list[dict[str, Any]] = []
    for i in range(count):
        group, shape = GROUPS[i % len(GROUPS)], i % 5
        when: dict[str, Any] = [
            {"business_hours": ["us-support"], "channel": ["chat", "phone"][i % 2]},
            {"sla.first_reply.due_in": {"lt": 600 * (1 + i % 6)}},
            {"sla.breached": ["first_reply"], "group": group},
            {"hours_since.created": {"gt": 4 * (1 + i % 6)}},
            {"hours_since.pending": {"gt": 12 * (1 + i % 4)}, "status": "pending"},
        ][shape]
        on = [["create"], ["update"], ["update"], ["customer_message"], ["customer_message"]]
        action = [
            {"set": {"priority": "high"}},
            {"add_tags": [f"c-{i}"]},
            {"set": {"group": "tier2-escalations"}},
            {"note": f"old in {group}"},
            {"note": "long pending"},
        ][shape]
        rules.append({"on": on[shape], "when": when, "actions": [action]})
    return RuleSet.model_validate(
        {"rules": [{"name": f"c{i:04d}", **r} for i, r in enumerate(rules)]}
    )


def replay_with_context(ws: Workspace, ruleset: RuleSet, tickets: Any, events: Any) -> Any:
    """The context of ``ruleset`` gathered from the history, then the replay with it."""
    reads = set().union(*(fields_of(r.condition) for r in ruleset.rules))
    as_of = pd.to_datetime(events["at"], utc=True).max()
    known = known_in(ws, reads, tickets, events, as_of)
    return replay_history(ruleset, tickets, events, known=known)


# ---- the straightforward alternative: one ticket, one event, one rule at a time ------------


def _holds(cond: Condition, row: dict[str, Any]) -> bool:
    if isinstance(cond, All):
        return all(_holds(c, row) for c in cond.items)
    if isinstance(cond, AnyOf):
        return any(_holds(c, row) for c in cond.items)
    if isinstance(cond, Not):
        return not _holds(cond.item, row)
    if isinstance(cond, Tags):
        have = set(filter(None, str(row.get(cond.field) or "").split(";")))
        hit = have & set(cond.tags)
        return (
            bool(hit)
            if cond.op == "any_of"
            else (not hit if cond.op == "none_of" else set(cond.tags) <= have)
        )
    assert isinstance(cond, Compare)
    value = row.get(cond.field)
    if cond.op == "null":
        return (value is None) == cond.values[0]
    if value is None:
        return False
    if cond.op == "contains":
        return cond.values[0].lower() in str(value).lower()
    if cond.op == "eq":
        return str(value) == cond.values[0]
    if cond.op == "in":
        return str(value) in cond.values
    raise NotImplementedError(cond.op)


def _triggered(rule: Rule, row: dict[str, Any]) -> bool:
    update, kind, actor = row["update"], row["event.kind"], row["event.actor"]
    return any(
        (t == "create" and update == "create")
        or (t == "update" and update == "update")
        or (t == "customer_message" and kind == "message" and actor == "customer")
        for t in rule.on
    )


def loop_replay(
    ruleset: RuleSet, tickets: pd.DataFrame, events: pd.DataFrame
) -> list[tuple[str, str, str]]:
    """The replay as a plain loop: per ticket, per event, per rule (the default semantics)."""
    taken: list[tuple[str, str, str]] = []
    by_ticket = {
        k: g
        for k, g in events.sort_values(["ticket_id", "at", "event_id"]).groupby(
            "ticket_id", sort=False
        )
    }
    for ticket in tickets.to_dict("records"):
        state = {k: ticket.get(k) for k in ("ticket_id", "channel", "subject")}
        mine = by_ticket.get(ticket["ticket_id"], pd.DataFrame(columns=["kind", "previous"]))
        for kind, name in (
            ("group", "group"),
            ("priority", "priority"),
            ("status", "status"),
            ("assignee", "assignee_id"),
        ):
            first = mine[mine["kind"] == kind]
            state[name] = first["previous"].iloc[0] if len(first) else ticket.get(name)
        state["status"] = state["status"] or "new"
        state["tags"] = ";".join(ticket["tags"]) if ticket.get("tags") is not None else ""
        for event in by_ticket.get(ticket["ticket_id"], pd.DataFrame()).to_dict("records"):
            field = {
                "status": "status",
                "group": "group",
                "priority": "priority",
                "assignee": "assignee_id",
            }.get(event["kind"])
            row = dict(state)
            changed = set()
            if field:
                if str(row[field]) != str(event["value"]):
                    changed.add(field)
                row[field] = event["value"]
            row |= {
                "update": "create" if event["kind"] == "created" else "update",
                "event.kind": event["kind"],
                "event.actor": event["actor"],
                "message": event["body"] if event["kind"] == "message" else None,
            }
            fired: set[str] = set()
            for _ in range(10):
                again = False
                for rule in ruleset.rules:
                    if rule.name in fired or not _triggered(rule, row):
                        continue
                    row["changed"] = ";".join(sorted(changed))
                    if not _holds(rule.condition, row):
                        continue
                    fired.add(rule.name)
                    again = True
                    for a in rule.actions:
                        if a.kind == "set":
                            if str(row.get(a.field)) != str(a.value):
                                changed.add(a.field or "")
                            row[a.field or ""] = a.value
                        elif a.kind == "add_tags":
                            row["tags"] = ";".join(
                                sorted(set(filter(None, row["tags"].split(";"))) | set(a.value))
                            )
                        taken.append((str(ticket["ticket_id"]), rule.name, a.kind))
                if not again:
                    break
            state = {k: row[k] for k in state}
    return taken


def zendesk_triggers(count: int) -> dict[str, Any]:
    """``count`` routing triggers in Zendesk's JSON: on creation, by a product field, a tag and
    priority, or a word, each adding the tag ``routed`` that the others test."""
    out = []
    for i in range(count):
        conditions = [{"field": "update_type", "operator": "is", "value": "Create"}]
        if i % 50:  # the usual guard against routing twice; one trigger in 50 forgets it
            conditions.append(
                {"field": "current_tags", "operator": "not_includes", "value": "routed"}
            )
        if i % 3 == 0:
            conditions.append(
                {"field": "custom_fields_360001", "operator": "is", "value": f"product-{i}"}
            )
        elif i % 3 == 1:
            conditions.append(
                {"field": "current_tags", "operator": "includes", "value": f"tag-{i}"}
            )
            conditions.append(
                {
                    "field": "priority",
                    "operator": "is",
                    "value": ["low", "normal", "high", "urgent"][i % 4],
                }
            )
        else:
            conditions.append(
                {
                    "field": "comment_includes_word",
                    "operator": "includes",
                    "value": WORDS[i % len(WORDS)],
                }
            )
        out.append(
            {
                "id": i,
                "title": f"route {i}",
                "position": i,
                "active": True,
                "conditions": {"all": conditions, "any": []},
                "actions": [
                    {"field": "group_id", "value": str(360000 + i % 40)},
                    {"field": "current_tags", "value": "routed"},
                ],
            }
        )
    return {"triggers": out}


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def _timed(fn: Any, *args: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def _measured(fn: Any, *args: Any) -> tuple[float, float, Any]:
    """Wall seconds, CPU seconds of this process, and the result."""
    cpu = _cpu()
    seconds, result = _timed(fn, *args)
    return seconds, _cpu() - cpu, result


def _load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def main(count: int, folder: Path | None, replay_only: bool = False) -> None:
    if folder is None:
        from supportops.cli.demo import build_demo

        folder = Path(tempfile.mkdtemp(prefix="bench-rules-")) / "demo"
        seconds, _ = _timed(lambda: build_demo(folder, tickets=count, progress=False))
        print(f"demo of {count:,} tickets built in {seconds:.0f} s")
    ws = Workspace.open(folder, read_only=True)
    low, high = pd.Timestamp("2000-01-01", tz="UTC"), pd.Timestamp("2100-01-01", tz="UTC")
    seconds, (tickets, events) = _timed(load_history, ws, low, high, True)
    n, e = len(tickets), len(events)
    print(f"history: {n:,} tickets, {e:,} events, read from the store in {seconds:.1f} s")

    twenty = rule_set(20)
    seconds, cpu, done = _measured(replay_history, twenty, tickets, events)
    fast = n / seconds
    print(
        f"replay, 20 rules, vectorised: {seconds:.1f} s = {fast:,.0f} tickets/s, {e / seconds:,.0f} events/s ({len(done.actions):,} actions); {cpu:.1f} CPU s = {n / cpu:,.0f} tickets per CPU-second; {_load()}; goal 10,000 tickets/s"  # noqa: E501 - one figure a line
    )
    context = context_rule_set(20)
    seconds, cpu, done = _measured(replay_with_context, ws, context, tickets, events)
    ws.close()
    print(
        f"replay, 20 rules reading business hours, SLA and hours since (context gathered included): {seconds:.1f} s = {n / seconds:,.0f} tickets/s, {e / seconds:,.0f} events/s ({len(done.actions):,} actions); {cpu:.1f} CPU s = {n / cpu:,.0f} tickets per CPU-second; {n / seconds / fast:.2f}x the plain 20-rule rate; {_load()}"  # noqa: E501 - one figure a line
    )
    if replay_only:
        return

    sample = tickets.sample(min(2_000, n), random_state=1)
    sample_events = events[events["ticket_id"].isin(sample["ticket_id"])]
    loop_seconds, loop_cpu, looped = _measured(loop_replay, twenty, sample, sample_events)
    slow = len(sample) / loop_seconds
    print(
        f"replay, 20 rules, per-ticket Python loop on {len(sample):,} tickets: {loop_seconds:.1f} s = {slow:,.0f} tickets/s ({len(sample) / loop_cpu:,.0f} per CPU-second); vectorised / loop = {fast / slow:.1f}x by the clock, {(n / cpu) / (len(sample) / loop_cpu):.1f}x by CPU; {_load()}"  # noqa: E501 - one figure a line
    )
    check = replay_history(twenty, sample, sample_events).actions
    ours = sorted(zip(check["ticket_id"].astype(str), check["rule"], check["kind"], strict=True))
    assert ours == sorted(looped), "the loop and the engine disagree"

    scale = tickets.sample(min(5_000, n), random_state=2)
    scale_events = events[events["ticket_id"].isin(scale["ticket_id"])]
    base = None
    for rules in (20, 200, 2_000):
        seconds, cpu, _ = _measured(replay_history, rule_set(rules), scale, scale_events)
        base = base or seconds
        print(
            f"replay of {len(scale):,} tickets ({len(scale_events):,} events), {rules:,} rules: {seconds:.1f} s = {len(scale) / seconds:,.0f} tickets/s, {len(scale_events) / seconds:,.0f} events/s, {cpu:.1f} CPU s, {seconds / base:.1f}x the 20-rule time; {_load()}"  # noqa: E501 - one figure a line
        )

    data = zendesk_triggers(1_000)
    seconds, imported = _timed(import_zendesk, data)
    lint_seconds, cpu, findings = _measured(lint, imported)
    kinds = pd.Series([f.kind for f in findings]).value_counts().to_dict() if findings else {}
    print(
        f"lint of 1,000 imported Zendesk triggers: {lint_seconds:.1f} s, {cpu:.1f} CPU s (import {seconds:.2f} s), {len(findings):,} findings {kinds}; {_load()}; goal under 10 s"  # noqa: E501 - one figure a line
    )


if __name__ == "__main__":
    flags = [a for a in sys.argv[1:] if a.startswith("--")]
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(
        int(args[0]) if args else 200_000,
        Path(args[1]) if len(args) > 1 else None,
        "--replay" in flags,
    )
