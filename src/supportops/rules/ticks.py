"""Time-based rules' checks: the ticks at which an automation (``every: N`` minutes) is tested.

A helpdesk runs its automations on the clock (Zendesk every hour, Freshdesk's supervisor every
hour), on every ticket not yet closed. Here a tick is an event of kind ``tick`` at a multiple of
the period since the epoch, in UTC: a rule with ``every: 60`` is tested at each whole hour, one
with ``every: 120`` at every second one. The period of a rule set is the greatest common divisor
of its rules' periods, so that each rule's own checks are among its ticks.

- In the replay, each ticket gets a tick at every period from its creation until it is closed
  (its first ``closed`` status in the log) or the history ends (:func:`ticks_of`, vectorised).
  A ticket a replayed rule closes is not checked again (the engine skips ticks on closed rows).
- Live, ``serve`` (or ``supportops rules tick``) gives each ticket not closed one tick at the
  period's last boundary (:func:`due_ticks`): the action ledger records an action once per
  rule, ticket, instant and value, so a check run twice in one period acts once.
"""

from __future__ import annotations

import math
from functools import reduce

import numpy as np
import pandas as pd

from supportops.errors import RuleError
from supportops.rules.model import RuleSet

__all__ = ["MAX_TICKS", "TICK", "boundary_of", "due_ticks", "period_of", "ticks_of"]

TICK = "tick"
MAX_TICKS = 20_000_000  # ticks one replay may check; past it, a shorter period is asked for
_MINUTE_NS = 60 * 10**9


def period_of(ruleset: RuleSet) -> int | None:
    """The minutes between ticks for ``ruleset``'s time-based rules (None: it has none)."""
    periods = [max(1, round(r.every)) for r in ruleset.runnable() if r.every is not None]
    return reduce(math.gcd, periods) if periods else None


def _nanos(values: pd.Series) -> np.ndarray:
    index = pd.DatetimeIndex(pd.to_datetime(values, utc=True))
    return np.asarray(index.tz_convert(None).as_unit("ns").asi8)


def _rows(source: np.ndarray, ticket: np.ndarray, at_ns: np.ndarray) -> pd.DataFrame:
    at = pd.DatetimeIndex(at_ns.astype("datetime64[ns]")).tz_localize("UTC")
    return pd.DataFrame(
        {
            "source": source,
            "ticket_id": ticket,
            "at": at,
            "kind": TICK,
            "actor": "system",
            "public": None,
            "value": None,
            "previous": None,
            "event_id": None,  # a tick is no logged event: nothing to de-duplicate
            "body": None,
        }
    )


def ticks_of(
    tickets: pd.DataFrame, events: pd.DataFrame, period: int, end: pd.Timestamp
) -> pd.DataFrame:
    """The ticks of ``tickets`` (the log's ticket columns) every ``period`` minutes, from each
    one's creation until its first ``closed`` status in ``events`` or ``end``, as event rows."""
    if tickets.empty:
        return _rows(np.array([], dtype=object), np.array([], dtype=object), np.array([], "i8"))
    step = period * _MINUTE_NS
    start = _nanos(tickets["created_at"])
    stop = np.full(len(tickets), int(_nanos(pd.Series([end]))[0]), dtype=np.int64)
    closed = events[(events["kind"] == "status") & (events["value"].astype(str) == "closed")]
    if len(closed):
        keys = pd.MultiIndex.from_frame(tickets[["source", "ticket_id"]].astype(str))
        ns = closed.assign(ns=_nanos(closed["at"]))
        first = ns.groupby(["source", "ticket_id"])["ns"].min().reset_index()
        where = keys.get_indexer(
            pd.MultiIndex.from_frame(first[["source", "ticket_id"]].astype(str))
        )
        ok = where >= 0
        stop[where[ok]] = np.minimum(stop[where[ok]], first["ns"].to_numpy()[ok])
    low = start // step + 1  # the first boundary after creation
    high = stop // step  # the last boundary at or before the stop
    counts = np.maximum(high - low + 1, 0)
    total = int(counts.sum())
    if total > MAX_TICKS:
        raise RuleError(
            f"replaying the time-based rules would check {total:,} ticks (more than "
            f"{MAX_TICKS:,}): replay a shorter period",
            key="every",
        )
    which = np.repeat(np.arange(len(tickets)), counts)
    offset = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    at_ns = (np.repeat(low, counts) + offset) * step
    return _rows(
        tickets["source"].to_numpy(dtype=object)[which],
        tickets["ticket_id"].to_numpy(dtype=object)[which],
        at_ns,
    )


def boundary_of(now: pd.Timestamp, period: int) -> int:
    """The last multiple of ``period`` minutes at or before ``now``, in nanoseconds (UTC)."""
    step = period * _MINUTE_NS
    return int(_nanos(pd.Series([now]))[0]) // step * step


def due_ticks(open_tickets: pd.DataFrame, now: pd.Timestamp, period: int) -> pd.DataFrame:
    """One tick per ticket of ``open_tickets`` (source, ticket_id) at the last boundary of
    ``period`` minutes at or before ``now``."""
    boundary = boundary_of(now, period)
    count = len(open_tickets)
    return _rows(
        open_tickets["source"].to_numpy(dtype=object),
        open_tickets["ticket_id"].to_numpy(dtype=object),
        np.full(count, boundary, dtype=np.int64),
    )
