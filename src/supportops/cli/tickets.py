"""``supportops tickets``: one row per ticket with its facts — the drill-down behind every number.

``--limit`` (default 50 when the table goes to a terminal), ``--columns``, ``--sort col[:desc]``
and ``--period/--from/--to`` are applied in the store (:func:`~supportops.metrics.drilldown.
ticket_rows`); CSV, JSON and Parquet are written chunk by chunk as the rows arrive, lists as
lists. A terminal table shows the columns that fit, the most telling first.
"""

from __future__ import annotations

import difflib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from supportops.cli.metrics import (
    Filters,
    Format,
    Opt,
    Output,
    Profile,
    Sql,
    as_of_noted,
    console,
    notes,
    split_values,
)
from supportops.cli.options import (
    AsOfOption,
    FromOption,
    PeriodOption,
    ToOption,
    WorkspaceOption,
    days_of,
)
from supportops.cli.output import FORMATS, Units, print_table
from supportops.errors import MetricError

if TYPE_CHECKING:
    from supportops.workspace import Workspace

__all__ = ["TICKET_FIRST", "register", "tickets_command"]

# The columns a terminal shows first, as many as fit: which ticket, when, how it stands.
TICKET_FIRST = (
    "ticket_id",
    "created_at",
    "status",
    "priority",
    "channel",
    "subject",
    "assignee",
    "assignee_id",
    "group",
    "group_id",
    "first_reply_time",
    "full_resolution_time",
    "sla_breached",
)


def tickets_command(
    workspace: WorkspaceOption = None,
    start: FromOption = None,
    end: ToOption = None,
    period: PeriodOption = None,
    filters: Filters = None,
    as_of: AsOfOption = None,
    profile: Profile = None,
    columns: Annotated[
        str | None, Opt("--columns", help="Only these columns, comma-separated, in this order.")
    ] = None,
    sort: Annotated[
        list[str] | None,
        Opt("--sort", help="COLUMN or COLUMN:desc, comma-separated (default: newest first)."),
    ] = None,
    limit: Annotated[
        int | None,
        Opt(
            "--limit",
            help="At most this many tickets (default: 50 in a terminal, else all).",
            show_default=False,
        ),
    ] = None,
    fmt: Format = "table",
    output: Output = None,
    sql: Sql = False,
    dialect: Annotated[str | None, Opt(help="SQL dialect for --sql.")] = None,
) -> None:
    """One row per ticket with its facts: the drill-down behind every number; --from/--to
    or --period keep the tickets created on those days."""
    from supportops.metrics import drilldown
    from supportops.workspace import Workspace

    if fmt not in FORMATS:
        raise MetricError(f"unknown format {fmt!r} (expected one of {', '.join(FORMATS)})")
    if fmt == "parquet" and output is None:
        raise MetricError("--format parquet needs --output FILE")
    picked = [c.strip() for c in (columns or "").split(",") if c.strip()]
    order = _sort_keys(sort)
    for name in [*picked, *(c for c, _ in order or ())]:
        _check_column(name, drilldown.TICKET_COLUMNS)
    if limit is None and fmt == "table" and output is None and sys.stdout.isatty():
        limit = 50
    with Workspace.open(workspace) as ws:
        kw: dict[str, Any] = dict(filters=filters, as_of=as_of_noted(ws, as_of), profile=profile)
        kw["days"] = days_of(ws, start, end, period)
        if sql:
            print(drilldown.tickets_sql(ws, dialect or ws.store.capabilities.dialect, **kw))
            return
        if fmt == "table":  # one more than shown: whether there are more to say so
            first = ["ticket_id", *(c for c, _ in order or ()), *TICKET_FIRST]
            if limit is None:
                parts: Any = drilldown.ticket_rows(ws, **kw, columns=picked, sort=order)
            else:  # a few rows: read as Python values, with no Arrow or numpy to load
                text, values = drilldown.ticket_sql(
                    ws, **kw, columns=picked, sort=order, limit=limit + 1
                )
                parts = ws.store.rows(text, values)
            rows = _print_tickets(ws, parts, limit, first, order is None)
        else:
            rows = _write_tickets(ws, kw, picked, order, limit, fmt, output)
    if rows == 0 and (filters or start or end or period):
        notes.print("note: no ticket matches these filters and days", highlight=False)


def _sort_keys(sort: list[str] | None) -> list[tuple[str, bool]] | None:
    """``--sort created_at:desc,priority`` → [("created_at", True), ("priority", False)]."""
    keys: list[tuple[str, bool]] = []
    for item in split_values(sort):
        name, _, way = item.partition(":")
        if way not in ("", "asc", "desc"):
            raise MetricError(f"--sort {item!r}: the order is asc or desc, not {way!r}", key=item)
        keys.append((name.strip(), way == "desc"))
    return keys or None


def _check_column(name: str, known: tuple[str, ...]) -> None:
    if name not in known:
        near = difflib.get_close_matches(name, known, n=1)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        raise MetricError(
            f"unknown column {name!r}{hint} (the columns: {', '.join(known)})",
            key=name,
            suggestion=near[0] if near else None,
        )


def _print_tickets(
    ws: Workspace, parts: Any, limit: int | None, first: list[str], newest: bool
) -> int:
    """Print the tickets of ``parts`` (a :class:`~supportops.store.base.Rows` of at most
    ``limit`` + 1 rows, or Arrow tables of all of them); the count of rows read."""
    from supportops.metrics.drilldown import FACT_COLUMNS
    from supportops.store.base import Rows

    if isinstance(parts, Rows):
        total = len(parts.values)
        shown = total if limit is None else min(total, limit)
        table: Any = Rows(parts.columns, parts.kinds, parts.values[:shown])
    else:
        import pyarrow as pa

        table = pa.concat_tables(list(parts))
        total = table.num_rows
        shown = total if limit is None else min(total, limit)
        table = table.slice(0, shown)
    seconds = dict.fromkeys(FACT_COLUMNS[:7], "seconds")
    units = Units(seconds, ws.config.report_timezone, ws.config.currency)
    if shown == 0:
        return 0
    title = f"{shown:,} tickets" + (", newest first" if newest else "")
    print_table(table, title, units, choose="--columns", first=first)
    if total > shown:
        console.print(
            "… more tickets: --limit N for more, or --format csv --output FILE for all",
            highlight=False,
            markup=False,
        )
    return total


def _write_tickets(
    ws: Workspace,
    kw: dict[str, Any],
    picked: list[str],
    order: list[tuple[str, bool]] | None,
    limit: int | None,
    fmt: str,
    output: Path | None,
) -> int:
    """Write the rows as ``fmt``: a CSV file by the store itself where it can (one query on
    all its threads), else part by part as the rows arrive."""
    from supportops.metrics import drilldown
    from supportops.metrics.ticket_files import copy_csv, write_parts

    rows: int | None = None
    if fmt == "csv" and output is not None and ws.store.capabilities.local_csv is not None:
        sql, params = drilldown.ticket_sql(ws, **kw, columns=picked, sort=order, limit=limit)
        rows = copy_csv(ws.store, sql, params, output)
    if rows is None:
        parts = drilldown.ticket_rows(ws, **kw, columns=picked, sort=order, limit=limit)
        rows = write_parts(parts, output if output is not None else sys.stdout.buffer, fmt)
    if output is not None:
        notes.print(f"{rows:,} tickets written to {output}", highlight=False)
    return rows


def register(app: typer.Typer) -> None:
    """Add ``tickets`` to the root app."""
    app.command("tickets")(tickets_command)
