"""Which tickets are behind a number: what a link to ``/tickets`` asks, and the answer.

Every number and bar of a page links to ``/tickets`` with the page's filters and a
:class:`Drill` — the metric it is (``metric=``) and what narrows it. Three scopes:

- **created** (the default): tickets created in the date range, narrowed by a fact
  (``tickets_solved``: solved; ``first_reply_time``: replied; ``automation_rate``: solved without
  a public agent reply) or by a set: SLA target instances (``sla_achieved_rate``: achieved or
  breached, ``sla_breaches``: breached; ``target=``, ``policy=``), a validity ``rule=``
  (``validity``), an empty ``column=`` (``completeness``).
- **snapshot**: tickets in a state at an instant, whatever day they were created: ``backlog``
  (at the end of the range), ``backlog_age`` with ``period_start=``, ``grain=`` and
  ``bucket=`` (at the end of that period); ``sla_active`` (targets due within ``within=``
  seconds of ``as_of=``).
- **activity**: tickets whose csat answer fell in the range (``csat``); tickets of bot sessions
  started in the range (``bot_sessions`` with ``outcome=``; ``bot_containment_rate`` and
  ``human_escalation_rate``: handed off; ``bot_resolution_rate``: resolved, which rarely have a
  ticket; ``bot_false_resolution_rate``: opened within 72 h of a session the bot marked
  resolved).

The dimension filters always apply; ``source=`` narrows any of them to one source.

This module reads the URL; which tickets a metric's number stands for is the metric catalog's
data (each metric's :class:`~supportops.metrics.catalog.DrillSpec`), turned into SQL on the
drill-down's facts row by :mod:`supportops.metrics.drill_sets` (a
:class:`~supportops.metrics.drilldown.Where`: the date range, a condition on the facts, a
semi-join to a set), so the store selects, counts and pages the list (:func:`count`,
:func:`listing`, :func:`chunks`), reading the materialised facts when they are fresh: no page
loads every ticket into Python.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, fields, replace
from datetime import date, datetime
from typing import Any

import pandas as pd
import pyarrow as pa

from supportops.metrics import drill_sets, drilldown
from supportops.metrics.drill_sets import missing_sql
from supportops.metrics.drilldown import Where
from supportops.web import data, sla_data
from supportops.web.filters import Filters
from supportops.workspace import Workspace

__all__ = [
    "Drill",
    "chunks",
    "count",
    "count_by",
    "listing",
    "missing_sql",
    "where",
]


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _instant(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None
    except ValueError:
        return None


def _seconds(text: str | None) -> int | None:
    if not (text and text.isascii() and text.isdigit() and len(text) <= 12):
        return None
    return min(int(text), data.MAX_WITHIN)


@dataclass(frozen=True)
class Drill:
    """The metric behind a number, and what narrows it (``None``: not narrowed)."""

    metric: str | None = None
    target: str | None = None
    policy: str | None = None
    period_start: date | None = None
    grain: str | None = None
    bucket: str | None = None
    within: int | None = None
    as_of: datetime | None = None
    outcome: str | None = None
    rule: str | None = None
    column: str | None = None
    source: str | None = None

    @classmethod
    def of(cls, params: Mapping[str, str]) -> Drill:
        """A drill from a query string; an empty or malformed value means not narrowed."""
        texts: dict[str, Any] = {f.name: params.get(f.name) or None for f in fields(cls)}
        texts["period_start"] = _date(texts["period_start"])
        texts["within"] = _seconds(texts["within"])
        texts["as_of"] = _instant(texts["as_of"])
        return cls(**texts)

    @property
    def kind(self) -> str:
        """The metric's id without its aggregation ('' for none)."""
        return (self.metric or "").partition(":")[0]

    @property
    def scope(self) -> str:
        """``created``, ``snapshot`` or ``activity`` (see the module docstring)."""
        return drill_sets.spec(self.kind).scope

    def params(self) -> dict[str, str]:
        """The set fields as query-string parameters."""
        pairs = asdict(self)
        if self.as_of is not None:
            pairs["as_of"] = self.as_of.isoformat()
        return {k: str(v) for k, v in pairs.items() if v not in (None, "")}

    def with_(self, **changes: Any) -> Drill:
        """A copy with some fields changed."""
        return replace(self, **changes)

    def describe(self) -> str:
        """What the list holds, in a few words, for the list's heading."""
        parts = [f"{k} = {v}" for k, v in self.params().items() if k != "metric"]
        return ", ".join(parts)


def where(ws: Workspace, filters: Filters, drill: Drill | None = None) -> Where:
    """The tickets behind ``drill`` as SQL on the drill-down's facts row (the dimension filters
    apart): the URL's values read, the selection the metric catalog declares."""
    drill = drill or Drill()
    zone = ws.config.report_timezone
    low, high = data.bounds(filters, zone)
    start = drill.period_start
    period = start and min(max(start, data.FIRST_DAY), data.LAST_DAY)
    narrowing = {
        k: v for k, v in asdict(drill).items() if k not in ("metric", "as_of", "period_start")
    }
    ask = drill_sets.Ask(
        **narrowing,
        period=period,
        kind=drill.kind,
        now=data.instant(None, zone, ws.clock),
        as_of=data.instant(drill.as_of, zone, ws.clock),
        low=low.to_pydatetime() if low is not None else None,
        high=high.to_pydatetime() if high is not None else None,
        zone=zone,
        channel=filters.channel,
    )
    return drill_sets.where(ask)


def _key(filters: Filters, found: Where, *more: Any) -> tuple[Any, ...]:
    return ("drill", tuple(sorted(filters.dims().items())), found, *more)


def _prime(ws: Workspace, found: Where, memo: data.Memo) -> None:
    """An SLA drill without a snapshot for its instant reads the app's cached engine result."""
    if found.sla_at is not None:
        sla_data.prime(ws, found.sla_at, memo)


def count(
    ws: Workspace, filters: Filters, drill: Drill | None = None, memo: data.Memo = data.direct
) -> int:
    """How many tickets are behind ``drill``."""
    found = where(ws, filters, drill)

    def compute() -> int:
        _prime(ws, found, memo)
        return drilldown.count(ws, found, filters=filters.dims() or None)

    total: int = memo(_key(filters, found, "count"), compute)
    return total


def count_by(
    ws: Workspace,
    filters: Filters,
    cases: Mapping[str, str],
    drill: Drill | None = None,
    memo: data.Memo = data.direct,
) -> dict[str, int]:
    """Per named condition of ``cases`` (SQL on the facts row ``r``), how many of the tickets
    behind ``drill`` meet it, in one pass."""
    found = where(ws, filters, drill)

    def compute() -> dict[str, int]:
        _prime(ws, found, memo)
        return drilldown.count_by(ws, cases, found, filters=filters.dims() or None)

    counts: dict[str, int] = memo(_key(filters, found, "count_by", tuple(cases.items())), compute)
    return counts


def listing(
    ws: Workspace,
    filters: Filters,
    drill: Drill | None = None,
    limit: int = 50,
    offset: int = 0,
    memo: data.Memo = data.direct,
) -> tuple[int, pd.DataFrame]:
    """How many tickets are behind ``drill``, and the per-ticket facts of ``limit`` of them
    from the ``offset``-th, newest first — one narrowing for both."""
    found = where(ws, filters, drill)

    def compute() -> tuple[int, pd.DataFrame]:
        _prime(ws, found, memo)
        dims = filters.dims() or None
        total, rows = drilldown.page(ws, found, filters=dims, limit=limit, offset=offset)
        frame: pd.DataFrame = rows.to_pandas()
        return total, frame

    pair: tuple[int, pd.DataFrame] = memo(_key(filters, found, "listing", limit, offset), compute)
    return pair


def chunks(
    ws: Workspace, filters: Filters, drill: Drill | None = None, memo: data.Memo = data.direct
) -> Iterator[pa.Table]:
    """Every ticket behind ``drill`` (newest first) in tables of a bounded size, for a download:
    never all of them in memory at once."""
    found = where(ws, filters, drill)
    _prime(ws, found, memo)
    yield from drilldown.iter_select(ws, found, filters=filters.dims() or None)
