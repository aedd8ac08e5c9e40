"""The Data quality page: how complete and valid the tickets of the range are, and how fresh
and clean the workspace is.

Completeness (share of non-empty values per column) and validity (tickets failing each rule of
:mod:`supportops.metrics.quality`) are counted over the tickets created in the date range with
the filters, so each count opens exactly its tickets. The score per table, the freshness per
source and the import log are the workspace's (``supportops quality``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from supportops.metrics.quality import RULES
from supportops.model.schema import TABLES
from supportops.web import charts, data, drill, ticket_sets
from supportops.web.filters import Filters
from supportops.web.pages import User, Ws, cached, memo, render, router, tickets_url, view_filters

__all__ = ["completeness", "validity"]


def completeness(frame: pd.DataFrame, filters: Filters) -> list[dict[str, Any]]:
    """Per column of ``tickets``: filled and missing values among ``frame``'s tickets."""
    rows = []
    for column in TABLES["tickets"].names:
        if column not in frame.columns:
            continue
        empty = int(drill.missing(frame, column).sum())
        share = (len(frame) - empty) / len(frame) if len(frame) else None
        rows.append(
            {
                "column": column,
                "missing": empty,
                "share": charts.fmt(share, "rate"),
                "filled_pct": round(share * 100, 1) if share is not None else 0.0,
                "url": tickets_url(filters, metric="completeness", column=column),
            }
        )
    return rows


def validity(frame: pd.DataFrame, invalid: pd.DataFrame, filters: Filters) -> list[dict[str, Any]]:
    """Per validity rule: how many of ``frame``'s tickets fail it."""
    rows = []
    for rule in RULES:
        failing = ticket_sets.narrow(frame, invalid[invalid["rule"] == rule])
        url = tickets_url(filters, metric="validity", rule=rule)
        rows.append({"rule": rule, "tickets": len(failing), "url": url})
    return rows


def _freshness(report: dict[str, Any], filters: Filters) -> list[dict[str, Any]]:
    return [
        {
            "source": row["source"],
            "newest": str(row["newest"])[:19].replace("T", " "),
            "age": charts.fmt(row["age_seconds"], "seconds"),
            "url": tickets_url(filters, source=row["source"]),
        }
        for row in report.get("freshness", [])
    ]


@router.get("/quality", response_class=HTMLResponse)
def quality(request: Request, ws: Ws, _: User) -> Response:
    """Completeness and validity of the range's tickets; the workspace's scores and freshness."""
    filters = view_filters(request, ws)
    cache = memo(request, ws)
    frame = cached(
        request,
        ws,
        ("tickets", filters, drill.Drill()),
        lambda: drill.tickets(ws, filters, None, cache),
    )
    invalid = cache(("keys", "invalid"), lambda: ticket_sets.invalid_keys(ws))
    report = cached(request, ws, ("quality",), lambda: data.quality(ws))
    columns = completeness(frame, filters)
    rules = validity(frame, invalid, filters)
    spec = charts.bar(
        [c for c in columns if c["missing"]],
        "column",
        "missing",
        title="Tickets with an empty column",
        y_title="tickets",
    )
    return render(
        request,
        ws,
        "quality.html",
        filters,
        total=len(frame),
        total_url=tickets_url(filters),
        columns=columns,
        rules=rules,
        spec=spec,
        scores=report.get("scores", []),
        freshness=_freshness(report, filters),
        imports=report.get("imports", [])[-10:],
    )
