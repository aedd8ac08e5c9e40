"""``supportops report``: the executive report of a period, as HTML or PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from supportops.cli.options import WorkspaceOption

__all__ = ["register"]

console = Console(stderr=True)


def report(
    period: Annotated[
        str,
        typer.Option(
            "--period",
            help="A month 2026-10, a quarter 2026-Q4, a week 2026-W43, or last month, ...",
        ),
    ],
    compare: Annotated[
        str, typer.Option("--compare", help="previous (the period before) or year (a year ago).")
    ] = "previous",
    fmt: Annotated[str, typer.Option("--format", help="html or pdf.")] = "pdf",
    out: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File to write (default: report-PERIOD.FORMAT)."),
    ] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """The executive report: KPIs against the previous period and targets, what moved and why,
    SLA, backlog risk, CSAT, cost per ticket and what automation saved."""
    from supportops.reports import build_report, parse_period, write_report
    from supportops.workspace import Workspace

    with Workspace.open(workspace, read_only=True) as ws:
        parsed = parse_period(period, ws.config.report_timezone, ws.clock)
        target = out or Path(f"report-{parsed.label}.{fmt}")
        built = build_report(ws, parsed, compare)
    write_report(built, target, fmt)
    console.print(
        f"report {parsed.label} (against {built.baseline.label}) written to [bold]{target}[/]",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Add ``report`` to ``app``."""
    app.command()(report)
