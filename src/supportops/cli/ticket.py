"""``supportops ticket ID``: one ticket's story in the terminal — fields, SLA clocks as bars,
facts with the events they came from, data-quality findings and the timeline, times in the
workspace's ``report_timezone``. ``--as-of`` is the instant of the SLA clocks (the facts and the
timeline are the whole log's). ``--format json`` prints the raw story
(:func:`~supportops.metrics.ticket_story.story_data`, instants in UTC).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from supportops.cli.options import WorkspaceOption, as_of_of
from supportops.errors import InputError
from supportops.numbers import fmt

if TYPE_CHECKING:
    from supportops.metrics.ticket_story import Story

__all__ = ["BAR_WIDTH", "bar_text", "register"]

BAR_WIDTH = 48
_GLYPHS = {
    "running": ("█", "green"),
    "closed": ("░", "bright_black"),
    "paused": ("▒", "dark_orange"),
    "stopped": ("·", "bright_black"),
}


def bar_text(told: Story, spans: Any, width: int = BAR_WIDTH) -> Text:
    """An instance's spans as a line of ``width`` cells over the ticket's life to ``as_of``."""
    low = min((s.start for i in told.instances for s in i.spans), default=0)
    high = int(told.as_of.timestamp())
    scale = max(high - low, 1) / width
    text = Text()
    for span in spans:
        cells = round((span.end - low) / scale) - round((span.start - low) / scale)
        glyph, style = _GLYPHS[span.state]
        text.append(glyph * max(cells, 0), style=style)
    return text


def _local(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def _print(told: Story) -> None:
    console = Console()  # made per call: it reads the terminal's width (COLUMNS) now
    zone = ZoneInfo(told.timezone)
    subject = told.fields.get("subject")
    console.print(
        f"[bold]Ticket {told.ticket_id}[/] ({told.source})" + (f" — {subject}" if subject else ""),
        highlight=False,
    )
    console.print(f"as of {_local(told.as_of, zone)} · times in {told.timezone}", highlight=False)
    fields = Table(show_header=False, box=None)
    for name, value in told.fields.items():
        if value in (None, "", [], {}):
            continue
        if isinstance(value, datetime):
            value = _local(value, zone)
        if name == "assignee_id":
            value = told.name(value)
        fields.add_row(name, ", ".join(map(str, value)) if isinstance(value, list) else str(value))
    console.print(fields)
    if told.instances:
        table = Table(title="SLA clocks (█ running ░ closed hours ▒ paused · stopped)")
        for column in ("target", "policy / calendar", "status", "elapsed / target", "due"):
            table.add_column(column, no_wrap=True)
        table.add_column("bar", no_wrap=True)
        for i in told.instances:
            when = _local(i.breached_at, zone) if i.breached_at else _local(i.due_at, zone)
            table.add_row(
                f"{i.target} #{i.instance}",
                f"{i.policy} / {i.calendar}",
                i.status,
                f"{fmt(i.elapsed_seconds, 'seconds')} / {fmt(i.target_seconds, 'seconds')}",
                ("breached " if i.breached_at else "") + when,
                bar_text(told, i.spans),
            )
        console.print(table)
    facts = Table(title="Facts")
    for column in ("fact", "value", "from events"):
        facts.add_column(column)
    for f in told.facts:
        shown = (
            "—"
            if f.value is None
            else fmt(f.value, "seconds")
            if f.unit == "seconds"
            else str(f.value)
        )
        facts.add_row(f.name, shown, ", ".join(f.refs))
    console.print(facts)
    if told.findings:
        for finding in told.findings:
            console.print(f"[yellow]finding[/] {finding['rule']}: {finding['message']}")
    else:
        console.print("No data-quality finding.")
    timeline = Table(title=f"Timeline ({told.timezone})")
    for column in ("time", "ref", "what", "who", "value", "body"):
        timeline.add_column(column, overflow="fold")
    for e in told.events:
        who = told.name(e.get("actor_id")) if e.get("actor") == "agent" else e.get("actor_id")
        what = e["kind"] + (" (internal)" if e.get("public") is False else "")
        value = told.name(e.get("value")) if e["kind"] == "assignee" else e.get("value")
        timeline.add_row(
            _local(e.get("at"), zone),
            e["ref"],
            what,
            " · ".join(str(p) for p in (e.get("actor"), who) if p),
            "" if value is None else str(value),
            str(e.get("body") or ""),
        )
    console.print(timeline)


def ticket(
    ticket_id: Annotated[str, typer.Argument(help="The ticket's id.")],
    source: Annotated[
        str | None, typer.Option("--source", help="Its source, when several hold the id.")
    ] = None,
    fmt_: Annotated[
        str, typer.Option("--format", "-f", help="table (the default) or json (the raw story).")
    ] = "table",
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="Evaluate the SLA clocks at this instant (ISO 8601; default now)."
        ),
    ] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """One ticket's story: fields, SLA clocks, facts and their events, findings, timeline."""
    from supportops.metrics.ticket_story import story, story_data
    from supportops.workspace import Workspace

    if fmt_ not in ("table", "rich", "json"):  # rich: the earlier name of table
        raise InputError(f"--format: expected table or json, not {fmt_!r}", key="format")
    with Workspace.open(workspace) as ws:
        told = story(ws, ticket_id, source, as_of_of(ws, as_of))
    if fmt_ == "json":
        typer.echo(json.dumps(story_data(told), indent=2, default=str))
        return
    _print(told)


def register(app: typer.Typer) -> None:
    """Add ``supportops ticket``."""
    app.command("ticket")(ticket)
