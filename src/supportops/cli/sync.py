"""``supportops connect``, ``supportops sync`` and ``supportops sources``: helpdesk accounts.

``sync`` shows progress per stream and every wait on a rate limit with its reason, then a table
per source (pages, records, rows written, events, quarantined, requests, waits). It exits 0 when
every named source synced, else 1 with one line per failed source; the others still sync.
"""

from __future__ import annotations

import functools
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from supportops.cli.options import WorkspaceOption
from supportops.errors import ConfigError, SupportOpsError

if TYPE_CHECKING:
    from supportops.connectors.runner import SourceReport, StreamReport
    from supportops.workspace import Workspace

__all__ = ["register"]

console = Console()  # replaced at the start of each command: a Console reads COLUMNS when made


class _Shown:
    """Tells the terminal each committed page and each wait."""

    def __init__(self, progress: Any) -> None:
        self.progress = progress
        self.tasks: dict[tuple[str, str], Any] = {}

    def page(self, source: str, stream: str, report: StreamReport) -> None:
        key = (source, stream)
        if key not in self.tasks:
            self.tasks[key] = self.progress.add_task(f"{source} · {stream}", total=None)
        self.progress.update(
            self.tasks[key],
            completed=report.records,
            description=f"{source} · {stream}: {report.pages:,} pages, {report.records:,} records",
        )

    def wait(self, source: str, stream: str, seconds: float, reason: str) -> None:
        self.progress.console.print(
            f"[yellow]waiting {seconds:.1f}s[/] {source} · {stream}: {reason}", highlight=False
        )


def _names(ws: Workspace, names: list[str] | None) -> list[str]:
    known = list(ws.config.sources)
    if not known:
        raise ConfigError(
            f"{ws.path}/supportops.yaml has no sources: add one with `supportops connect`",
            key="sources",
        )
    unknown = [n for n in names or [] if n not in known]
    if unknown:
        raise ConfigError(
            f"unknown source {unknown[0]!r}; known: {', '.join(known)}", key="sources"
        )
    return names or known


def _table(report: SourceReport) -> Table:
    table = Table(title=f"{report.source} ({report.vendor})", title_justify="left")
    for column in (
        "stream",
        "pages",
        "records",
        "new raw",
        "rows written",
        "events",
        "quarantined",
        "requests",
        "waits",
    ):
        table.add_column(column, justify="left" if column == "stream" else "right")
    for name, s in report.streams.items():
        waits = f"{s.waits} ({s.waited:.0f}s)" if s.waits else "0"
        table.add_row(
            name,
            *(
                f"{v:,}"
                for v in (
                    s.pages,
                    s.records,
                    s.raw_new,
                    s.rows,
                    s.events,
                    s.quarantined,
                    s.requests,
                )
            ),
            waits,
        )
    return table


def sync(
    names: Annotated[
        list[str] | None, typer.Argument(help="Sources to sync (default: all).")
    ] = None,
    full: Annotated[
        bool, typer.Option("--full", help="Ignore the cursors: read from start.")
    ] = False,
    since: Annotated[
        str | None, typer.Option("--since", help="Read every stream from this instant.")
    ] = None,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Remap the stored raw records; no request.")
    ] = False,
    workspace: WorkspaceOption = None,
) -> None:
    """Pull sources into the event log: incremental, one transaction per page."""
    from rich.progress import Progress, SpinnerColumn, TextColumn

    from supportops.connectors.runner import rebuild_source, sync_source
    from supportops.instants import parse_instant
    from supportops.metrics.incremental import refresh_changed
    from supportops.metrics.materialize import is_fresh
    from supportops.rules.live import on_events_of
    from supportops.workspace import Workspace

    failed: list[str] = []
    with Workspace.open(workspace) as ws:
        built = is_fresh(ws)  # the tables matched the data: bring the synced tickets' up to date
        rules = on_events_of(ws)  # the rules run on every page's events, in its transaction
        chosen = _names(ws, names)
        start = parse_instant(since, ws.config.report_timezone, ws.clock, key="--since")
        for name in chosen:
            source = ws.config.sources[name]
            if rebuild:
                done = rebuild_source(ws.store, name, source, clock=ws.clock)
                console.print(
                    f"{name}: rebuilt from raw records, {done.total('imported'):,} rows, "
                    f"{done.total('quarantined'):,} quarantined, no request"
                )
                continue
            with (
                ws.store.bulk_writes(memory=ws.config.limits.sync_memory),
                Progress(
                    SpinnerColumn(),
                    TextColumn("{task.description}"),
                    console=console,
                    transient=False,
                ) as progress,
            ):
                report = sync_source(
                    ws.store,
                    name,
                    source,
                    full=full,
                    since=start,
                    clock=ws.clock,
                    listener=_Shown(progress),
                    on_events=rules,
                )
            console.print(_table(report))
            if report.error:
                failed.append(report.error)
        if built:
            console.print(refresh_changed(ws).summary())
    for line in failed:
        Console(stderr=True).print(f"[bold red]error:[/] {line}", highlight=False, soft_wrap=True)
    if failed:
        sys.exit(1)


def sources(workspace: WorkspaceOption = None) -> None:
    """Each source: its last successful sync, lag, counts, cursors and last error."""
    from supportops.connectors.registry import vendor_of
    from supportops.store.sync_log import summaries
    from supportops.webhooks.status import liveness
    from supportops.workspace import Workspace

    with Workspace.open(workspace) as ws:
        names = _names(ws, None)
        now = ws.clock.now()
        live = {s.source: s for s in liveness(ws.store, ws.path, names)}
        table = Table()
        for column in (
            "source",
            "vendor",
            "last success",
            "lag",
            "tickets",
            "raw records",
            "streams with cursor",
            "history",
            "accounts",
            "articles",
            "newest event",
            "webhooks",
            "last error",
        ):
            table.add_column(column)
        for s in summaries(ws.store, names):
            vendor = ws.config.sources[s.source].vendor
            try:
                declared = vendor_of(vendor)
                enabled = ws.config.sources[s.source].enable
                history, accounts = declared.history_of(enabled), declared.accounts
                articles = f"{s.articles:,}: {declared.articles}"
            except SupportOpsError:
                history, accounts, articles = "not yet syncable", "", ""
            lag = f"{(now - s.last_success).total_seconds() / 60:.0f} min" if s.last_success else ""
            table.add_row(
                s.source,
                vendor,
                s.last_success.strftime("%Y-%m-%d %H:%M UTC") if s.last_success else "never",
                lag,
                f"{s.tickets:,}",
                f"{s.raw_records:,}",
                str(len(s.cursors)),
                history,
                accounts,
                articles,
                _moment(live[s.source].newest_event),
                live[s.source].counts_text(),
                s.last_error or "",
            )
    console.print(table)


def _moment(value: Any) -> str:
    from datetime import UTC

    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if value is not None else ""


def connect(
    vendor: Annotated[
        str, typer.Argument(help="zendesk, freshdesk, intercom, helpscout, salesforce.")
    ],
    name: Annotated[str, typer.Option("--name", help="The source's name (tickets.source).")],
    url: Annotated[
        str | None, typer.Option("--url", help="The account's base URL (to add a source).")
    ] = None,
    email: Annotated[str | None, typer.Option(help="Zendesk: the agent's e-mail.")] = None,
    token_env: Annotated[
        str | None, typer.Option(help="Environment variable holding the API token.")
    ] = None,
    api_key_env: Annotated[
        str | None, typer.Option(help="Freshdesk: environment variable holding the API key.")
    ] = None,
    client_id: Annotated[str | None, typer.Option(help="OAuth2 client id.")] = None,
    client_secret_env: Annotated[
        str | None, typer.Option(help="Environment variable holding the OAuth2 secret.")
    ] = None,
    start: Annotated[str | None, typer.Option(help="First day the first sync reads.")] = None,
    import_config: Annotated[
        bool,
        typer.Option(
            "--import-config",
            help="Print the vendor's calendars, SLA policies and status mapping as YAML to review.",
        ),
    ] = False,
    write: Annotated[
        bool, typer.Option("--write", help="With --import-config: add them to supportops.yaml.")
    ] = False,
    webhook: Annotated[
        bool,
        typer.Option("--webhook", help="Print the webhook's URL, secret and events to set up."),
    ] = False,
    register: Annotated[
        bool,
        typer.Option("--register", help="With --webhook: create it through the vendor's API."),
    ] = False,
    public_url: Annotated[
        str, typer.Option("--public-url", help="With --webhook: where `serve` is reachable.")
    ] = "http://localhost:8000",
    workspace: WorkspaceOption = None,
) -> None:
    """Check a helpdesk account's credentials with one request and add it to supportops.yaml;
    with --webhook, say how to set up its webhook (and --register it where the API allows)."""
    from supportops.config import CONFIG_FILE, SourceConfig, parse_config, read_yaml
    from supportops.connectors.setup import add_source, check_source
    from supportops.workspace import Workspace

    if webhook:
        from supportops.webhooks.setup import setup_webhook

        with Workspace.open(workspace) as ws:
            known = ws.config.sources.get(name)
        if known is not None:
            typer.echo(setup_webhook(name, public_url, known, register))
            return
    if url is None:
        raise ConfigError(f"--url is needed to add the source {name!r}", key="--url")

    auth = {
        "email": email,
        "token_env": token_env,
        "api_key_env": api_key_env,
        "client_id": client_id,
        "client_secret_env": client_secret_env,
    }
    settings: dict[str, Any] = {
        "vendor": vendor,
        "url": url,
        "auth": {k: v for k, v in auth.items() if v},
    }
    if start:
        settings["start"] = start
    source = SourceConfig.model_validate(settings)
    with Workspace.open(workspace) as ws:
        config_file = ws.path / CONFIG_FILE
        if name not in ws.config.sources:
            check_source(name, source)
            add_source(config_file, name, settings)
            parse_config(read_yaml(config_file), file=str(config_file))
        if import_config:
            _import_config(config_file, name, ws.config.sources.get(name, source), write)
            return
    console.print(
        f"{name}: the credentials work; added to {config_file}. Next: `supportops sync {name}`.",
        highlight=False,
    )
    if webhook:
        typer.echo(setup_webhook(name, public_url, source, register))


def _import_config(config_file: Any, name: str, source: Any, write: bool) -> None:
    import io

    from ruamel.yaml import YAML

    from supportops.config import parse_config, read_yaml
    from supportops.connectors.setup import merge_config, read_config

    proposed = read_config(name, source)
    text = io.StringIO()
    yaml = YAML(typ="safe")
    yaml.default_flow_style = False
    yaml.dump(proposed, text)
    typer.echo(f"# read from {name}; review before use\n{text.getvalue()}")
    if write:
        before = config_file.read_text(encoding="utf-8")
        merge_config(config_file, name, proposed)
        try:
            parse_config(read_yaml(config_file), file=str(config_file))
        except ConfigError:
            config_file.write_text(before, encoding="utf-8")  # never leave it broken
            raise
        console.print(f"added to {config_file}", highlight=False)


def _fresh(command: Any) -> Any:
    """``command``, printing to a Console made when it runs (the terminal's width then)."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        global console
        console = Console()
        return command(*args, **kwargs)

    return run


def register(app: typer.Typer) -> None:
    """Add ``connect``, ``sync`` and ``sources`` to ``app``."""
    app.command("connect")(_fresh(connect))
    app.command("sync")(_fresh(sync))
    app.command("sources")(_fresh(sources))
