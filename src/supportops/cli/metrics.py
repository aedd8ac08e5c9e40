"""Metric commands: ``metrics`` (query, ``--list``, ``explain ID``, ``reconcile``) and
``quality`` (``tickets``, the rows behind them: :mod:`supportops.cli.tickets`).

``supportops metrics ID[:AGG]... [--by DIM,...] [--grain G] [--from D] [--to D] [--period P]
[--filter DIM=VALUE]... [--as-of T] [--profile P] [--format table|json|csv|parquet] [--sql
--dialect D]``. Days, periods and instants are read by :mod:`supportops.instants`.
The words ``explain``, ``reconcile`` and ``refresh`` (materialise the per-ticket facts: the
tickets imports changed since the last refresh, or every ticket with ``--full``) in place of the
first metric id name the sub-commands.
"""

from __future__ import annotations

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
from supportops.cli.output import FORMATS, OutputOption, Units, print_table
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


def split_values(values: list[str] | None) -> list[str]:
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
Output = OutputOption
Sql = Annotated[bool, Opt("--sql", help="Print the SQL instead of running it.")]


def as_of_noted(ws: Workspace, text: str | None) -> datetime | None:
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
    source: Annotated[
        str | None, Opt("--source", help="reconcile: the source compared with its vendor.")
    ] = None,
    full: Annotated[
        bool, Opt("--full", help="refresh: rebuild every ticket, not only those imports changed.")
    ] = False,
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
        from supportops.metrics.incremental import refresh_changed

        with Workspace.open(workspace) as ws:
            done = refresh_changed(ws, full=full)
        console.print(done.summary())
        return
    if words[0] == "reconcile":
        from supportops.metrics.reconcile import reconcile

        with Workspace.open(workspace) as ws:
            found = reconcile(ws, profile, source)
            emit(found, fmt, output, "reconciliation", metric_units(ws, found.columns))
        return
    with Workspace.open(workspace) as ws:
        first, last = days_of(ws, start, end, period)
        options: dict[str, Any] = dict(
            by=split_values(by),
            grain=grain,
            start=first,
            end=last,
            filters=filters,
            as_of=as_of_noted(ws, as_of),
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


def _nothing(frame: pd.DataFrame, units: Units) -> bool:
    """Whether no metric of ``frame`` has a value other than none or zero."""
    values = frame[[c for c in frame.columns if c in units.columns]]
    return bool(values.fillna(0).eq(0).all().all())


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
    """Add ``metrics`` and ``quality`` to the root app."""
    app.command("metrics")(metrics_command)
    app.command("quality")(quality_command)
