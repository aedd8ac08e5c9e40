"""Business time in SQL: the calendars' open intervals as a table the metric SQL joins.

``calendar_days(calendar, day, cum_start, o0, c0, o1, c1, ...)`` holds, per calendar and UTC day
(``day`` = epoch day), the business-second reading at midnight and the day's open intervals cut
at UTC midnights (epoch seconds, one pair of columns per slot). The reading of an instant ``x``
is then one equality join on (calendar, day) and a closed form, no aggregation::

    C(x) = cum_start + sum over slots of max(min(x, c_i) - o_i, 0)

and business time is ``C(end) - C(start)``. The table is a temporary table of the session, built
from :class:`supportops.calendar.BusinessCalendar` over the span of the data and rebuilt only
when the span or the calendars change; its rows are built once per process for each block of days
(:data:`_BLOCK`) and calendar configuration, and only loaded by a new session.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from supportops.calendar import BusinessCalendar
from supportops.conditions import Columns, to_sql
from supportops.config import CalendarConfig, SlaPolicy, WorkspaceConfig
from supportops.lazy import lazy_module
from supportops.model.validate import quote_literal
from supportops.store import Store

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa
else:  # loaded on first use (a command reading a few rows needs neither Arrow nor numpy)
    pa = lazy_module("pyarrow")
    np = lazy_module("numpy")

__all__ = ["ALWAYS_OPEN", "TABLE", "calendar_sql", "days_table", "ensure_days"]

ALWAYS_OPEN = "24x7"
TABLE = "calendar_days"
_DAY = 86_400
_BUILT: weakref.WeakKeyDictionary[Store, tuple[Any, ...]] = weakref.WeakKeyDictionary()
_BLOCK = 28 * _DAY  # spans widen to whole blocks of days, so that nearby spans share rows
_ROWS: dict[tuple[str, int, int], tuple[pa.Table, int]] = {}  # see _rows
_ROWS_MAX = 16


def _when(policy: SlaPolicy) -> str:
    return to_sql(policy.when, Columns(alias="t"), None)


def calendar_sql(config: WorkspaceConfig) -> str:
    """SQL naming each ticket's calendar (over the ticket row ``t``): the calendar of the first
    SLA policy whose ``when`` matches, else ``default_calendar``, else 24x7."""
    default = config.default_calendar or ALWAYS_OPEN
    whens = [
        f"WHEN {_when(p)} THEN {quote_literal(p.calendar or default)}" for p in config.sla_policies
    ]
    if not whens:
        return quote_literal(default)
    return f"CASE {' '.join(whens)} ELSE {quote_literal(default)} END"


def _calendar(config: WorkspaceConfig, name: str) -> BusinessCalendar:
    if name not in config.calendars:
        return BusinessCalendar.shared(CalendarConfig(always_open=True), name)
    return BusinessCalendar.shared(config.calendars[name], name)


def _split(opens: np.ndarray, closes: np.ndarray, cum: np.ndarray) -> tuple[np.ndarray, ...]:
    """Cut each interval at UTC midnights: (day, opens, closes, cum_before) of the pieces."""
    first, last = opens // _DAY, (closes - 1) // _DAY
    counts = (last - first + 1).astype(np.int64)
    index = np.repeat(np.arange(opens.size), counts)
    offset = np.arange(index.size) - np.repeat(np.cumsum(counts) - counts, counts)
    day = first[index] + offset
    piece_open = np.maximum(opens[index], day * _DAY)
    piece_close = np.minimum(closes[index], (day + 1) * _DAY)
    return day, piece_open, piece_close, cum[index] + (piece_open - opens[index])


def _midnights(
    opens: np.ndarray, closes: np.ndarray, cum: np.ndarray, low: int, high: int
) -> tuple[np.ndarray, ...]:
    """A zero-length row at each UTC midnight from ``low`` to ``high`` with its reading."""
    day = np.arange(low // _DAY, high // _DAY + 1, dtype=np.int64)
    at = day * _DAY
    i = np.searchsorted(opens, at, side="right") - 1
    safe = np.clip(i, 0, None)
    reading = np.where(
        i >= 0, cum[safe] + np.clip(at - opens[safe], 0, closes[safe] - opens[safe]), 0
    )
    return day, at, at, reading


def _calendar_rows(name: str, config: WorkspaceConfig, low: int, high: int) -> pd.DataFrame:
    """One calendar's pieces (day, o, c) and midnights (day, cum_start) over [low, high]."""
    import pandas as pd

    frame = _calendar(config, name).open_intervals(
        np.datetime64(low, "s"), np.datetime64(high, "s")
    )
    opens, closes = _epoch(frame["opens_at"]), _epoch(frame["closes_at"])
    cum = frame["cum_business_seconds_before"].to_numpy().astype(np.int64)
    day, o, c, _ = _split(opens, closes, cum)
    pieces = pd.DataFrame({"day": day, "o": o.astype(float), "c": c.astype(float)})
    pieces["slot"] = pieces.groupby("day").cumcount()
    midnight, _, _, reading = _midnights(opens, closes, cum, low, high)
    days = pd.DataFrame({"day": midnight, "cum_start": reading.astype(float)})
    wide = pieces.pivot(index="day", columns="slot", values=["o", "c"])
    wide.columns = [f"{pair[0]}{pair[1]}" for pair in wide.columns.to_flat_index()]
    out = days.merge(wide, left_on="day", right_index=True, how="left")
    out.insert(0, "calendar", name)
    return out


def days_table(config: WorkspaceConfig, low: int, high: int) -> tuple[pa.Table, int]:
    """``calendar_days`` rows for every calendar over [low, high] epoch seconds, and the number
    of interval slots a day needs."""
    import pandas as pd

    parts = [_calendar_rows(name, config, low, high) for name in [*config.calendars, ALWAYS_OPEN]]
    frame = pd.concat(parts, ignore_index=True)
    slots = max(
        (int(c[1:]) + 1 for c in frame.columns if c[0] == "o" and c[1:].isdigit()), default=1
    )
    for i in range(slots):
        for kind in ("o", "c"):
            if f"{kind}{i}" not in frame:
                frame[f"{kind}{i}"] = np.nan
    columns = ["calendar", "day", "cum_start"] + [f"{k}{i}" for i in range(slots) for k in "oc"]
    frame["day"] = frame["day"].astype(np.int64)
    return pa.Table.from_pandas(frame[columns], preserve_index=False), slots


def ensure_days(
    store: Store, config: WorkspaceConfig, low: int, high: int, load: bool = True
) -> int:
    """Create (or reuse) the session's ``calendar_days`` covering [low, high]; its slots."""
    low, high = (low - 2 * _DAY) // _BLOCK * _BLOCK, -(-(high + 2 * _DAY) // _BLOCK) * _BLOCK
    signature = config.model_dump_json(include={"calendars", "default_calendar"})
    built = _BUILT.get(store)
    if built and built[0] == signature and built[1] <= low and built[2] >= high:
        return int(built[3])
    rows, slots = _rows(config, signature, low, high)
    if not load:
        return slots
    types = store.capabilities.types
    kinds = {"calendar": types["string"], "day": "BIGINT"}
    body = ", ".join(f"{f.name} {kinds.get(f.name, types['number'])}" for f in rows.schema)
    store.execute(f"DROP TABLE IF EXISTS {TABLE}")
    store.execute(f"CREATE TEMP TABLE {TABLE} ({body})")
    store.append(TABLE, rows)
    _BUILT[store] = (signature, low, high, slots)
    return slots


def _rows(config: WorkspaceConfig, signature: str, low: int, high: int) -> tuple[pa.Table, int]:
    """:func:`days_table` of ``config`` (named by ``signature``) over [low, high], built once per
    process: a web request's view of the store is a new session, which has no temporary table
    yet, but the rows it loads are those of the last request over the same block of days."""
    key = (signature, low, high)
    found = _ROWS.get(key)
    if found is None:
        found = days_table(config, low, high)
        if len(_ROWS) >= _ROWS_MAX:
            _ROWS.clear()
        _ROWS[key] = found
    return found


def _epoch(values: Any) -> np.ndarray:
    """Epoch seconds of a column of UTC timestamps (any pandas resolution)."""
    import pandas as pd

    index = pd.DatetimeIndex(values)
    if index.tz is not None:
        index = index.tz_convert("UTC").tz_localize(None)
    return index.to_numpy().astype("datetime64[s]").astype(np.int64)
