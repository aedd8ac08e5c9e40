"""The Plan page and ``GET /api/plan``: forecast against actuals, and heads required against
heads scheduled per interval, per channel.

Both plan as ``supportops plan`` does, by the same function and defaults
(:func:`supportops.workforce.plan.plan_workspace`): forecast of the workspace's own volume (the
fast candidates, model chosen by backtest, with its WAPE and MASE) → Erlang staffing (AHT 3 min,
80% in 20 s, shrinkage 30%) → shifts (the workspace's ``shift_templates``, else
:data:`~supportops.workforce.plan.DEFAULT_TEMPLATES`, round the clock); the simulation is left
out, as nothing here shows its outcome (it changes none of the figures shown). A plan takes
seconds, so its result is cached per workspace data version; the page and the API share it.

The summary's ``required_agent_hours`` are the plan's heads (shrinkage included), as
``required_head_hours`` of ``supportops plan``.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal, get_args

import pandas as pd
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from supportops import numbers
from supportops.errors import NoVolume, SupportOpsError
from supportops.tokens import TokenRecord
from supportops.web.api import ERRORS
from supportops.web.auth import require
from supportops.web.filters import lenient
from supportops.web.pages import User, Ws, cached, render
from supportops.web.pages import router as pages_router
from supportops.workspace import Workspace

__all__ = [
    "FIGURES",
    "Grain",
    "Horizon",
    "PlanAnswer",
    "compute_plan",
    "plan_charts",
    "router",
]

Horizon = Literal["1d", "3d", "7d", "14d"]
Grain = Literal["30min", "1h"]
DEFAULT_HORIZON: Horizon = "7d"
DEFAULT_GRAIN: Grain = "30min"
SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"

router = APIRouter(prefix="/api", responses=ERRORS)
Reader = Annotated[TokenRecord, Depends(require("read"))]


class PlanInterval(BaseModel):
    """One interval of one channel: history (``actual``) or plan (the other figures)."""

    ds: str
    channel: str
    forecast: float | None
    lo: float | None
    hi: float | None
    actual: float | None
    required: float | None
    scheduled: float | None


class ChannelSummary(BaseModel):
    """A channel's forecast model and its backtest scores, and its hours over the horizon."""

    channel: str
    model: str
    wape: float | None
    mase: float | None
    volume: float
    required_agent_hours: float
    scheduled_agent_hours: float
    under_agent_hours: float
    over_agent_hours: float


class PlanSummary(BaseModel):
    """What was planned, how, and the totals over every channel."""

    horizon: str
    grain: str
    start: str | None
    end: str | None
    templates: Literal["file", "workspace", "default"]
    channels: list[ChannelSummary]
    required_agent_hours: float
    scheduled_agent_hours: float
    under_agent_hours: float
    over_agent_hours: float
    notice: str | None = None


class PlanAnswer(BaseModel):
    """``intervals`` sorted by channel and interval start; ``summary``."""

    intervals: list[PlanInterval]
    summary: PlanSummary


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _stamp(value: Any) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%dT%H:%M:%S")


def _channel_rows(
    channel: str, history: pd.DataFrame, fc: pd.DataFrame, intervals: pd.DataFrame
) -> list[dict[str, Any]]:
    """The history's last stretch (as long as the horizon) with ``actual``, then the plan."""
    rows: list[dict[str, Any]] = []
    past = history[history["ds"] >= fc["ds"].min() - (fc["ds"].max() - fc["ds"].min())]
    for ds, y in zip(past["ds"], past["y"], strict=True):
        rows.append(
            {
                "ds": _stamp(ds),
                "channel": channel,
                "forecast": None,
                "lo": None,
                "hi": None,
                "actual": _number(y),
                "required": None,
                "scheduled": None,
            }
        )
    merged = fc.merge(intervals, on="ds", how="left")
    for row in merged.to_dict(orient="records"):
        rows.append(
            {
                "ds": _stamp(row["ds"]),
                "channel": channel,
                "forecast": _number(row["y_hat"]),
                "lo": _number(row["lo_80"]),
                "hi": _number(row["hi_80"]),
                "actual": None,
                "required": _number(row["heads"]),
                "scheduled": _number(row["scheduled"]),
            }
        )
    return rows


def compute_plan(ws: Workspace, channel: str | None, horizon: str, grain: str) -> dict[str, Any]:
    """Forecast, staff and schedule every channel (or ``channel``) over ``horizon`` as
    ``supportops plan`` does (:func:`~supportops.workforce.plan.plan_workspace`, its defaults);
    the JSON-ready answer of ``/api/plan`` (see :class:`PlanAnswer`)."""
    from supportops.workforce.plan import PlanOptions, plan_workspace

    options = PlanOptions(channel=channel, horizon=horizon, grain=grain, replications=0)
    try:
        result = plan_workspace(ws, options)
    except NoVolume as exc:
        if channel is None:
            raise
        return _nothing(ws, horizon, grain, str(exc))
    history, fc, step = result.history, result.forecast, result.step
    base = result.summary[result.summary["scenario"] == "base"].set_index("channel")
    rows: list[dict[str, Any]] = []
    channels: list[dict[str, Any]] = []
    for p in result.plans["base"]:
        part = fc.frame[fc.frame["unique_id"] == p.channel]
        rows += _channel_rows(
            p.channel, history[history["unique_id"] == p.channel], part, p.intervals
        )
        picked = fc.scores[(fc.scores["unique_id"] == p.channel) & fc.scores["chosen"]]
        chosen = picked.iloc[0] if len(picked) else None
        line = base.loc[p.channel].to_dict()
        channels.append(
            {
                "channel": p.channel,
                "model": str(chosen["model"]) if chosen is not None else "",
                "wape": _number(chosen["wape"]) if chosen is not None else None,
                "mase": _number(chosen["mase"]) if chosen is not None else None,
                "volume": float(line["volume"]),
                "required_agent_hours": float(line["required_head_hours"]),
                "scheduled_agent_hours": float(line["scheduled_head_hours"]),
                "under_agent_hours": float(line["under_agent_hours"]),
                "over_agent_hours": float(line["over_agent_hours"]),
            }
        )
    totals = {
        key: float(sum(c[key] for c in channels))
        for key in (
            "required_agent_hours",
            "scheduled_agent_hours",
            "under_agent_hours",
            "over_agent_hours",
        )
    }
    summary = {
        "horizon": horizon,
        "grain": grain,
        "start": _stamp(fc.frame["ds"].min()) if len(fc.frame) else None,
        "end": _stamp(fc.frame["ds"].max() + step) if len(fc.frame) else None,
        "templates": result.templates,
        "channels": channels,
        **totals,
    }
    return {"intervals": rows, "summary": summary}


def _nothing(ws: Workspace, horizon: str, grain: str, notice: str) -> dict[str, Any]:
    """The answer for a channel with no volume: no interval, and a notice saying so (as any
    filter that matches nothing)."""
    totals = dict.fromkeys(
        ("required_agent_hours", "scheduled_agent_hours", "under_agent_hours", "over_agent_hours"),
        0.0,
    )
    templates = "workspace" if ws.config.shift_templates else "default"
    summary: dict[str, Any] = {"horizon": horizon, "grain": grain, "start": None, "end": None}
    summary |= {"templates": templates, "channels": [], "notice": notice, **totals}
    return {"intervals": [], "summary": summary}


def _plan(request: Request, ws: Workspace, channel: str | None, horizon: str, grain: str) -> Any:
    return cached(
        request,
        ws,
        ("plan", channel, horizon, grain),
        lambda: compute_plan(ws, channel, horizon, grain),
    )


@router.get("/plan", response_model=PlanAnswer, summary="Workforce plan per interval")
def plan_api(
    request: Request,
    ws: Ws,
    _: Reader,
    channel: Annotated[str | None, Query(max_length=100, description="Only this channel")] = None,
    horizon: Annotated[Horizon, Query(description="How far ahead")] = DEFAULT_HORIZON,
    grain: Annotated[Grain, Query(description="Interval length")] = DEFAULT_GRAIN,
) -> Any:
    """Per channel and interval: the forecast with its 80% interval (`lo`, `hi`), the actual
    volume of the history before it, heads `required` (Erlang C, shrinkage included) and
    `scheduled` (shift templates); a summary with each channel's model, WAPE and MASE and the
    agent-hours required, scheduled, under and over."""
    return _plan(request, ws, channel or None, horizon, grain)


def _y(field: str, title: str | None = None) -> dict[str, Any]:
    return {"field": field, "type": "quantitative", "title": title}


def _series_chart(title: str, layers: list[dict[str, Any]], rows: Any) -> dict[str, Any]:
    return {
        "$schema": SCHEMA,
        "title": title,
        "data": {"values": rows},
        "facet": {"row": {"field": "channel", "type": "nominal", "title": None}},
        "resolve": {"scale": {"y": "independent"}},
        "spec": {
            "width": 1000,
            "height": 150,
            "encoding": {"x": {"field": "ds", "type": "temporal", "title": None}},
            "layer": layers,
        },
        "config": {"view": {"stroke": None}, "axis": {"labelFontSize": 11}},
    }


def plan_charts(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Two Vega-Lite specs: volume (actual, forecast, 80% band) and heads required/scheduled."""
    planned = {"filter": "datum.forecast != null"}
    volume = _series_chart(
        "Volume: actual (grey), forecast (blue) and its 80% interval",
        [
            {
                "transform": [planned],
                "mark": {"type": "area", "opacity": 0.25, "color": "#4c78a8"},
                "encoding": {"y": _y("lo", "contacts per interval"), "y2": {"field": "hi"}},
            },
            {
                "transform": [planned],
                "mark": {"type": "line", "color": "#4c78a8", "tooltip": True},
                "encoding": {"y": _y("forecast", "contacts per interval")},
            },
            {
                "transform": [{"filter": "datum.actual != null"}],
                "mark": {"type": "line", "color": "#888888", "tooltip": True},
                "encoding": {"y": _y("actual", "contacts per interval")},
            },
        ],
        rows,
    )
    heads = _series_chart(
        "Heads required and scheduled per interval",
        [
            {
                "transform": [
                    planned,
                    {"fold": ["required", "scheduled"], "as": ["series", "agents"]},
                ],
                "mark": {"type": "line", "interpolate": "step-after", "tooltip": True},
                "encoding": {
                    "y": _y("agents", "heads"),
                    "color": {"field": "series", "type": "nominal", "title": None},
                },
            }
        ],
        rows,
    )
    return {"volume": volume, "staffing": heads}


FIGURES = (  # the Plan page's cards: summary key, label, definition (its Definitions entry)
    (
        "required_agent_hours",
        "Agent-hours required",
        "Head-hours the forecast volume needs over the horizon: per interval, the Erlang C "
        "agents for 80% of contacts answered in 20 s at a 3-minute handle time, grossed up by "
        "30% shrinkage, times the interval's length.",
    ),
    (
        "scheduled_agent_hours",
        "Agent-hours scheduled",
        "Head-hours the shifts cover over the horizon: per interval, the heads on shift (the "
        "workspace's shift_templates, else 8-hour shifts every 4 hours), times the interval's "
        "length.",
    ),
    (
        "under_agent_hours",
        "Under-covered",
        "Head-hours short: per interval, the heads required that no shift covers, times the "
        "interval's length, summed over the horizon.",
    ),
    (
        "over_agent_hours",
        "Over-covered",
        "Head-hours over: per interval, the heads on shift beyond those required, times the "
        "interval's length, summed over the horizon.",
    ),
)


def plan_definitions() -> list[dict[str, str]]:
    """The Plan page's figures as entries of the Definitions page (id ``plan-KEY``)."""
    return [
        {"id": f"plan-{key}", "label": label, "definition": text} for key, label, text in FIGURES
    ]


def _cards(summary: dict[str, Any], filters: Any) -> list[dict[str, Any]]:
    """The Plan page's cards, each with its definition and the link to it."""
    return [
        {
            "label": label,
            "value": numbers.fmt(summary[key], "hours"),
            "id": f"plan-{key.split('_')[0]}",
            "metric": f"plan-{key}",
            "definition": text,
            "define_url": f"/definitions{filters.query_string()}#plan-{key}",
        }
        for key, label, text in FIGURES
    ]


def _choice(value: str | None, allowed: tuple[str, ...], default: str) -> str:
    return value if value in allowed else default


@pages_router.get("/plan", response_class=HTMLResponse)
def plan_page(request: Request, ws: Ws, _: User) -> Response:
    """Forecast against actuals and heads required against scheduled, per channel."""
    filters = lenient(request.query_params, ws.config.report_timezone, ws.clock)
    horizon = _choice(request.query_params.get("horizon"), get_args(Horizon), DEFAULT_HORIZON)
    grain = _choice(request.query_params.get("grain"), get_args(Grain), DEFAULT_GRAIN)
    result: dict[str, Any] | None = None
    error = None
    try:
        result = _plan(request, ws, filters.channel, horizon, grain)
    except SupportOpsError as exc:
        error = exc.message
    specs = plan_charts(result["intervals"]) if result else {}
    return render(
        request,
        ws,
        "plan.html",
        filters,
        horizon=horizon,
        horizons=get_args(Horizon),
        grain=grain,
        grains=get_args(Grain),
        summary=result["summary"] if result else None,
        cards=_cards(result["summary"], filters) if result else [],
        specs=specs,
        error=error,
    )
