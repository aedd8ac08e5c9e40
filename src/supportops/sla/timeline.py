"""Each ticket's status history as segments, the ground every SLA clock runs on.

A ticket's first segment starts at its creation with status ``new`` (the status before any status
event); each status event starts the next segment; a merge counts as ``closed``. The last segment
of a ticket runs to ``as_of``. Segments of all tickets sit in one set of arrays, ticket by ticket,
so the segment in force at an event is one ``cumsum`` away.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from supportops.sla.events import CLOSED, MERGED, NEW, EventArrays
from supportops.sla.grouped import Ints, interleave_heads

__all__ = ["Timeline", "build_timeline"]


@dataclass(frozen=True)
class Timeline:
    """Status segments of every ticket row, and the segment in force at each event.

    ``first`` and ``last`` give each ticket row's first and last segment; ``at_event`` gives, for
    each event, the segment in force once the status changes of its instant are applied.
    """

    ticket: Ints
    start: Ints
    status: NDArray[np.int8]
    first: Ints
    last: Ints
    at_event: Ints
    as_of: int

    def __len__(self) -> int:
        return int(self.ticket.size)

    def status_at_event(self) -> NDArray[np.int8]:
        """The status in force at each event."""
        return self.status[self.at_event]


def build_timeline(events: EventArrays, created: Ints, as_of: int) -> Timeline:
    """Segments from prepared ``events`` (see :func:`prepare_events`) and creation instants."""
    tickets = created.size
    changes = events.code <= MERGED
    changed = events.ticket[changes]
    heads, bodies = interleave_heads(np.arange(tickets, dtype=np.int64), changed, tickets)
    size = tickets + changed.size
    ticket = np.empty(size, dtype=np.int64)
    start = np.empty(size, dtype=np.int64)
    status = np.empty(size, dtype=np.int8)
    ticket[heads], ticket[bodies] = np.arange(tickets), changed
    start[heads], start[bodies] = created, events.at[changes]
    status[heads], status[bodies] = NEW, np.minimum(events.code[changes], CLOSED)
    last = np.append(heads[1:] - 1, size - 1) if tickets else heads
    at_event = (events.ticket + np.cumsum(changes, dtype=np.int64)).astype(np.int64, copy=False)
    return Timeline(ticket, start, status, heads, last, at_event, as_of)
