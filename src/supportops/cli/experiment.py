"""``supportops experiment list|assign|analyze|plan``: the experiments of ``supportops.yaml``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from supportops.cli.options import WorkspaceOption

if TYPE_CHECKING:
    from supportops.workspace import Workspace

if TYPE_CHECKING:
    from supportops.experiments.analysis import MetricSpec

__all__ = ["register"]

console = Console()
experiment_app = typer.Typer(
    help="Experiments: assign arms, analyze results with intervals, plan their length.",
    no_args_is_help=True,
)
NameArgument = Annotated[str, typer.Argument(help="The experiment's name in supportops.yaml.")]


@experiment_app.command("list")
def list_(workspace: WorkspaceOption = None) -> None:
    """The experiments of supportops.yaml: unit, arms, days and primary metric."""
    table = Table(title="Experiments")
    for column in ("name", "unit", "arms", "days", "primary", "guardrails"):
        table.add_column(column)
    from supportops.workspace import Workspace

    for e in Workspace.open(workspace).config.experiments:
        arms = ", ".join(f"{a} {w:g}" for a, w in e.arms.items())
        guards = ", ".join(g.metric for g in e.guardrails)
        table.add_row(e.name, e.unit, arms, f"{e.start} – {e.end}", e.primary, guards)
    console.print(table)


@experiment_app.command("assign")
def assign(name: NameArgument, workspace: WorkspaceOption = None) -> None:
    """Assign every ticket of the experiment's days to an arm and store the arms."""
    from supportops.experiments.assignment import assign as run
    from supportops.workspace import Workspace

    with Workspace.open(workspace) as ws:
        found = run(ws, name)
    table = Table(title=f"Assignment of {name}")
    for column in ("arm", "tickets", "units"):
        table.add_column(column, justify="left" if column == "arm" else "right")
    for arm, count in found.tickets.items():
        table.add_row(arm, f"{count:,}", f"{found.units[arm]:,}")
    console.print(table)
    console.print(
        f"tickets without a unit id: {found.unassigned:,}; in carry-over slots: "
        f"{found.carryover:,}; sample ratio p = {found.ratio.p_value:.3g}"
        + (" — MISMATCH" if found.ratio.failed else " (healthy)")
    )


_PLANS = {
    "independent": "tickets independent",
    "clustered": "whole units resampled",
    "by_unit": "unit summaries compared",
}


def _fmt(value: float, unit: str, currency: str) -> str:
    from supportops.numbers import fmt

    return "—" if value != value else fmt(value, unit, currency)


@experiment_app.command("analyze")
def analyze(name: NameArgument, workspace: WorkspaceOption = None) -> None:
    """Each metric, arm against control: the difference and its 95% interval; the verdict."""
    from supportops.experiments.results import analyze as run
    from supportops.workspace import Workspace

    with Workspace.open(workspace, read_only=True) as ws:
        result = run(ws, name)
        currency = ws.config.currency
    a = result.analysis
    table = Table(title=f"{name}: arm against control ({_PLANS[a.plan]})")
    for column in ("metric", "arm", "control", "arm value", "difference (95% interval)", "outcome"):
        table.add_column(column, justify="right" if column in ("control", "arm value") else "left")
    for r in a.results:
        iv, unit = r.interval, r.spec.unit
        role = "" if r.spec.role == "primary" else " (guardrail)"
        est, low, high = (_fmt(v, unit, currency) for v in (iv.estimate, iv.low, iv.high))
        span = f"{est} ({low} to {high})"
        table.add_row(
            r.spec.label + role,
            r.arm,
            _fmt(r.control_value, unit, currency),
            _fmt(r.arm_value, unit, currency),
            span,
            "BREACH" if r.breached else r.outcome,
        )
    console.print(table)
    methods = sorted({r.interval.method for r in a.results})
    ratio = a.ratio
    console.print(
        f"methods: {', '.join(methods)}; units per arm "
        f"{', '.join(f'{c:,}' for c in ratio.counts)}; sample ratio p = {ratio.p_value:.3g}",
        soft_wrap=True,
    )
    console.print(f"[bold]verdict: {a.status}[/] — {a.verdict}", soft_wrap=True)


@experiment_app.command("plan")
def plan(
    name: NameArgument,
    effect: Annotated[
        float | None,
        typer.Option("--effect", help="Relative change to detect: -0.1 is 10% lower."),
    ] = None,
    days: Annotated[
        float | None, typer.Option("--days", help="Days the experiment would run.")
    ] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Days needed to detect --effect, or the effect detectable in --days (default: the
    experiment's own days), simulated on the primary metric's history."""
    from supportops.experiments.planning import plan_experiment
    from supportops.workspace import Workspace

    with Workspace.open(workspace, read_only=True) as ws:
        found = plan_experiment(ws, name, effect=effect, days=days)
        unit = next(s.unit for s in checked_specs(ws, name))
        baseline = _fmt(found.baseline, unit, ws.config.currency)
    console.print(
        f"{name}: {found.per_arm:,} tickets per arm over {found.days:,.1f} days detect a "
        f"{found.effect:+.1%} change of the primary metric (now {baseline}) with "
        f"{found.power:.0%} power ({found.simulations:,} simulated experiments on its history)",
        soft_wrap=True,
    )


def checked_specs(ws: Workspace, name: str) -> list[MetricSpec]:
    """The experiment's metrics as the analysis compares them."""
    from supportops.experiments.design import checked, find

    return list(checked(find(ws.config.experiments, name), ws.config.report_timezone).specs)


def register(app: typer.Typer) -> None:
    """Add ``experiment`` to ``app``."""
    app.add_typer(experiment_app, name="experiment")
