"""A target's clock over every ticket's segments, and the measure of its instances.

A target that never pauses runs on the calendar clock itself (:class:`ClockTrack`). For one
that pauses (:class:`Track`):
each status segment of a ticket runs (its status is one the target counts) or
is paused. ``cum`` is the running business time before each segment, summed over all segments
of all tickets in order, so a reading ``R(t)`` inside segment ``k`` is
``cum[k] + (C(t) - C(start[k]))`` when ``k`` runs and ``cum[k]`` when it is paused (``C`` is the
ticket's calendar clock). An instance's elapsed time is ``R(end) - R(start)``; the instant it
passes its target is found by one ``searchsorted`` in ``cum`` and one ``Clock.reach``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from supportops.sla.clock import Clocks
from supportops.sla.events import NAT, STATUS_NAMES
from supportops.sla.grouped import Bools, Ints
from supportops.sla.targets import Spans
from supportops.sla.timeline import Timeline

__all__ = [
    "ACHIEVED",
    "ACTIVE",
    "BREACHED",
    "PAUSED",
    "STATES",
    "ClockTrack",
    "Measured",
    "Track",
    "measure",
]

STATES = ("achieved", "breached", "active", "paused")
ACHIEVED, BREACHED, ACTIVE, PAUSED = range(4)


def running_statuses(names: frozenset[str]) -> Bools:
    """A look-up by status code: whether the clock runs in that status."""
    return np.array([name in names for name in STATUS_NAMES], dtype=bool)


class ClockTrack:
    """The clock of a target that never pauses: the calendar clock of each ticket itself
    (``which``: clock index per ticket, -1 where the ticket has no such target)."""

    def __init__(self, tl: Timeline, clocks: Clocks, which: Ints) -> None:
        self.tl, self.clocks, self.which = tl, clocks, which
        self.running: frozenset[str] = frozenset(STATUS_NAMES)
        self.as_of_reading = np.array(
            [clock.read(np.array([tl.as_of]))[0] for clock in clocks.clocks] + [0], dtype=np.int64
        )

    @property
    def as_of(self) -> int:
        """The instant of the evaluation."""
        return self.tl.as_of

    def reading(self, ticket: Ints, at: Ints, segment: Ints) -> Ints:
        """The clock reading of each ticket at ``at`` (``segment`` holds ``at``)."""
        return self.clocks.read(self.which[ticket], at)

    def instant(self, ticket: Ints, reading: Ints, segment: Ints) -> Ints:
        """The earliest instant at which each ticket's clock shows ``reading``."""
        return self.clocks.reach(self.which[ticket], reading)

    def due(self, ticket: Ints, remaining: Ints) -> Ints:
        """When ``remaining`` business seconds after ``as_of`` have passed, per ticket. With
        none left in closed hours, that is the next opening: the clock's next move breaches."""
        which = self.which[ticket]
        readings = self.as_of_reading[which] + remaining
        return np.where(
            remaining > 0,
            self.clocks.reach(which, readings),
            self.clocks.reach_latest(which, readings),
        )

    def running_now(self, ticket: Ints) -> Bools:
        """Whether each ticket's clock runs at ``as_of``: always."""
        return np.ones(ticket.size, dtype=bool)


class Track(ClockTrack):
    """The running clock of a target that pauses in some statuses, over all segments."""

    def __init__(
        self,
        tl: Timeline,
        clocks: Clocks,
        which: Ints,
        running: frozenset[str],
        read_at_start: Ints,
    ) -> None:
        super().__init__(tl, clocks, which)
        self.running = running
        self.read_at_start = read_at_start
        segment_clock = which[tl.ticket]
        self.runs = running_statuses(running)[tl.status] & (segment_clock >= 0)
        lengths = np.empty_like(read_at_start)
        lengths[:-1] = read_at_start[1:]
        lengths[tl.last] = self.as_of_reading[which]
        lengths -= read_at_start
        lengths *= self.runs
        self.cum = np.empty(lengths.size + 1, dtype=np.int64)
        self.cum[0] = 0
        np.cumsum(lengths, out=self.cum[1:])

    def reading(self, ticket: Ints, at: Ints, segment: Ints) -> Ints:
        """``R(at)`` of each ticket, ``at`` lying in ``segment``.

        Only instants inside a running segment need the calendar clock: at a segment's start
        the reading is ``cum[segment]``, at ``as_of`` (in the last segment) ``cum[segment + 1]``.
        """
        out = self.cum[segment]
        inside = self.runs[segment] & (at != self.tl.start[segment])
        at_end = inside & (at == self.tl.as_of)
        out[at_end] = self.cum[segment[at_end] + 1]
        rows = np.flatnonzero(inside & ~at_end)
        if rows.size:
            clock = self.clocks.read(self.which[ticket[rows]], at[rows])
            out[rows] += clock - self.read_at_start[segment[rows]]
        return out

    def instant(self, ticket: Ints, reading: Ints, segment: Ints) -> Ints:
        """The earliest instant, in ``segment`` or later, at which ``R`` shows ``reading``."""
        k = np.maximum(np.searchsorted(self.cum[1:], reading, side="left"), segment)
        return self.clocks.reach(self.which[ticket], self.read_at_start[k] + reading - self.cum[k])

    def running_now(self, ticket: Ints) -> Bools:
        """Whether each ticket's clock runs at ``as_of``."""
        running: Bools = self.runs[self.tl.last[ticket]]
        return running


@dataclass(frozen=True)
class Measured:
    """Elapsed business seconds, state code (see :data:`STATES`), breach and due instants."""

    elapsed: Ints
    state: NDArray[np.int8]
    breached_at: Ints
    due_at: Ints


def measure(spans: Spans, track: ClockTrack, target: Ints) -> Measured:
    """Measure instances against their ``target`` seconds on the target's ``track``."""
    begin = track.reading(spans.ticket, spans.start, spans.start_segment)
    elapsed = track.reading(spans.ticket, spans.end, spans.end_segment) - begin
    breached = elapsed > target
    ongoing = spans.stop == NAT
    running = track.running_now(spans.ticket)
    state = np.select(
        [breached, ~ongoing, running], [BREACHED, ACHIEVED, ACTIVE], default=PAUSED
    ).astype(np.int8)
    breached_at = np.full(len(spans), NAT, dtype=np.int64)
    rows = np.flatnonzero(breached)
    instant = track.instant(
        spans.ticket[rows], begin[rows] + target[rows], spans.start_segment[rows]
    )
    breached_at[rows] = np.maximum(instant, spans.start[rows])  # a zero target: at the start
    due_at = np.full(len(spans), NAT, dtype=np.int64)
    rows = np.flatnonzero(state == ACTIVE)
    due = track.due(spans.ticket[rows], target[rows] - elapsed[rows])
    due_at[rows] = np.where(due == NAT, NAT, np.maximum(due, track.as_of))  # 0 left: now
    return Measured(elapsed, state, breached_at, due_at)
