"""The seven SLA targets: when each instance starts and stops, and which statuses run its clock.

Three families share the work:

* **reply waits** (first_reply, next_reply): a wait opens at the oldest unanswered public
  customer message (a customer-created ticket's first wait opens at its creation) and closes at
  the next public agent message or when the ticket is solved, closed or merged. A customer
  message to a solved or closed ticket opens nothing. A ticket's first wait is its first_reply;
  each later one is a next_reply instance.
* **updates** (periodic_update, pausable_update): each public agent message to a ticket that is
  not solved or closed opens an instance, closed by the next public agent message or by the
  ticket becoming solved, closed or merged.
* **lifetime** (requester_wait, agent_work, resolution): one instance from creation; it is
  stopped while the ticket is solved or closed (or merged), and a reopen resumes it.

A target's clock runs in the statuses of :data:`RUNNING`; elsewhere it is paused.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np

from supportops.sla.events import (
    AGENT_MESSAGE,
    CUSTOMER_MESSAGE,
    MERGED,
    NAT,
    SOLVED,
    STATUS_NAMES,
    EventArrays,
)
from supportops.sla.grouped import (
    Bools,
    Ints,
    interleave_heads,
    last_flagged,
    rank_in_run,
)
from supportops.sla.timeline import Timeline

__all__ = ["FAMILY", "RUNNING", "Spans", "lifetime_spans", "reply_waits", "update_spans"]

_ALL = frozenset(STATUS_NAMES)
RUNNING: dict[str, frozenset[str]] = {
    "first_reply": _ALL,
    "next_reply": _ALL,
    "periodic_update": _ALL,
    "pausable_update": _ALL - {"pending"},
    "requester_wait": frozenset({"new", "open", "on_hold"}),
    "agent_work": frozenset({"new", "open"}),
    "resolution": frozenset({"new", "open", "pending", "on_hold"}),
}
FAMILY = {
    "first_reply": "waits",
    "next_reply": "waits",
    "periodic_update": "updates",
    "pausable_update": "updates",
    "requester_wait": "lifetime",
    "agent_work": "lifetime",
    "resolution": "lifetime",
}


@dataclass(frozen=True)
class Spans:
    """Target instances: ticket row, instance number (from 1), start, stop (NAT while it has not
    stopped), and the instant and segment up to which the clock is measured."""

    ticket: Ints
    number: Ints
    start: Ints
    stop: Ints
    start_segment: Ints
    end: Ints
    end_segment: Ints

    def __len__(self) -> int:
        return int(self.ticket.size)

    def take(self, rows: Any) -> Spans:
        """The instances at ``rows`` (a mask or indices)."""
        return Spans(*(getattr(self, field.name)[rows] for field in fields(self)))


def _stops(events: EventArrays) -> Bools:
    """Events that solve, close or merge a ticket."""
    return (events.code >= SOLVED) & (events.code <= MERGED)


def _spans(
    ticket: Ints, number: Ints, start: tuple[Ints, Ints], stop: tuple[Ints, Ints], tl: Timeline
) -> Spans:
    """Instances from (instant, segment) of their start and of their stop (NAT: not stopped)."""
    ongoing = stop[0] == NAT
    end = np.where(ongoing, tl.as_of, stop[0])
    end_segment = np.where(ongoing, tl.last[ticket], stop[1])
    return Spans(ticket, number, start[0], stop[0], start[1], end, end_segment)


def _closed_by(rows: Ints, closers: Bools, ticket: Ints) -> Ints:
    """For instances opened at ``rows`` (not closers), the next closing row of the same ticket,
    or -1."""
    following = np.append(np.flatnonzero(closers), closers.size)
    found = following[np.searchsorted(following, rows, side="right")]
    inside = found < closers.size
    same = inside & (ticket[np.where(inside, found, 0)] == ticket[rows])
    return np.where(same, found, -1)


def reply_waits(events: EventArrays, tl: Timeline, agent_created: Bools) -> tuple[Spans, Spans]:
    """The first_reply and next_reply instances."""
    solved = tl.status_at_event() >= SOLVED
    openers = (events.code == CUSTOMER_MESSAGE) & ~solved
    closers = (events.code == AGENT_MESSAGE) | _stops(events)
    rows = np.flatnonzero(openers | closers)
    heads = np.flatnonzero(~agent_created & (tl.start[tl.first] != NAT))
    head_pos, body_pos = interleave_heads(heads, events.ticket[rows], agent_created.size)
    size = heads.size + rows.size
    ticket, at, segment = (np.empty(size, dtype=np.int64) for _ in range(3))
    opens = np.empty(size, dtype=bool)
    ticket[head_pos], ticket[body_pos] = heads, events.ticket[rows]
    at[head_pos], at[body_pos] = tl.start[tl.first[heads]], events.at[rows]
    segment[head_pos], segment[body_pos] = tl.first[heads], tl.at_event[rows]
    opens[head_pos], opens[body_pos] = True, openers[rows]
    fresh = np.ones(size, dtype=bool)
    fresh[1:] = (ticket[1:] != ticket[:-1]) | ~opens[:-1]
    starts = np.flatnonzero(opens & fresh)
    closing = _closed_by(starts, ~opens, ticket)
    stop = (np.where(closing >= 0, at[closing], NAT), np.where(closing >= 0, segment[closing], -1))
    rank = rank_in_run(ticket, opens & fresh)[starts]
    waits = _spans(ticket[starts], rank, (at[starts], segment[starts]), stop, tl)
    first = rank == 1
    following = waits.take(~first)
    return waits.take(first), replace(following, number=following.number - 1)


def update_spans(events: EventArrays, tl: Timeline) -> Spans:
    """The periodic_update and pausable_update instances (the same spans, different pauses)."""
    agent = events.code == AGENT_MESSAGE
    rows = np.flatnonzero(agent | _stops(events))
    opens = agent[rows] & (tl.status_at_event()[rows] < SOLVED)
    ticket = events.ticket[rows].astype(np.int64)
    starts = np.flatnonzero(opens)
    following = np.minimum(starts + 1, max(rows.size - 1, 0))
    closed = (starts + 1 < rows.size) & (ticket[following] == ticket[starts])
    closer = rows[following]
    stop = (
        np.where(closed, events.at[closer], NAT),
        np.where(closed, tl.at_event[closer], -1),
    )
    number = rank_in_run(ticket, opens)[starts]
    first = (events.at[rows[starts]], tl.at_event[rows[starts]])
    return _spans(ticket[starts], number, first, stop, tl)


def lifetime_spans(tl: Timeline, tickets: Ints) -> Spans:
    """One instance per ticket row in ``tickets``, from creation to ``as_of``; it has stopped
    when the ticket is solved or closed at ``as_of`` (at the start of that solved stretch)."""
    stopped = tl.status >= SOLVED
    begins = stopped.copy()
    begins[1:] &= ~stopped[:-1] | (tl.ticket[1:] != tl.ticket[:-1])
    last = tl.last[tickets]
    run_start = last_flagged(begins)[last]
    stop = np.where(stopped[last], tl.start[np.maximum(run_start, 0)], NAT)
    ones = np.ones(tickets.size, dtype=np.int64)
    first = tl.first[tickets]
    end = np.full(tickets.size, tl.as_of, dtype=np.int64)
    return Spans(tickets, ones, tl.start[first], stop, first, end, last)
