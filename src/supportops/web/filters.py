"""The filters every page and most API routes share: date range, channel, group, priority.

They live in the URL's query string under the same names in pages and API (``start``, ``end``,
``channel``, ``group``, ``priority``; drill-downs add ``assignee_id`` and ``organization_id``),
so a page's URL, its drill-down links and the API call behind it say the same thing. ``start``
and ``end`` are dates in the workspace's ``report_timezone``, both included — as the metrics
query (and ``supportops metrics --start --end``) reads them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Query

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


def _date_or_none(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def lenient(params: Mapping[str, str]) -> Filters:
    """Filters from a page's query string: an empty or malformed value means no filter."""
    return Filters(
        _date_or_none(params.get("start")),
        _date_or_none(params.get("end")),
        *(_blank_to_none(params.get(k)) for k in DIMENSIONS),
    )


def filters_dependency(
    start: Annotated[date | None, Query(description="First day (inclusive), YYYY-MM-DD.")] = None,
    end: Annotated[date | None, Query(description="Last day (inclusive), YYYY-MM-DD.")] = None,
    channel: Annotated[str | None, Query(max_length=100)] = None,
    group: Annotated[str | None, Query(max_length=200)] = None,
    priority: Annotated[str | None, Query(max_length=100)] = None,
    assignee_id: Annotated[str | None, Query(max_length=200)] = None,
    organization_id: Annotated[str | None, Query(max_length=200)] = None,
) -> Filters:
    """FastAPI dependency: the shared filters from the query string."""
    dims = (channel, group, priority, assignee_id, organization_id)
    return Filters(start, end, *(_blank_to_none(v) for v in dims))
