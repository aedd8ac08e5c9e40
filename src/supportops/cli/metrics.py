"""Metric commands: ``metrics`` (query, ``--list``, ``explain ID``, ``reconcile``), ``tickets``
and ``quality``.

``supportops metrics ID[:AGG]... [--by DIM,...] [--grain G] [--from D] [--to D] [--period P]
[--filter DIM=VALUE]... [--as-of T] [--profile P] [--format table|json|csv|parquet] [--sql
--dialect D]``. Days, periods and instants are read by :mod:`supportops.instants`.
The words ``explain``, ``reconcile`` and ``refresh`` (materialise the per-ticket facts) in place
of the first metric id name the sub-commands.
"""

from __future__ import annotations

import difflib
import json
import math
import shutil
import sys
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from supportops.cli.options import (
    AsOfOption,
    FromOption,
    PeriodOption,
    ToOption,
    WorkspaceOption,
    as_of_of,
    days_of,
    note_if_stale,
)
from supportops.cli.output import FORMATS, Units, print_table
from supportops.errors import MetricError

if TYPE_CHECKING:
    import pandas as pd

    from supportops.workspace import Workspace

__all__ = ["emit", "register", "to_records"]

console = Console()
notes = Console(stderr=True)
Opt = typer.Option


def to_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts: NaN → None, dates → ISO text, numpy scalars → Python."""
    import pandas as pd

    def cell(value: Any) -> Any:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        if isinstance(value, datetime | date | pd.Timestamp):
            return value.isoformat()
        if hasattr(value, "tolist"):
            return value.tolist()
        return value

    return [{str(k): cell(v) for k, v in row.items()} for row in frame.to_dict("records")]


def emit(
    frame: pd.DataFrame,
    fmt: str,
    output: Path | None = None,
    title: str = "",
    units: Units | None = None,
) -> None:
    """Print (or write to ``output``) a frame as a table in the manager's units, or as raw
    JSON, CSV or Parquet."""
    from supportops.spreadsheet import safe_frame

    if fmt not in FORMATS:
        raise MetricError(f"unknown format {fmt!r} (expected one of {', '.join(FORMATS)})")
    if fmt == "parquet":
        if output is None:
            raise MetricError("--format parquet needs --output FILE")
        frame.to_parquet(output, index=False)
        return
    if fmt == "json":
        text = json.dumps(to_records(frame), indent=2)
    elif fmt == "csv":
        text = safe_frame(frame).to_csv(index=False)
    else:
        print_table(frame, title, units)
        return
    if output is not None:
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def metric_units(ws: Workspace, columns: Any) -> Units:
    """The unit of each metric column (``first_reply_time:p90`` → seconds; a ``:count`` is a
    count) from the catalog, with the workspace's time zone and currency."""
    from supportops.metrics.catalog import catalog

    known = catalog()
    units: dict[str, str] = {}
    for column in map(str, columns):
        metric_id, _, agg = column.partition(":")
        if metric_id in known:
            units[column] = "count" if agg == "count" else known[metric_id].unit
    return Units(units, ws.config.report_timezone, ws.config.currency)


def _split(values: list[str] | None) -> list[str]:
    return [v.strip() for text in values or [] for v in text.split(",") if v.strip()]


def _list() -> None:
    """The catalog as aligned plain columns, one metric a line: a Rich table of 63 rows takes
    longer to lay out than the rest of the command (the definition is cut at the terminal's
    width when printing to one)."""
    from supportops.metrics.catalog import catalog

    rows = [("id", "unit", "default", "definition")] + [
        (m.id, m.unit, m.default_agg, m.definition.split(". ")[0])
        for m in catalog().values()
        if not m.hidden
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    for row in rows:
        line = "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False))
        line = f"{line}  {row[3]}"
        sys.stdout.write((line if width is None else _cut(line, width)) + "\n")


def _cut(line: str, width: int) -> str:
    return line if len(line) <= width else line[: max(width - 1, 0)] + "…"


Filters = Annotated[
    list[str] | None,
    Opt("--filter", help="DIM=VALUE, or a condition in YAML: {not: {channel: chat}} (repeatable)."),
]
Profile = Annotated[str | None, Opt(help="zendesk, freshdesk or intercom.")]
Format = Annotated[str, Opt("--format", "-f", help="table, json, csv or parquet.")]
Output = Annotated[Path | None, Opt("--output", "-o", help="Write to a file.")]
Sql = Annotated[bool, Opt("--sql", help="Print the SQL instead of running it.")]


def _as_of(ws: Workspace, text: str | None) -> datetime | None:
    """The instant of ``--as-of``; without it, now (None), noted when the data ends long
    before."""
    moment = as_of_of(ws, text)
    if moment is None:
        note_if_stale(ws)
    return moment


def _explain(metric_id: str) -> None:
    from supportops.metrics.catalog import _metric_lines, get
    from supportops.metrics.profiles import PROFILES

    console.print("\n".join(_metric_lines(get(metric_id), dict(PROFILES))), markup=False)


def metrics_command(
    ids: Annotated[
        list[str] | None, typer.Argument(help="ID[:AGG]... or `explain ID` or `reconcile`.")
    ] = None,
    workspace: WorkspaceOption = None,
    list_: Annotated[bool, Opt("--list", help="List the catalog.")] = False,
    by: Annotated[list[str] | None, Opt("--by", help="Dimensions, comma-separated.")] = None,
    grain: Annotated[str | None, Opt(help="day, week, month, quarter or year.")] = None,
    start: FromOption = None,
    end: ToOption = None,
    period: PeriodOption = None,
    filters: Filters = None,
    as_of: AsOfOption = None,
    profile: Profile = None,
    fmt: Format = "table",
    output: Output = None,
    sql: Sql = False,
    dialect: Annotated[str | None, Opt(help="SQL dialect: snowflake, bigquery, spark, ...")] = None,
    window: Annotated[float | None, Opt(help="Repeat-contact window, seconds.")] = None,
    threshold: Annotated[float, Opt(help="service_level threshold, seconds.")] = 20.0,
    abandon: Annotated[str, Opt(help="service_level abandon treatment.")] = "exclude_abandoned",
    short: Annotated[float, Opt(help="Short abandon, seconds.")] = 5.0,
    buckets: Annotated[bool, Opt(help="backlog_age per age band.")] = False,
) -> None:
    """Metrics of the catalog, by dimension and period; `--list`, `explain ID`, `reconcile`,
    `refresh`."""
    words = ids or []
    if list_ or not words:
        _list()
        return
    if words[0] == "explain":
        for metric_id in words[1:] or [""]:
            _explain(metric_id)
        return
    from supportops.workspace import Workspace

    if words[0] == "refresh":
        from supportops.metrics.materialize import refresh_facts

        with Workspace.open(workspace) as ws:
            rows = refresh_facts(ws)
        console.print(", ".join(f"{name}: {n:,} rows" for name, n in rows.items()))
        return
    if words[0] == "reconcile":
        from supportops.metrics.reconcile import reconcile

        with Workspace.open(workspace) as ws:
            found = reconcile(ws, profile or "zendesk")
            emit(found, fmt, output, "reconciliation", metric_units(ws, found.columns))
        return
    with Workspace.open(workspace) as ws:
        first, last = days_of(ws, start, end, period)
        options: dict[str, Any] = dict(
            by=_split(by),
            grain=grain,
            start=first,
            end=last,
            filters=filters,
            as_of=_as_of(ws, as_of),
            profile=profile,
            window=window,
            threshold=threshold,
            abandon=abandon,
            short=short,
            buckets=buckets,
        )
        if sql:
            from supportops.metrics.query import metrics_sql

            print(metrics_sql(ws, words, dialect or ws.store.capabilities.dialect, **options))
            return
        found = ws.metrics(words, **options)
        if filters and _nothing(found, metric_units(ws, found.columns)):
            from supportops.metrics.drilldown import count

            if count(ws, filters=filters, profile=profile) == 0:
                notes.print("note: no ticket matches these filters", highlight=False)
        emit(found, fmt, output, "", metric_units(ws, found.columns))


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
        kw: dict[str, Any] = dict(filters=filters, as_of=_as_of(ws, as_of), profile=profile)
        kw["days"] = days_of(ws, start, end, period)
        if sql:
            print(drilldown.tickets_sql(ws, dialect or ws.store.capabilities.dialect, **kw))
            return
        if fmt == "table":  # one more than shown: whether there are more to say so
            more = None if limit is None else limit + 1
            parts = drilldown.ticket_rows(ws, **kw, columns=picked, sort=order, limit=more)
            first = ["ticket_id", *(c for c, _ in order or ()), *TICKET_FIRST]
            rows = _print_tickets(ws, parts, limit, first, order is None)
        else:
            parts = drilldown.ticket_rows(ws, **kw, columns=picked, sort=order, limit=limit)
            rows = _write_tickets(parts, fmt, output)
    if rows == 0 and (filters or start or end or period):
        notes.print("note: no ticket matches these filters and days", highlight=False)


def _nothing(frame: pd.DataFrame, units: Units) -> bool:
    """Whether no metric of ``frame`` has a value other than none or zero."""
    values = frame[[c for c in frame.columns if c in units.columns]]
    return bool(values.fillna(0).eq(0).all().all())


def _sort_keys(sort: list[str] | None) -> list[tuple[str, bool]] | None:
    """``--sort created_at:desc,priority`` → [("created_at", True), ("priority", False)]."""
    keys: list[tuple[str, bool]] = []
    for item in _split(sort):
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
    import pyarrow as pa

    from supportops.metrics.drilldown import FACT_COLUMNS

    table = pa.concat_tables(list(parts))
    shown = table if limit is None else table.slice(0, limit)
    seconds = dict.fromkeys(FACT_COLUMNS[:7], "seconds")
    units = Units(seconds, ws.config.report_timezone, ws.config.currency)
    if shown.num_rows == 0:
        return 0
    title = f"{shown.num_rows:,} tickets" + (", newest first" if newest else "")
    print_table(shown.to_pandas(), title, units, choose="--columns", first=first)
    if table.num_rows > shown.num_rows:
        console.print(
            "… more tickets: --limit N for more, or --format csv --output FILE for all",
            highlight=False,
            markup=False,
        )
    return int(table.num_rows)


def _write_tickets(parts: Any, fmt: str, output: Path | None) -> int:
    from supportops.metrics.ticket_files import write_parts

    rows = write_parts(parts, output if output is not None else sys.stdout.buffer, fmt)
    if output is not None:
        notes.print(f"{rows:,} tickets written to {output}", highlight=False)
    return rows


def quality_command(
    workspace: WorkspaceOption = None,
    fmt: Annotated[str, Opt("--format", "-f", help="table, json or csv.")] = "table",
) -> None:
    """Data quality: completeness per column, validity findings, freshness, duplicates."""
    from supportops.metrics.quality import quality_report
    from supportops.workspace import Workspace

    with Workspace.open(workspace) as ws:
        report = quality_report(ws)
        shares = dict.fromkeys(("completeness", "valid", "score", "share"), "rate")
        units = Units(shares, ws.config.report_timezone, ws.config.currency)
    if fmt == "json":
        print(json.dumps({k: to_records(v) for k, v in report.items()}, indent=2))
        return
    for name, frame in report.items():
        emit(frame, fmt, None, name, units)


def register(app: typer.Typer) -> None:
    """Add ``metrics``, ``tickets`` and ``quality`` to the root app."""
    app.command("metrics")(metrics_command)
    app.command("tickets")(tickets_command)
    app.command("quality")(quality_command)
