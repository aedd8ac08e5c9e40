"""The SLA page: compliance by target, policy and group; the targets at risk; breaches.

Compliance counts the target instances of the tickets created in the date range (with the
dimension filters), as the metric ``sla_achieved_rate`` does: achieved / (achieved + breached).
The instances are the SLA engine's at ``as_of`` (default: now, to the minute) — read from the
stored snapshot when it answers that instant, and counted in the store
(:mod:`~supportops.web.sla_data`); the at-risk list holds the active targets due within
``within`` seconds of that instant, whatever day their ticket was created. Every number links to
its tickets (:mod:`~supportops.web.drill`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from supportops import numbers
from supportops.config import TARGETS
from supportops.errors import InstantError
from supportops.instants import parse_duration
from supportops.sla.track import STATES
from supportops.web import charts, data, sla_data
from supportops.web.filters import Filters
from supportops.web.pages import (
    User,
    Ws,
    cached,
    define,
    labels,
    memo,
    render,
    router,
    tickets_url,
    view_filters,
)
from supportops.web.ticket_links import ticket_path
from supportops.workspace import Workspace

__all__ = ["WITHIN", "summarise"]

WITHIN = ((3600, "1 hour"), (4 * 3600, "4 hours"), (8 * 3600, "8 hours"), (86_400, "24 hours"))


def _as_of(request: Request, ws: Workspace) -> datetime:
    """The page's instant: ``as_of=`` in any form of :mod:`supportops.instants`; unreadable or
    absent, the clock's now to the minute."""
    zone, clock = ws.config.report_timezone, ws.clock
    try:
        return data.instant(request.query_params.get("as_of"), zone, clock)
    except InstantError:
        return data.instant(None, zone, clock)


def _within(request: Request) -> int:
    try:
        seconds = parse_duration(request.query_params.get("within") or "", "within")
    except InstantError:
        return data.AT_RISK_WITHIN
    return min(seconds, data.MAX_WITHIN)


def _rate(row: Any) -> float | None:
    decided = int(row["achieved"]) + int(row["breached"])
    return int(row["achieved"]) / decided if decided else None


def _targets(summary: pd.DataFrame, filters: Filters, moment: str) -> list[dict[str, Any]]:
    rows = []
    for row in summary.to_dict("records"):
        target = str(row["target"])
        link = {"target": target, "as_of": moment}
        rows.append(
            {
                "target": target,
                "compliance": numbers.fmt(_rate(row), "rate"),
                "rate": _rate(row),
                "achieved": int(row["achieved"]),
                "breached": int(row["breached"]),
                "active": int(row["active"]) + int(row["paused"]),
                "url": tickets_url(filters, metric="sla_achieved_rate", **link),
                "breached_url": tickets_url(filters, metric="sla_breaches", **link),
            }
        )
    return rows


def _matrix(summary: pd.DataFrame, dim: str, filters: Filters, moment: str) -> dict[str, Any]:
    """Compliance per value of ``dim`` (rows) and target (columns), each cell a link."""
    targets = [str(t) for t in summary["target"].drop_duplicates()]
    rows = []
    for value, part in summary.groupby(dim, observed=True, sort=True):
        cells = {str(r["target"]): r for r in part.to_dict("records")}
        scoped = filters.with_(group=str(value)) if dim == "group" else filters
        extra = {"policy": str(value)} if dim == "policy" else {}
        row = []
        for target in targets:
            found = cells.get(target)
            url = tickets_url(
                scoped, metric="sla_achieved_rate", target=target, as_of=moment, **extra
            )
            text = numbers.fmt(_rate(found), "rate") if found is not None else "—"
            row.append({"text": text, "url": url if found is not None else None})
        rows.append({"name": str(value), "cells": row})
    return {"dim": dim, "targets": targets, "rows": rows}


def summarise(counts: pd.DataFrame, by: Sequence[str] = ()) -> pd.DataFrame:
    """Instances per status (columns), per target in the spec's order and the ``by`` columns,
    from :func:`~supportops.web.sla_data.counts`."""
    keys = ["target", *by]
    if counts.empty:
        return pd.DataFrame(columns=[*keys, *STATES])
    table = counts.pivot_table(
        index=keys, columns="status", values="n", aggfunc="sum", fill_value=0, observed=True
    )
    table = table.reindex(columns=list(STATES), fill_value=0).reset_index()
    table.columns = [str(c) for c in table.columns]
    table["target"] = pd.Categorical(table["target"], categories=TARGETS, ordered=True)
    return table.sort_values(keys).reset_index(drop=True)


def _breaches_by_day(counts: pd.DataFrame, filters: Filters, moment: str) -> list[dict[str, Any]]:
    breached = counts[counts["status"] == "breached"]
    days = breached.groupby(breached["day"].astype(str))["n"].sum().sort_index()
    out = []
    for day, count in days.items():
        when = date.fromisoformat(str(day))
        scoped = filters.with_(start=when, end=when)
        url = tickets_url(scoped, metric="sla_breaches", as_of=moment)
        out.append({"day": day, "breaches": int(count), "url": url})
    return out


def _at_risk_rows(frame: pd.DataFrame, zone: str) -> list[dict[str, Any]]:
    """The at-risk list as the page shows it."""
    out = frame[["ticket_id", "policy", "target"]].astype(str)
    out["url"] = [ticket_path(s, t) for s, t in zip(frame["source"], out["ticket_id"], strict=True)]
    for dim in ("group", "priority", "assignee_id"):
        out[dim] = frame[dim].astype(object).fillna("").astype(str)
    due = pd.to_datetime(frame["due_s"], unit="s", utc=True)
    out["due_at"] = [numbers.local(d, zone) for d in due]
    out["due_in"] = [numbers.duration(float(left)) for left in frame["due_left"]]
    return data.records(out)


def _compute(
    ws: Workspace, filters: Filters, moment: datetime, within: int, memo: data.Memo
) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    instances = sla_data.source(ws, moment, memo)
    counts = sla_data.counts(ws, instances, filters, moment)
    risky, total = sla_data.at_risk(ws, instances, filters, moment, within)
    risky["due_left"] = risky["due_s"] - moment.timestamp()
    return counts, risky, total


def _cards(
    by_target: list[dict[str, Any]], at_risk: int, filters: Filters, stamp: str, within: int
) -> list[dict[str, Any]]:
    achieved = sum(r["achieved"] for r in by_target)
    breached = sum(r["breached"] for r in by_target)
    rate = achieved / (achieved + breached) if achieved + breached else None
    cards = (
        ("SLA achieved", numbers.fmt(rate, "rate"), "sla_achieved_rate", None),
        ("Breached targets", numbers.fmt(breached, "count"), "sla_breaches", None),
        ("At risk", numbers.fmt(at_risk, "count"), "sla_active", within),
    )
    return [
        {
            "label": label,
            "value": value,
            "metric": metric,
            "url": tickets_url(filters, metric=metric, as_of=stamp, within=extra),
            **define(metric, filters),
        }
        for label, value, metric, extra in cards
    ]


def _specs(
    by_target: list[dict[str, Any]], breaches: list[dict[str, Any]], goal: float | None
) -> dict[str, dict[str, Any]]:
    bars = [{**r, "achieved_rate": r["rate"] or 0.0} for r in by_target]
    return {
        "targets": charts.bar(
            bars,
            "target",
            "achieved_rate",
            title="Compliance by target",
            y_title="compliance",
            unit="rate",
            target=goal,
        ),
        "breaches": charts.bar(
            breaches,
            "day",
            "breaches",
            title="Breached targets by ticket creation day",
            temporal=True,
            y_title="breached targets",
        ),
    }


@router.get("/sla", response_class=HTMLResponse)
def sla(request: Request, ws: Ws, _: User) -> Response:
    """Compliance by target, policy and group; the targets at risk; breaches per day."""
    filters = view_filters(request, ws)
    zone = ws.config.report_timezone
    moment, within = _as_of(request, ws), _within(request)
    stamp = moment.isoformat()
    counts, risky, total = cached(
        request,
        ws,
        ("sla_page", filters, moment, within),
        lambda: _compute(ws, filters, moment, within, memo(request, ws)),
    )
    by_target = _targets(summarise(counts), filters, stamp)
    matrices = [
        _matrix(summarise(counts, [dim]), dim, filters, stamp) for dim in ("policy", "group")
    ]
    for row in matrices[1]["rows"]:  # groups by name
        row["name"] = labels(request, ws, "group", [row["name"]])[row["name"]]
    at_risk = _at_risk_rows(risky, zone)
    for dim in ("group", "assignee_id"):  # names, not ids
        shown = labels(request, ws, dim, [r[dim] for r in at_risk if r[dim]])
        for r in at_risk:
            r[dim] = shown.get(r[dim], r[dim])
    breaches = _breaches_by_day(counts, filters, stamp)
    return render(
        request,
        ws,
        "sla.html",
        filters,
        cards=_cards(by_target, total, filters, stamp, within),
        by_target=by_target,
        matrices=matrices,
        at_risk=at_risk,
        at_risk_total=total,
        at_risk_url=tickets_url(filters, metric="sla_active", as_of=stamp, within=within),
        specs=_specs(by_target, breaches, ws.config.report.targets.sla),
        as_of=moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M"),
        as_of_shown=numbers.local(moment, zone),
        zone=zone,
        within=within,
        within_choices=WITHIN,
    )
