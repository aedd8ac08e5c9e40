"""``supportops serve`` and ``supportops token create|list|revoke``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from supportops.cli.options import WorkspaceOption
from supportops.tokens import SCOPES, TOKEN_FILE

if TYPE_CHECKING:
    from supportops.tokens import TokenFile

__all__ = ["register"]

console = Console()
token_app = typer.Typer(help="API tokens: create (shown once), list, revoke.", no_args_is_help=True)


def _tokens(workspace: object) -> TokenFile:
    from supportops.tokens import TokenFile
    from supportops.workspace import Workspace, resolve_path

    folder = resolve_path(workspace)  # type: ignore[arg-type]
    Workspace.open(folder)  # a clear error when the folder is not a workspace
    return TokenFile.of_workspace(folder)


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers_log: Annotated[str, typer.Option("--log-level", help="uvicorn log level.")] = "info",
    alerts_every: Annotated[
        float, typer.Option("--alerts-every", help="Run the alert rules every SECONDS (0: off).")
    ] = 60.0,
    refresh: Annotated[
        bool,
        typer.Option(
            "--refresh/--no-refresh",
            help="Rebuild stale materialised facts and the SLA snapshot in the background "
            "(at start and after API imports).",
        ),
    ] = True,
    workspace: WorkspaceOption = None,
) -> None:
    """Serve the web app and REST API over the workspace (docs at /docs); evaluate the alert
    rules every minute; keep the materialised facts fresh; take signed webhooks at
    /webhooks/SOURCE, apply them, and sync each source on its schedule."""
    import uvicorn
    from threadpoolctl import threadpool_limits

    from supportops.web import create_app
    from supportops.workspace import resolve_path

    # Pages run on several threads at once: one BLAS thread each, or they spin against each
    # other (k-means and SVD of the Knowledge page took 3× as long with two threads each).
    threadpool_limits(1, user_api="blas")
    path = resolve_path(workspace)
    app = create_app(path, alert_interval=alerts_every or None, refresh=refresh, live=True)
    console.print(f"supportops on http://{host}:{port}/  (API docs: /docs, health: /healthz)")
    try:
        uvicorn.run(app, host=host, port=port, log_level=workers_log)
    finally:
        app.state.web.close()


@token_app.command("create")
def create(
    name: Annotated[str, typer.Option("--name", help="What the token is for.")],
    scope: Annotated[str, typer.Option("--scope", help=f"One of {', '.join(SCOPES)}.")] = "read",
    workspace: WorkspaceOption = None,
) -> None:
    """Create a token and print it once; only its SHA-256 is kept (in access.sqlite)."""
    record, secret = _tokens(workspace).create(name, scope)
    typer.echo(secret)
    Console(stderr=True).print(
        f"token [bold]{record.name}[/] ({record.scope}, id {record.id}) — copy it now; "
        f"it is not stored, only its hash in {TOKEN_FILE}.",
        highlight=False,
    )


@token_app.command("list")
def list_(workspace: WorkspaceOption = None) -> None:
    """List tokens: id, name, scope, creation time (never the secret)."""
    table = Table(title="API tokens")
    for column in ("id", "name", "scope", "created_at"):
        table.add_column(column)
    for record in _tokens(workspace).records():
        table.add_row(record.id, record.name, record.scope, record.created_at)
    console.print(table)


@token_app.command("revoke")
def revoke(
    key: Annotated[str, typer.Argument(help="The token's id or name.")],
    workspace: WorkspaceOption = None,
) -> None:
    """Revoke a token by id or name; the server refuses it from its next request."""
    for record in _tokens(workspace).revoke(key):
        console.print(f"revoked {record.name} ({record.scope}, id {record.id})")


def register(app: typer.Typer) -> None:
    """Add ``serve`` and ``token`` to ``app``."""
    app.command()(serve)
    app.add_typer(token_app, name="token")
