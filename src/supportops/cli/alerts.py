"""``supportops alerts run|list|test``: evaluate the alert rules of ``supportops.yaml``."""

from __future__ import annotations

import logging
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from supportops.cli.options import WorkspaceOption, as_of_of
from supportops.errors import InputError

__all__ = ["register"]

console = Console()
alerts_app = typer.Typer(
    help="Alert rules: run them (sends what is new), list them, send a test message.",
    no_args_is_help=True,
)


@alerts_app.command("run")
def run(
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Evaluate at this instant (report time zone if naive)."),
    ] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Evaluate every rule now (or at --as-of) and deliver each new occurrence once."""
    from supportops.alerts.runner import run_alerts
    from supportops.workspace import Workspace

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    with Workspace.open(workspace) as ws:
        report = run_alerts(ws, as_of_of(ws, as_of))
    table = Table(title=f"Alerts at {report.at.isoformat()}")
    for column in ("rule", "status", "found", "sent", "error"):
        table.add_column(column)
    for o in report.outcomes:
        table.add_row(o.rule, o.status, str(o.found), str(o.sent), o.error or "")
    console.print(table if report.outcomes else "no alert rules in supportops.yaml")
    if report.failed:
        raise typer.Exit(1)


@alerts_app.command("list")
def list_(workspace: WorkspaceOption = None) -> None:
    """The rules of supportops.yaml: name, kind, settings and where they go."""
    from supportops.workspace import Workspace

    table = Table(title="Alert rules")
    for column in ("name", "kind", "settings", "deliver"):
        table.add_column(column)
    for rule in Workspace.open(workspace).config.alerts:
        skip = {"name", "kind", "deliver"}
        settings = ", ".join(
            f"{k}={v}" for k, v in rule.model_dump().items() if k not in skip and v
        )
        table.add_row(rule.name, rule.kind, settings, rule.deliver.describe())
    console.print(table)


@alerts_app.command("test")
def test(
    name: Annotated[str, typer.Argument(help="The rule whose delivery to test.")],
    workspace: WorkspaceOption = None,
) -> None:
    """Send a test message where the rule NAME delivers (the ledger is not touched)."""
    from supportops.alerts.deliver import Courier
    from supportops.workspace import Workspace

    ws = Workspace.open(workspace)
    rules = {r.name: r for r in ws.config.alerts}
    if name not in rules:
        raise InputError(f"no alert rule named {name!r} (known: {', '.join(rules) or 'none'})")
    text = f"supportops test message for alert rule {name!r} at {ws.clock.now():%Y-%m-%d %H:%M} UTC"
    Courier(folder=ws.path).send(rules[name].deliver, f"[supportops] test: {name}", text)
    console.print(f"sent a test message to {rules[name].deliver.describe()}")


def register(app: typer.Typer) -> None:
    """Add ``alerts`` to ``app``."""
    app.add_typer(alerts_app, name="alerts")
