"""The Backlog page: unsolved tickets by age band over time, the backlog by group at the end of
the range, and the flow (created − solved) that fills and drains it.

Every backlog number is a snapshot as the metrics take it (``backlog``, ``backlog_age
--buckets``): the tickets unsolved at the end of each day of the range (each week, for ranges
over 62 days; ``grain=`` overrides), whatever day they were created, aged at that instant in the
bands 0-1d, 1-3d, 3-7d, 7-30d, 30d+. A segment or cell opens exactly those tickets.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pandas as pd
from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from supportops import numbers
from supportops.metrics.periods import next_start
from supportops.web import charts, data
from supportops.web.filters import Filters
from supportops.web.pages import (
    User,
    Ws,
    cached,
    define,
    labels,
    render,
    router,
    tickets_url,
    view_filters,
)
from supportops.workspace import Workspace

__all__ = ["BANDS", "grain_of"]

BANDS = ["0-1d", "1-3d", "3-7d", "7-30d", "30d+"]
GRAINS = ("day", "week", "month")
NOW = ["backlog", "backlog_age:median", "backlog_age:p90", "backlog_age:max"]
FLOW = ["tickets_created", "tickets_solved", "net_flow"]


def grain_of(request: Request, filters: Filters) -> str:
    """``grain=`` from the URL, else day for ranges up to 62 days and week beyond."""
    asked = request.query_params.get("grain")
    if asked in GRAINS:
        return str(asked)
    return "day" if (filters.days() or 0) <= 62 else "week"


def _day(value: Any) -> str:
    return str(value)[:10]


def _aging(frame: pd.DataFrame, filters: Filters, grain: str) -> list[dict[str, Any]]:
    rows = []
    for row in frame.dropna(subset=["period"]).to_dict("records"):
        period, band = _day(row["period"]), str(row["age_bucket"])
        url = tickets_url(
            filters, metric="backlog_age", period_start=period, grain=grain, bucket=band
        )
        rows.append(
            {"period": period, "band": band, "tickets": int(row["backlog_age"] or 0), "url": url}
        )
    return rows


def _table(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Periods (rows) × age bands (cells): each cell the count and the link to its tickets."""
    periods: dict[str, dict[str, Any]] = {}
    for row in rows:
        periods.setdefault(row["period"], {})[row["band"]] = row
    return [
        {
            "period": period,
            "total": sum(c["tickets"] for c in cells.values()),
            "cells": [cells.get(band) for band in BANDS],
        }
        for period, cells in sorted(periods.items())
    ]


def _groups(frame: pd.DataFrame, filters: Filters) -> list[dict[str, Any]]:
    rows = []
    for row in frame.sort_values("backlog", ascending=False).to_dict("records"):
        group = row["group"]
        scoped = filters.with_(group=group) if group is not None else filters
        rows.append(
            {
                "group": group if group is not None else "(none)",
                "backlog": numbers.fmt(row["backlog"], "count"),
                "median_age": numbers.fmt(row["backlog_age:median"], "seconds"),
                "url": tickets_url(scoped, metric="backlog") if group is not None else None,
            }
        )
    return rows


def _flow(frame: pd.DataFrame, filters: Filters, grain: str) -> list[dict[str, Any]]:
    rows = []
    for row in frame.dropna(subset=["period"]).to_dict("records"):
        start = pd.Timestamp(_day(row["period"])).date()
        end = next_start(grain, start) - timedelta(days=1)
        scoped = filters.with_(
            start=max(start, filters.start or start), end=min(end, filters.end or end)
        )
        values = {str(k): v for k, v in row.items()}
        rows.append({**values, "period": _day(row["period"]), "url": tickets_url(scoped)})
    return rows


def _compute(ws: Workspace, filters: Filters, grain: str) -> dict[str, pd.DataFrame]:
    """The page's four metric queries: aging by period, the backlog now, by group, the flow."""
    return {
        "aging": data.metrics(ws, ["backlog_age"], filters, grain=grain, buckets=True),
        "now": data.metrics(ws, NOW, filters),
        "groups": data.metrics(ws, NOW[:2], filters, by=["group"]),
        "flow": data.metrics(ws, FLOW, filters, grain=grain),
    }


@router.get("/backlog", response_class=HTMLResponse)
def backlog(request: Request, ws: Ws, _: User) -> Response:
    """Aging buckets over time, the backlog by group, and the flow."""
    filters = view_filters(request, ws)
    grain = grain_of(request, filters)
    frames = cached(request, ws, ("backlog", filters, grain), lambda: _compute(ws, filters, grain))
    now = frames["now"].iloc[0].to_dict() if len(frames["now"]) else {}
    cards = [
        ("Backlog at the end", numbers.fmt(now.get("backlog"), "count"), "backlog"),
        ("Median age", numbers.fmt(now.get("backlog_age:median"), "seconds"), "backlog_age"),
        ("90th percentile age", numbers.fmt(now.get("backlog_age:p90"), "seconds"), "backlog_age"),
        ("Oldest", numbers.fmt(now.get("backlog_age:max"), "seconds"), "backlog_age"),
    ]  # each opens the unsolved tickets; the ages are defined by backlog_age
    aging = _aging(frames["aging"], filters, grain)
    groups = _groups(frames["groups"], filters)
    shown = labels(request, ws, "group", [g["group"] for g in groups])
    for g in groups:  # by name
        g["group"] = shown.get(g["group"], g["group"])
    flow = _flow(frames["flow"], filters, grain)
    specs = {
        "aging": charts.stacked(
            aging,
            "period",
            "tickets",
            "band",
            title=f"Backlog by age at the end of each {grain}",
            order=BANDS,
            y_title="unsolved tickets",
        ),
        "flow": charts.bar(
            flow,
            "period",
            "net_flow",
            title=f"Net flow per {grain} (created − solved)",
            temporal=True,
            y_title="tickets",
        ),
    }
    return render(
        request,
        ws,
        "backlog.html",
        filters,
        grain=grain,
        grains=GRAINS,
        bands=BANDS,
        cards=[
            {
                "label": label,
                "value": value,
                "metric": "backlog",
                "url": tickets_url(filters, metric="backlog"),
                **define(metric, filters),
            }
            for label, value, metric in cards
        ],
        table=_table(aging),
        groups=groups,
        specs=specs,
    )
