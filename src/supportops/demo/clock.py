"""Wall-clock time and business hours as vectorised clocks over int64 epoch seconds.

The demo works in UTC epoch seconds. :class:`LocalClock` converts to and from *local seconds* (a
zone's wall-clock reading written as if it were UTC) through hourly offset tables, so daylight
saving time is exact. :class:`BusinessClock` maps instants onto a running count of open seconds,
which turns "add N business seconds" and "the next opening" into two table look-ups.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from supportops.demo.columns import Ints

__all__ = ["DAY", "HOUR", "BusinessClock", "LocalClock", "epoch_day"]

DAY = 86_400
HOUR = 3_600
_EPOCH = date(1970, 1, 1)


def epoch_day(day: date) -> int:
    """Days from 1970-01-01 to ``day``."""
    return (day - _EPOCH).days


class LocalClock:
    """Local seconds ↔ UTC epoch seconds in one zone, for ``days`` days from ``first``.

    Instants outside the table use the offset at its nearest end.
    """

    def __init__(self, zone: str, first: date, days: int) -> None:
        tz = ZoneInfo(zone)
        self.zone = zone
        self.first_day = epoch_day(first)
        self.days = days
        self._local0 = self.first_day * DAY
        self._utc0 = self._local0 - DAY
        naive = datetime(first.year, first.month, first.day)
        aware = datetime(first.year, first.month, first.day, tzinfo=UTC) - timedelta(days=1)
        hours = days * 24
        self._from_local = np.array(
            [_offset(naive + timedelta(hours=h), tz) for h in range(hours)], dtype=np.int64
        )
        self._from_utc = np.array(
            [_offset_at((aware + timedelta(hours=h)), tz) for h in range(hours + 48)],
            dtype=np.int64,
        )

    def to_utc(self, local: Ints) -> Ints:
        """UTC epoch seconds of local seconds (a time skipped by DST moves forward)."""
        hour = np.clip((local - self._local0) // HOUR, 0, len(self._from_local) - 1)
        return local - self._from_local[hour]

    def to_local(self, utc: Ints) -> Ints:
        """Local seconds of UTC epoch seconds."""
        hour = np.clip((utc - self._utc0) // HOUR, 0, len(self._from_utc) - 1)
        return utc + self._from_utc[hour]

    def weekdays(self) -> Ints:
        """Weekday (Monday = 0) of each day of the table."""
        return (self.first_day + np.arange(self.days, dtype=np.int64) + 3) % 7

    def dates(self) -> list[date]:
        """The calendar dates of the table."""
        return [_EPOCH + timedelta(days=self.first_day + d) for d in range(self.days)]


def _offset(naive: datetime, tz: ZoneInfo) -> int:
    delta = naive.replace(tzinfo=tz).utcoffset()
    return int(delta.total_seconds()) if delta is not None else 0


def _offset_at(instant: datetime, tz: ZoneInfo) -> int:
    delta = instant.astimezone(tz).utcoffset()
    return int(delta.total_seconds()) if delta is not None else 0


class BusinessClock:
    """Open hours per weekday (local seconds from midnight), closed on ``holidays``.

    ``position`` counts the open seconds before an instant since the clock's first day;
    ``instant`` is its inverse, landing on the next opening when a position falls at a close.
    """

    def __init__(
        self,
        clock: LocalClock,
        hours: Mapping[int, tuple[int, int]],
        holidays: Collection[date],
    ) -> None:
        self.clock = clock
        weekday = clock.weekdays()
        opens = np.array([hours.get(w, (0, 0))[0] for w in range(7)], dtype=np.int64)[weekday]
        closes = np.array([hours.get(w, (0, 0))[1] for w in range(7)], dtype=np.int64)[weekday]
        closed = np.isin(np.array(clock.dates()), np.array(sorted(holidays)))
        self.length: Ints = np.where(closed, 0, closes - opens)
        self.opening: Ints = (clock.first_day + np.arange(clock.days)) * DAY + opens
        self._cum = np.concatenate([[0], np.cumsum(self.length)[:-1]]).astype(np.int64)
        open_days = self.length > 0
        self._open_start = self.opening[open_days]
        self._open_cum = self._cum[open_days]

    def position(self, utc: Ints) -> Ints:
        """Open seconds elapsed before each instant."""
        local = self.clock.to_local(utc)
        day = np.clip(local // DAY - self.clock.first_day, 0, self.clock.days - 1)
        elapsed: Ints = np.clip(local - self.opening[day], 0, self.length[day])
        return self._cum[day] + elapsed

    def instant(self, position: Ints) -> Ints:
        """The UTC instant at which ``position`` open seconds have elapsed."""
        day = np.searchsorted(self._open_cum, position, side="right") - 1
        day = np.clip(day, 0, len(self._open_cum) - 1)
        return self.clock.to_utc(self._open_start[day] + (position - self._open_cum[day]))

    def add(self, utc: Ints, seconds: Ints) -> Ints:
        """``utc`` plus ``seconds`` of open time (0 seconds: the next opening if closed)."""
        return self.instant(self.position(utc) + seconds)
