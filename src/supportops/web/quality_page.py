"""The Data quality page: how complete and valid the tickets of the range are, and how fresh
and clean the workspace is.

Completeness (share of non-empty values per column) and validity (tickets failing each rule of
:mod:`supportops.metrics.quality`) are counted over the tickets created in the date range with
the filters, by the store in one pass (:func:`supportops.web.drill.count_by`), with the same
conditions as the lists they link to, so each count opens exactly its tickets. The score per
table, the freshness per source and the import log are the workspace's (``supportops quality``).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from supportops import numbers
from supportops.metrics.quality import RULES
from supportops.model.schema import TABLES
from supportops.web import charts, data, drill
from supportops.web.filters import Filters
from supportops.web.pages import User, Ws, cached, memo, render, router, tickets_url, view_filters
from supportops.workspace import Workspace

__all__ = ["checks", "completeness", "validity"]

_TOTAL = "tickets"


def checks() -> dict[str, str]:
    """What the page counts among the range's tickets, as SQL on the facts row: every ticket,
    each column empty (``column:<name>``), each rule failed (``rule:<name>``)."""
    cases = {_TOTAL: "TRUE"}
    cases |= {f"column:{c}": drill.missing_sql(c) for c in TABLES["tickets"].names}
    return cases | {f"rule:{rule}": f"({cond})" for rule, cond in RULES.items()}


def completeness(counts: dict[str, int], filters: Filters) -> list[dict[str, Any]]:
    """Per column of ``tickets``: filled and missing values among the counted tickets."""
    rows = []
    total = counts[_TOTAL]
    for column in TABLES["tickets"].names:
        empty = counts[f"column:{column}"]
        share = (total - empty) / total if total else None
        rows.append(
            {
                "column": column,
                "missing": empty,
                "share": numbers.fmt(share, "rate"),
                "filled_pct": round(share * 100, 1) if share is not None else 0.0,
                "url": tickets_url(filters, metric="completeness", column=column),
            }
        )
    return rows


def validity(counts: dict[str, int], filters: Filters) -> list[dict[str, Any]]:
    """Per validity rule: how many of the counted tickets fail it."""
    return [
        {
            "rule": rule,
            "tickets": counts[f"rule:{rule}"],
            "url": tickets_url(filters, metric="validity", rule=rule),
        }
        for rule in RULES
    ]


def _freshness(report: dict[str, Any], filters: Filters, zone: str) -> list[dict[str, Any]]:
    return [
        {
            "source": row["source"],
            "newest": numbers.local(row["newest"], zone),
            "age": numbers.fmt(row["age_seconds"], "seconds"),
            "url": tickets_url(filters, source=row["source"]),
        }
        for row in report.get("freshness", [])
    ]


def sources(ws: Workspace) -> list[dict[str, Any]]:
    """Each configured source: its last successful sync and the lag since, the newest event it
    brought, and its webhook deliveries by state (as ``supportops sources`` shows them)."""
    from supportops.store.sync_log import summaries
    from supportops.webhooks.status import liveness

    names = list(ws.config.sources)
    if not names:
        return []
    zone, now = ws.config.report_timezone, ws.clock.now()
    live = {s.source: s for s in liveness(ws.store, ws.path, names)}
    return [
        {
            "source": s.source,
            "vendor": ws.config.sources[s.source].vendor,
            "last_success": numbers.local(s.last_success, zone) if s.last_success else "never",
            "lag": numbers.fmt((now - s.last_success).total_seconds(), "seconds")
            if s.last_success
            else "—",
            "newest_event": numbers.local(live[s.source].newest_event, zone)
            if live[s.source].newest_event
            else "—",
            "webhooks": live[s.source].counts_text() or "none",
            "error": s.last_error or "",
        }
        for s in summaries(ws.store, names)
    ]


@router.get("/quality", response_class=HTMLResponse)
def quality(request: Request, ws: Ws, _: User) -> Response:
    """Completeness and validity of the range's tickets; the workspace's scores and freshness."""
    filters = view_filters(request, ws)
    counts = drill.count_by(ws, filters, checks(), None, memo(request, ws))
    report = cached(request, ws, ("quality",), lambda: data.quality(ws))
    columns = completeness(counts, filters)
    rules = validity(counts, filters)
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
        total=counts[_TOTAL],
        total_url=tickets_url(filters),
        columns=columns,
        rules=rules,
        spec=spec,
        scores=report.get("scores", []),
        freshness=_freshness(report, filters, ws.config.report_timezone),
        sources=sources(ws),
        imports=[
            {**row, "at": numbers.local(row.get("at"), ws.config.report_timezone)}
            for row in report.get("imports", [])[-10:]
        ],
        zone=ws.config.report_timezone,
    )
