"""The ``events`` rows of a chunk's tickets, and each ticket's state at the end of the window.

Every kind of event is a *slot*: a mask saying which tickets (or which ticket rounds) have it,
plus its instant, actor and values. Slots are concatenated, cut at the window's end ("now"),
sorted by ticket, instant and a rank that orders simultaneous events, and numbered. A ticket's
final status, assignee, group, priority, solve and merge are then read back from its kept
events, so the ``tickets`` row can never contradict its events.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from supportops.demo.columns import NONE, Ints
from supportops.demo.content import (
    ACTORS,
    BODY_CLASSES,
    EVENT_KINDS,
    GROUPS,
    PRIORITIES,
    STATUSES,
    TIER2,
)
from supportops.demo.lifecycle import MAX_ROUNDS, ON_HOLD, OPEN, PENDING, SOLVED, Timeline
from supportops.demo.tickets import Tickets

__all__ = ["V_AGENT", "V_GROUP", "V_PRIORITY", "EventLog", "build_events", "value_vocabulary"]

NEW, CLOSED = STATUSES.index("new"), STATUSES.index("closed")
CUSTOMER, AGENT, BOT, SYSTEM = (ACTORS.index(a) for a in ("customer", "agent", "bot", "system"))
KIND = {name: code for code, name in enumerate(EVENT_KINDS)}
V_GROUP = len(STATUSES)
V_PRIORITY = V_GROUP + len(GROUPS)
V_AGENT = V_PRIORITY + len(PRIORITIES)
BODY = {name: code for code, name in enumerate(BODY_CLASSES)}
"""Body class codes; a message's text is drawn from its class when rendered."""
_COLUMNS: dict[str, type[np.integer[Any]]] = {
    "ticket": np.int32,
    "at": np.int64,
    "rank": np.int8,
    "kind": np.int8,
    "actor": np.int8,
    "who": np.int64,
    "public": np.int8,
    "value": np.int32,
    "previous": np.int32,
    "body": np.int8,
    "target": np.int64,
}
"""Event columns while building, as codes, with the smallest type that holds them."""


def value_vocabulary(agent_ids: tuple[str, ...]) -> tuple[str, ...]:
    """What a value code means: statuses, then groups, priorities and agent ids."""
    return (*STATUSES, *GROUPS, *PRIORITIES, *agent_ids)


class _Slots:
    """Collects event slots; each column is broadcast to the slot's mask and filtered by it."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.parts: list[dict[str, np.ndarray]] = []

    def add(
        self, on: np.ndarray, at: object, rank: int, kind: str, actor: object, **columns: object
    ) -> None:
        ticket = np.arange(self.count) if on.ndim == 1 else np.arange(self.count)[:, None]
        given = {"ticket": ticket, "at": at, "rank": rank, "kind": KIND[kind], "actor": actor}
        given |= columns
        size = int(np.count_nonzero(on))
        self.parts.append(
            {
                name: _spread(given.get(name, NONE), dtype, on, size)
                for name, dtype in _COLUMNS.items()
            }
        )

    def columns(self) -> dict[str, np.ndarray]:
        return {name: np.concatenate([p[name] for p in self.parts]) for name in _COLUMNS}


def _spread(value: object, dtype: type[np.integer[Any]], on: np.ndarray, size: int) -> np.ndarray:
    """``value`` (a scalar, or an array broadcasting to ``on``) at the positions ``on`` selects."""
    array = np.asarray(value, dtype)
    if array.ndim == 0:
        return np.full(size, array, dtype)
    chosen: np.ndarray = np.broadcast_to(array, on.shape)[on]
    return chosen


def _ticket_slots(slots: _Slots, t: Tickets, line: Timeline) -> None:
    """Creation, routing, assignment, priority, merge and close: one per ticket at most."""
    outbound, agent0 = t.outbound, t.agent
    everyone = np.ones(t.count, dtype=bool)
    slots.add(
        everyone,
        t.created,
        0,
        "created",
        np.where(outbound, AGENT, CUSTOMER),
        who=np.where(outbound, agent0, t.requester),
    )
    slots.add(everyone, t.created, 1, "group", SYSTEM, value=V_GROUP + t.group)
    slots.add(outbound, t.created, 2, "message", AGENT, who=agent0, public=1, body=BODY["ask"])
    slots.add(outbound, t.created, 3, "status", AGENT, who=agent0, value=PENDING, previous=NEW)
    slots.add(t.bot, t.created + 3, 5, "message", BOT, who=0, public=1, body=BODY["bot"])
    slots.add(
        line.assigned != NONE,
        line.assigned,
        7,
        "assignee",
        np.where(outbound, AGENT, SYSTEM),
        who=np.where(outbound, agent0, NONE),
        value=V_AGENT + agent0,
    )
    slots.add(
        line.priority != t.priority,
        line.assigned,
        8,
        "priority",
        AGENT,
        who=agent0,
        value=V_PRIORITY + line.priority,
        previous=V_PRIORITY + t.priority,
    )
    slots.add(
        line.reassigned != NONE,
        line.reassigned,
        9,
        "assignee",
        SYSTEM,
        value=V_AGENT + line.agent,
        previous=V_AGENT + agent0,
    )
    merged = line.merged != NONE
    target = t.number[np.maximum(t.merge_target, 0)]
    slots.add(merged, line.merged, 15, "merged", AGENT, who=agent0, target=target)
    slots.add(merged, line.merged, 16, "status", AGENT, who=agent0, value=CLOSED, previous=NEW)
    slots.add(
        (line.closed != NONE) & ~merged,
        line.closed,
        18,
        "status",
        SYSTEM,
        value=CLOSED,
        previous=SOLVED,
    )


def _round_slots(slots: _Slots, t: Tickets, line: Timeline, rng: np.random.Generator) -> None:
    """Messages, notes and status changes of each round, following the status machine."""
    status = np.where(t.outbound, PENDING, NEW)
    replies = line.rounds - line.reopened
    gap = rng.integers(60, 1200, t.count)
    for k in range(MAX_ROUNDS):
        active = k < line.rounds
        msg, answer, who = line.message[:, k], line.reply[:, k], line.replier[:, k]
        spoke = active & (msg != NONE)
        wakes = spoke & np.isin(status, [PENDING, ON_HOLD, SOLVED])
        slots.add(
            spoke,
            msg,
            4,
            "message",
            CUSTOMER,
            who=t.requester,
            public=1,
            body=BODY["follow_up" if k else "first"],
        )
        slots.add(wakes, msg, 6, "status", CUSTOMER, who=t.requester, value=OPEN, previous=status)
        status = np.where(wakes, OPEN, status)
        before = line.reply[:, k - 1] if k else line.assigned
        lower = np.maximum(before, msg)
        noted = active & (line.note == k)
        slots.add(
            noted,
            answer - np.minimum(gap, (answer - lower) // 2),
            10,
            "message",
            AGENT,
            who=who,
            public=0,
            body=BODY["note"],
        )
        public, after = line.public[:, k], line.after[:, k]
        final = (after == SOLVED) | (k == replies - 1)
        body = np.where(public, np.where(final, BODY["solve"], BODY["ask"]), BODY["note"])
        slots.add(active, answer, 11, "message", AGENT, who=who, public=public, body=body)
        change = active & (after != status)
        slots.add(change, answer, 12, "status", AGENT, who=who, value=after, previous=status)
        status = np.where(change, after, status)
        _escalate(slots, t, line, k)
        auto = active & (k == replies - 1) & (line.auto_solved != NONE)
        slots.add(auto, line.auto_solved, 17, "status", SYSTEM, value=SOLVED, previous=PENDING)
        status = np.where(auto, SOLVED, status)


def _escalate(slots: _Slots, t: Tickets, line: Timeline, k: int) -> None:
    """At the answer of the escalation round: a note, the tier-2 group, a tier-2 assignee."""
    on = line.escalation == k
    answer, who = line.reply[:, k], line.replier[:, k]
    slots.add(on, answer + 1, 13, "message", AGENT, who=who, public=0, body=BODY["escalation"])
    slots.add(
        on,
        answer + 2,
        13,
        "group",
        AGENT,
        who=who,
        value=V_GROUP + TIER2,
        previous=V_GROUP + t.group,
    )
    slots.add(
        on,
        answer + 3,
        14,
        "assignee",
        SYSTEM,
        value=V_AGENT + line.tier2,
        previous=V_AGENT + line.agent,
    )


@dataclass(frozen=True)
class EventLog:
    """Kept events sorted by ticket and instant (``seq`` numbers them per ticket from 1), and
    each ticket's state at the window's end read back from them."""

    rows: dict[str, np.ndarray]
    seq: Ints
    status: Ints
    assignee: Ints
    group: Ints
    priority: Ints
    solved_at: Ints
    merged: np.ndarray


def _last(rows: dict[str, np.ndarray], on: np.ndarray, field: str, count: int) -> Ints:
    """Per ticket: ``field`` of its last event selected by ``on`` (NONE if it has none)."""
    out = np.full(count, NONE, dtype=np.int64)
    ticket = rows["ticket"][on]
    final = np.append(ticket[1:] != ticket[:-1], True) if len(ticket) else ticket.astype(bool)
    out[ticket[final]] = rows[field][on][final]
    return out


def _order(ticket: np.ndarray, at: Ints, rank: np.ndarray) -> Ints:
    """Stable order by ticket, instant and rank: one int64 key (timsort likes its sorted runs)."""
    if not len(at):
        return np.arange(0)
    offset = at - at.min()
    shift = int(offset.max()).bit_length() + 5
    if int(ticket.max() + 1).bit_length() + shift > 62:
        return np.lexsort((rank, at, ticket))
    key = (ticket.astype(np.int64) << shift) | (offset << 5) | rank.astype(np.int64)
    order: Ints = np.argsort(key, kind="stable")
    return order


def _minus(codes: Ints, offset: int) -> Ints:
    return np.where(codes == NONE, NONE, codes - offset)


def build_events(t: Tickets, line: Timeline, end: int, rng: np.random.Generator) -> EventLog:
    """All events of the chunk up to ``end``, sorted, with the tickets' final state."""
    slots = _Slots(t.count)
    _ticket_slots(slots, t, line)
    _round_slots(slots, t, line, rng)
    raw = slots.columns()
    kept = np.flatnonzero(raw["at"] <= end)
    kept = kept[_order(raw["ticket"][kept], raw["at"][kept], raw["rank"][kept])]
    rows = {name: column[kept] for name, column in raw.items()}
    starts = np.searchsorted(rows["ticket"], np.arange(t.count))
    seq = np.arange(len(rows["ticket"])) - starts[rows["ticket"]] + 1
    kind = rows["kind"]
    is_status = kind == KIND["status"]
    status = _last(rows, is_status, "value", t.count)
    priority = _last(rows, kind == KIND["priority"], "value", t.count)
    return EventLog(
        rows=rows,
        seq=seq,
        status=np.where(status == NONE, NEW, status),
        assignee=_minus(_last(rows, kind == KIND["assignee"], "value", t.count), V_AGENT),
        group=_last(rows, kind == KIND["group"], "value", t.count) - V_GROUP,
        priority=np.where(priority == NONE, t.priority, priority - V_PRIORITY),
        solved_at=_last(rows, is_status & (rows["value"] == SOLVED), "at", t.count),
        merged=_last(rows, kind == KIND["merged"], "target", t.count) != NONE,
    )
