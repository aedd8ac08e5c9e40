"""Workspace commands: init, import, export, quarantine, status, demo and generate."""

from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from supportops.cli.options import WorkspaceOption
from supportops.errors import WorkspaceError
from supportops.model.schema import TABLES

if TYPE_CHECKING:
    from supportops.model.importer import ImportReport
    from supportops.workspace import Workspace

__all__ = ["register", "write_config"]

console = Console()
Format = Literal["table", "csv", "json"]


def write_config(folder: Path, template: str, package: str, force: bool) -> None:
    from supportops.config import CONFIG_FILE

    folder.mkdir(parents=True, exist_ok=True)
    target = folder / CONFIG_FILE
    if target.exists() and not force:
        raise WorkspaceError(
            f"{target} exists already (pass --force to overwrite)", path=str(folder)
        )
    text = resources.files(package).joinpath(template).read_text(encoding="utf-8")
    target.write_text(text, encoding="utf-8")


def init(
    folder: Annotated[Path, typer.Argument(help="Folder of the new workspace.")],
    force: Annotated[bool, typer.Option(help="Overwrite an existing supportops.yaml.")] = False,
) -> None:
    """Create a workspace: a commented supportops.yaml and the embedded store."""
    from supportops.config import CONFIG_FILE
    from supportops.workspace import Workspace

    write_config(folder, "supportops.yaml", "supportops.templates", force)
    with Workspace.open(folder) as ws:
        ws.store.count("tickets")
    console.print(
        f"Workspace ready in [bold]{folder}[/]: edit {folder / CONFIG_FILE}, then "
        f"`supportops import FILES --workspace {folder}`."
    )


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,} rows"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


def _run_import(
    ws: Workspace,
    paths: list[Path],
    timezone: str | None,
    mapping: str | None,
    source: str | None,
    table: str | None,
    encoding: str,
) -> ImportReport:
    from supportops.model.importer import import_files

    with _progress() as bar:
        tasks: dict[str, TaskID] = {}

        def advance(label: str, rows: int) -> None:
            if label not in tasks:
                tasks[label] = bar.add_task(Path(label.split(" (")[0]).name, total=None)
            bar.advance(tasks[label], rows)

        mapping_path = Path(mapping) if mapping else None
        return import_files(
            ws.store,
            paths,
            timezone=timezone,
            source=source,
            table=table,
            mapping=mapping_path,
            progress=advance,
            encoding=encoding,
            horizon_days=ws.config.imports.horizon_days,
        )


def print_report(report: ImportReport) -> None:
    """The end-of-import summary: per table, then quarantine reasons."""
    table = Table(title=f"Import {report.import_id}")
    for name in ("table", "read", "imported", "updated", "duplicates merged", "quarantined"):
        table.add_column(name, justify="left" if name == "table" else "right")
    for name, rep in report.tables.items():
        table.add_row(
            name,
            f"{rep.rows_read:,}",
            f"{rep.imported:,}",
            f"{rep.updated:,}",
            f"{rep.duplicates:,}",
            f"{rep.quarantined:,}",
        )
    console.print(table)
    for label, cols in report.ignored_columns.items():
        console.print(f"[yellow]ignored columns[/] in {label}: {', '.join(cols)}")
    if report.reasons:
        console.print("[bold]Quarantined by reason[/] (see `supportops quarantine`):")
        for reason, count in report.reasons.most_common():
            console.print(f"  {count:>8,}  {reason}")


def import_(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders of the event log.")],
    timezone: Annotated[
        str | None, typer.Option(help="IANA zone of timestamps without offset.")
    ] = None,
    mapping: Annotated[
        str | None,
        typer.Option(help="Mapping file for a foreign export, or a built-in: servicenow, nyc311."),
    ] = None,
    source: Annotated[
        str | None, typer.Option(help="System of record for rows without one.")
    ] = None,
    table: Annotated[
        str | None,
        typer.Option(help="The table the files hold, when their names do not say (tickets.csv)."),
    ] = None,
    encoding: Annotated[
        str, typer.Option(help="Text encoding of CSV and JSONL files (e.g. cp1252, latin-1).")
    ] = "utf-8",
    workspace: WorkspaceOption = None,
) -> None:
    """Import event-log files (CSV, Parquet, JSONL); bad rows are quarantined, good rows kept.
    When the materialised facts matched the data before, the changed tickets' are refreshed."""
    from supportops.metrics.incremental import refresh_changed
    from supportops.metrics.materialize import is_fresh
    from supportops.workspace import Workspace

    with Workspace.open(workspace) as ws:
        built = is_fresh(ws)
        report = _run_import(ws, paths, timezone, mapping, source, table, encoding)
        done = refresh_changed(ws) if built else None
    print_report(report)
    if done is not None:  # the tables matched the data before: bring them up to date again
        console.print(done.summary())
        return
    console.print(
        "Reports and pages read materialised facts and an SLA snapshot while they match the "
        "data: run `supportops metrics refresh` after imports to keep them fast "
        "(`supportops serve` does it in the background)."
    )


def export(
    out: Annotated[Path, typer.Argument(help="Folder to write one file per table into.")],
    format: Annotated[
        str, typer.Option("--format", "-f", help="csv, parquet or jsonl")
    ] = "parquet",
    workspace: WorkspaceOption = None,
) -> None:
    """Write the event log out; importing the export gives the same store."""
    from supportops.model.exporter import export_log
    from supportops.workspace import Workspace

    with Workspace.open(workspace) as ws:
        written = export_log(ws.store, out, format)  # type: ignore[arg-type]
    for name, rows in written.items():
        console.print(f"{rows:>10,}  {out / name}.{'jsonl' if format == 'jsonl' else format}")


def quarantine(
    import_id: Annotated[str | None, typer.Option("--import", help="Only this import.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many rows (0 = all).")] = 50,
    format: Annotated[str, typer.Option("--format", "-f", help="table, csv or json")] = "table",
    workspace: WorkspaceOption = None,
) -> None:
    """List quarantined rows with file, row, column and reason (latest import first)."""
    from supportops.metrics.inventory import quarantined_rows
    from supportops.spreadsheet import safe_frame
    from supportops.workspace import Workspace

    with Workspace.open(workspace) as ws:
        rows = quarantined_rows(ws.store, import_id, limit)
    if format == "json":
        typer.echo(rows.to_json(orient="records"))
    elif format == "csv":
        typer.echo(safe_frame(rows).to_csv(index=False), nl=False)
    else:
        table = Table(title=f"Quarantined rows ({len(rows)} shown)")
        for col in ("file", "row", "column", "reason", "record"):
            table.add_column(col, overflow="fold")
        for r in rows.to_dict("records"):
            cells = [Path(str(r["file"])).name, *(str(r[c]) for c in ("row", "column", "reason"))]
            table.add_row(*cells, str(r["record"])[:80])
        console.print(table)


def counts(ws: Workspace) -> dict[str, object]:
    """Rows per table, tickets per channel, and the imports that did not finish."""
    from supportops.metrics.inventory import tickets_per_channel
    from supportops.store.import_log import unfinished_imports

    per_table = {name: ws.store.count(name) for name in TABLES}
    unfinished = [
        {
            "import_id": u.import_id,
            "started_at": u.started_at.isoformat(),
            "files": u.files,
            "error": u.error,
        }
        for u in unfinished_imports(ws.store)
    ]
    return {
        "tables": per_table,
        "channels": tickets_per_channel(ws.store),
        "unfinished_imports": unfinished,
    }


def print_unfinished(unfinished: list[dict[str, Any]]) -> None:
    """One warning line per import that did not finish (none of its rows were kept)."""
    for u in unfinished:
        why = f"failed: {u['error']}" if u["error"] else "interrupted (killed before it finished)"
        console.print(
            f"[yellow]import {u['import_id']}[/] started {u['started_at']} ({u['files']}) "
            f"did not finish — {why}; none of its rows were kept."
        )


def print_counts(ws: Workspace) -> None:
    """Counts per table and per channel, as tables."""
    data = counts(ws)
    side = Table(title="Rows per table")
    side.add_column("table")
    side.add_column("rows", justify="right")
    for name, n in data["tables"].items():  # type: ignore[attr-defined]
        side.add_row(name, f"{n:,}")
    chan = Table(title="Tickets per channel")
    chan.add_column("channel")
    chan.add_column("tickets", justify="right")
    for name, n in data["channels"].items():  # type: ignore[attr-defined]
        chan.add_row(str(name), f"{int(n):,}")
    console.print(side)
    console.print(chan)
    print_unfinished(data["unfinished_imports"])  # type: ignore[arg-type]


def status(
    format: Annotated[str, typer.Option("--format", "-f", help="table or json")] = "table",
    workspace: WorkspaceOption = None,
) -> None:
    """Rows per table and tickets per channel in the workspace, and any import that did not
    finish."""
    from supportops.workspace import Workspace

    with Workspace.open(workspace, read_only=False) as ws:
        if format == "json":
            typer.echo(json.dumps(counts(ws), default=int))
        else:
            print_counts(ws)


def register(app: typer.Typer) -> None:
    """Add the workspace commands to ``app``."""
    app.command()(init)
    app.command("import")(import_)
    app.command()(export)
    app.command()(quarantine)
    app.command()(status)
    from supportops.cli import demo as demo_cli

    demo_cli.register(app)


def reset_folder(folder: Path) -> None:
    """Remove a workspace folder made by an earlier demo."""
    from supportops.config import CONFIG_FILE

    if (folder / CONFIG_FILE).exists():
        shutil.rmtree(folder)
