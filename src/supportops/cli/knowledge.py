"""``supportops knowledge gaps``: the topics of a period's tickets that no help-center article
covers, ranked by the agent hours an article would save, with sample tickets, a suggested
title and outline, the nearest articles, and each article's deflection opportunity.

Heavy modules (pandas, scikit-learn, the store) are imported inside the command.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from supportops.knowledge.report import GapReport

__all__ = ["register"]

app = typer.Typer(
    help="Knowledge gaps: the articles your tickets say are missing.", no_args_is_help=True
)


def gaps(
    articles: Annotated[
        Path | None,
        typer.Option(
            "--articles",
            help="Folder of Markdown/HTML articles (default: WORKSPACE/articles); the "
            "published articles synced from sources are read too.",
        ),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option("--from", help="First day of tickets, included.", show_default=False),
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Last day of tickets, included.", show_default=False)
    ] = None,
    period: Annotated[
        str | None,
        typer.Option(
            "--period",
            help="Instead of --from/--to: -30d, 2026-11, last month.",
            show_default=False,
        ),
    ] = None,
    top: Annotated[int, typer.Option("--top", help="Gaps to show.")] = 10,
    space: Annotated[str, typer.Option("--space", help="auto, embeddings or tfidf.")] = "auto",
    fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    workspace: Annotated[
        Path | None,
        typer.Option(
            "--workspace",
            "-w",
            help="Workspace folder (default: $SUPPORTOPS_WORKSPACE, then the current folder).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Rank the topics no article covers by the hours an article would save."""
    from supportops.cli.options import days_of
    from supportops.errors import InputError
    from supportops.knowledge.report import gap_report
    from supportops.workspace import Workspace

    if articles is not None and not articles.is_dir():  # a folder asked for must be there
        raise InputError(f"--articles {articles}: no such folder of articles", file=str(articles))
    ws = Workspace.open(workspace, read_only=True)
    first, last = days_of(ws, start, end, period)
    found = gap_report(ws, articles or ws.path / "articles", first, last, space)
    if fmt == "json":
        typer.echo(json.dumps(found.data(top), indent=2, default=str))
        return
    _print(found, top)


def _print(found: GapReport, top: int) -> None:
    console = Console()
    console.print(
        f"{found.tickets:,} tickets from {found.first} to {found.last}, {found.topics} topics, "
        f"{found.articles} articles{_origins(found)} ({found.space} space)",
        highlight=False,
    )
    table = Table(title="Knowledge gaps, most agent hours first")
    for column in (
        "#",
        "suggested title",
        "tickets",
        "hours",
        "trend",
        "uncovered",
        "nearest article",
    ):
        table.add_column(
            column, overflow="fold", max_width=44 if column == "suggested title" else None
        )
    for i, gap in enumerate(found.gaps.head(top).to_dict("records"), start=1):
        near = gap["nearest_articles"][0] if gap["nearest_articles"] else None
        where = f"{near['title']} ({near['similarity']:.2f})" if near else "—"
        table.add_row(
            str(i),
            str(gap["title"]),
            f"{int(gap['tickets']):,}",
            f"{gap['handle_hours']:.1f}",
            f"{gap['trend']:.2f}×",
            f"{gap['uncovered']:.0%}",
            where,
        )
    console.print(table)
    for i, gap in enumerate(found.gaps.head(min(top, 3)).to_dict("records"), start=1):
        console.print(
            f"[bold]{i}. {gap['title']}[/]  words: {', '.join(gap['words'][:6])}", highlight=False
        )
        for point in gap["outline"]:
            console.print(f"   - {point}", highlight=False)
        console.print(f"   sample tickets: {', '.join(map(str, gap['samples']))}", highlight=False)
    if len(found.articles_table):
        table = Table(title="Deflection opportunity per article")
        for column in ("article", "title", "tickets it covers", "hours"):
            table.add_column(column, overflow="fold")
        for row in found.articles_table.head(top).to_dict("records"):
            table.add_row(
                str(row["article"]),
                str(row["title"]),
                f"{int(row['tickets']):,}",
                f"{row['handle_hours']:.1f}",
            )
        console.print(table)


def _origins(found: GapReport) -> str:
    """Where the articles came from: `` (8 from the folder, 3 from zendesk)``."""
    from supportops.knowledge.articles import FOLDER

    said = [
        f"{count:,} from {'the folder' if origin == FOLDER else origin}"
        for origin, count in found.origins.items()
    ]
    return f" ({', '.join(said)})" if said else ""


def register(root: typer.Typer) -> None:
    """Add ``supportops knowledge``."""
    app.command("gaps")(gaps)
    root.add_typer(app, name="knowledge")
