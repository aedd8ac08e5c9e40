"""A staffing plan end to end — forecast → staffing → schedule → simulation — and what-ifs.

Each channel is planned on its own with its :class:`ChannelSettings`: ``erlang`` channels (phone,
chat) by Erlang C/A per interval, ``backlog`` channels (e-mail, tickets) by the deferred-work
model. Required agents are grossed up by shrinkage into heads, shifts are chosen to cover the
heads, and the scheduled heads less shrinkage are simulated (Erlang channels) or worked through the
backlog model (backlog channels). A what-if such as ``volume=+20% aht=-10%`` scales the forecast
and the settings and runs the same chain, so its figures compare line by line with the base.

:func:`plan_workspace` is the one way a workspace is planned — ``supportops plan`` and the Plan
page both call it, with the one set of defaults of :class:`PlanOptions`: a week ahead in half
hours, the fast forecast candidates, every channel staffed by :class:`ChannelSettings`' defaults,
and the workspace's ``shift_templates`` or else :data:`DEFAULT_TEMPLATES` (round the clock).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from supportops.durations import parse_duration
from supportops.workforce.backlog import BacklogTargets, run_backlog, staff_backlog
from supportops.workforce.erlang import Queue, SlDefinition
from supportops.workforce.forecast import MODELS, Forecast, forecast
from supportops.workforce.schedule import CoverageCosts, ShiftTemplate, build_schedule
from supportops.workforce.shifts import parse_shift_templates
from supportops.workforce.simulate import simulate
from supportops.workforce.staffing import StaffingTargets, staff
from supportops.workforce.volume import closed_dates, parse_grain, workspace_volume

if TYPE_CHECKING:
    from supportops.calendar import BusinessCalendar
    from supportops.workspace import Workspace

__all__ = [
    "CANDIDATES",
    "DEFAULT_TEMPLATES",
    "ChannelPlan",
    "ChannelSettings",
    "PlanOptions",
    "Scenario",
    "WorkspacePlan",
    "compare",
    "parse_what_if",
    "plan_channel",
    "plan_history",
    "plan_workspace",
    "run_plan",
]

Seconds = Annotated[float, BeforeValidator(lambda v: parse_duration(v) if v is not None else v)]


class ChannelSettings(BaseModel):
    """How one channel is staffed; times accept durations such as ``3m`` or ``4h``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    model: Literal["erlang", "backlog"] = "erlang"
    aht: Seconds = 180.0
    patience: Seconds | None = None
    concurrency: int = Field(default=1, ge=1)
    service_level: float = 0.8
    answer_time: Seconds = 20.0
    asa: Seconds | None = None
    max_occupancy: float | None = None
    max_abandon: float | None = None
    sl_definition: SlDefinition = "offered"
    shrinkage: float = Field(default=0.3, ge=0.0, lt=1.0)
    share: float = 0.9
    window: Seconds = 4 * 3600.0
    occupancy: float = 0.85


@dataclass(frozen=True)
class Scenario:
    """Multipliers applied to the forecast and the settings; ``shrinkage`` replaces it."""

    name: str = "base"
    volume: float = 1.0
    aht: float = 1.0
    patience: float = 1.0
    shrinkage: float | None = None


_CHANGE = re.compile(r"^(volume|aht|patience|shrinkage)=([+-]?\d+(?:\.\d+)?)(%|x)?$")


def parse_what_if(text: str) -> Scenario:
    """``volume=+20% aht=-10%`` → Scenario(volume=1.2, aht=0.9); ``shrinkage=0.35`` replaces."""
    values: dict[str, Any] = {"name": " ".join(text.replace(",", " ").split())}
    for part in text.replace(",", " ").split():
        match = _CHANGE.match(part.strip().lower())
        if not match:
            raise ValueError(
                f"not a what-if change {part!r} (expected e.g. volume=+20%, aht=-10%, "
                "patience=2x or shrinkage=0.35)"
            )
        key, number, unit = match.group(1), float(match.group(2)), match.group(3)
        if key in values:
            raise ValueError(f"{key} changed twice in the what-if {text.strip()!r}")
        if key == "shrinkage":
            values[key] = number / 100 if unit == "%" else number
        else:
            values[key] = number if unit == "x" else 1.0 + number / 100.0
    return Scenario(**values)


@dataclass(frozen=True)
class ChannelPlan:
    """One channel's plan: per-interval figures, the shifts, and the simulated outcome."""

    channel: str
    intervals: pd.DataFrame
    shifts: pd.DataFrame
    gaps: pd.DataFrame
    outcome: dict[str, float]


def _apply(settings: ChannelSettings, scenario: Scenario) -> ChannelSettings:
    patience = None if settings.patience is None else settings.patience * scenario.patience
    shrinkage = settings.shrinkage if scenario.shrinkage is None else scenario.shrinkage
    return settings.model_copy(
        update={"aht": settings.aht * scenario.aht, "patience": patience, "shrinkage": shrinkage}
    )


def _required(
    volume: np.ndarray, s: ChannelSettings, open_mask: np.ndarray, interval: float
) -> tuple[np.ndarray, np.ndarray]:
    if s.model == "backlog":
        work = BacklogTargets(s.share, s.window, s.occupancy)
        deferred = staff_backlog(volume, s.aht, open_mask, interval, work, s.shrinkage)
        return deferred.agents, deferred.scheduled
    queue = Queue(volume, s.aht, interval, s.patience, s.concurrency)
    targets = StaffingTargets(
        s.service_level, s.answer_time, s.asa, s.max_occupancy, s.max_abandon, s.sl_definition
    )
    live = staff(queue, targets, s.shrinkage)
    return live.agents, live.scheduled


def _outcome(
    volume: np.ndarray,
    s: ChannelSettings,
    on_floor: np.ndarray,
    open_mask: np.ndarray,
    interval: float,
    replications: int,
    seed: int,
) -> dict[str, float]:
    if replications <= 0:  # no simulation asked: nothing measured
        return {}
    if s.model == "backlog":
        targets = BacklogTargets(s.share, s.window, s.occupancy)
        share = run_backlog(volume, s.aht, on_floor, open_mask, interval, targets).share
        return {"on_time_share": share}
    result = simulate(
        volume,
        s.aht,
        on_floor * s.concurrency,
        interval,
        s.patience,
        s.answer_time,
        replications,
        seed,
        s.sl_definition,
    )
    out: dict[str, float] = {}
    for record in result.summary.to_dict(orient="records"):
        name = str(record["metric"])
        out[name] = float(record["mean"])
        out[f"{name}_lo_95"] = float(record["lo_95"])
        out[f"{name}_hi_95"] = float(record["hi_95"])
    return out


def plan_channel(
    channel: str,
    forecast: pd.DataFrame,
    settings: ChannelSettings,
    templates: list[ShiftTemplate],
    scenario: Scenario = Scenario(),
    replications: int = 10,
    seed: int = 0,
    costs: CoverageCosts | None = None,
) -> ChannelPlan:
    """Plan one channel from its forecast (columns ds, y_hat, model; 'closed' rows are shut)."""
    s = _apply(settings, scenario)
    ds = pd.DatetimeIndex(forecast["ds"])
    interval = float((ds[1] - ds[0]).total_seconds())
    volume = forecast["y_hat"].to_numpy(dtype=float) * scenario.volume
    open_mask = (forecast["model"] != "closed").to_numpy()
    agents, heads = _required(volume, s, open_mask, interval)
    schedule = build_schedule(pd.Series(heads, index=ds), templates, costs)
    scheduled = np.rint(schedule.coverage["scheduled"].to_numpy()).astype(np.int64)
    on_floor = np.floor(scheduled * (1.0 - s.shrinkage) + 1e-9).astype(np.int64)
    outcome = _outcome(volume, s, on_floor, open_mask, interval, replications, seed)
    intervals = pd.DataFrame(
        {
            "ds": ds,
            "volume": volume,
            "agents": agents,
            "heads": heads,
            "scheduled": schedule.coverage["scheduled"].to_numpy(),
            "under": schedule.coverage["under"].to_numpy(),
            "over": schedule.coverage["over"].to_numpy(),
        }
    )
    return ChannelPlan(channel, intervals, schedule.shifts, schedule.gaps, outcome)


def _summary(scenario: Scenario, plans: list[ChannelPlan], hours: float) -> pd.DataFrame:
    rows = []
    for p in plans:
        frame = p.intervals
        rows.append(
            {
                "scenario": scenario.name,
                "channel": p.channel,
                "volume": float(frame["volume"].sum()),
                "required_agent_hours": float(frame["agents"].sum() * hours),
                "required_head_hours": float(frame["heads"].sum() * hours),
                "scheduled_head_hours": float(frame["scheduled"].sum() * hours),
                "shift_heads": int(p.shifts["count"].sum()),
                "under_agent_hours": float(frame["under"].sum() * hours),
                "over_agent_hours": float(frame["over"].sum() * hours),
                **p.outcome,
            }
        )
    return pd.DataFrame(rows)


def run_plan(
    forecast: pd.DataFrame,
    settings: dict[str, ChannelSettings],
    templates: list[ShiftTemplate],
    scenarios: list[Scenario] | None = None,
    replications: int = 10,
    seed: int = 0,
) -> tuple[pd.DataFrame, dict[str, list[ChannelPlan]]]:
    """Plan every channel (``unique_id``) of ``forecast`` for the base and each what-if;
    ``replications`` runs of the simulation measure each plan (0: not simulated).

    Returns the summary (one row per scenario and channel) and the plans by scenario name.
    """
    default = settings.get("*", ChannelSettings())
    runs = [Scenario(), *(scenarios or [])]
    plans: dict[str, list[ChannelPlan]] = {}
    frames = []
    for scenario in runs:
        done = []
        for channel, part in forecast.groupby("unique_id", sort=True):
            chosen = settings.get(str(channel), default)
            done.append(
                plan_channel(
                    str(channel),
                    part.reset_index(drop=True),
                    chosen,
                    templates,
                    scenario,
                    replications,
                    seed,
                )
            )
        plans[scenario.name] = done
        ds = pd.DatetimeIndex(forecast["ds"].drop_duplicates().sort_values())
        frames.append(_summary(scenario, done, (ds[1] - ds[0]).total_seconds() / 3600))
    return pd.concat(frames, ignore_index=True), plans


def compare(summary: pd.DataFrame) -> pd.DataFrame:
    """Each what-if against the base, per channel: metric, base, what_if, change (means only;
    the summary keeps the 95% intervals)."""
    base = {str(r["channel"]): r for r in summary[summary["scenario"] == "base"].to_dict("records")}
    rows = []
    for row in summary[summary["scenario"] != "base"].to_dict(orient="records"):
        for metric in summary.columns.drop(["scenario", "channel"]):
            if metric.endswith(("_lo_95", "_hi_95")):
                continue
            before, after = base[str(row["channel"])][metric], row[metric]
            rows.append(
                {
                    "scenario": row["scenario"],
                    "channel": row["channel"],
                    "metric": metric,
                    "base": before,
                    "what_if": after,
                    "change": after - before,
                }
            )
    return pd.DataFrame(
        rows, columns=["scenario", "channel", "metric", "base", "what_if", "change"]
    )


CANDIDATES: dict[str, tuple[str, ...]] = {
    "fast": ("seasonal_naive", "seasonal_window_average"),  # a page loads in seconds
    "all": tuple(MODELS),  # and MSTL, about a second per fit and channel
}
DEFAULT_TEMPLATES: list[ShiftTemplate] = parse_shift_templates(
    [{"name": f"{h:02d}:00", "start": f"{h:02d}:00", "length": "8h"} for h in range(0, 24, 4)]
)  # six 8-hour shifts starting every 4 hours, every day: any demand can be covered
Templates = Literal["file", "workspace", "default"]


@dataclass(frozen=True)
class PlanOptions:
    """What to plan and how; the defaults are those of ``supportops plan`` and the Plan page.

    ``templates`` None takes the workspace's ``shift_templates``, else :data:`DEFAULT_TEMPLATES`;
    ``replications`` 0 does not simulate (the plan's figures are the same without it).
    """

    channel: str | None = None
    grain: str = "30min"
    horizon: str = "7d"
    candidates: Literal["fast", "all"] = "fast"
    settings: dict[str, ChannelSettings] = field(default_factory=lambda: {"*": ChannelSettings()})
    templates: list[ShiftTemplate] | None = None
    scenarios: list[Scenario] = field(default_factory=list)
    replications: int = 10
    seed: int = 0


@dataclass(frozen=True)
class WorkspacePlan:
    """A plan and what it was made from: the volume history, the forecast (with its scores),
    the summary (one row per scenario and channel), the plans by scenario name, the interval
    length and where the shift templates came from."""

    history: pd.DataFrame
    forecast: Forecast
    summary: pd.DataFrame
    plans: dict[str, list[ChannelPlan]]
    step: pd.Timedelta
    templates: Templates


def plan_history(
    history: pd.DataFrame,
    options: PlanOptions = PlanOptions(),
    closed: list[date] | None = None,
    own_templates: list[ShiftTemplate] | None = None,
) -> WorkspacePlan:
    """Plan from a volume history (unique_id, ds, y): ``closed`` dates are forecast as 0,
    ``own_templates`` (the workspace's) are used when ``options.templates`` is None."""
    step = parse_grain(options.grain)
    ahead = pd.Timedelta(seconds=parse_duration(options.horizon))
    models = {name: MODELS[name] for name in CANDIDATES[options.candidates]}
    fc = forecast(history, step, ahead, closed or [], models=models)
    source: Templates = "file" if options.templates is not None else "workspace"
    templates = options.templates if options.templates is not None else own_templates
    if not templates:
        source, templates = "default", DEFAULT_TEMPLATES
    summary, plans = run_plan(
        fc.frame, options.settings, templates, options.scenarios, options.replications,
        options.seed,
    )  # fmt: skip
    return WorkspacePlan(history, fc, summary, plans, step, source)


def _closed(
    calendar: BusinessCalendar | None, history: pd.DataFrame, options: PlanOptions
) -> list[date]:
    if calendar is None:
        return []
    step = parse_grain(options.grain)
    end = history["ds"].max()
    return closed_dates(
        calendar, end + step, end + pd.Timedelta(seconds=parse_duration(options.horizon))
    )


def plan_workspace(ws: Workspace, options: PlanOptions = PlanOptions()) -> WorkspacePlan:
    """Plan the workspace's own volume: its default calendar's closed dates are forecast as 0
    and its ``shift_templates`` staff it (unless ``options.templates`` says otherwise)."""
    from supportops.calendar import BusinessCalendar

    history = workspace_volume(ws, parse_grain(options.grain), options.channel)
    name, calendar = ws.config.default_calendar, None
    if name is not None:
        calendar = BusinessCalendar.from_config(ws.config.calendars[name], name)
    closed = _closed(calendar, history, options)
    return plan_history(history, options, closed, list(ws.config.shift_templates))
