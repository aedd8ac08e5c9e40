"""The evaluation of one block of tickets: events → segments → instances → measures.

Tickets are independent of each other, so the engine cuts the ticket rows into blocks and
evaluates them side by side (numpy releases the GIL); a block also bounds the memory of the
intermediate arrays. :class:`Context` holds what every block shares: ``as_of``, the policy
chosen per ticket, each target's length and calendar per policy, and the calendar clocks.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from supportops.config import TARGETS
from supportops.sla.clock import Clocks
from supportops.sla.events import NAT, STATUS_NAMES, EventArrays, prepare_events
from supportops.sla.frame import Rows
from supportops.sla.grouped import Bools, Indices, Ints
from supportops.sla.policy import TargetPlan, TargetRule
from supportops.sla.targets import FAMILY, RUNNING, Spans, lifetime_spans, reply_waits, update_spans
from supportops.sla.timeline import build_timeline
from supportops.sla.track import ClockTrack, Track, measure

__all__ = ["Block", "Context", "evaluate_block"]

LIFETIME = [target for target, family in FAMILY.items() if family == "lifetime"]


@dataclass(frozen=True)
class Context:
    """What every block shares. Arrays are per ticket row: ``created`` is NAT for tickets not
    evaluated (created after ``as_of`` or without a creation instant), ``chosen`` the policy
    (-1: none)."""

    as_of: int
    base: int  # an instant before every ticket's creation: instants are kept relative to it
    created: Ints
    agent_created: Bools
    chosen: Indices
    rules: dict[str, TargetRule]
    clocks: Clocks


class Block:
    """Ticket rows ``[low, high)``: their timeline, target spans and tracks, built on demand."""

    def __init__(self, context: Context, events: EventArrays, low: int, high: int) -> None:
        self.context, self.low, self.high = context, low, high
        first, last = np.searchsorted(events.ticket, [low, high])
        local = EventArrays(
            events.ticket[first:last] - low, events.at[first:last], events.code[first:last]
        )
        created = context.created[low:high]
        self.events = prepare_events(local, created, context.as_of)
        self.tl = build_timeline(self.events, created, context.as_of)
        self._spans: dict[str, Spans] = {}
        self._track: ClockTrack | None = None
        self._key: tuple[int, ...] | None = None
        self._readings: dict[int, Ints] = {}

    def plan(self, target: str) -> TargetPlan:
        """The target's plan for this block's tickets."""
        return self.context.rules[target].plan(self.context.chosen[self.low : self.high])

    def spans(self, target: str) -> Spans:
        """All instances of ``target``'s family (whether or not a ticket has the target)."""
        if target not in self._spans:
            family = FAMILY[target]
            if family == "waits":
                agent = self.context.agent_created[self.low : self.high]
                first, following = reply_waits(self.events, self.tl, agent)
                self._spans.update(first_reply=first, next_reply=following)
            elif family == "updates":
                updates = update_spans(self.events, self.tl)
                self._spans.update(periodic_update=updates, pausable_update=updates)
            else:
                alive = np.flatnonzero(self.tl.start[self.tl.first] != NAT)
                lifetime = lifetime_spans(self.tl, alive)
                self._spans.update(dict.fromkeys(LIFETIME, lifetime))
        return self._spans[target]

    def track(self, target: str, plan: TargetPlan) -> ClockTrack:
        """The target's track; targets with the same calendars per policy and the same running
        statuses share it. A target that never pauses runs on the calendar clock itself."""
        track, running = self._track, RUNNING[target]
        if track is not None and self._key == plan.key and track.running == running:
            return track
        self._track = None
        if running == frozenset(STATUS_NAMES):
            self._track = ClockTrack(self.tl, self.context.clocks, plan.clock)
        else:
            reads = self._segment_readings(plan.clock)
            self._track = Track(self.tl, self.context.clocks, plan.clock, running, reads)
        self._key = plan.key
        return self._track

    def _segment_readings(self, which: Ints) -> Ints:
        """Each segment start read on its ticket's clock (``which``: clock per ticket); the
        readings of each clock are computed once per block and shared by all targets."""
        segment_clock = which[self.tl.ticket]
        out = np.zeros(len(self.tl), dtype=np.int64)
        for index, clock in enumerate(self.context.clocks.clocks):
            mask = segment_clock == index
            if not mask.any():
                continue
            if index not in self._readings:
                self._readings[index] = clock.read(self.tl.start)
            np.copyto(out, self._readings[index], where=mask)
        return out

    def measured(self, target: str) -> Rows | None:
        """The target's instances in this block, their targets and measures (None: no ticket
        of the block has the target)."""
        plan = self.plan(target)
        spans = self.spans(target)
        has = plan.clock[spans.ticket] >= 0
        if not has.any():
            return None
        spans = spans if has.all() else spans.take(has)
        seconds = plan.seconds[spans.ticket]
        measures = measure(spans, self.track(target, plan), seconds)
        spans = replace(spans, ticket=spans.ticket + self.low)
        return Rows.of(target, self.context.base, spans, seconds, measures)

    def release(self, target: str) -> None:
        """Forget the spans of ``target`` once measured."""
        self._spans.pop(target, None)


def evaluate_block(context: Context, events: EventArrays, low: int, high: int) -> list[Rows]:
    """The measured instances of every target for ticket rows ``[low, high)``."""
    block = Block(context, events, low, high)
    parts = []
    for target in TARGETS:
        part = block.measured(target)
        block.release(target)
        if part is not None:
            parts.append(part)
    return parts
