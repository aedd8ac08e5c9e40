"""The filters every page and most API routes share: date range, channel, group, priority.

They live in the URL's query string under the same names in pages and API (``start``, ``end``,
``channel``, ``group``, ``priority``; drill-downs add ``assignee_id`` and ``organization_id``),
so a page's URL, its drill-down links and the API call behind it say the same thing. ``start``
and ``end`` are days in the workspace's ``report_timezone``, both included — as the metrics
query (and ``supportops metrics --from --to``) reads them; ``period=`` (``last week``,
``2026-11``, ``2026-Q4``, ``-7d``, ...) stands for both. All three are read by
:mod:`supportops.instants`, relative to the workspace's clock: the API refuses what it cannot
read (400), a page ignores it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Query, Request

from supportops.errors import InstantError
from supportops.instants import Clock, SystemClock, parse_day, resolve_range
from supportops.web.parameters import Day, Period

__all__ = ["DIMENSIONS", "Filters", "filters_dependency", "lenient"]

DIMENSIONS = ("channel", "group", "priority", "assignee_id", "organization_id")


@dataclass(frozen=True)
class Filters:
    """A date range and dimension filters; ``None`` means no filter."""

    start: date | None = None
    end: date | None = None
    channel: str | None = None
    group: str | None = None
    priority: str | None = None
    assignee_id: str | None = None
    organization_id: str | None = None

    def dims(self) -> dict[str, Any]:
        """The dimension filters that are set, as the metrics query's ``filters``."""
        return {k: getattr(self, k) for k in DIMENSIONS if getattr(self, k)}

    def params(self, **extra: Any) -> dict[str, str]:
        """The non-empty filters (and ``extra``) as query-string parameters."""
        pairs = {**asdict(self), **extra}
        return {k: str(v) for k, v in pairs.items() if v not in (None, "")}

    def query_string(self, **extra: Any) -> str:
        """``?start=...&channel=...`` (empty when nothing is set)."""
        params = self.params(**extra)
        return "?" + urlencode(params) if params else ""

    def with_(self, **changes: Any) -> Filters:
        """A copy with some filters changed."""
        return replace(self, **changes)

    def previous(self) -> Filters | None:
        """The same filters over the period of equal length just before this one."""
        if self.start is None or self.end is None:
            return None
        span = self.end - self.start + timedelta(days=1)
        return replace(self, start=self.start - span, end=self.start - timedelta(days=1))

    def days(self) -> int | None:
        """Length of the date range in days."""
        if self.start is None or self.end is None:
            return None
        return (self.end - self.start) // timedelta(days=1) + 1


def _blank_to_none(value: str | None) -> str | None:
    return value or None


def _day_or_none(text: str | None, zone: str, clock: Clock, last: bool) -> date | None:
    try:
        return parse_day(text, zone, clock, "end" if last else "start", last)
    except InstantError:
        return None


def _page_range(
    params: Mapping[str, str], zone: str, clock: Clock
) -> tuple[date | None, date | None]:
    period = params.get("period") or None
    if period:
        try:
            return resolve_range(None, None, period, zone, clock)
        except InstantError:
            pass
    start = _day_or_none(params.get("start") or None, zone, clock, last=False)
    end = _day_or_none(params.get("end") or None, zone, clock, last=True)
    if start is not None and end is not None and start > end:
        return None, None
    return start, end


def lenient(params: Mapping[str, str], zone: str = "UTC", clock: Clock | None = None) -> Filters:
    """Filters from a page's query string: an empty or malformed value means no filter
    (``period=`` wins over ``start``/``end``; a start after the end means neither). Relative
    forms are read in ``zone`` against ``clock`` (pages pass the workspace's)."""
    start, end = _page_range(params, zone, clock or SystemClock())
    return Filters(start, end, *(_blank_to_none(params.get(k)) for k in DIMENSIONS))


def filters_dependency(
    request: Request,
    start: Day = None,
    end: Day = None,
    period: Period = None,
    channel: Annotated[str | None, Query(max_length=100)] = None,
    group: Annotated[str | None, Query(max_length=200)] = None,
    priority: Annotated[str | None, Query(max_length=100)] = None,
    assignee_id: Annotated[str | None, Query(max_length=200)] = None,
    organization_id: Annotated[str | None, Query(max_length=200)] = None,
) -> Filters:
    """FastAPI dependency: the shared filters from the query string (an unreadable day or
    period, or a start after the end, is a 400 naming the parameter)."""
    base = request.app.state.web.base
    first, last = resolve_range(
        _blank_to_none(start),
        _blank_to_none(end),
        _blank_to_none(period),
        base.config.report_timezone,
        base.clock,
    )
    dims = (channel, group, priority, assignee_id, organization_id)
    return Filters(first, last, *(_blank_to_none(v) for v in dims))
