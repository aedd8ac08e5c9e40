"""QA commands: ``supportops qa scores``, ``categories``, ``calibration``, ``sample`` and
``import`` — IQS with its interval, the categories that fail most, grader agreement, the
review plan of a period, and reviews exported by Zendesk QA or MaestroQA; ``note`` and
``notes``, an agent's coaching notes; ``proficiency``, the time-to-proficiency curves of new
agents."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from supportops.cli.options import FromOption, PeriodOption, ToOption, WorkspaceOption, days_of
from supportops.cli.output import OutputOption
from supportops.instants import local_midnight

if TYPE_CHECKING:
    from supportops.workspace import Workspace

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["qa_app", "register"]

console = Console()
qa_app = typer.Typer(
    help="QA: IQS and category scores with intervals, calibration, review plans, imports.",
    no_args_is_help=True,
)
By = Annotated[
    list[str] | None,
    typer.Option("--by", help="agent_id (default), group, channel, period, reviewer_id."),
]
Grain = Annotated[str, typer.Option("--grain", help="Period of --by period: day, week, month.")]
Format = Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")]
Out = OutputOption


def _range(
    ws: Workspace, start: str | None, end: str | None, period: str | None
) -> tuple[datetime | None, datetime | None]:
    """The UTC instants of the local days of --from/--to or --period (end exclusive)."""
    first, last = days_of(ws, start, end, period)
    zone = ws.config.report_timezone
    low = local_midnight(first, zone) if first else None
    high = local_midnight(last + timedelta(days=1), zone) if last else None
    return low, high


def _emit(frame: pd.DataFrame, fmt: str, out: Path | None, title: str) -> None:
    if fmt == "csv":
        text = frame.to_csv(index=False)
    elif fmt == "json":
        text = frame.to_json(orient="records", date_format="iso", indent=1) or ""
    elif fmt == "table":
        table = Table(title=title)
        for name in frame.columns:
            table.add_column(
                str(name), justify="right" if frame[name].dtype.kind in "fiu" else "left"
            )
        for row in frame.itertuples(index=False):
            table.add_row(*(_cell(v) for v in row))
        console.print(table)
        return
    else:
        raise typer.BadParameter(f"--format: expected table, csv or json, not {fmt!r}")
    if out:
        out.write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=False)


def _cell(value: object) -> str:
    if isinstance(value, float):
        if value != value:
            return ""
        return f"{value:.3f}" if abs(value) < 1.5 and value != 0 else f"{value:.1f}"
    return "" if value is None else str(value)


@qa_app.command("scores")
def scores(
    by: By = None,
    grain: Grain = "week",
    start: FromOption = None,
    end: ToOption = None,
    period: PeriodOption = None,
    fmt: Format = "table",
    out: Out = None,
    workspace: WorkspaceOption = None,
) -> None:
    """IQS (mean review score, %) with its 95% t interval, per agent or another dimension."""
    from supportops.qa.workspace import iqs_table
    from supportops.workspace import Workspace

    with Workspace.open(workspace, read_only=True) as ws:
        low, high = _range(ws, start, end, period)
        frame = iqs_table(ws, _dims(by) or ["agent_id"], low, high, grain)
    _emit(frame.drop(columns=["sd"]), fmt, out, "IQS (%), 95% interval")


@qa_app.command("categories")
def categories(
    by: By = None,
    start: FromOption = None,
    end: ToOption = None,
    period: PeriodOption = None,
    fmt: Format = "table",
    out: Out = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Scores by category (%, no critical zeroing), lowest first, with 95% intervals."""
    from supportops.qa.workspace import category_table
    from supportops.workspace import Workspace

    with Workspace.open(workspace, read_only=True) as ws:
        low, high = _range(ws, start, end, period)
        frame = category_table(ws, _dims(by), low, high)
    _emit(frame.drop(columns=["sd"]), fmt, out, "Scores by category (%)")


@qa_app.command("calibration")
def calibration(
    target: Annotated[
        float, typer.Option(help="Interval half-width of alpha to size the sessions for.")
    ] = 0.12,
    fmt: Format = "table",
    workspace: WorkspaceOption = None,
) -> None:
    """Krippendorff's alpha per category over the calibration sessions, its bootstrap
    interval, the conversations an interval of ± TARGET needs, and each grader's bias."""
    import pandas as pd

    from supportops.qa.workspace import calibration as run
    from supportops.workspace import Workspace

    with Workspace.open(workspace, read_only=True) as ws:
        found = run(ws, target)
    frame = pd.DataFrame(
        [
            {
                "category": a.category,
                "level": a.level,
                "alpha": round(a.alpha, 3),
                "low": round(a.low, 3),
                "high": round(a.high, 3),
                "conversations": a.units,
                "needed": a.needed,
                "reliable": "yes" if a.reliable else "no: < 0.667",
            }
            for a in found.categories
        ]
    )
    title = f"Agreement: {found.sessions} sessions, {found.conversations} conversations"
    _emit(frame, fmt, None, title)
    if fmt == "table":
        _emit(found.bias, fmt, None, "Grader bias against the others (points; − = stricter)")


@qa_app.command("auto")
def auto(fmt: Format = "table", workspace: WorkspaceOption = None) -> None:
    """Auto-QA rule checks (qa.auto) and text checks (qa.text) against the human consensus on
    the calibration set: a check counts only where alpha(auto, humans) >= 0.667 and >= the
    humans' own alpha."""
    import pandas as pd

    from supportops.qa.workspace import auto_agreement
    from supportops.workspace import Workspace

    with Workspace.open(workspace, read_only=True) as ws:
        found = auto_agreement(ws)
    frame = pd.DataFrame(
        [
            {
                "check": a.check,
                "kind": a.kind,
                "category": a.category,
                "alpha_auto": round(a.alpha_auto, 3),
                "alpha_humans": round(a.alpha_humans, 3),
                "conversations": a.units,
                "status": a.status,
            }
            for a in found
        ],
        columns=[
            "check",
            "kind",
            "category",
            "alpha_auto",
            "alpha_humans",
            "conversations",
            "status",
        ],
    )
    _emit(frame, fmt, None, "Auto-QA checks against the graders")


@qa_app.command("proficiency")
def proficiency(
    grain: Annotated[
        str, typer.Option("--grain", help="Start cohort: day, week, month or quarter.")
    ] = "month",
    fmt: Format = "table",
    out: Out = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Time-to-proficiency: IQS and handle time of agents by start cohort and week of tenure,
    and each cohort's weeks to reach qa.target (a start is the agent's first activity)."""
    import pandas as pd

    from supportops import numbers
    from supportops.qa.workspace import GRAINS
    from supportops.qa.workspace import proficiency as run
    from supportops.workspace import Workspace

    if grain not in GRAINS:
        raise typer.BadParameter(f"expected one of {', '.join(GRAINS)}, not {grain!r}")
    with Workspace.open(workspace, read_only=True) as ws:
        found = run(ws, grain)
    curve = found.curve.assign(cohort=found.curve["cohort"].dt.date.astype(str))
    if fmt != "table":
        _emit(curve, fmt, out, "")
        return
    shown = curve.assign(aht=[numbers.fmt(v, "seconds") for v in curve["aht"]])
    _emit(shown, fmt, None, "IQS (%) and AHT by start cohort and week of tenure")
    weeks = found.cohorts.assign(
        cohort=found.cohorts["cohort"].dt.date.astype(str),
        weeks=[f"{w}" if not pd.isna(w) else "not yet" for w in found.cohorts["weeks"]],
    )
    _emit(weeks, fmt, None, f"Weeks to proficiency (IQS stays at or above {found.target:.0f}%)")
    console.print(
        "A start is the agent's first activity in the log; "
        f"{found.left_out} agents active from its first week are left out.",
        highlight=False,
    )


@qa_app.command("sample")
def sample(
    start: FromOption = None,
    end: ToOption = None,
    period: PeriodOption = None,
    reviewer: Annotated[
        list[str] | None, typer.Option("--reviewer", help="A reviewer to assign (repeat).")
    ] = None,
    quota: Annotated[
        int | None,
        typer.Option(help="Reviews per agent (default: sized for qa.precision at qa.score_sd)."),
    ] = None,
    minimum: Annotated[int, typer.Option(help="At least this many per stratum.")] = 1,
    risk: Annotated[int, typer.Option(help="Risk picks per agent, reported apart.")] = 2,
    seed: Annotated[int, typer.Option(help="Random seed of the draw.")] = 0,
    fmt: Format = "table",
    out: Out = None,
    workspace: WorkspaceOption = None,
) -> None:
    """The review plan of tickets solved in the period: a stratified random sample per agent
    (agent × channel × contact reason) for IQS, and risk picks apart, with reviewers."""
    from supportops.qa.workspace import sample_plan
    from supportops.workspace import Workspace

    with Workspace.open(workspace, read_only=True) as ws:
        low, high = _range(ws, start, end, period or (None if start or end else "last week"))
        if low is None or high is None:
            raise typer.BadParameter("give --period, or both --from and --to")
        frame = sample_plan(ws, low, high, reviewer or [], quota, minimum, risk, seed)
    if fmt == "table":
        counts = frame.groupby("kind").size().to_dict()
        console.print(
            f"{counts.get('sample', 0)} sampled for IQS, {counts.get('risk', 0)} risk picks "
            "(reviewed apart: they do not count towards IQS)",
            highlight=False,
        )
    shown = frame.drop(columns=["subject", "source", "stratum"]) if fmt == "table" else frame
    _emit(shown, fmt, out, "Review plan")


@qa_app.command("import")
def import_reviews(
    files: Annotated[list[Path], typer.Argument(help="Export files (CSV or JSONL).")],
    export: Annotated[str, typer.Option("--from", help="zendesk-qa or maestroqa.")],
    timezone: Annotated[
        str | None, typer.Option(help="Time zone of instants without an offset.")
    ] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Import reviews exported by Zendesk QA or MaestroQA into the reviews table."""
    from supportops.qa.exports import import_export
    from supportops.workspace import Workspace

    with Workspace.open(workspace) as ws:
        for path in files:
            report = import_export(ws.store, path, export, timezone)
            rep = report.table("reviews")
            console.print(
                f"{path}: {rep.imported} rating rows imported, {rep.updated} updated, "
                f"{rep.quarantined} quarantined",
                highlight=False,
            )


@qa_app.command("note")
def note(
    agent: Annotated[str, typer.Argument(help="The agent coached (as reviews name them).")],
    text: Annotated[str, typer.Option("--text", help="What was said and agreed.")],
    focus: Annotated[
        list[str] | None, typer.Option("--focus", help="A category the note is about (repeat).")
    ] = None,
    author: Annotated[
        str | None, typer.Option(help="Who coached (default: the system user).")
    ] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Add a coaching note for AGENT: the coaching page compares the scores after it."""
    import getpass

    from supportops.qa.notes import add_note
    from supportops.workspace import Workspace

    with Workspace.open(workspace) as ws:
        cards = ws.config.qa.scorecards
        who = author or getpass.getuser()
        found = add_note(ws.store, cards, agent, who, ws.clock.now(), text, focus or [])
    console.print(f"note {found} added for {agent}", highlight=False)


@qa_app.command("notes")
def notes(
    agent: Annotated[str, typer.Argument(help="The agent coached.")],
    fmt: Format = "table",
    workspace: WorkspaceOption = None,
) -> None:
    """The coaching notes of AGENT, newest first."""
    from supportops.qa.notes import agent_notes
    from supportops.workspace import Workspace

    with Workspace.open(workspace, read_only=True) as ws:
        frame = agent_notes(ws.store, agent)
    frame["focus"] = frame["focus"].map(", ".join)
    _emit(frame[["at", "author", "focus", "text", "note_id"]], fmt, None, f"Notes of {agent}")


def _dims(by: list[str] | None) -> list[str]:
    return [part.strip() for item in by or [] for part in item.split(",") if part.strip()]


def register(app: typer.Typer) -> None:
    """Add the ``qa`` command group."""
    app.add_typer(qa_app, name="qa")
