"""SLA commands: ``supportops sla`` lists every target instance; ``summary``, ``at-risk``,
``compare`` and ``gaming`` answer the questions an operations manager asks of them.

Timestamps are written as ISO 8601 UTC (``2026-03-02T09:00:00Z``); ``--as-of`` defaults to now
and is read by :mod:`supportops.instants` (a naive instant in the report time zone). When the
data ends long before that instant (``stale_after``), a note on stderr says so.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from supportops.cli.options import (
    FromOption,
    PeriodOption,
    ToOption,
    WorkspaceOption,
    as_of_of,
    days_of,
    note_if_stale,
    seconds_of,
)
from supportops.cli.output import FormatOption, OutputOption, Units, print_table

if TYPE_CHECKING:
    import pandas as pd

    from supportops.config import WorkspaceConfig
    from supportops.workspace import Workspace

__all__ = ["register", "sla_app"]

console = Console()
notes = Console(stderr=True)
FORMATS = ("table", "csv", "json", "parquet")
# The columns a narrow terminal shows first: which target of which ticket, how it stands.
FIRST = (
    "ticket_id",
    "target",
    "status",
    "status_before",
    "status_after",
    "compliance",
    "compliance_before",
    "compliance_after",
    "change",
    "elapsed_seconds",
    "target_seconds",
    "due_in_seconds",
)
sla_app = typer.Typer(
    help="SLA target instances, compliance, at-risk tickets, what-ifs and the pending check.",
    invoke_without_command=True,
    no_args_is_help=False,
)

AsOf = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Evaluate at this instant (default: now): 2026-11-23T09:00 (report time zone), "
        "2026-11-23T09:00Z, -2h, yesterday.",
    ),
]
Policies = Annotated[
    Path | None,
    typer.Option("--policies", help="YAML file with sla_policies (and calendars) to use instead."),
]
Format = FormatOption
Out = OutputOption
Limit = Annotated[int, typer.Option(help="Rows shown by --format table.")]
By = Annotated[
    list[str] | None,
    typer.Option("--by", help="Dimension(s): channel, priority, group, policy, month, ..."),
]


def _as_of(ws: Workspace, text: str | None) -> pd.Timestamp:
    """The instant of ``--as-of`` (default: now); a note when the data ends long before."""
    import pandas as pd

    from supportops.sla.workspace import now

    moment = as_of_of(ws, text) or now(ws)
    note_if_stale(ws, moment)
    return pd.Timestamp(moment)


def _config(ws: Workspace, policies: Path | None) -> WorkspaceConfig:
    from supportops.sla import config_with_policies

    return config_with_policies(ws.config, policies) if policies else ws.config


def _dims(by: list[str] | None) -> list[str]:
    return [part.strip() for item in by or [] for part in item.split(",") if part.strip()]


def _iso(frame: pd.DataFrame) -> pd.DataFrame:
    """Timestamps as ISO 8601 UTC text (``Z``), missing ones empty."""
    import pandas as pd

    out = frame.copy()
    for name in out.columns:
        if isinstance(out[name].dtype, pd.DatetimeTZDtype):
            text = out[name].dt.tz_convert("UTC").dt.strftime("%Y-%m-%dT%H:%M:%SZ")
            out[name] = text.astype(object).where(out[name].notna(), None)
    return out


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    import pandas as pd

    clean = _iso(frame).astype(object)
    return [
        {
            str(k): (None if pd.isna(v) else v.item() if hasattr(v, "item") else v)
            for k, v in row.items()
        }
        for row in clean.where(clean.notna(), None).to_dict("records")
    ]


def units_of(ws: Workspace) -> Units:
    """Tables show times in the report time zone and money in the workspace's currency."""
    return Units(zone=ws.config.report_timezone, currency=ws.config.currency)


def emit(
    frame: pd.DataFrame,
    fmt: str,
    out: Path | None,
    title: str = "",
    limit: int = 50,
    units: Units | None = None,
) -> None:
    """Write ``frame`` as a table (in the manager's units), CSV, JSON (records) or Parquet, to
    ``out`` or stdout."""
    from supportops.spreadsheet import safe_frame

    if fmt not in FORMATS:
        raise typer.BadParameter(f"expected one of {', '.join(FORMATS)}", param_hint="--format")
    if fmt == "table":
        print_table(frame, title, units, limit, first=FIRST)
        return
    if fmt == "parquet":
        if out is None:
            raise typer.BadParameter("parquet needs --output FILE", param_hint="--format")
        frame.to_parquet(out, index=False)
        return
    text = (
        json.dumps(_records(frame), indent=1)
        if fmt == "json"
        else safe_frame(_iso(frame)).to_csv(index=False)
    )
    if out is not None:
        out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


@sla_app.callback()
def instances(
    ctx: typer.Context,
    as_of: AsOf = None,
    policies: Policies = None,
    fmt: Format = "table",
    out: Out = None,
    limit: Limit = 50,
    store: Annotated[
        bool, typer.Option("--store", help="Also replace the store table sla_instances.")
    ] = False,
    start: FromOption = None,
    end: ToOption = None,
    period: PeriodOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Every SLA target instance: started, stopped, elapsed on the target's clock, status.
    ``--from/--to/--period`` keep the targets that started on those days (``--store`` always
    stores every instance)."""
    if ctx.invoked_subcommand is not None:
        return
    from supportops.metrics.sla_source import store_snapshot
    from supportops.sla import COLUMNS, evaluate_workspace, store_instances
    from supportops.sla.report import started_within
    from supportops.workspace import Workspace

    with Workspace.open(workspace) as ws:
        first, last = days_of(ws, start, end, period)
        moment = _as_of(ws, as_of)
        found = evaluate_workspace(ws, moment, config=_config(ws, policies))
        if store and policies is None:
            store_snapshot(ws, found, moment.to_pydatetime())
        elif store:
            store_instances(ws, found)
        shown = started_within(found, first, last, ws.config.report_timezone)
    emit(shown[[*COLUMNS, "source"]], fmt, out, "SLA target instances", limit, units_of(ws))


@sla_app.command("summary")
def summary_(
    by: By = None,
    as_of: AsOf = None,
    policies: Policies = None,
    fmt: Format = "table",
    out: Out = None,
    start: FromOption = None,
    end: ToOption = None,
    period: PeriodOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Compliance per target (and dimension): achieved / (achieved + breached), of the targets
    that started on the days of ``--from/--to/--period`` (default: all)."""
    from supportops.sla import evaluate_workspace, summary
    from supportops.sla.report import started_within
    from supportops.sla.store import load_inputs
    from supportops.workspace import Workspace

    with Workspace.open(workspace) as ws:
        first, last = days_of(ws, start, end, period)
        zone = ws.config.report_timezone
        inputs = load_inputs(ws.store)
        found = evaluate_workspace(
            ws, _as_of(ws, as_of), config=_config(ws, policies), inputs=inputs
        )
        found = started_within(found, first, last, zone)
        table = summary(found, inputs.tickets, _dims(by), zone)
    emit(table, fmt, out, "SLA compliance", len(table) or 1, units_of(ws))


@sla_app.command("at-risk")
def at_risk_(
    within: Annotated[str, typer.Option(help="How soon: 30m, 2h, 1d.")] = "2h",
    as_of: AsOf = None,
    policies: Policies = None,
    fmt: Format = "table",
    out: Out = None,
    limit: Limit = 50,
    workspace: WorkspaceOption = None,
) -> None:
    """Active targets that breach within --within, soonest first."""
    from supportops.metrics.staleness import stale_data
    from supportops.sla import COLUMNS, at_risk, evaluate_workspace
    from supportops.workspace import Workspace

    seconds = seconds_of(within, "--within")
    with Workspace.open(workspace) as ws:
        moment = _as_of(ws, as_of)
        found = evaluate_workspace(ws, moment, config=_config(ws, policies))
        stale = stale_data(ws, moment.to_pydatetime())
        if stale is not None and as_of is None:
            then = evaluate_workspace(ws, stale.end, config=_config(ws, policies))
            count = len(at_risk(then, seconds, stale.end))
            notes.print(
                f"note: with --as-of {stale.as_of}, {count:,} targets are due within {within}",
                markup=False,
                highlight=False,
            )
    risky = at_risk(found, seconds, moment)
    shown = risky[[*COLUMNS, "source", "due_in_seconds"]]
    emit(shown, fmt, out, "About to breach", limit, units_of(ws))


@sla_app.command("compare")
def compare_(
    policies: Annotated[Path, typer.Option("--policies", help="The new policies (YAML).")],
    by: By = None,
    as_of: AsOf = None,
    fmt: Format = "table",
    out: Out = None,
    changes_out: Annotated[
        Path | None, typer.Option("--changes-out", help="Write the changed instances (CSV).")
    ] = None,
    limit: Limit = 20,
    workspace: WorkspaceOption = None,
) -> None:
    """Replay all history under new policies: compliance before and after, and what changes."""
    from supportops.sla import compare_workspace
    from supportops.spreadsheet import safe_frame
    from supportops.workspace import Workspace

    with Workspace.open(workspace) as ws:
        result = compare_workspace(ws, _config(ws, policies), _as_of(ws, as_of), _dims(by))
    if changes_out is not None:
        safe_frame(_iso(result.changes)).to_csv(changes_out, index=False)
    if fmt == "json":
        payload = {"compliance": _records(result.compliance), "changes": _records(result.changes)}
        text = json.dumps(payload, indent=1)
        _ = out.write_text(text, encoding="utf-8") if out else sys.stdout.write(text + "\n")
        return
    units = units_of(ws)
    title = "Compliance before and after"
    emit(result.compliance, fmt, out, title, len(result.compliance) or 1, units)
    if fmt == "table":
        changed = f"{len(result.changes):,} instances change"
        emit(result.changes, "table", None, changed, limit, units)


@sla_app.command("gaming")
def gaming_(
    window: Annotated[
        str, typer.Option(help="Business time left before the breach: 30m, 1h.")
    ] = "1h",
    by_agent: Annotated[bool, typer.Option("--by-agent", help="Count per agent.")] = False,
    as_of: AsOf = None,
    policies: Policies = None,
    fmt: Format = "table",
    out: Out = None,
    limit: Limit = 50,
    workspace: WorkspaceOption = None,
) -> None:
    """Tickets an agent put into pending shortly before a pausing target would breach."""
    from supportops.sla import gaming_workspace
    from supportops.workspace import Workspace

    seconds = seconds_of(window, "--window")
    with Workspace.open(workspace) as ws:
        found = gaming_workspace(ws, seconds, _as_of(ws, as_of), _config(ws, policies))
    if by_agent:
        found = (
            found.groupby("agent_id", dropna=False)
            .agg(changes=("ticket_id", "size"), tickets=("ticket_id", "nunique"))
            .sort_values("changes", ascending=False)
            .reset_index()
        )
    emit(
        found.drop(columns=["ticket_row"], errors="ignore"),
        fmt,
        out,
        "Pending near a breach",
        limit,
        units_of(ws),
    )


def register(app: typer.Typer) -> None:
    """Add ``supportops sla`` and its sub-commands."""
    app.add_typer(sla_app, name="sla")
