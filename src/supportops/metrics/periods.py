"""Report periods: day, week (Monday), month, quarter and year, cut in the report time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from supportops.errors import InstantConflict

__all__ = ["check_count", "next_start", "period_count", "period_start", "period_table"]

_DAYS = {"day": 1, "week": 7}
_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def period_start(grain: str, day: date) -> date:
    """The first day of the period of ``grain`` holding ``day``."""
    if grain == "day":
        return day
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day.replace(month=1, day=1)


def next_start(grain: str, start: date) -> date:
    """The first day of the period after the one starting on ``start``."""
    if grain == "day":
        return start + timedelta(days=1)
    if grain == "week":
        return start + timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[grain]
    index = start.year * 12 + start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_count(grain: str, first: date, last: date) -> int:
    """How many periods of ``grain`` hold the days ``first``..``last`` (0 when first > last)."""
    low, high = period_start(grain, first), period_start(grain, last)
    if low > high:
        return 0
    if grain in _DAYS:
        return (high - low).days // _DAYS[grain] + 1
    months = (high.year - low.year) * 12 + high.month - low.month
    return months // _MONTHS[grain] + 1


def check_count(grain: str, first: date, last: date, most: int) -> int:
    """:func:`period_count`, refused (naming the setting ``max_periods``) above ``most``."""
    count = period_count(grain, first, last)
    if count > most:
        raise InstantConflict(
            f"grain: {first}..{last} by {grain} makes {count:,} periods, more than "
            f"max_periods ({most:,}); choose a shorter range or a coarser grain",
            key="grain",
            periods=count,
            max_periods=most,
        )
    return count


def period_table(grain: str, first: date, last: date, zone: str) -> tuple[tuple[date, float], ...]:
    """(period start, epoch second of its end: the next period's local midnight) for every
    period from the one holding ``first`` to the one holding ``last``."""
    tz = ZoneInfo(zone)
    rows = []
    start = period_start(grain, first)
    while start <= last:
        following = next_start(grain, start)
        end = datetime.combine(following, datetime.min.time(), tz).astimezone(UTC)
        rows.append((start, end.timestamp()))
        start = following
    return tuple(rows)
