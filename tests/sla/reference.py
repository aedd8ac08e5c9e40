"""A slow, obviously-correct SLA engine: one ticket at a time, one event at a time.

It reads the spec's target table literally and measures with the calendar's own
``business_seconds`` and ``add_business_seconds``, so the vectorised engine (segment sums,
clock tables, searchsorted) is checked against plain loops.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd

from supportops.calendar import BusinessCalendar
from supportops.conditions import All, AnyOf, Compare, Condition, Not, Tags
from supportops.config import SlaPolicy, WorkspaceConfig

STATUSES = ("new", "open", "pending", "on_hold", "solved", "closed")
STOPPED = {"solved", "closed"}
RUNNING = {
    "first_reply": set(STATUSES),
    "next_reply": set(STATUSES),
    "periodic_update": set(STATUSES),
    "pausable_update": set(STATUSES) - {"pending"},
    "requester_wait": {"new", "open", "on_hold"},
    "agent_work": {"new", "open"},
    "resolution": {"new", "open", "pending", "on_hold"},
}


def _epoch(value: Any) -> int:
    return int(pd.Timestamp(value).tz_convert("UTC").timestamp()) if value is not None else 0


def _stamp(epoch: int | None) -> pd.Timestamp | None:
    return None if epoch is None else pd.Timestamp(epoch, unit="s", tz="UTC")


@dataclass
class Ticket:
    """One ticket's events in order and its status history."""

    created: int
    agent_created: bool
    events: list[tuple[int, int, str, str]] = field(default_factory=list)  # at, order, kind, what
    history: list[tuple[int, str]] = field(default_factory=list)

    def status_at(self, t: int) -> str:
        """The status in force at ``t`` (status changes at ``t`` included)."""
        current = "new"
        for start, status in self.history:
            if start <= t:
                current = status
        return current


def _code(event: dict[str, Any]) -> tuple[int, str, str] | None:
    kind = event["kind"]
    public = event.get("public")
    public = True if public is None or (isinstance(public, float) and np.isnan(public)) else public
    if kind == "status" and event.get("value") in STATUSES:
        return STATUSES.index(event["value"]), "status", event["value"]
    if kind == "merged":
        return 6, "status", "closed"
    if kind == "message" and public and event.get("actor") in ("customer", "agent"):
        return (7, "customer", "") if event["actor"] == "customer" else (8, "agent", "")
    return None


def build_ticket(row: dict[str, Any], events: list[dict[str, Any]], as_of: int) -> Ticket:
    created = _epoch(row["created_at"])
    ticket = Ticket(created, row.get("created_by") == "agent")
    coded = []
    for event in events:
        code = _code(event)
        at = _epoch(event["at"])
        if code is not None and at <= as_of:
            coded.append((max(at, created), code[0], code[1], code[2], event["kind"] == "merged"))
    coded.sort(key=lambda e: (e[0], e[1]))
    for at, order, kind, what, merged in coded:
        ticket.events.append((at, order, kind, what))
        if kind == "status":
            ticket.history.append((at, what))
        if merged:
            break
    return ticket


def matches(row: dict[str, Any], policy: SlaPolicy) -> bool:
    return holds(policy.when, row)


def holds(cond: Condition, row: dict[str, Any]) -> bool:
    """Whether ``cond`` holds for one ticket row: the condition tree read literally."""
    if isinstance(cond, All):
        return all(holds(item, row) for item in cond.items)
    if isinstance(cond, AnyOf):
        return any(holds(item, row) for item in cond.items)
    if isinstance(cond, Not):
        return not holds(cond.item, row)
    if isinstance(cond, Tags):
        tags = row.get("tags")
        tags = [] if tags is None or isinstance(tags, float) else list(tags)
        found = [tag in tags for tag in cond.tags]
        return {"any_of": any(found), "all_of": all(found), "none_of": not any(found)}[cond.op]
    assert isinstance(cond, Compare) and cond.kind == "text", "the reference knows text fields"
    value = row.get(cond.field)
    value = None if value is None or isinstance(value, float) else str(value)
    value = value or {"source": "csv", "created_by": "customer"}.get(cond.field)
    if cond.op == "null":
        return (value is None) == cond.values[0]
    if value is None:
        return False
    return {
        "eq": value == cond.values[0],
        "ne": value != cond.values[0],
        "in": value in cond.values,
        "not_in": value not in cond.values,
    }[cond.op]


def waits(ticket: Ticket) -> list[tuple[int, int | None]]:
    """Reply waits: (start, stop) from the first unanswered customer message to a reply."""
    found: list[tuple[int, int | None]] = []
    start: int | None = None if ticket.agent_created else ticket.created
    for at, _, kind, what in ticket.events:
        if kind == "customer" and start is None and ticket.status_at(at) not in STOPPED:
            start = at
        elif start is not None and (kind == "agent" or what in STOPPED):
            found.append((start, at))
            start = None
    return found + ([(start, None)] if start is not None else [])


def updates(ticket: Ticket) -> list[tuple[int, int | None]]:
    found: list[tuple[int, int | None]] = []
    start: int | None = None
    for at, _, kind, what in ticket.events:
        if start is not None and (kind == "agent" or what in STOPPED):
            found.append((start, at))
            start = None
        if kind == "agent" and ticket.status_at(at) not in STOPPED:
            start = at
    return found + ([(start, None)] if start is not None else [])


def lifetime(ticket: Ticket) -> list[tuple[int, int | None]]:
    stop = None
    for start, status in ticket.history:
        if status in STOPPED and stop is None:
            stop = start
        elif status not in STOPPED:
            stop = None
    return [(ticket.created, stop)]


def stretches(ticket: Ticket, start: int, end: int) -> list[tuple[int, int, str]]:
    """(from, to, status) pieces of ``[start, end]`` by status."""
    cuts = sorted({start, end, *(t for t, _ in ticket.history if start < t < end)})
    return [(a, b, ticket.status_at(a)) for a, b in pairwise(cuts)]


def measure(ticket, target, seconds, calendar, start, stop, as_of) -> dict[str, Any]:
    end = as_of if stop is None else stop
    if target in ("requester_wait", "agent_work", "resolution"):
        end = as_of
    cum = 0
    breached_at = None
    running = RUNNING[target]
    for a, b, status in stretches(ticket, start, end):
        if status not in running:
            continue
        length = int(calendar.business_seconds([_stamp(a)], [_stamp(b)])[0])
        if breached_at is None and cum + length >= seconds and length > 0:
            due = calendar.add_business_seconds([_stamp(a)], [seconds - cum])[0]
            breached_at = max(int(due.astype("datetime64[s]").astype(np.int64)), start)
        cum += length
    state_running = ticket.status_at(as_of) in running
    if cum > seconds:
        status, due_at = "breached", None
    elif stop is not None:
        status, due_at, breached_at = "achieved", None, None
    elif state_running:
        status, breached_at = "active", None
        left = seconds - cum
        # with none left, due when the next business second starts (the next opening)
        due = calendar.add_business_seconds([_stamp(as_of)], [max(left, 1)])[0]
        due_at = int(due.astype("datetime64[s]").astype(np.int64)) - (left == 0)
    else:
        status, due_at, breached_at = "paused", None, None
    return {
        "elapsed_seconds": cum,
        "status": status,
        "breached_at": _stamp(breached_at),
        "due_at": _stamp(due_at),
    }


def _calendar(config: WorkspaceConfig, policy: SlaPolicy, target: str) -> BusinessCalendar:
    spec = getattr(policy.targets, target)
    name = spec.calendar or policy.calendar or config.default_calendar
    if name is None:
        return BusinessCalendar.from_config({"always_open": True})
    return BusinessCalendar.from_config(config.calendars[name], name)


def reference(
    tickets: pd.DataFrame, events: pd.DataFrame, config: WorkspaceConfig, as_of: datetime
) -> pd.DataFrame:
    """The instances the spec asks for, computed the slow way."""
    now = _epoch(pd.Timestamp(as_of).tz_localize(UTC) if pd.Timestamp(as_of).tz is None else as_of)
    rows = []
    by_ticket = (
        {k: g.to_dict("records") for k, g in events.groupby("ticket_id")} if len(events) else {}
    )
    for row in tickets.to_dict("records"):
        if _epoch(row["created_at"]) > now:
            continue
        policy = next((p for p in config.sla_policies if matches(row, p)), None)
        if policy is None:
            continue
        ticket = build_ticket(row, by_ticket.get(row["ticket_id"], []), now)
        all_waits = waits(ticket)
        families = {
            "first_reply": all_waits[:1],
            "next_reply": all_waits[1:],
            "periodic_update": updates(ticket),
            "pausable_update": updates(ticket),
            "requester_wait": lifetime(ticket),
            "agent_work": lifetime(ticket),
            "resolution": lifetime(ticket),
        }
        for target, spec in policy.targets.items():
            calendar = _calendar(config, policy, target)
            for number, (start, stop) in enumerate(families[target], start=1):
                measured = measure(ticket, target, spec.target, calendar, start, stop, now)
                rows.append(
                    {
                        "ticket_id": row["ticket_id"],
                        "policy": policy.name,
                        "target": target,
                        "instance": number,
                        "started_at": _stamp(start),
                        "stopped_at": _stamp(stop),
                        "target_seconds": spec.target,
                        **measured,
                    }
                )
    return pd.DataFrame(rows)
