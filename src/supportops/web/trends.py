"""The trend charts of the Overview (and the SLA page): first reply, resolution, SLA compliance
and CSAT by week, with the ``report:`` targets of ``supportops.yaml`` as dashed lines; tickets
created against solved per day.

The weekly trend covers whole weeks (Monday to Sunday) from the week of the filters' start —
or ``supportops.charts.WEEKS`` weeks before their end, whichever is earlier, so that four weeks
of filters still show a trend — to their end; the dimension filters apply. Each point opens the
tickets behind it, as the cards do. Numbers are the metrics query's (``grain="week"`` / ``"day"``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from supportops.charts import weeks
from supportops.config import ReportTargets
from supportops.web import charts, data
from supportops.web.filters import Filters
from supportops.workspace import Workspace

__all__ = ["TRENDS", "Trend", "daily_flow", "trend_filters", "weekly"]


@dataclass(frozen=True)
class Trend:
    """A weekly trend: the metric asked, the chart's name and title, its unit, and the
    ``report.targets`` key whose target it is drawn against (if any)."""

    metric: str
    name: str
    title: str
    unit: charts.Unit
    target: str | None = None


TRENDS = (
    Trend("first_reply_time:median", "first_reply", "First reply (median) by week", "seconds"),
    Trend("full_resolution_time:median", "resolution", "Resolution (median) by week", "seconds"),
    Trend("sla_achieved_rate", "sla", "SLA achieved by week", "rate", "sla"),
    Trend("csat", "csat", "CSAT by week", "rate", "csat"),
)


def trend_filters(filters: Filters) -> Filters:
    """The filters of the weekly trend: whole weeks up to ``filters.end``, at least
    ``supportops.charts.WEEKS`` of them."""
    if filters.end is None:  # the pages always set both dates (view_filters)
        return filters
    start, end = weeks(filters.start or filters.end, filters.end)
    return filters.with_(start=start, end=end)


def _week_url(filters: Filters, week: date, metric: str) -> str:
    last = min(week + timedelta(days=6), filters.end or week)
    return "/tickets" + filters.with_(start=week, end=last).query_string(metric=metric)


def weekly(
    ws: Workspace,
    filters: Filters,
    targets: ReportTargets,
    memo: data.Memo = data.direct,
    trends: tuple[Trend, ...] = TRENDS,
) -> dict[str, dict[str, Any]]:
    """A line chart per trend, by name; SLA and CSAT with their target."""
    scope = trend_filters(filters)
    ids = [t.metric for t in trends]
    rows: list[dict[str, Any]] = memo(
        ("weekly", tuple(ids), scope),
        lambda: data.records(data.metrics(ws, ids, scope, grain="week")),
    )
    out = {}
    for t in trends:
        points = [
            {
                "period": str(row["period"])[:10],
                t.name: row.get(t.metric),
                "url": _week_url(scope, date.fromisoformat(str(row["period"])[:10]), t.metric),
            }
            for row in rows
        ]
        target = getattr(targets, t.target) if t.target else None
        out[t.name] = charts.line(
            points, t.name, unit=t.unit, title=t.title, target=target, file=f"{t.name}-by-week"
        )
    return out


def daily_flow(ws: Workspace, filters: Filters, memo: data.Memo = data.direct) -> dict[str, Any]:
    """Tickets created against solved, per day of the filters; each point opens its tickets."""
    ids = ["tickets_created", "tickets_solved"]
    rows: list[dict[str, Any]] = memo(
        ("flow", filters),
        lambda: data.records(data.metrics(ws, ids, filters, grain="day")),
    )
    days = []
    for row in rows:
        day = date.fromisoformat(str(row["period"])[:10])
        scoped = filters.with_(start=day, end=day)
        days.append(
            {
                **row,
                "period": day.isoformat(),
                "tickets_created_url": "/tickets" + scoped.query_string(),
                "tickets_solved_url": "/tickets" + scoped.query_string(metric="tickets_solved"),
            }
        )
    series = {"tickets_created": "created", "tickets_solved": "solved"}
    return charts.flow(days, series, title="Tickets created and solved per day", file="flow")
