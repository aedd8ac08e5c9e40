"""Business calendars and the business-time clock.

A :class:`BusinessCalendar` turns a calendar of ``supportops.yaml`` into the instants when support
is open; business time between two instants is the length of their overlap with those instants.
``docs/calendar.md`` tells the whole story; in short:

* Hours are local wall-clock times in the calendar's IANA zone. A range belongs to the day it
  starts on; an end at or before its start passes midnight; ``24:00`` ends at the next midnight.
  Overlapping or touching ranges merge.
* A public holiday (``country``/``subdivision``, observed days included) or an extra ``dates``
  entry closes the whole day, overnight range included. A ``partial`` date replaces that day's
  hours, even on a public holiday.
* A version's hours apply to the days before its ``until`` (the earliest later ``until`` wins);
  days on or after every ``until`` use the top-level ``hours``.
* DST: a wall-clock boundary happens at the first instant the local clock reads that time or
  later. A time skipped by a spring-forward happens at the transition; a time repeated by a
  fall-back happens at its first occurrence, so nothing opens or closes during the repetition.
* Instants are floored to the whole second; naive instants are UTC.

The clock is a table of the open intervals as sorted UTC ``[open, close)`` epoch seconds with the
business seconds before each opening: ``C(t) = before + min(t - open, close - open)`` of the last
interval opening at or before ``t`` is one ``numpy.searchsorted`` for a million instants, and
business time is ``C(end) - C(start)``. The table is built per local day, lazily, and grows when
a call needs a wider span.
"""

from __future__ import annotations

import functools
import sys
import threading
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from supportops.config import DAY_NAMES, CalendarConfig, HolidayConfig, _check_range, _expand_days
from supportops.errors import ConfigError
from supportops.lazy import lazy_module

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    from numpy.typing import NDArray

    Ints = NDArray[np.int64]
    Bools = NDArray[np.bool_]
else:  # loaded on first use: reading the config or a few rows needs neither numpy nor Arrow
    np = lazy_module("numpy")
    pa = lazy_module("pyarrow")

__all__ = ["BusinessCalendar"]

NAT = -(2**63)  # numpy's int64 minimum, its NaT
_FAR = 2**61  # beyond any instant: the bounds of an always-open calendar
_EPOCH = date(1970, 1, 1).toordinal()
_DAY = 86_400
_PAD = 7  # days built beyond what a call needs, so that nearby calls reuse the table
_SHARED: dict[tuple[str | None, str], BusinessCalendar] = {}  # see BusinessCalendar.shared
_SHARED_MAX = 64
_SHARED_LOCK = threading.Lock()
_REACH = 50 * 366 * _DAY  # add_business_seconds gives up (NaT) this far from its starts

Ranges = tuple[tuple[int, int], ...]  # (start, end) minutes after the local midnight of a day
Week = tuple[Ranges, ...]  # Monday first


def _minutes(text: str) -> tuple[int, int]:
    """``"22:00-06:00"`` → (1320, 1800): an end at or before the start is on the next day."""
    first, last = _check_range(text).split("-")
    start, end = (int(part[:2]) * 60 + int(part[3:]) for part in (first, last))
    return start, end if end > start else end + 1440


def _week(hours: Mapping[str, list[str]], key: str) -> Week:
    days: list[Ranges] = [()] * len(DAY_NAMES)
    named: dict[int, str] = {}
    for day_key, texts in hours.items():
        for day in _expand_days(day_key):
            if day in named:
                message = f"{DAY_NAMES[day]} is set by both {named[day]!r} and {day_key!r}"
                raise ConfigError(f"{key}: {message}", key=f"{key}.{day_key}")
            named[day] = day_key
            days[day] = tuple(sorted(_minutes(text) for text in texts))
    return tuple(days)


def _public_holidays(config: HolidayConfig, key: str) -> Any:
    if config.country is None:
        if config.subdivision is not None:
            raise ConfigError(f"{key}.subdivision: needs a country", key=f"{key}.subdivision")
        return None
    import holidays  # imported when a calendar has public holidays: it loads every country's

    try:
        return holidays.country_holidays(config.country, subdiv=config.subdivision)
    except NotImplementedError as exc:
        raise ConfigError(f"{key}.country: {exc}", key=f"{key}.country") from exc


@dataclass(frozen=True)
class _Rules:
    """Which ranges a local date has: partial day, holiday, version or the usual week."""

    week: Week
    untils: tuple[date, ...]
    versions: tuple[Week, ...]
    closed: frozenset[date]
    partial: Mapping[date, Ranges]
    public: Any

    def ranges(self, day: date) -> Ranges:
        if day in self.partial:
            return self.partial[day]
        if day in self.closed or (self.public is not None and day in self.public):
            return ()
        index = bisect_right(self.untils, day)
        return (self.versions[index] if index < len(self.versions) else self.week)[day.weekday()]


def _rules(config: CalendarConfig, prefix: str) -> _Rules:
    listed = config.holidays
    for day in sorted(set(listed.dates) & set(listed.partial)):
        key = f"{prefix}holidays.partial.{day}"
        raise ConfigError(f"{key}: {day} is also a closed date in holidays.dates", key=key)
    versions = sorted(enumerate(config.versions), key=lambda pair: pair[1].until)
    for (_, earlier), (index, later) in pairwise(versions):
        if earlier.until == later.until:
            key = f"{prefix}versions.{index}.until"
            raise ConfigError(f"{key}: two versions end on {later.until}", key=key)
    return _Rules(
        week=_week(config.hours, f"{prefix}hours"),
        untils=tuple(version.until for _, version in versions),
        versions=tuple(_week(v.hours, f"{prefix}versions.{i}.hours") for i, v in versions),
        closed=frozenset(listed.dates),
        partial={day: tuple(sorted(map(_minutes, texts))) for day, texts in listed.partial.items()},
        public=_public_holidays(listed, f"{prefix}holidays"),
    )


def _instant(wall: datetime, zone: ZoneInfo) -> int:
    """Epoch seconds of the first instant the local clock reads ``wall`` or later."""
    first = wall.replace(tzinfo=zone)  # fold=0: the first of two repeated readings
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall:
        return int(first.timestamp())
    before = int(wall.replace(tzinfo=zone, fold=1).timestamp())  # a skipped reading: bisect
    after = int(first.timestamp())  # the transition, between the clock short of and past it
    while after - before > 1:
        middle = (before + after) // 2
        if datetime.fromtimestamp(middle, zone).replace(tzinfo=None) >= wall:
            after = middle
        else:
            before = middle
    return after


def _merge(opens: Ints, closes: Ints) -> tuple[Ints, Ints]:
    """Sorted, disjoint, non-touching intervals covering the same instants."""
    order = np.argsort(opens, kind="stable")
    opens, closes = opens[order], closes[order]
    keep = closes > opens
    opens, closes = opens[keep], closes[keep]
    if opens.size == 0:
        return opens, closes
    fresh = np.ones(opens.size, dtype=bool)
    fresh[1:] = opens[1:] > np.maximum.accumulate(closes)[:-1]
    return opens[fresh], np.maximum.reduceat(closes, np.flatnonzero(fresh))


def _check_always_open(config: CalendarConfig, prefix: str) -> None:
    listed = config.holidays
    rules = (config.hours, config.versions, listed.country, listed.dates, listed.partial)
    if config.always_open and any(rules):
        key = f"{prefix}always_open"
        raise ConfigError(f"{key}: a 24x7 calendar has no hours, versions or holidays", key=key)


def _midnight(day: date) -> int:
    return (day.toordinal() - _EPOCH) * _DAY


def _day_of(seconds: int) -> date:
    return date.fromordinal(_EPOCH + seconds // _DAY)


@dataclass(frozen=True)
class _Table:
    """Open intervals ``[opens, closes)`` after a zero-length sentinel; exact on [low, high]."""

    opens: Ints
    closes: Ints
    before: Ints  # business seconds from the table's origin to each opening
    first_day: date
    last_day: date
    low: int
    high: int

    @classmethod
    def of(
        cls, opens: Ints, closes: Ints, days: tuple[date, date], bounds: tuple[int, int]
    ) -> _Table:
        opens = np.concatenate([np.array([-_FAR], dtype=np.int64), opens])
        closes = np.concatenate([np.array([-_FAR], dtype=np.int64), closes])
        before = np.concatenate([[0], np.cumsum(closes - opens)[:-1]]).astype(np.int64)
        return cls(opens, closes, before, *days, *bounds)

    def clock(self, instants: Ints) -> Ints:
        """Business seconds from the table's origin to each instant."""
        i = np.searchsorted(self.opens, instants, side="right") - 1
        elapsed: Ints = np.minimum(instants - self.opens[i], self.closes[i] - self.opens[i])
        return self.before[i] + elapsed

    def reach(self, readings: Ints, latest: Bools) -> Ints:
        """The earliest instant (the latest where ``latest``) at which the clock shows a reading."""
        ends = self.before + (self.closes - self.opens)
        first = np.searchsorted(ends, readings, side="left")
        last = np.searchsorted(ends, readings, side="right")
        i = np.minimum(np.where(latest, last, first), ends.size - 1)
        return self.opens[i] + (readings - self.before[i])

    def covers(self, low: int, high: int) -> bool:
        return self.low <= low and high <= self.high


@functools.cache
def _always() -> _Table:
    """The table of an always-open calendar: one opening from before to beyond any instant."""
    return _Table.of(
        np.array([-_FAR], dtype=np.int64),
        np.array([_FAR], dtype=np.int64),
        (date.min, date.max),
        (-_FAR, _FAR),
    )


def _build(rules: _Rules, zone: ZoneInfo, first_day: date, last_day: date) -> _Table:
    """One pass over local days: a Python loop per calendar day, never per row."""
    opens: list[int] = []
    closes: list[int] = []
    for ordinal in range(first_day.toordinal(), last_day.toordinal() + 1):
        day = date.fromordinal(ordinal)
        midnight = datetime.combine(day, time())
        for start, end in rules.ranges(day):
            opens.append(_instant(midnight + timedelta(minutes=start), zone))
            closes.append(_instant(midnight + timedelta(minutes=end), zone))
    merged = _merge(np.array(opens, dtype=np.int64), np.array(closes, dtype=np.int64))
    # a day's ranges lie within two local days of its midnight; local and UTC midnights differ
    # by less than a day, so the intervals are complete between these two UTC midnights
    bounds = (_midnight(first_day + timedelta(days=2)), _midnight(last_day))
    return _Table.of(*merged, (first_day, last_day), bounds)


def _instants(values: Any) -> Ints:
    """Epoch seconds (floored) of array-like instants; naive ones are UTC; missing ones NAT."""
    if isinstance(values, pa.Array | pa.ChunkedArray):
        if not pa.types.is_timestamp(values.type):
            raise TypeError(f"expected timestamps, got an arrow array of {values.type}")
        stamps = np.asarray(values.to_numpy(zero_copy_only=False))
    elif isinstance(values, np.ndarray | np.datetime64) and np.asarray(values).dtype.kind == "M":
        stamps = np.asarray(values)
    else:
        import pandas as pd

        if isinstance(values, str | date):
            values = [values]
        stamps = pd.DatetimeIndex(pd.to_datetime(values, utc=True)).tz_localize(None).to_numpy()
    return np.atleast_1d(stamps.astype("datetime64[s]").view(np.int64))


def _amounts(values: Any) -> NDArray[np.float64]:
    """Seconds as floats; missing ones NaN."""
    if isinstance(values, pa.Array | pa.ChunkedArray):
        values = values.to_numpy(zero_copy_only=False)
    elif (pd := sys.modules.get("pandas")) is not None and isinstance(values, pd.Series | pd.Index):
        values = values.to_numpy(dtype="float64", na_value=np.nan)
    return np.atleast_1d(np.asarray(values, dtype=np.float64))


def _timestamps(seconds: Ints) -> pd.DatetimeIndex:
    import pandas as pd

    return pd.DatetimeIndex(seconds.view("datetime64[s]")).as_unit("us").tz_localize("UTC")


class BusinessCalendar:
    """When support is open, and the business-time clock over those hours.

    Every method takes arrays of instants: numpy ``datetime64`` (naive is UTC), pandas Series or
    DatetimeIndex (aware, or naive as UTC), pyarrow timestamp arrays or chunked arrays, or lists of
    aware datetimes. Work is vectorised; the open intervals are cached on the calendar.
    Attributes: ``name`` (or None), ``config`` (the :class:`CalendarConfig`), ``zone`` (ZoneInfo).
    """

    def __init__(self, config: CalendarConfig, name: str | None = None) -> None:
        prefix = f"calendars.{name}." if name else ""
        _check_always_open(config, prefix)
        self.name = name
        self.config = config
        self.zone = ZoneInfo(config.timezone)
        self._rules = _rules(config, prefix)
        self._table: _Table | None = _always() if config.always_open else None

    @classmethod
    def from_config(
        cls, config: Mapping[str, Any] | CalendarConfig, name: str | None = None
    ) -> BusinessCalendar:
        """A calendar from its ``supportops.yaml`` mapping or a :class:`CalendarConfig`."""
        if isinstance(config, CalendarConfig):
            return cls(config, name)
        try:
            return cls(CalendarConfig.model_validate(dict(config)), name)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ["calendars", name] if name else []
            key = ".".join([*where, *(str(part) for part in first["loc"])])
            message = str(first["msg"]).removeprefix("Value error, ")
            raise ConfigError(f"{key}: {message}", key=key) from exc

    @classmethod
    def shared(cls, config: CalendarConfig, name: str | None = None) -> BusinessCalendar:
        """The calendar of ``config``, built once per process and shared: what it derives from
        its config (the public holidays, the open intervals it caches) does not change, so the
        web app's requests and the SLA engine need not rebuild it. Threads may share it: a
        wider table replaces the cached one whole, and each call keeps the table it read."""
        key = (name, config.model_dump_json())
        found = _SHARED.get(key)
        if found is None:
            found = cls(config, name)
            with _SHARED_LOCK:
                if len(_SHARED) >= _SHARED_MAX:  # configs edited many times: start over
                    _SHARED.clear()
                found = _SHARED.setdefault(key, found)
        return found

    def business_seconds(self, starts: Any, ends: Any) -> NDArray[np.float64]:
        """Business seconds from each start to its end, signed: negative when the end is earlier.

        Float64 so that a missing (NaT/null) start or end can give NaN; values are whole seconds.
        """
        start, end = np.broadcast_arrays(_instants(starts), _instants(ends))
        missing = (start == NAT) | (end == NAT)
        start, end = np.where(missing, 0, start), np.where(missing, 0, end)
        table = self._table_for(np.concatenate([start[~missing], end[~missing]]))
        seconds = (table.clock(end) - table.clock(start)).astype(np.float64)
        seconds[missing] = np.nan
        return seconds

    def add_business_seconds(self, starts: Any, seconds: Any) -> NDArray[np.datetime64]:
        """The UTC instant (``datetime64[s]``) when ``seconds`` of business time have elapsed.

        The earliest such instant: a target ending with an open range is due at its close, not at
        the next opening. Zero seconds gives the start itself; a start in closed hours counts from
        the next opening. Negative seconds count back (the latest instant). Seconds are rounded to
        whole seconds; a missing start, a missing or infinite amount, or a due instant more than
        50 years away gives NaT.
        """
        start, amount = np.broadcast_arrays(_instants(starts), _amounts(seconds))
        missing = (start == NAT) | ~np.isfinite(amount)
        start = np.where(missing, 0, start)
        step = np.where(missing, 0, np.clip(np.rint(amount), -(2**53), 2**53)).astype(np.int64)
        table, reading, lost = self._table_reaching(start, step, ~missing)
        due = np.where(step == 0, start, table.reach(reading, step < 0))
        return np.where(missing | lost, NAT, due).view("datetime64[s]")

    def is_open(self, instants: Any) -> Bools:
        """Whether the calendar is open at each instant (an opening is open, a close is not)."""
        at = _instants(instants)
        missing = at == NAT
        table = self._table_for(at[~missing])
        i = np.searchsorted(table.opens, at, side="right") - 1
        inside: Bools = ~missing & (at < table.closes[i])
        return inside

    def open_intervals(self, start: Any, end: Any) -> pd.DataFrame:
        """The open intervals within ``[start, end)``: the clock as a table a store can join.

        Columns ``opens_at``, ``closes_at`` (UTC) and ``cum_business_seconds_before`` (business
        seconds from ``start`` to ``opens_at``). The business-second reading ``C(t)`` of an
        instant ``t`` in ``[start, end]`` is the largest ``cum + least(t - opens_at, closes_at -
        opens_at)`` over the rows with ``opens_at <= t`` (0 without such a row); business time is
        ``C(end) - C(start)``. In SQL (DuckDB and PostgreSQL)::

            SELECT coalesce(max(i.cum_business_seconds_before + least(
                       extract(epoch FROM x.t) - extract(epoch FROM i.opens_at),
                       extract(epoch FROM i.closes_at) - extract(epoch FROM i.opens_at))), 0)
            FROM x JOIN intervals i ON i.opens_at <= x.t GROUP BY x.id
        """
        import pandas as pd

        low, high = (int(_instants(value)[0]) for value in (start, end))
        if NAT in (low, high):
            raise ValueError("open_intervals needs a start and an end instant, not NaT")
        table = self._table_for(np.array([low, high], dtype=np.int64))
        opens, closes = np.clip(table.opens, low, high), np.clip(table.closes, low, high)
        keep = closes > opens
        opens, closes = opens[keep], closes[keep]
        before = np.concatenate([[0], np.cumsum(closes - opens)[:-1]]).astype(np.int64)
        return pd.DataFrame(
            {
                "opens_at": _timestamps(opens),
                "closes_at": _timestamps(closes),
                "cum_business_seconds_before": before[: opens.size],
            }
        )

    def _table_for(self, instants: Ints, ahead: int = 0, back: int = 0) -> _Table:
        """The cached table, rebuilt over a wider span when it does not cover ``instants``."""
        if instants.size == 0:  # every row is missing: any table will do
            return self._table or _always()
        low, high = int(instants.min()) - back, int(instants.max()) + ahead
        table = self._table
        if table is not None and table.covers(low, high):
            return table
        first = _day_of(low) - timedelta(days=3 + _PAD)
        last = _day_of(high) + timedelta(days=2 + _PAD)
        if table is not None:
            first, last = min(first, table.first_day), max(last, table.last_day)
        self._table = _build(self._rules, self.zone, first, last)
        return self._table

    def _table_reaching(self, start: Ints, step: Ints, valid: Bools) -> tuple[_Table, Ints, Bools]:
        """A table whose span holds every due reading, growing it up to ``_REACH``; the readings;
        and which rows are still out of reach."""
        ahead = back = 0
        while True:
            table = self._table_for(start[valid], ahead, back)
            reading = table.clock(start) + step
            limits = table.clock(np.array([table.low, table.high], dtype=np.int64))
            late, early = valid & (reading > limits[1]), valid & (reading < limits[0])
            grow_ahead, grow_back = late.any() and ahead < _REACH, early.any() and back < _REACH
            if not (grow_ahead or grow_back):
                return table, reading, late | early
            ahead = min(max(2 * ahead, 31 * _DAY), _REACH) if grow_ahead else ahead
            back = min(max(2 * back, 31 * _DAY), _REACH) if grow_back else back
