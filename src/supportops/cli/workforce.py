"""Workforce commands: ``forecast``, ``staff erlang``, ``staff email`` and ``plan``."""

from __future__ import annotations

import json
import math
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer
from rich.console import Console
from typer.core import TyperCommand

from supportops.cli.options import WorkspaceOption, seconds_of
from supportops.cli.output import print_table
from supportops.errors import ConfigError, InputError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from supportops.workforce.erlang import SlDefinition
    from supportops.workforce.plan import ChannelSettings, Scenario
    from supportops.workforce.shifts import ShiftTemplate
    from supportops.workforce.staffing import StaffingTargets

__all__ = ["register"]

console = Console()
err = Console(stderr=True)
Format = Literal["table", "csv", "json", "parquet"]
Candidates = Literal["fast", "all"]


def _jsonable(value: Any) -> Any:
    import numpy as np
    import pandas as pd

    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    rows = frame.to_dict(orient="records")
    return [{str(k): _jsonable(v) for k, v in row.items()} for row in rows]


def _emit(
    frame: pd.DataFrame, fmt: Format, out: Path | None, extra: dict[str, Any] | None = None
) -> None:
    """Write ``frame`` as asked: JSON, CSV (stdout without --out), Parquet, or a table."""
    from supportops.spreadsheet import safe_frame

    if fmt == "json":
        text = json.dumps({**(extra or {}), "rows": _records(frame)})
        out.write_text(text, encoding="utf-8") if out else print(text)
    elif fmt == "csv":
        safe_frame(frame).to_csv(out if out else sys.stdout, index=False)
    elif fmt == "parquet":
        if out is None:
            raise InputError("--format parquet needs --output FILE")
        frame.to_parquet(out, index=False)
    else:
        print_table(frame, limit=200)


def _history(
    workspace: Path | None,
    from_csv: Path | None,
    y_column: str,
    channel: str | None,
    grain: pd.Timedelta,
) -> tuple[pd.DataFrame, Any]:
    """Volume history from a CSV, else from the workspace (with its default calendar)."""
    from supportops.workforce.volume import read_volume_csv

    if from_csv is not None:
        return read_volume_csv(from_csv, y_column, channel), None
    from supportops.calendar import BusinessCalendar
    from supportops.workforce.volume import read_volume_csv, workspace_volume
    from supportops.workspace import Workspace

    with Workspace.open(workspace, read_only=True) as ws:
        history = workspace_volume(ws, grain, channel)
        name = ws.config.default_calendar
        calendar = None
        if name is not None:
            calendar = BusinessCalendar.from_config(ws.config.calendars[name], name)
    return history, calendar


def forecast(
    channel: Annotated[
        str | None, typer.Option(help="Only this channel (or CSV unique_id).")
    ] = None,
    grain: Annotated[str, typer.Option(help="Interval length, e.g. 30min.")] = "30min",
    horizon: Annotated[str, typer.Option(help="How far ahead, e.g. 14d.")] = "14d",
    from_csv: Annotated[
        Path | None, typer.Option(help="CSV of ds, y (instead of the workspace).")
    ] = None,
    y_column: Annotated[str, typer.Option(help="The CSV's volume column.")] = "y",
    closed: Annotated[
        list[str] | None, typer.Option(help="A date forecast as 0 (repeatable).")
    ] = None,
    windows: Annotated[int, typer.Option(help="Backtest origins.")] = 4,
    format: Annotated[Format, typer.Option("--format", "-f")] = "table",
    out: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the forecast here.")
    ] = None,
    chart: Annotated[Path | None, typer.Option(help="Write a Vega-Lite chart spec here.")] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Forecast interval volume per channel; the model is chosen by a rolling-origin backtest."""
    import pandas as pd

    from supportops.workforce import charts
    from supportops.workforce.forecast import forecast as run_forecast
    from supportops.workforce.volume import closed_dates, parse_grain

    step, ahead = parse_grain(grain), pd.Timedelta(seconds=seconds_of(horizon, "--horizon"))
    history, calendar = _history(workspace, from_csv, y_column, channel, step)
    shut = [pd.Timestamp(d).date() for d in closed or []]
    if calendar is not None:
        end = history["ds"].max()
        shut += closed_dates(calendar, end + step, end + ahead)
    result = run_forecast(history, step, ahead, shut, windows)
    err.print(result.scores.to_string(index=False), highlight=False)
    if chart is not None:
        spec = charts.forecast_chart(
            history[history["ds"] > history["ds"].max() - pd.Timedelta(days=14)],
            result.frame,
            "Volume forecast",
        )
        chart.write_text(json.dumps(spec), encoding="utf-8")
    if format == "table":
        daily = result.frame.groupby(["unique_id", result.frame["ds"].dt.date])["y_hat"].sum()
        _emit(daily.reset_index(), format, out)
    else:
        _emit(result.frame, format, out, {"scores": _records(result.scores)})


def _forecast_csv(path: Path) -> pd.DataFrame:
    """A forecast CSV (``ds`` and ``y_hat`` or ``y``) with the volume column named ``volume``."""
    import pandas as pd

    try:
        frame = pd.read_csv(path)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read CSV: {exc}", file=str(path)) from exc
    column = "y_hat" if "y_hat" in frame.columns else "y"
    for needed in ("ds", column):
        if needed not in frame.columns:
            raise InputError(f"{path}: no column {needed!r}", file=str(path), column=needed)
    frame["ds"] = pd.to_datetime(frame["ds"])
    return frame.rename(columns={column: "volume"})


def _targets(
    sl: float | None,
    time: float,
    asa: float | None,
    occ: float | None,
    abandon: float | None,
    definition: SlDefinition,
) -> StaffingTargets:
    from supportops.workforce.staffing import StaffingTargets

    if sl is None and asa is None and occ is None and abandon is None:
        sl = 0.8
    try:
        return StaffingTargets(sl, time, asa, occ, abandon, definition)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc


def erlang(
    volume: Annotated[float | None, typer.Option(help="Contacts offered in the interval.")] = None,
    interval: Annotated[float, typer.Option(help="Interval length in seconds.")] = 1800,
    aht: Annotated[float, typer.Option(help="Average handle time, seconds.")] = 180,
    target_sl: Annotated[float | None, typer.Option(help="Service level, e.g. 0.8.")] = None,
    target_time: Annotated[float, typer.Option(help="…answered within seconds.")] = 20,
    target_asa: Annotated[float | None, typer.Option(help="Maximum ASA, seconds.")] = None,
    max_occupancy: Annotated[float | None, typer.Option(help="e.g. 0.85")] = None,
    max_abandon: Annotated[float | None, typer.Option(help="e.g. 0.05 (needs --patience)")] = None,
    patience: Annotated[
        float | None, typer.Option(help="Mean patience, seconds: Erlang A.")
    ] = None,
    shrinkage: Annotated[float, typer.Option(help="Share of paid time off the queue.")] = 0.0,
    concurrency: Annotated[int, typer.Option(help="Conversations per agent (chat).")] = 1,
    agents: Annotated[int | None, typer.Option(help="Metrics for this many agents.")] = None,
    sl_definition: Annotated[str, typer.Option(help="offered, answered, …")] = "offered",
    from_csv: Annotated[Path | None, typer.Option(help="Forecast CSV (ds, y_hat).")] = None,
    format: Annotated[Format, typer.Option("--format", "-f")] = "json",
    out: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the result here.")
    ] = None,
) -> None:
    """Agents for an SLA by Erlang C (Erlang A with --patience), or metrics with --agents."""
    import numpy as np
    import pandas as pd

    from supportops.workforce.erlang import Queue, queue_metrics
    from supportops.workforce.staffing import gross_up, required_agents

    definition: SlDefinition = sl_definition  # type: ignore[assignment]
    targets = _targets(target_sl, target_time, target_asa, max_occupancy, max_abandon, definition)
    frame = pd.DataFrame({"volume": [volume or 0.0]})
    if from_csv is not None:
        frame = _forecast_csv(from_csv)
    elif volume is None:
        raise typer.BadParameter("give --volume or --from-csv")
    queue = Queue(frame["volume"].to_numpy(float), aht, interval, patience, concurrency)
    n = np.full(len(frame), agents) if agents is not None else required_agents(queue, targets)
    m = queue_metrics(queue, n, target_time, definition)
    result = frame.assign(
        agents=n,
        scheduled=gross_up(n, shrinkage),
        service_level=m.service_level,
        asa=m.asa,
        occupancy=m.occupancy,
        probability_wait=m.probability_wait,
        abandon_rate=m.abandon_rate if m.abandon_rate is not None else np.nan,
    )
    if from_csv is None and format == "json":
        keys = [
            "agents",
            "scheduled",
            "service_level",
            "asa",
            "occupancy",
            "probability_wait",
            "abandon_rate",
        ]
        print(json.dumps({k: _jsonable(result[k].iloc[0]) for k in keys}))
        return
    _emit(result, format, out)


def _open_mask(frame: pd.DataFrame, calendar: str | None, workspace: Path | None) -> np.ndarray:
    import numpy as np
    import pandas as pd

    if calendar is None:
        model = frame["model"] if "model" in frame.columns else pd.Series("", index=frame.index)
        return np.asarray(model != "closed", dtype=bool)
    from supportops.calendar import BusinessCalendar
    from supportops.workspace import Workspace

    with Workspace.open(workspace, read_only=True) as ws:
        if calendar not in ws.config.calendars:
            raise ConfigError(f"no calendar {calendar!r} in supportops.yaml", key="calendars")
        cal = BusinessCalendar.from_config(ws.config.calendars[calendar], calendar)
    starts = pd.DatetimeIndex(pd.to_datetime(frame["ds"]))
    local = starts.tz_localize(cal.zone, ambiguous="NaT", nonexistent="shift_forward")
    valid = ~np.asarray(local.isna())
    is_open: np.ndarray = np.asarray(cal.is_open(local), dtype=bool) & valid
    return is_open


def email(
    from_csv: Annotated[Path, typer.Option(help="Forecast CSV (ds, y_hat[, model]).")],
    aht: Annotated[float, typer.Option(help="Handle time per item, seconds.")] = 300,
    share: Annotated[float, typer.Option(help="Share answered within the window.")] = 0.9,
    window: Annotated[str, typer.Option(help="Business-time window, e.g. 4h.")] = "4h",
    occupancy: Annotated[float, typer.Option(help="Productive share of an agent's time.")] = 0.85,
    shrinkage: Annotated[float, typer.Option(help="Share of paid time off the queue.")] = 0.0,
    calendar: Annotated[str | None, typer.Option(help="Workspace calendar of open hours.")] = None,
    format: Annotated[Format, typer.Option("--format", "-f")] = "table",
    out: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the result here.")
    ] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Agents so that a share of e-mail or tickets is answered within a business-time window."""
    import pandas as pd

    from supportops.workforce.backlog import BacklogTargets, staff_backlog

    frame = _forecast_csv(from_csv)
    column = "volume"
    mask = _open_mask(frame, calendar, workspace)
    step = float((frame["ds"].iloc[1] - frame["ds"].iloc[0]).total_seconds())
    targets = BacklogTargets(share, seconds_of(window, "--window"), occupancy)
    plan = staff_backlog(frame[column].to_numpy(float), aht, mask, step, targets, shrinkage)
    result = pd.DataFrame(
        {
            "ds": frame["ds"],
            "volume": frame[column],
            "open": mask,
            "agents": plan.agents,
            "scheduled": plan.scheduled,
            "backlog": plan.outcome.backlog,
            "on_time": plan.outcome.on_time,
        }
    )
    hours = float(plan.agents.sum() * step / 3600)
    _emit(result, format, out, {"share": plan.outcome.share, "agent_hours": hours})
    err.print(f"on time: {plan.outcome.share:.1%}; agent-hours {hours:,.1f}", highlight=False)


def _settings(path: Path | None, defaults: ChannelSettings) -> dict[str, ChannelSettings]:
    from supportops.config import read_yaml
    from supportops.workforce.plan import ChannelSettings

    if path is None:
        return {"*": defaults}
    raw = read_yaml(path) or {}
    try:
        return {str(k): ChannelSettings.model_validate(v) for k, v in raw.items()}
    except ValueError as exc:
        raise ConfigError(f"{path}: {exc}", file=str(path)) from exc


def _templates(path: Path | None) -> list[ShiftTemplate] | None:
    """The templates of ``--shifts``: a ``shift_templates:`` section or a bare list."""
    from supportops.config import read_yaml
    from supportops.workforce.shifts import read_shift_templates

    return None if path is None else read_shift_templates(read_yaml(path), str(path))


def _scenarios(what_if: list[str] | None) -> list[Scenario]:
    from supportops.workforce.plan import parse_what_if

    try:
        return [parse_what_if(text) for text in what_if or []]
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--what-if") from exc


_ASSIGNMENT = re.compile(r"^[A-Za-z_]+=")


class WhatIfCommand(TyperCommand):
    """Lets ``--what-if volume=+20% aht=-10%`` take every assignment that follows it as one
    what-if (as if quoted); each repeated ``--what-if`` is another what-if."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # typer's own click Context
        merged: list[str] = []
        for arg in args:
            previous = merged[-2] if len(merged) >= 2 else None
            joined = merged[-1].startswith("--what-if=") if merged else False
            if _ASSIGNMENT.match(arg) and (previous == "--what-if" or joined):
                merged[-1] = f"{merged[-1]} {arg}"
            else:
                merged.append(arg)
        return super().parse_args(ctx, merged)


def plan(
    from_csv: Annotated[
        Path | None, typer.Option(help="History CSV (instead of the workspace).")
    ] = None,
    y_column: Annotated[str, typer.Option(help="The CSV's volume column.")] = "y",
    channel: Annotated[str | None, typer.Option(help="Only this channel.")] = None,
    grain: Annotated[
        str | None, typer.Option(help="Interval length (default: the Plan page's, 30min).")
    ] = None,
    horizon: Annotated[
        str | None, typer.Option(help="Plan length, e.g. 14d (default: the Plan page's, 7d).")
    ] = None,
    candidates: Annotated[
        Candidates | None,
        typer.Option(help="Forecast models tried: fast (as the Plan page) or all (with MSTL)."),
    ] = None,
    settings: Annotated[Path | None, typer.Option(help="YAML: channel → settings.")] = None,
    shifts: Annotated[
        Path | None,
        typer.Option(
            help="YAML of shift templates (default: the workspace's, else round the clock)."
        ),
    ] = None,
    aht: Annotated[
        float | None, typer.Option(help="AHT, seconds (without --settings; default 180).")
    ] = None,
    patience: Annotated[float | None, typer.Option(help="Mean patience, seconds.")] = None,
    shrinkage: Annotated[
        float | None, typer.Option(help="Shrinkage (without --settings; default 0.3).")
    ] = None,
    what_if: Annotated[
        list[str] | None,
        typer.Option(help="A what-if, e.g. volume=+20% aht=-10% (repeat for several)."),
    ] = None,
    replications: Annotated[
        int | None, typer.Option(help="Simulation replications (default 10).")
    ] = None,
    format: Annotated[Format, typer.Option("--format", "-f")] = "table",
    out: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Folder for intervals, shifts, gaps, chart."),
    ] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Forecast → staffing → schedule → simulation, and each what-if compared with the base."""
    from supportops.spreadsheet import safe_frame
    from supportops.workforce.plan import (
        ChannelSettings,
        PlanOptions,
        compare,
        plan_history,
        plan_workspace,
    )
    from supportops.workforce.volume import read_volume_csv

    given: dict[str, Any] = {"aht": aht, "patience": patience, "shrinkage": shrinkage}
    defaults = ChannelSettings(**{k: v for k, v in given.items() if v is not None})
    chosen = _settings(settings, defaults)
    picked: dict[str, Any] = {
        "grain": grain,
        "horizon": horizon,
        "candidates": candidates,
        "replications": replications,
    }
    options = PlanOptions(
        channel=channel,
        settings=chosen,
        templates=_templates(shifts),
        scenarios=_scenarios(what_if),
        **{k: v for k, v in picked.items() if v is not None},
    )
    if from_csv is not None:
        result = plan_history(read_volume_csv(from_csv, y_column, channel), options)
    else:
        from supportops.workspace import Workspace

        with Workspace.open(workspace, read_only=True) as ws:
            result = plan_workspace(ws, options)
    if result.templates == "default":
        err.print("no shift_templates: planned with round-the-clock 8-hour shifts", highlight=False)
    summary, plans = result.summary, result.plans
    if out is not None:
        _write_plan(out, result.forecast.frame, plans)
        safe_frame(summary).to_csv(out / "summary.csv", index=False)
    changes = compare(summary)
    if format == "json":
        _emit(summary, format, None, {"comparison": _records(changes)})
    elif format in ("csv", "parquet"):
        _emit(summary, format, out / "summary.parquet" if out and format == "parquet" else None)
    else:
        wide = summary.set_index(["scenario", "channel"]).T
        wide.columns = [" · ".join(str(part) for part in column) for column in wide.columns]
        _emit(wide.rename_axis("metric").reset_index(), format, None)
        if len(changes):
            _emit(changes, format, None)


def _write_plan(folder: Path, forecast_frame: pd.DataFrame, plans: dict[str, Any]) -> None:
    import pandas as pd

    from supportops.spreadsheet import safe_frame
    from supportops.workforce import charts

    folder.mkdir(parents=True, exist_ok=True)
    safe_frame(forecast_frame).to_csv(folder / "forecast.csv", index=False)
    parts: dict[str, list[pd.DataFrame]] = {"intervals": [], "shifts": [], "gaps": []}
    for scenario, channel_plans in plans.items():
        for p in channel_plans:
            for name in parts:
                parts[name].append(getattr(p, name).assign(scenario=scenario, channel=p.channel))
    for name, frames in parts.items():
        safe_frame(pd.concat(frames, ignore_index=True)).to_csv(folder / f"{name}.csv", index=False)
    spec = charts.plan_chart(pd.concat(parts["intervals"]), "Heads required and scheduled")
    (folder / "plan.vl.json").write_text(json.dumps(spec), encoding="utf-8")


def register(app: typer.Typer) -> None:
    """Add ``forecast``, ``staff erlang|email`` and ``plan`` to ``app``."""
    app.command()(forecast)
    staff = typer.Typer(help="How many agents each interval needs.", no_args_is_help=True)
    staff.command()(erlang)
    staff.command()(email)
    app.add_typer(staff, name="staff")
    app.command(cls=WhatIfCommand)(plan)
