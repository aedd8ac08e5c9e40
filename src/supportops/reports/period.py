"""Report periods: a month (``2026-10``), a quarter (``2026-Q4``) or an ISO week (``2026-W43``),
and the period it is compared with — the previous one, or the same one a year earlier.

Days are local to the workspace's ``report_timezone``, as in every metric query: a period is
its first and last day, both included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from supportops.errors import InputError
from supportops.instants import Clock, SystemClock
from supportops.instants import parse_period as read_period

__all__ = ["COMPARE", "Period", "baseline", "parse_period"]

COMPARE = ("previous", "year")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_WEEK = re.compile(r"^(\d{4})-[Ww](\d{2})$")


@dataclass(frozen=True)
class Period:
    """A named stretch of days: ``kind`` is month, quarter or week."""

    kind: str
    label: str
    start: date
    end: date

    @property
    def days(self) -> int:
        """How many days the period has."""
        return (self.end - self.start).days + 1


def _month(year: int, month: int) -> Period:
    start = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return Period("month", f"{year}-{month:02d}", start, following - timedelta(days=1))


def _quarter(year: int, quarter: int) -> Period:
    first = _month(year, quarter * 3 - 2)
    last = _month(year, quarter * 3)
    return Period("quarter", f"{year}-Q{quarter}", first.start, last.end)


def _week(year: int, week: int) -> Period:
    start = date.fromisocalendar(year, week, 1)
    return Period("week", f"{year}-W{week:02d}", start, start + timedelta(days=6))


def _named(text: str, zone: str, clock: Clock | None) -> str:
    """``this|last month|quarter|week`` as the label of that period (its days read by
    :mod:`supportops.instants`, in ``zone``); other text unchanged."""
    words = text.lower().split()
    if len(words) != 2 or words[0] not in ("this", "last") or words[1] not in _LABELS:
        return text
    first = read_period(text, zone, clock or SystemClock(), "--period").first
    return _LABELS[words[1]](first)


_LABELS = {
    "month": lambda d: f"{d.year}-{d.month:02d}",
    "quarter": lambda d: f"{d.year}-Q{(d.month - 1) // 3 + 1}",
    "week": lambda d: f"{d.isocalendar().year}-W{d.isocalendar().week:02d}",
}


def parse_period(text: str, zone: str = "UTC", clock: Clock | None = None) -> Period:
    """``2026-10``, ``2026-Q4``, ``2026-W43`` or ``this|last month|quarter|week`` (today being
    the ``clock``'s day in ``zone``) as a :class:`Period`."""
    cleaned = _named(text.strip(), zone, clock)
    try:
        if match := _MONTH.match(cleaned):
            return _month(int(match[1]), int(match[2]))
        if match := _QUARTER.match(cleaned):
            return _quarter(int(match[1]), int(match[2]))
        if match := _WEEK.match(cleaned):
            return _week(int(match[1]), int(match[2]))
    except ValueError as exc:
        raise InputError(f"not a period: {text!r} ({exc})", key="period") from exc
    raise InputError(
        f"not a period: {text!r} (expected a month 2026-10, a quarter 2026-Q4, a week 2026-W43 "
        "or this|last month|quarter|week)",
        key="period",
    )


def baseline(period: Period, compare: str) -> Period:
    """The period ``period`` is compared with: the ``previous`` one, or the same a ``year``
    earlier."""
    if compare not in COMPARE:
        raise InputError(
            f"unknown --compare {compare!r} (expected previous or year)", key="compare"
        )
    year, _, rest = period.label.partition("-")
    if period.kind == "week":
        if compare == "year":
            week = min(int(rest[1:]), date(int(year) - 1, 12, 28).isocalendar()[1])
            return _week(int(year) - 1, week)
        before = period.start - timedelta(days=7)
        iso = before.isocalendar()
        return _week(iso[0], iso[1])
    if period.kind == "quarter":
        quarter = int(rest[1:])
        if compare == "year":
            return _quarter(int(year) - 1, quarter)
        return _quarter(int(year) - (quarter == 1), (quarter - 2) % 4 + 1)
    month = int(rest)
    if compare == "year":
        return _month(int(year) - 1, month)
    return _month(int(year) - (month == 1), (month - 2) % 12 + 1)
