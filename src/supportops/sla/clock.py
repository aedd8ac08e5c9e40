"""Business-second readings of a calendar over the span of an evaluation.

A :class:`Clock` holds the open intervals of one :class:`BusinessCalendar` over a span (from
``BusinessCalendar.open_intervals``). ``read(t)`` is the business seconds from the span's start
to ``t``; business time between two instants is the difference of their readings, and
``reach(x)`` is the earliest instant whose reading is ``x`` — a due date or a breach instant.
Both are one ``numpy.searchsorted`` for millions of instants. :class:`Clocks` holds one clock
per calendar in use and reads rows that use different calendars.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from supportops.calendar import BusinessCalendar
from supportops.sla.events import NAT
from supportops.sla.grouped import Ints

__all__ = ["Clock", "Clocks"]

_DAY = 86_400
_FAR = 2**61
_REACH = 50 * 366 * _DAY  # due dates further away than this are NaT (a calendar never open)


def _epoch(stamps: pd.Series) -> Ints:
    naive = pd.DatetimeIndex(stamps).tz_convert("UTC").tz_localize(None)
    return np.asarray(naive.to_numpy().astype("datetime64[s]").view(np.int64))


class Clock:
    """The reading ``C(t)`` of one calendar, exact on ``[low, high]``."""

    def __init__(self, opens: Ints, closes: Ints) -> None:
        self.opens = np.concatenate([[-_FAR], opens]).astype(np.int64)
        self.closes = np.concatenate([[-_FAR], closes]).astype(np.int64)
        lengths = self.closes - self.opens
        self.before = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
        self.ends = self.before + lengths
        self.single = self.opens.size == 2  # one open interval (24x7): a plain subtraction

    @classmethod
    def build(cls, calendar: BusinessCalendar, low: int, high: int, ahead: int) -> Clock:
        """A clock over ``[low, high]`` that also reaches ``ahead`` business seconds past
        ``high`` (so that every due date of a target of at most that length is found)."""
        span = max(ahead, 14 * _DAY)
        while True:
            end = high + span
            frame = calendar.open_intervals(_stamp(low), _stamp(end))
            clock = cls(_epoch(frame["opens_at"]), _epoch(frame["closes_at"]))
            after = int(clock.ends[-1] - clock.read(np.array([high]))[0])
            if after >= ahead or span >= _REACH:
                return clock
            span *= 2

    def read(self, at: Ints) -> Ints:
        """Business seconds from the span's start to each instant."""
        if self.single:
            inside: Ints = np.minimum(at - self.opens[1], self.ends[1])
            return inside
        i = np.searchsorted(self.opens, at, side="right") - 1
        readings: Ints = self.before[i] + np.minimum(
            at - self.opens[i], self.closes[i] - self.opens[i]
        )
        return readings

    def reach(self, readings: Ints) -> Ints:
        """The earliest instant with each reading (NAT beyond the span)."""
        if self.single:
            return np.where(readings > self.ends[1], NAT, self.opens[1] + readings)
        i = np.clip(np.searchsorted(self.ends, readings, side="left"), 1, self.ends.size - 1)
        instants = self.opens[i] + (readings - self.before[i])
        return np.where(readings > self.ends[-1], NAT, instants)

    def reach_latest(self, readings: Ints) -> Ints:
        """The latest instant with each reading: a reading reached at a close is still shown
        until the next opening, when the clock moves on (NAT beyond the span)."""
        if self.single:
            return self.reach(readings)
        i = np.clip(np.searchsorted(self.ends, readings, side="right"), 1, self.ends.size - 1)
        instants = self.opens[i] + (readings - self.before[i])
        return np.where(readings > self.ends[-1], NAT, instants)


def _stamp(epoch: int) -> pd.Timestamp:
    return pd.Timestamp(epoch, unit="s", tz="UTC")


class Clocks:
    """One clock per calendar in use; rows pick theirs by index (-1: no clock, reads 0)."""

    def __init__(self, clocks: Sequence[Clock]) -> None:
        self.clocks = list(clocks)

    def read(self, which: Ints, at: Ints) -> Ints:
        """Each row's reading on its own clock."""
        return self._apply(which, at, "read")

    def reach(self, which: Ints, readings: Ints) -> Ints:
        """Each row's earliest instant with its reading, on its own clock."""
        return self._apply(which, readings, "reach")

    def reach_latest(self, which: Ints, readings: Ints) -> Ints:
        """Each row's latest instant with its reading, on its own clock."""
        return self._apply(which, readings, "reach_latest")

    def _apply(self, which: Ints, values: Ints, method: str) -> Ints:
        out = np.zeros(values.size, dtype=np.int64)
        for index, clock in enumerate(self.clocks):
            rows = which == index
            if rows.all():
                return np.asarray(getattr(clock, method)(values))
            if rows.any():
                out[rows] = getattr(clock, method)(values[rows])
        return out
