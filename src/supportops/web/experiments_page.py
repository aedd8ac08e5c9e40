"""The Experiments page: each experiment of ``supportops.yaml`` with its assignment health
(tickets and units per arm, the sample-ratio check), its results (each metric's difference with
its 95% interval and method) and the plain-words verdict (``supportops experiment analyze``).

An experiment whose arms are not stored yet says which command assigns them.
"""

from __future__ import annotations

import re
from typing import Any, cast, get_args

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from supportops import numbers
from supportops.errors import ExperimentError
from supportops.web import charts
from supportops.web.pages import User, Ws, cached, render, router, view_filters
from supportops.workspace import Workspace

__all__ = ["experiment_view"]

CHART_UNITS = get_args(charts.Unit)


def _interval_row(result: Any, currency: str) -> dict[str, Any]:
    iv, unit = result.interval, result.spec.unit
    show = [numbers.fmt(v, unit, currency) for v in (iv.estimate, iv.low, iv.high)]
    return {
        "metric": result.spec.label,
        "role": result.spec.role,
        "arm": result.arm,
        "control": numbers.fmt(result.control_value, unit, currency),
        "value": numbers.fmt(result.arm_value, unit, currency),
        "difference": show[0],
        "interval": f"{show[1]} to {show[2]}",
        "method": iv.method,
        "outcome": "breach" if result.breached else result.outcome,
    }


def experiment_view(ws: Workspace, name: str) -> dict[str, Any]:
    """What the page shows of experiment ``name``: its health, results and verdict."""
    from supportops.experiments.assignment import health
    from supportops.experiments.design import find
    from supportops.experiments.results import analyze
    from supportops.metrics.experiment_outcomes import stored_arms

    config = find(ws.config.experiments, name)
    view: dict[str, Any] = {"config": config, "arms": [], "results": [], "verdict": None}
    stored = stored_arms(ws, name)
    if stored.empty:
        view["missing"] = f"supportops experiment assign {name}"
        return view
    found = health(stored, config)
    view["arms"] = [
        {"arm": a, "tickets": found.tickets[a], "units": found.units[a]} for a in config.arms
    ]
    view["ratio"] = found.ratio
    try:
        result = analyze(ws, name)
    except ExperimentError as exc:
        view["missing"] = str(exc)
        return view
    view["results"] = [_interval_row(r, ws.config.currency) for r in result.analysis.results]
    view["charts"] = _interval_charts(config.name, result.analysis.results)
    view["status"], view["verdict"] = result.analysis.status, result.analysis.verdict
    return view


def _interval_charts(name: str, results: list[Any]) -> dict[str, Any]:
    """One forest plot per metric: each arm's difference from the control, with its interval."""
    by_metric: dict[str, list[Any]] = {}
    for r in results:
        by_metric.setdefault(r.spec.label, []).append(r)
    specs = {}
    for metric, found in by_metric.items():
        unit = cast(
            charts.Unit, found[0].spec.unit if found[0].spec.unit in CHART_UNITS else "count"
        )
        rows = [
            {"arm": r.arm, "estimate": r.interval.estimate, "low": r.interval.low}
            | {"high": r.interval.high}
            for r in found
        ]
        slug = re.sub(r"[^a-z0-9]+", "-", f"{name}-{metric}".lower()).strip("-")
        title = f"{metric}: arm − control, 95% interval"
        specs[slug] = charts.interval(rows, "arm", unit=unit, title=title, file=slug)
    return specs


@router.get("/experiments", response_class=HTMLResponse)
def experiments(request: Request, ws: Ws, _: User) -> Response:
    """Every experiment: assignment health, results with intervals, verdict."""
    filters = view_filters(request, ws)
    views = [
        cached(request, ws, ("experiment", e.name), lambda e=e: experiment_view(ws, e.name))
        for e in ws.config.experiments
    ]
    return render(request, ws, "experiments.html", filters, experiments=views)
