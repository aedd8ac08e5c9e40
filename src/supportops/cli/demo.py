"""``supportops demo`` builds a realistic workspace; ``supportops generate`` streams the same data
to files for benchmarks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from supportops.errors import WorkspaceError
from supportops.model.schema import TABLES

if TYPE_CHECKING:
    import pyarrow as pa

    from supportops.model.importer import ImportReport

__all__ = ["ASSETS", "build_demo", "register"]

console = Console()
Stream = tuple[str, str, "Iterator[pa.RecordBatch]", tuple[str, ...]]
ASSETS = ("stricter.yaml",)  # files of the README's tour, copied beside supportops.yaml


def _streams(
    chunks: Iterator[dict[str, pa.Table]], on_chunk: Callable[[int], object] | None = None
) -> Iterator[Stream]:
    for i, chunk in enumerate(chunks):
        for name in TABLES:
            if name in chunk and chunk[name].num_rows:
                yield name, f"demo chunk {i + 1}", iter(chunk[name].to_batches()), ()
        if on_chunk is not None and "tickets" in chunk:
            on_chunk(chunk["tickets"].num_rows)


def _copy_articles(target: Path) -> None:
    """The demo's help-center articles (half its topics), for ``supportops knowledge gaps``."""
    target.mkdir(exist_ok=True)
    for item in resources.files("supportops.demo").joinpath("articles").iterdir():
        if item.name.endswith((".md", ".html")):
            (target / item.name).write_text(item.read_text(encoding="utf-8"), encoding="utf-8")


def build_demo(
    folder: Path, tickets: int = 20_000, seed: int = 0, progress: bool = True
) -> ImportReport:
    """Write the demo config (and :data:`ASSETS`) into ``folder`` and import generated data
    into its store."""
    from supportops.cli.workspace import write_config
    from supportops.config import CONFIG_FILE
    from supportops.demo.generator import generate
    from supportops.metrics.materialize import refresh_facts
    from supportops.model.importer import import_batches
    from supportops.workspace import Workspace

    if (folder / CONFIG_FILE).exists() or (folder / "supportops.duckdb").exists():
        raise WorkspaceError(
            f"{folder} holds a workspace already (pass --force to rebuild it)", path=str(folder)
        )
    write_config(folder, "supportops.yaml", "supportops.demo", force=False)
    for name in ASSETS:
        text = resources.files("supportops.demo").joinpath(name).read_text(encoding="utf-8")
        (folder / name).write_text(text, encoding="utf-8")
    _copy_articles(folder / "articles")
    with (
        Workspace.open(folder) as ws,
        Progress(
            TextColumn("generating and importing"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("tickets"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not progress,
        ) as bar,
    ):
        task = bar.add_task("demo", total=tickets)
        streams = _streams(
            generate(tickets=tickets, seed=seed), on_chunk=lambda n: bar.advance(task, n)
        )
        report = import_batches(ws.store, streams, source="demo")
    with Workspace.open(folder) as ws:
        from supportops.demo.coaching import write_notes
        from supportops.experiments.assignment import assign

        for experiment in ws.config.experiments:  # the Experiments page shows their results
            assign(ws, experiment.name)
        write_notes(ws)  # the coaching page shows a note and the change since it
        refresh_facts(ws)  # metrics and the dashboard read the materialised facts
    return report


def demo(
    folder: Annotated[Path, typer.Argument(help="Folder of the demo workspace.")] = Path(
        "demo-workspace"
    ),
    tickets: Annotated[int, typer.Option(help="Tickets to generate.")] = 20_000,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same data.")] = 0,
    force: Annotated[
        bool, typer.Option(help="Rebuild the folder if it holds a workspace.")
    ] = False,
) -> None:
    """Build a realistic demo workspace: 8 weeks of tickets, agents, contacts, bots, surveys."""
    if force:
        from supportops.cli.workspace import reset_folder

        reset_folder(folder)
    report = build_demo(folder, tickets=tickets, seed=seed)
    console.print(
        f"Demo workspace built in [bold]{folder}[/] "
        f"({report.total('imported'):,} rows, {report.total('quarantined'):,} quarantined)."
    )
    from supportops.cli.summary import print_summary
    from supportops.workspace import Workspace

    with Workspace.open(folder) as ws:
        print_summary(ws)


def generate_files(
    tickets: Annotated[int, typer.Option(help="Tickets to generate.")] = 1_000_000,
    out: Annotated[
        Path, typer.Option("--output", "-o", help="Folder to write one file per table into.")
    ] = Path("generated"),
    format: Annotated[
        str, typer.Option("--format", "-f", help="parquet, csv or jsonl")
    ] = "parquet",
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
) -> None:
    """Stream the demo generator to files in bounded memory (for benchmarks)."""
    from supportops.demo import write_files

    with Progress(
        TextColumn("generating"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("tickets"),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        task = bar.add_task("generate", total=tickets)
        counts = write_files(
            out,
            tickets=tickets,
            seed=seed,
            fmt=format,  # type: ignore[arg-type]
            progress=lambda n: bar.advance(task, n),
        )
    for name, rows in counts.items():
        console.print(f"{rows:>12,}  {name}")


def register(app: typer.Typer) -> None:
    """Add ``demo`` and ``generate`` to ``app``."""
    app.command()(demo)
    app.command("generate")(generate_files)
