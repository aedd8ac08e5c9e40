"""The Tickets page: the list behind any number — 50 a page, and all of them as CSV.

Its URL holds the page's filters and the :class:`~supportops.web.drill.Drill` of the number
(``metric=`` and what narrows it). The store counts the list and reads one page of it
(:func:`supportops.web.drill.listing`); the CSV streams it (:func:`~supportops.web.drill.chunks`).
"""

from __future__ import annotations

from typing import Annotated, Any

import pandas as pd
from fastapi import Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from supportops import numbers
from supportops.metrics.names import NAMED
from supportops.web import data, drill
from supportops.web.api import MAX_OFFSET, csv_stream
from supportops.web.filters import Filters
from supportops.web.pages import User, Ws, memo, render, router, view_filters
from supportops.web.ticket_links import ticket_path, with_urls

__all__ = ["PAGE_SIZE", "TICKET_COLUMNS", "headers"]

PAGE_SIZE = 50
TICKET_COLUMNS = (
    "ticket_id",
    "created_at",
    "channel",
    "priority",
    "group",
    "status",
    "assignee_id",
    "subject",
    "first_reply_time",
    "full_resolution_time",
)
DURATIONS = ("first_reply_time", "full_resolution_time")
SCOPES = {
    "created": "created {start} to {end}",
    "snapshot": "in that state at the instant (created any day)",
    "activity": "behind activity {start} to {end} (created any day)",
}


def headers(zone: str) -> dict[str, str]:
    """The list's column titles where they differ from the column: names, not ids, and the
    time zone its times are shown in."""
    return {
        "ticket_id": "ticket",
        "created_at": f"created ({zone})",
        "assignee_id": "assignee",
        "organization_id": "organization",
        "first_reply_time": "first reply",
        "full_resolution_time": "resolution",
    }


def _shown(frame: pd.DataFrame, zone: str) -> list[dict[str, Any]]:
    """Rows as the page shows them: durations read as 3h 12m (the CSV keeps seconds), times in
    the report zone (the CSV keeps UTC), names for ids (the CSV has both), each with the ``url``
    of its ticket's page."""
    rows = data.records(frame)
    for row in rows:
        row["url"] = ticket_path(row.get("source") or "csv", row["ticket_id"])
        row["created_at"] = numbers.local(row.get("created_at"), zone)
        for named in NAMED:
            row[named.column] = row.get(named.name_column) or row.get(named.column)
        for column in DURATIONS:
            if row.get(column) is not None:
                row[column] = numbers.fmt(row[column], "seconds")
    return rows


def _links(filters: Filters, ask: drill.Drill, page: int, pages: int) -> dict[str, Any]:
    params = ask.params()
    return {
        "prev": filters.query_string(**params, page=page - 1) if page > 1 else None,
        "next": filters.query_string(**params, page=page + 1) if page < pages else None,
        "csv": "/tickets.csv" + filters.query_string(**params),
    }


@router.get("/tickets", response_class=HTMLResponse)
def tickets(
    request: Request, ws: Ws, _: User, page: Annotated[int, Query(ge=1, le=MAX_OFFSET)] = 1
) -> Response:
    """The tickets behind a number: the filters plus the drill, 50 per page."""
    filters = view_filters(request, ws)
    ask = drill.Drill.of(request.query_params)
    cache = memo(request, ws)
    asked = max(page, 1)
    total, frame = drill.listing(ws, filters, ask, PAGE_SIZE, (asked - 1) * PAGE_SIZE, cache)
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(asked, pages)
    if page != asked:  # past the last page: show the last
        frame = drill.listing(ws, filters, ask, PAGE_SIZE, (page - 1) * PAGE_SIZE, cache)[1]
    scope = SCOPES[ask.scope].format(start=filters.start, end=filters.end)
    return render(
        request,
        ws,
        "tickets.html",
        filters,
        rows=_shown(frame, ws.config.report_timezone),
        headers=headers(ws.config.report_timezone),
        columns=[c for c in TICKET_COLUMNS if c in frame.columns],
        total=total,
        page=page,
        pages=pages,
        drill=ask,
        scope=scope,
        links=_links(filters, ask, page, pages),
    )


@router.get("/tickets.csv")
def tickets_csv(request: Request, ws: Ws, _: User) -> Response:
    """Every ticket of the list as CSV (no row cap), streamed from the store in chunks; the
    last column, ``url``, opens each ticket's page."""
    filters = view_filters(request, ws)
    parts = drill.chunks(ws, filters, drill.Drill.of(request.query_params), memo(request, ws))
    base = str(request.base_url)
    parts = (with_urls(part, base) for part in parts)
    headers = {"Content-Disposition": 'attachment; filename="tickets.csv"'}
    return StreamingResponse(csv_stream(parts), media_type="text/csv", headers=headers)
