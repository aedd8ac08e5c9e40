"""``supportops webhooks list|retry``: the webhook inbox, readable while ``serve`` runs.

The inbox is ``webhooks.sqlite`` (:mod:`supportops.webhooks.inbox`), apart from the store, so
these commands never open the store.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from supportops.cli.options import WorkspaceOption

if TYPE_CHECKING:
    from supportops.webhooks.inbox import Inbox

__all__ = ["register"]

webhooks_app = typer.Typer(
    help="Webhook deliveries: list the recent ones with their state, retry the failed ones.",
    no_args_is_help=True,
)
COLUMNS = ("received_at", "source", "state", "event", "ticket_id", "delivery_id", "error")


def _inbox(workspace: Path | None) -> Inbox:
    from supportops.webhooks.inbox import Inbox
    from supportops.workspace import Workspace

    ws = Workspace.open(workspace)  # a clear error when the folder is not a workspace
    return Inbox.of_workspace(ws.path)


@webhooks_app.command("list")
def list_(
    source: Annotated[str | None, typer.Option("--source", help="Only this source.")] = None,
    state: Annotated[
        str | None,
        typer.Option("--state", help="Only this state: received, applied, failed, rejected."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="How many, newest first.")] = 50,
    format: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    workspace: WorkspaceOption = None,
) -> None:
    """The newest deliveries: when received, source, state (received, applied, failed with its
    error, rejected with the reason), event, ticket and delivery id."""
    import pandas as pd

    from supportops.cli.output import print_table
    from supportops.errors import InputError
    from supportops.webhooks.inbox import STATES

    if state is not None and state not in STATES:
        raise InputError(f"--state {state!r}: expected one of {', '.join(STATES)}", column="state")
    inbox = _inbox(workspace)
    rows = inbox.recent(limit, source, state)  # type: ignore[arg-type]
    inbox.close()
    records = [{c: getattr(r, c) for c in COLUMNS} for r in rows]
    if format == "json":
        typer.echo(json.dumps(records, indent=2))
        return
    if not records:
        Console().print("no webhook deliveries yet")
        return
    print_table(pd.DataFrame.from_records(records, columns=COLUMNS), title="Webhook deliveries")


@webhooks_app.command("retry")
def retry(
    source: Annotated[str | None, typer.Option("--source", help="Only this source.")] = None,
    delivery: Annotated[
        str | None, typer.Option("--delivery", help="Only the delivery with this id.")
    ] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Make failed deliveries received again; a running ``serve`` applies them within seconds
    (else the next ``serve`` does)."""
    inbox = _inbox(workspace)
    count = inbox.retry(source, delivery)
    inbox.close()
    Console().print(f"{count:,} failed deliveries will be applied again")


def register(app: typer.Typer) -> None:
    """Add ``webhooks`` to ``app``."""
    app.add_typer(webhooks_app, name="webhooks")
