"""One ticket's SLA target instances as bars: when each clock ran, was paused, or had stopped.

The engine (:func:`~supportops.sla.engine.evaluate`) measures every instance at once; a ticket
page needs to *show* one ticket's: each instance's window split into spans. From its start to
its stop (or ``as_of`` while it has not stopped) a span is

* ``running`` — the ticket's status is one the target counts and the calendar is open,
* ``closed`` — the status counts but the calendar is closed (the clock waits for business hours),
* ``paused`` — the status is one the target does not count (e.g. pending for resolution),

and from its stop to ``as_of`` one ``stopped`` span. The spans of a window tile it exactly, so
the running spans add up to the instance's ``elapsed_seconds``. Pure: the ticket's status
segments (:func:`~supportops.sla.timeline.build_timeline` of one ticket) and its calendars in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from supportops.calendar import BusinessCalendar
from supportops.sla.events import STATUS_NAMES, seconds
from supportops.sla.targets import RUNNING
from supportops.sla.timeline import Timeline

__all__ = ["SPAN_STATES", "Bar", "Span", "instance_bar", "segments_of"]

SPAN_STATES = ("running", "closed", "paused", "stopped")


@dataclass(frozen=True)
class Span:
    """``[start, end)`` in epoch seconds, in one of :data:`SPAN_STATES`."""

    state: str
    start: int
    end: int


@dataclass(frozen=True)
class Bar:
    """One instance's spans, from its start to ``as_of``, and the business seconds they ran."""

    spans: tuple[Span, ...]

    @property
    def running_seconds(self) -> int:
        """The business seconds the clock ran (the engine's ``elapsed_seconds``)."""
        return sum(s.end - s.start for s in self.spans if s.state == "running")


def segments_of(tl: Timeline) -> list[tuple[int, int, str]]:
    """The status segments of a one-ticket timeline as (start, end, status), the last to
    ``as_of``."""
    starts = [int(s) for s in tl.start]
    ends = [*starts[1:], tl.as_of]
    return [
        (a, max(a, b), STATUS_NAMES[int(code)])
        for a, b, code in zip(starts, ends, tl.status, strict=True)
    ]


def _open_pieces(calendar: BusinessCalendar, start: int, end: int) -> list[tuple[int, int, bool]]:
    """``[start, end)`` split into open (True) and closed (False) pieces of ``calendar``."""
    if end <= start:
        return []
    stamps = np.array([start, end], dtype=np.int64).view("datetime64[s]")
    intervals = calendar.open_intervals(stamps[:1], stamps[1:])
    pieces, at = [], start
    opens, closes = seconds(intervals["opens_at"]), seconds(intervals["closes_at"])
    for low, high in zip(opens, closes, strict=True):
        low, high = max(int(low), start), min(int(high), end)
        if high <= low:
            continue
        if low > at:
            pieces.append((at, low, False))
        pieces.append((low, high, True))
        at = high
    if at < end:
        pieces.append((at, end, False))
    return pieces


def instance_bar(
    segments: list[tuple[int, int, str]],
    target: str,
    calendar: BusinessCalendar,
    window: tuple[int, int | None, int],
    running: Mapping[str, frozenset[str]] = RUNNING,
) -> Bar:
    """The spans of one instance of ``target``; ``window`` is (start, stop or None, as_of)."""
    start, stop, as_of = window
    end = as_of if stop is None else stop
    spans: list[Span] = []
    for low, high, status in segments:
        low, high = max(low, start), min(high, end)
        if high <= low:
            continue
        if status not in running[target]:
            spans.append(Span("paused", low, high))
            continue
        for a, b, is_open in _open_pieces(calendar, low, high):
            spans.append(Span("running" if is_open else "closed", a, b))
    if stop is not None and as_of > stop:
        spans.append(Span("stopped", stop, as_of))
    return Bar(tuple(_merged(spans)))


def _merged(spans: list[Span]) -> list[Span]:
    """Adjacent spans of one state as one."""
    out: list[Span] = []
    for span in spans:
        if out and out[-1].state == span.state and out[-1].end == span.start:
            out[-1] = Span(span.state, out[-1].start, span.end)
        else:
            out.append(span)
    return out
