"""Breakdown pages — Channels, Agents, Customers — declared as data: one dimension each.

Each shows the headline metrics per value of its dimension; every cell and bar opens the tickets
behind it (the page's filters, the dimension's value and the metric).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from supportops import numbers
from supportops.web import charts, data
from supportops.web.pages import KPIS, User, Ws, cached, labels, render, router, view_filters

__all__ = ["BREAKDOWNS", "Breakdown"]


@dataclass(frozen=True)
class Breakdown:
    """A page of metrics by one dimension."""

    slug: str
    title: str
    dim: str
    noun: str  # what the page calls a value of ``dim`` (shown by name where the log knows it)
    top: int = 25


BREAKDOWNS = (
    Breakdown("channels", "Channels", "channel", "channel"),
    Breakdown("agents", "Agents", "assignee_id", "agent"),
    Breakdown("customers", "Customers", "organization_id", "organization"),
)
COLUMNS = tuple(k for k in KPIS if k.metric != "sla_achieved_rate")


def _frame(ws: Any, ids: list[str], filters: Any, dim: str) -> Any:
    frame = data.metrics(ws, data.known(ws, ids), filters, by=[dim])
    for missing in set(ids) - set(frame.columns):
        frame[missing] = None
    return frame


def _page(spec: Breakdown) -> Any:
    def page(request: Request, ws: Ws, _: User) -> Response:
        filters = view_filters(request, ws)
        ids = [k.metric for k in COLUMNS]
        frame = cached(
            request,
            ws,
            ("breakdown", spec.dim, filters),
            lambda: _frame(ws, ids, filters, spec.dim),
        )
        frame = frame.sort_values(ids[0], ascending=False).head(spec.top)
        shown = labels(request, ws, spec.dim, frame[spec.dim].dropna())
        rows, bars = [], []
        for record in data.records(frame):
            value = record[spec.dim]
            name = shown.get(value, value)
            scoped = filters.with_(**{spec.dim: value})
            cells = [
                {
                    "metric": k.metric,
                    "text": numbers.fmt(record.get(k.metric), k.unit),
                    "url": "/tickets" + scoped.query_string(metric=k.metric),
                }
                for k in COLUMNS
            ]
            rows.append({"name": name if value is not None else "(none)", "cells": cells})
            if value is not None:
                bars.append({spec.noun: name, ids[0]: record[ids[0]], "url": cells[0]["url"]})
        chart = charts.bar(
            bars, spec.noun, ids[0], title=f"Tickets created by {spec.noun}", y_title="tickets"
        )
        return render(
            request,
            ws,
            "breakdown.html",
            filters,
            title=spec.title,
            dim=spec.dim,
            noun=spec.noun,
            kpis=COLUMNS,
            rows=rows,
            spec=chart,
        )

    page.__name__ = f"{spec.slug}_page"
    page.__doc__ = f"{spec.title}: the headline metrics by {spec.dim}."
    return page


for _spec in BREAKDOWNS:
    router.add_api_route(f"/{_spec.slug}", _page(_spec), response_class=HTMLResponse)
