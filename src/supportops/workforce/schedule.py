"""The number of agents on each shift, chosen by OR-Tools CP-SAT to cover the heads required.

Given the heads required per interval and the shift templates (:mod:`.shifts`), the solver
chooses how many agents work each template on each day, minimising the cost of missing coverage,
surplus coverage and the templates' own cost. Coverage is counted in agent-minutes, so a 15-minute
break inside a 30-minute interval counts half. When the templates cannot cover the demand, the
schedule says where and by how much instead of failing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from ortools.sat.python import cp_model

from supportops.errors import ConfigError
from supportops.workforce.shifts import DAYS, BreakSpec, ShiftTemplate, parse_shift_templates

__all__ = [
    "BreakSpec",
    "CoverageCosts",
    "Schedule",
    "ShiftTemplate",
    "build_schedule",
    "parse_shift_templates",
]


@dataclass(frozen=True)
class CoverageCosts:
    """Cost of one agent-hour missing and of one agent-hour more than required, in the same
    currency as the templates' ``cost_per_hour`` (which is added for every hour scheduled)."""

    under: float = 20.0
    over: float = 1.0


@dataclass(frozen=True)
class Schedule:
    """``shifts``: template, start, end, count; ``coverage``: ds, required, scheduled, under,
    over (agents); ``gaps``: start, end, agent_hours, peak (runs of missing coverage)."""

    shifts: pd.DataFrame
    coverage: pd.DataFrame
    gaps: pd.DataFrame
    status: str


def _instances(
    templates: list[ShiftTemplate], index: pd.DatetimeIndex
) -> list[tuple[int, pd.Timestamp]]:
    days = pd.date_range(index[0].normalize() - pd.Timedelta(days=1), index[-1].normalize())
    out = []
    for t_i, template in enumerate(templates):
        hh, mm = (int(p) for p in template.start.split(":"))
        for day in days:
            if DAYS[day.dayofweek] in template.days:
                start = day + pd.Timedelta(hours=hh, minutes=mm)
                end = start + pd.Timedelta(seconds=template.length)
                if end > index[0] and start < index[-1] + (index[1] - index[0]):
                    out.append((t_i, start))
    return out


def _minutes(spans: list[tuple[pd.Timestamp, pd.Timestamp]], index: pd.DatetimeIndex) -> np.ndarray:
    """Minutes worked in each interval of ``index`` over the given spans."""
    grain = index[1] - index[0]
    starts = index.to_numpy()
    ends = starts + grain.to_timedelta64()
    total = np.zeros(len(index))
    for a, b in spans:
        overlap = np.minimum(ends, b.to_datetime64()) - np.maximum(starts, a.to_datetime64())
        total += np.maximum(overlap / np.timedelta64(1, "s"), 0.0) / 60.0
    return np.rint(total).astype(np.int64)


def _gaps(coverage: pd.DataFrame, hours: float) -> pd.DataFrame:
    """Contiguous runs of missing coverage with their agent-hours and peak shortfall."""
    short = coverage["under"].to_numpy() > 0
    run = np.cumsum(np.concatenate([[short[0]], short[1:] & ~short[:-1]])) * short
    rows = []
    for r in range(1, int(run.max()) + 1 if short.any() else 1):
        part = coverage[run == r]
        rows.append(
            {
                "start": part["ds"].iloc[0],
                "end": part["ds"].iloc[-1] + pd.Timedelta(hours=hours),
                "agent_hours": float(part["under"].sum() * hours),
                "peak": float(part["under"].max()),
            }
        )
    return pd.DataFrame(rows, columns=["start", "end", "agent_hours", "peak"])


def build_schedule(
    required: pd.Series,
    templates: list[ShiftTemplate],
    costs: CoverageCosts | None = None,
    time_limit: float = 10.0,
) -> Schedule:
    """Agents per shift covering ``required`` heads (a Series indexed by interval start)."""
    if not templates:
        raise ConfigError("no shift templates: add shift_templates to supportops.yaml")
    costs = costs or CoverageCosts()
    index = pd.DatetimeIndex(required.index)
    grain_min = int((index[1] - index[0]).total_seconds() // 60)
    need = np.rint(np.asarray(required, dtype=float) * grain_min).astype(np.int64)
    instances = _instances(templates, index)
    cover = [_minutes(templates[t].worked(s), index) for t, s in instances]
    top = int(np.ceil(need.max() / grain_min)) + 1 if len(need) else 1
    model = cp_model.CpModel()
    counts: list[tuple[Any, np.ndarray]] = []
    for (t, _), minutes in zip(instances, cover, strict=True):
        tpl = templates[t]
        upper = max(tpl.max_count if tpl.max_count is not None else top, tpl.min_count)
        var = model.new_int_var(tpl.min_count, upper, f"x{len(counts)}")
        model.add_hint(var, tpl.min_count)
        counts.append((var, minutes))
    limit = int(need.max() + top * grain_min * (len(instances) + 1))
    under = [model.new_int_var(0, int(n), f"u{i}") for i, n in enumerate(need)]
    over = [model.new_int_var(0, limit, f"o{i}") for i in range(len(need))]
    for i in range(len(need)):
        worked = [m[i] * v for v, m in counts if m[i]]
        model.add(sum(worked) + under[i] - over[i] == int(need[i]))
    shift_cost = [
        round((templates[t].cost_per_hour or 0.0) * 100) * int(m.sum()) * v
        for (t, _), (v, m) in zip(instances, counts, strict=True)
    ]
    model.minimize(
        round(costs.under * 100) * sum(under)
        + round(costs.over * 100) * sum(over)
        + sum(shift_cost)
    )
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = 2
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise ConfigError(f"the shift solver found no schedule ({solver.status_name(status)})")
    return _result(solver, instances, templates, counts, index, need, grain_min, status)


def _result(
    solver: cp_model.CpSolver,
    instances: list[tuple[int, pd.Timestamp]],
    templates: list[ShiftTemplate],
    counts: list[tuple[Any, np.ndarray]],
    index: pd.DatetimeIndex,
    need: np.ndarray,
    grain_min: int,
    status: Any,
) -> Schedule:
    values = np.array([solver.value(v) for v, _ in counts], dtype=np.int64)
    minutes = np.array([m for _, m in counts]).reshape(len(counts), len(index))
    worked = (values[:, None] * minutes).sum(axis=0) if len(counts) else np.zeros(len(index))
    shifts = pd.DataFrame(
        {
            "template": [templates[t].name for t, _ in instances],
            "start": [s for _, s in instances],
            "end": [s + pd.Timedelta(seconds=templates[t].length) for t, s in instances],
            "count": values,
        }
    )
    coverage = pd.DataFrame(
        {
            "ds": index,
            "required": need / grain_min,
            "scheduled": worked / grain_min,
            "under": np.maximum(need - worked, 0) / grain_min,
            "over": np.maximum(worked - need, 0) / grain_min,
        }
    )
    name = "optimal" if status == cp_model.OPTIMAL else "feasible"
    return Schedule(shifts[shifts["count"] > 0], coverage, _gaps(coverage, grain_min / 60), name)
