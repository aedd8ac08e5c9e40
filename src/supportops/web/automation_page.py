"""The Automation page: bot containment, resolution, deflection and false resolutions, overall
and by channel, and the bot sessions by outcome.

The rates are the metrics' (bot sessions started in the date range). Behind a rate are tickets
where tickets exist: the tickets sessions were handed off to (containment, escalation), tickets
opened within 72 h of a session the bot marked resolved (false resolutions), tickets solved with
no agent reply (automation rate); deflection's deflected sessions have no ticket, so its link
opens the tickets created in the range, its other part. Bot sessions have a channel but no group
or priority: those filters leave every session out.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from supportops import numbers
from supportops.metrics.bot_sessions import sessions_by_outcome
from supportops.web import charts, data, drill
from supportops.web.filters import Filters
from supportops.web.pages import (
    User,
    Ws,
    cached,
    define,
    memo,
    render,
    router,
    tickets_url,
    view_filters,
)
from supportops.workspace import Workspace

__all__ = ["RATES", "session_counts"]

RATES = (
    ("bot_containment_rate", "Containment", "sessions not handed off"),
    ("bot_resolution_rate", "Bot resolution", "sessions marked resolved"),
    ("bot_resolution_rate_confirmed", "Confirmed resolution", "the customer said it helped"),
    ("deflection_rate", "Deflection", "resolved without a ticket / (those + tickets)"),
    ("bot_false_resolution_rate", "False resolutions", "a ticket within 72 h of 'resolved'"),
    ("human_escalation_rate", "Escalated to a human", "sessions handed off"),
    ("automation_rate", "Solved without an agent", "solves with no public agent reply"),
)
OUTCOMES = ("resolved", "handed_off", "abandoned")


def session_counts(ws: Workspace, filters: Filters) -> pd.DataFrame:
    """Bot sessions started in the range (on the channel filter), per outcome."""
    low, high = data.bounds(filters, ws.config.report_timezone)
    unmatchable = bool(filters.group or filters.priority)
    return sessions_by_outcome(ws.store, low, high, filters.channel, unmatchable)


def _outcomes(
    request: Request, ws: Workspace, filters: Filters, counts: pd.DataFrame
) -> list[dict[str, Any]]:
    found = {str(r["outcome"]): int(r["sessions"]) for r in counts.to_dict("records")}
    rows = []
    for outcome in OUTCOMES:
        ask = drill.Drill(metric="bot_sessions", outcome=outcome)
        rows.append(
            {
                "outcome": outcome,
                "sessions": found.get(outcome, 0),
                "tickets": drill.count(ws, filters, ask, memo(request, ws)),
                "url": tickets_url(filters, **ask.params()),
            }
        )
    return rows


def _by_channel(frame: pd.DataFrame, filters: Filters) -> list[dict[str, Any]]:
    rows = []
    for record in frame.dropna(subset=["channel"]).to_dict("records"):
        scoped = filters.with_(channel=record["channel"])
        cells = [
            {
                "metric": m,
                "text": numbers.fmt(record.get(m), "rate"),
                "url": tickets_url(scoped, metric=m),
            }
            for m, _, _ in RATES
        ]
        pct = (
            round(float(record["bot_containment_rate"]) * 100, 1)
            if pd.notna(record["bot_containment_rate"])
            else None
        )
        rows.append(
            {
                "channel": record["channel"],
                "cells": cells,
                "containment_pct": pct,
                "url": cells[0]["url"],
            }
        )
    return rows


def _compute(ws: Workspace, filters: Filters) -> dict[str, pd.DataFrame]:
    ids = [m for m, _, _ in RATES]
    return {
        "total": data.metrics(ws, ids, filters),
        "channels": data.metrics(ws, ids, filters, by=["channel"]),
        "sessions": session_counts(ws, filters),
    }


@router.get("/automation", response_class=HTMLResponse)
def automation(request: Request, ws: Ws, _: User) -> Response:
    """Bot containment, deflection and false resolutions; sessions by outcome."""
    filters = view_filters(request, ws)
    frames = cached(request, ws, ("automation", filters), lambda: _compute(ws, filters))
    total = frames["total"].iloc[0].to_dict() if len(frames["total"]) else {}
    cards = [
        {
            "label": label,
            "hint": hint,
            "metric": m,
            "value": numbers.fmt(total.get(m), "rate"),
            "url": tickets_url(filters, metric=m),
            **define(m, filters),
        }
        for m, label, hint in RATES
    ]
    outcomes = _outcomes(request, ws, filters, frames["sessions"])
    channels = _by_channel(frames["channels"], filters)
    specs = {
        "outcomes": charts.bar(
            outcomes, "outcome", "sessions", title="Bot sessions by outcome", y_title="sessions"
        ),
        "containment": charts.bar(
            [r for r in channels if r["containment_pct"] is not None],
            "channel",
            "containment_pct",
            title="Containment by channel (%)",
            y_title="%",
        ),
    }
    return render(
        request,
        ws,
        "automation.html",
        filters,
        cards=cards,
        outcomes=outcomes,
        channels=channels,
        rates=RATES,
        specs=specs,
        no_sessions_dims=bool(filters.group or filters.priority),
    )
