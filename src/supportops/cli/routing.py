"""``supportops routing simulate``: each routing strategy replayed on a period's real tickets,
side by side — wait to assignment, service level, occupancy and how often a skilled agent took
a ticket that needed a skill (:mod:`supportops.workforce.routing`)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from supportops.cli.options import FromOption, PeriodOption, ToOption, WorkspaceOption, window_of
from supportops.cli.output import FormatOption, OutputOption, Units

if TYPE_CHECKING:
    pass

__all__ = ["register", "routing_app"]

routing_app = typer.Typer(
    help="Skills-based routing: each strategy replayed on history, side by side.",
    no_args_is_help=True,
)
StrategiesOption = Annotated[
    str | None,
    typer.Option(
        "--strategies",
        help="Comma-separated: round_robin, least_loaded, skills_first, skills_overflow "
        "(default: all four).",
        show_default=False,
    ),
]
_SHORT = {
    "wait_mean_seconds": "wait mean",
    "wait_median_seconds": "median",
    "wait_p90_seconds": "p90",
    "service_level": "in target",
    "share_skilled": "skilled",
}
# the most telling first, for a narrow terminal
_TABLE = ["strategy", "in target", "wait mean", "p90", "occupancy", "skilled", "unrouted"]
_TABLE += ["routed", "median", "tickets"]
_UNITS = {"wait mean": "seconds", "median": "seconds", "p90": "seconds"}
_UNITS |= {"in target": "rate", "occupancy": "rate", "skilled": "rate"}


def _strategies(text: str | None) -> list[str]:
    from supportops.errors import InputError
    from supportops.workforce.routing import STRATEGIES

    names = [n.strip() for n in (text or ",".join(STRATEGIES)).split(",") if n.strip()]
    for name in names:
        if name not in STRATEGIES:
            known = ", ".join(STRATEGIES)
            raise InputError(
                f"--strategies: unknown strategy {name!r} (expected {known})", key="--strategies"
            )
    return names


@routing_app.command("simulate")
def simulate(
    strategies: StrategiesOption = None,
    start: FromOption = None,
    end: ToOption = None,
    period: PeriodOption = None,
    fmt: FormatOption = "table",
    output: OutputOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Replay the period's tickets (created instant, skill needed, observed handle time) on the
    agents (skills, capacity, shifts) under each strategy: tickets routed, wait to assignment
    (mean, median, p90), service level (taken within routing.target), occupancy and the share a
    skilled agent took (default: the 28 days to the newest event)."""
    from supportops.cli.metrics import emit
    from supportops.numbers import fmt as number
    from supportops.workforce.routing import compare
    from supportops.workforce.routing_history import routing_history
    from supportops.workspace import Workspace

    names = _strategies(strategies)
    with Workspace.open(workspace, read_only=True) as ws:
        low, high = window_of(ws, start, end, period)
        config = ws.config.routing
        history = routing_history(ws, low, high, config)
        units = Units({}, ws.config.report_timezone, ws.config.currency)
    frame = compare(history, names, config.overflow_after, config.target)
    title = (
        f"Routing replayed on {low:%Y-%m-%d} to {high - timedelta(days=1):%Y-%m-%d}: "
        f"service level = taken within {number(config.target, 'seconds')}, "
        f"overflow after {number(config.overflow_after, 'seconds')}"
    )
    if fmt == "table":
        frame = frame.rename(columns=_SHORT)[_TABLE]
        units = Units(_UNITS, units.zone, units.currency)
    emit(frame, fmt, output, title, units)
    if fmt == "table":
        duty = "all the time" if history.shifts is None else "in their work shifts"
        skills = ", ".join(history.skills) or "none"
        Console().print(
            f"{len(history.agents)} agents on duty {duty}; skills: {skills}",
            markup=False,
            highlight=False,
        )


def register(app: typer.Typer) -> None:
    """Add ``routing`` to ``app``."""
    app.add_typer(routing_app, name="routing")
