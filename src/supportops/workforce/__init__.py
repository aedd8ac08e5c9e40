"""Workforce planning: forecasts, Erlang C/A and e-mail staffing, schedules and simulation.

The pieces, each usable alone::

    volume history ──► forecast ──► staffing (erlang, backlog) ──► schedule ──► simulate
                       (forecast)   (staffing, backlog)            (schedule)   (simulate)

and :func:`run_plan` chaining them for a base plan and its what-ifs; :func:`plan_workspace` plans
a workspace as ``supportops plan`` and the Plan page do. Names are imported on first
use, so ``supportops.workforce.shifts`` (for the config) loads without statsforecast or OR-Tools.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from supportops.workforce.backlog import BacklogPlan, BacklogTargets, run_backlog, staff_backlog
    from supportops.workforce.erlang import (
        SL_DEFINITIONS,
        Queue,
        QueueMetrics,
        erlang_a,
        erlang_b,
        erlang_c,
        queue_metrics,
    )
    from supportops.workforce.forecast import Forecast, forecast
    from supportops.workforce.plan import (
        ChannelSettings,
        PlanOptions,
        Scenario,
        WorkspacePlan,
        compare,
        parse_what_if,
        plan_workspace,
        run_plan,
    )
    from supportops.workforce.schedule import CoverageCosts, Schedule, build_schedule
    from supportops.workforce.shifts import ShiftTemplate, parse_shift_templates
    from supportops.workforce.simulate import SimulationResult, simulate
    from supportops.workforce.staffing import (
        Staffing,
        StaffingTargets,
        gross_up,
        required_agents,
        staff,
    )

_HOME = {
    "BacklogPlan": "backlog",
    "BacklogTargets": "backlog",
    "ChannelSettings": "plan",
    "CoverageCosts": "schedule",
    "Forecast": "forecast",
    "PlanOptions": "plan",
    "Queue": "erlang",
    "QueueMetrics": "erlang",
    "SL_DEFINITIONS": "erlang",
    "Scenario": "plan",
    "Schedule": "schedule",
    "ShiftTemplate": "shifts",
    "SimulationResult": "simulate",
    "Staffing": "staffing",
    "StaffingTargets": "staffing",
    "WorkspacePlan": "plan",
    "build_schedule": "schedule",
    "compare": "plan",
    "erlang_a": "erlang",
    "erlang_b": "erlang",
    "erlang_c": "erlang",
    "forecast": "forecast",
    "gross_up": "staffing",
    "parse_shift_templates": "shifts",
    "parse_what_if": "plan",
    "plan_workspace": "plan",
    "queue_metrics": "erlang",
    "required_agents": "staffing",
    "run_backlog": "backlog",
    "run_plan": "plan",
    "simulate": "simulate",
    "staff": "staffing",
    "staff_backlog": "backlog",
}

__all__ = [
    "SL_DEFINITIONS",
    "BacklogPlan",
    "BacklogTargets",
    "ChannelSettings",
    "CoverageCosts",
    "Forecast",
    "PlanOptions",
    "Queue",
    "QueueMetrics",
    "Scenario",
    "Schedule",
    "ShiftTemplate",
    "SimulationResult",
    "Staffing",
    "StaffingTargets",
    "WorkspacePlan",
    "build_schedule",
    "compare",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "forecast",
    "gross_up",
    "parse_shift_templates",
    "parse_what_if",
    "plan_workspace",
    "queue_metrics",
    "required_agents",
    "run_backlog",
    "run_plan",
    "simulate",
    "staff",
    "staff_backlog",
]


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use."""
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_HOME[name]}"), name)
    globals()[name] = value
    return value
