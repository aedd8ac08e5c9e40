"""The events an SLA clock listens to, encoded as three arrays sorted by ticket and time.

Only status changes, merges and public customer or agent messages move a clock; bot and system
messages and internal notes (``public = false``) are dropped here, which is why they never stop a
reply target. Each kept event becomes a small code:

====  ===========================  ====  ==========================
code  event                        code  event
====  ===========================  ====  ==========================
0-5   status set to new, open,     6     merged into another ticket
      pending, on_hold, solved,    7     public customer message
      closed                       8     public agent message
====  ===========================  ====  ==========================

Events of one ticket at the same instant are applied in code order: status changes first, then
customer messages, then agent messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from supportops.errors import InputError
from supportops.sla.grouped import Indices, Ints, rank_in_run

__all__ = [
    "AGENT_MESSAGE",
    "CLOSED",
    "CUSTOMER_MESSAGE",
    "MERGED",
    "NAT",
    "NEW",
    "PENDING",
    "SOLVED",
    "STATUS_NAMES",
    "EventArrays",
    "encode_events",
    "filled",
    "order_events",
    "prepare_events",
    "seconds",
    "source_column",
    "ticket_rows",
]

NEW, OPEN, PENDING, ON_HOLD, SOLVED, CLOSED, MERGED = range(7)
CUSTOMER_MESSAGE, AGENT_MESSAGE = 7, 8
STATUS_NAMES = ("new", "open", "pending", "on_hold", "solved", "closed")
NAT = np.iinfo(np.int64).min
_CHUNK = 1_000_000


@dataclass(frozen=True)
class EventArrays:
    """Clock events: the ticket's row in the tickets frame (int32 or int64), epoch seconds and
    the event code."""

    ticket: Indices
    at: Ints
    code: NDArray[np.int8]

    def __len__(self) -> int:
        return int(self.ticket.size)

    def take(self, rows: Any) -> EventArrays:
        """The events at ``rows`` (a boolean mask or indices)."""
        return EventArrays(self.ticket[rows], self.at[rows], self.code[rows])


def seconds(values: Any) -> Ints:
    """Epoch seconds (floored) of timestamps; naive ones are UTC; missing ones are NAT."""
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        series = series.dt.tz_convert(None)
    elif series.dtype.kind != "M":
        series = pd.to_datetime(series, utc=True).dt.tz_convert(None)
    return np.asarray(series.to_numpy().astype("datetime64[s]").view(np.int64))


def source_column(frame: pd.DataFrame) -> pd.Series:
    """The frame's ``source``, ``csv`` where it is absent (the event log's default)."""
    return filled(frame, "source", "csv")


def filled(frame: pd.DataFrame, name: str, default: str) -> pd.Series:
    """Column ``name`` with ``default`` where it is missing (the whole column when absent)."""
    if name not in frame:
        return pd.Series(default, index=frame.index, dtype=object)
    column = frame[name]
    if not column.isna().any():
        return column
    return column.astype(object).where(column.notna(), default)


def ticket_rows(tickets: pd.DataFrame, events: pd.DataFrame) -> Ints:
    """Each event's ticket row in ``tickets`` by (source, ticket_id); -1 for unknown tickets."""
    keys = pd.MultiIndex.from_arrays([source_column(tickets), tickets["ticket_id"].astype(str)])
    if not keys.is_unique:
        raise InputError("tickets: a (source, ticket_id) appears twice", column="ticket_id")
    wanted = [source_column(events), events["ticket_id"].astype(str)]
    return np.asarray(keys.get_indexer(pd.MultiIndex.from_arrays(wanted)), dtype=np.int64)


def _codes(events: pd.DataFrame) -> NDArray[np.int8]:
    """The code of each raw event, -1 for events no clock listens to."""
    kind = events["kind"].astype(object).to_numpy()
    actor = events.get("actor", pd.Series(None, index=events.index)).astype(object).to_numpy()
    public = events.get("public", pd.Series(None, index=events.index))
    shown = public.astype(object).where(public.notna(), True).astype(bool).to_numpy()
    value = events.get("value", pd.Series(None, index=events.index)).astype(object)
    status = value.map({name: code for code, name in enumerate(STATUS_NAMES)})
    message = (kind == "message") & shown
    choices = [
        (kind == "status") & status.notna().to_numpy(),
        kind == "merged",
        message & (actor == "customer"),
        message & (actor == "agent"),
    ]
    picks: list[Any] = [status.fillna(-1).to_numpy(), MERGED, CUSTOMER_MESSAGE, AGENT_MESSAGE]
    codes: NDArray[np.int8] = np.asarray(np.select(choices, picks, default=-1), dtype=np.int8)
    return codes


def encode_events(tickets: pd.DataFrame, events: pd.DataFrame) -> EventArrays:
    """Encode a raw ``events`` frame of the event log against the rows of ``tickets``."""
    if events.empty:
        empty = np.empty(0, dtype=np.int64)
        return EventArrays(empty, empty.copy(), np.empty(0, dtype=np.int8))
    rows, code, at = ticket_rows(tickets, events), _codes(events), seconds(events["at"])
    keep = (rows >= 0) & (code >= 0) & (at != NAT)
    return EventArrays(rows[keep], at[keep], code[keep])


def order_events(events: EventArrays) -> EventArrays:
    """The events in (ticket, at, code) order, sorted only when they are not."""
    return _sorted(events)


def prepare_events(events: EventArrays, created: Ints, as_of: int) -> EventArrays:
    """The events a clock sees at ``as_of``: of evaluated tickets (``created`` not NAT), up to
    ``as_of``, none before creation (moved to it), sorted, and none after a merge."""
    born = created[events.ticket]
    keep = (born != NAT) & (events.at != NAT) & (events.at <= as_of)
    kept = events if keep.all() else events.take(keep)
    at = np.maximum(kept.at, born if keep.all() else born[keep])
    ordered = _sorted(EventArrays(kept.ticket, at, kept.code))
    return _cut_after_merge(ordered)


def _is_sorted(events: EventArrays) -> bool:
    """Whether events are in (ticket, at, code) order; checked in chunks to bound memory."""
    for low in range(0, len(events), _CHUNK):
        high = min(low + _CHUNK + 1, len(events))
        dt = np.diff(events.ticket[low:high])
        da = np.diff(events.at[low:high])
        dc = np.diff(events.code[low:high].astype(np.int16))
        if ((dt < 0) | ((dt == 0) & ((da < 0) | ((da == 0) & (dc < 0))))).any():
            return False
    return True


def _sorted(events: EventArrays) -> EventArrays:
    if _is_sorted(events):
        return events
    return events.take(np.lexsort((events.code, events.at, events.ticket)))


def _cut_after_merge(events: EventArrays) -> EventArrays:
    """Drop every event after a ticket's first merge: a merged ticket's clocks stop for good."""
    merged = events.code == MERGED
    if not merged.any():
        return events
    merges_before = rank_in_run(events.ticket, merged) - merged
    return events.take(merges_before == 0)
