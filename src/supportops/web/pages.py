"""Server-rendered pages: Overview and Definitions, and what every page shares — the
navigation, the filters of the URL, the result cache, the rendering.

The other pages join :data:`router` from their own modules: Channels, Agents and Customers
(:mod:`~supportops.web.breakdowns`), Tickets (:mod:`~supportops.web.tickets_page`), SLA,
Backlog, Automation and Data quality. Every page reads the shared filters from its URL
(:mod:`~supportops.web.filters`), and every number and bar links to ``/tickets`` with the same
filters plus what it counts (``metric=`` and a :class:`~supportops.web.drill.Drill`).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from supportops import numbers
from supportops.metrics.inventory import distinct_values, newest_ticket_day
from supportops.metrics.names import names
from supportops.metrics.staleness import newest_instant, stale_data
from supportops.tokens import TokenRecord
from supportops.web import charts, data, trends
from supportops.web.auth import page_user
from supportops.web.filters import Filters, lenient
from supportops.web.state import workspace
from supportops.workspace import Workspace

__all__ = [
    "KPIS",
    "NAV",
    "Kpi",
    "cached",
    "define",
    "labels",
    "memo",
    "render",
    "router",
    "tickets_url",
    "view_filters",
]

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
router = APIRouter(include_in_schema=False)
User = Annotated[TokenRecord, Depends(page_user)]
Ws = Annotated[Workspace, Depends(workspace)]
NAV = (
    ("/", "Overview"),
    ("/channels", "Channels"),
    ("/agents", "Agents"),
    ("/customers", "Customers"),
    ("/sla", "SLA"),
    ("/backlog", "Backlog"),
    ("/automation", "Automation"),
    ("/triage", "Triage"),
    ("/knowledge", "Knowledge"),
    ("/qa", "QA"),
    ("/roi", "Automation ROI"),
    ("/rules", "Rules"),
    ("/experiments", "Experiments"),
    ("/quality", "Data quality"),
    ("/plan", "Plan"),
    ("/tickets", "Tickets"),
    ("/definitions", "Definitions"),
)
DEFAULT_DAYS = 28


class Kpi:
    """A headline number: the metric asked, its label, unit and which way is better."""

    def __init__(self, metric: str, label: str, unit: charts.Unit, better: str) -> None:
        self.metric, self.label, self.unit, self.better = metric, label, unit, better


KPIS = (
    Kpi("tickets_created", "Volume", "count", "none"),
    Kpi("backlog", "Backlog", "count", "down"),
    Kpi("first_reply_time:median", "First reply (median)", "seconds", "down"),
    Kpi("full_resolution_time:median", "Resolution (median)", "seconds", "down"),
    Kpi("sla_achieved_rate", "SLA achieved", "rate", "up"),
    Kpi("csat", "CSAT", "rate", "up"),
)


def cached(request: Request, ws: Workspace, key: tuple[Any, ...], compute: Any) -> Any:
    """A result from the app's cache, keyed by ``key`` and the data version."""
    cache: data.Cache = request.app.state.web.cache
    return cache.get((*key, data.version(ws)), compute)


def memo(request: Request, ws: Workspace) -> data.Memo:
    """The app's cache as a memo for :mod:`~supportops.web.data` and the drill-downs."""
    return lambda key, compute: cached(request, ws, key, compute)


def tickets_url(filters: Filters, **drill: Any) -> str:
    """The link to the tickets behind a number: the filters and the drill's fields."""
    return "/tickets" + filters.query_string(**{k: v for k, v in drill.items() if v is not None})


def today(ws: Workspace) -> date:
    """The clock's day in the report time zone."""
    return ws.clock.now().astimezone(ZoneInfo(ws.config.report_timezone)).date()


def view_filters(request: Request, ws: Workspace) -> Filters:
    """The URL's filters; without dates, the last 28 days of data."""
    filters = lenient(request.query_params, ws.config.report_timezone, ws.clock)
    if filters.start and filters.end:
        return filters
    newest = cached(
        request,
        ws,
        ("newest",),
        lambda: newest_ticket_day(ws.store),
    )
    start, end = filled_days(ws, filters.start, filters.end, newest)
    return filters.with_(start=start, end=end)


def filled_days(
    ws: Workspace, start: date | None, end: date | None, newest: date | None
) -> tuple[date, date]:
    """``start``–``end`` with their missing ends filled: the last :data:`DEFAULT_DAYS` days of
    data (``newest``: the newest ticket's day; a future-dated ticket counts as today)."""
    last = end or min(newest or today(ws), today(ws))
    return start or last - timedelta(days=DEFAULT_DAYS - 1), last


def choices(request: Request, ws: Workspace) -> dict[str, list[str]]:
    """The values the filter menus offer."""

    def compute() -> dict[str, list[str]]:
        return {dim: distinct_values(ws.store, dim) for dim in ("channel", "group", "priority")}

    result: dict[str, list[str]] = cached(request, ws, ("choices",), compute)
    return result


def labels(request: Request, ws: Workspace, column: str, values: Any) -> dict[Any, Any]:
    """What the page shows for each of ``values`` of a ticket ``column``: the name the log
    knows (:mod:`~supportops.metrics.names`), else the value; remembered per data version."""
    asked = tuple(dict.fromkeys(values))
    found: dict[Any, Any] = cached(
        request, ws, ("labels", column, asked), lambda: names(ws).labels(column, asked)
    )
    return found


def render(request: Request, ws: Workspace, name: str, filters: Filters, **ctx: Any) -> Response:
    """A page with the navigation, the filter form (values by name), how fresh the data is
    (its newest event, "data as of") and, when the data ends long before now
    (``stale_after``), a note saying where it ends."""
    hour = ws.clock.now().replace(minute=0, second=0, microsecond=0)
    stale = cached(request, ws, ("stale", hour), lambda: stale_data(ws))
    menus = choices(request, ws)
    shown = {dim: labels(request, ws, dim, menus[dim]) for dim in menus}
    scoped = {  # a drill-down's agent or organization, by name
        dim: labels(request, ws, dim, [value])[value]
        for dim in ("assignee_id", "organization_id")
        if (value := getattr(filters, dim))
    }
    page = {
        "nav": NAV,
        "filters": filters,
        "choices": menus,
        "choice_labels": shown,
        "scoped": scoped,
        "stale": stale,
        "zone": ws.config.report_timezone,
        "data_as_of": numbers.local(
            cached(request, ws, ("data_as_of",), lambda: newest_instant(ws)),
            ws.config.report_timezone,
        ),
    }
    return templates.TemplateResponse(request, name, {**page, **ctx})


def values(request: Request, ws: Workspace, ids: list[str], filters: Filters) -> dict[str, Any]:
    """Each metric's single value; a metric the engine does not know (yet) is None."""

    def compute() -> dict[str, Any]:
        asked = data.known(ws, ids)
        frame = data.metrics(ws, asked, filters) if asked else None
        found = {m: frame[m].iloc[0] for m in asked} if frame is not None and len(frame) else {}
        return {m: found.get(m) for m in ids}

    result: dict[str, Any] = cached(request, ws, ("values", tuple(ids), filters), compute)
    return result


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, ws: Ws, _: User) -> Response:
    """Headline numbers against the previous period, their weekly trends, and the volume
    charts."""
    filters = view_filters(request, ws)
    ids = [k.metric for k in KPIS]
    now = values(request, ws, ids, filters)
    prev_filters = filters.previous()
    before = values(request, ws, ids, prev_filters) if prev_filters else {}
    cards = [
        {
            "label": k.label,
            "metric": k.metric,
            "value": numbers.fmt(now.get(k.metric), k.unit),
            "previous": numbers.fmt(before.get(k.metric), k.unit),
            "trend": charts.trend(now.get(k.metric), before.get(k.metric), k.better),
            "url": "/tickets" + filters.query_string(metric=k.metric),
            **define(k.metric, filters),
        }
        for k in KPIS
    ]
    by_channel = cached(
        request,
        ws,
        ("by_channel", filters),
        lambda: data.records(data.metrics(ws, ["tickets_created"], filters, by=["channel"])),
    )
    for row in by_channel:
        row["url"] = "/tickets" + filters.with_(channel=row["channel"]).query_string()
    specs = {
        "flow": trends.daily_flow(ws, filters, memo(request, ws)),
        "channels": charts.bar(
            by_channel,
            "channel",
            "tickets_created",
            title="Tickets created by channel",
            y_title="tickets",
        ),
    }
    weekly = trends.weekly(ws, filters, ws.config.report.targets, memo(request, ws))
    return render(
        request,
        ws,
        "overview.html",
        filters,
        cards=cards,
        weekly=weekly,
        specs=specs,
        previous=prev_filters,
        weeks=trends.trend_filters(filters),
    )


def define(metric: str, filters: Filters) -> dict[str, str]:
    """A card's definition (its tooltip) and the link to its entry on the Definitions page;
    nothing for a metric the Definitions page does not list."""
    from supportops.metrics.catalog import catalog

    entry = catalog().get(metric.split(":")[0])
    if entry is None or entry.hidden:  # the Definitions page lists no hidden component
        return {}
    url = f"/definitions{filters.query_string()}#{entry.id}"
    return {"definition": entry.definition, "define_url": url}


@router.get("/definitions", response_class=HTMLResponse)
def definitions(request: Request, ws: Ws, _: User) -> Response:
    """The metric catalog, readable: what each number counts and when; then the Plan page's
    figures."""
    from supportops.web.plan import plan_definitions

    filters = view_filters(request, ws)
    try:
        items, error = data.definitions(), None
    except data.Unavailable as exc:
        items, error = [], exc.message
    sections: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        sections.setdefault(item["section"], []).append(item)
    return render(
        request,
        ws,
        "definitions.html",
        filters,
        sections=sections,
        plan=plan_definitions(),
        error=error,
    )
