"""How a command writes its rows: ``--format table|json|csv|parquet`` and ``--output FILE``.

A table is for a person: each cell in the manager's units through :mod:`supportops.numbers`
(``3h 9m``, ``88.1%``, ``1,234``, ``$12.40``), the same functions the pages use, times in the
report time zone with its name in the caption, and only the columns that fit the terminal (the
caption says how many were left out and how to get them). JSON, CSV and Parquet are for programs
and keep the raw numbers.

A column's unit is given by the command (a metric's from the catalog) or read from its name and
type: ``*_seconds`` and ``*_time`` durations, ``compliance*`` and ``*_rate`` rates, ``change``
rate points, whole numbers counts, timestamps times.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast
from zoneinfo import ZoneInfo

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from supportops.numbers import fmt, missing

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from supportops.store.base import Rows

__all__ = [
    "FORMATS",
    "FormatOption",
    "OutputOption",
    "Units",
    "cell",
    "fit",
    "print_table",
    "unit_of",
]

FORMATS = ("table", "json", "csv", "parquet")
FormatOption = Annotated[
    str, typer.Option("--format", "-f", help="table (the default), json, csv or parquet.")
]
OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", help="Write to this file (parquet needs one).", show_default=False
    ),
]

MAX_CELL = 40  # a text cell wider than this is cut with an ellipsis in a table
MIN_TEXT = 10  # ... and a text column may be narrowed to this to make room for the next
_RATES = ("compliance", "share", "service_level", "occupancy", "probability_wait", "on_time")


@dataclass(frozen=True)
class Units:
    """What a table's cells mean: a unit per column (the rest read from names and types), the
    report time zone times are shown in, and the workspace's currency."""

    columns: Mapping[str, str] = field(default_factory=dict)
    zone: str | None = None
    currency: str = "USD"


def unit_of(name: str, kind: str, units: Units) -> str | None:
    """The unit of column ``name`` (numpy dtype kind ``kind``): given, else read from the name
    and type; None for text."""
    given = units.columns.get(name)
    if given is not None:
        return given
    if kind == "M":
        return "time"
    if kind not in "fiu":
        return None
    if name == "change" or name.startswith("change_"):
        return "rate_change"
    if name.endswith(("_seconds", "_time", "asa")):
        return "seconds"
    if name.endswith("_rate") or name.startswith(_RATES):
        return "rate"
    return "count" if kind in "iu" else "number"


def cell(value: Any, unit: str | None, units: Units) -> str:
    """One table cell as a person reads it; an em dash for none."""
    if isinstance(value, list | tuple) or getattr(value, "ndim", 0) >= 1:  # tags: a list
        items = value.tolist() if hasattr(value, "tolist") else list(value)
        return ", ".join(map(str, items))
    if missing(value):
        return "—"
    if unit == "time" or isinstance(value, datetime):
        return _moment(value, units.zone)
    if isinstance(value, date):
        return value.isoformat()
    if unit == "rate_change":
        return f"{float(value) * 100:+.1f} pts"
    if unit is None or isinstance(value, str | bool):
        return str(value)
    return fmt(value, unit, units.currency)


def _moment(value: Any, zone: str | None) -> str:
    moment: datetime = value.to_pydatetime() if hasattr(value, "to_pydatetime") else value
    if zone is not None and moment.tzinfo is not None:
        moment = moment.astimezone(ZoneInfo(zone))
    return moment.strftime("%Y-%m-%d %H:%M")


def fit(widths: Sequence[int], room: int) -> int:
    """How many leading columns of ``widths`` fit in ``room`` characters of a table without
    outer edges (one space each side of a cell, one rule between cells); at least one."""
    used, shown = -1, 0
    for width in widths:
        used += width + 3
        if used > room and shown:
            break
        shown += 1
    return shown


def print_table(
    frame: pd.DataFrame | pa.Table | Rows,
    title: str = "",
    units: Units | None = None,
    limit: int | None = None,
    console: Console | None = None,
    choose: str = "",
    first: Sequence[str] = (),
) -> None:
    """``frame`` (its first ``limit`` rows; a pandas frame, an Arrow table or a store's
    :class:`~supportops.store.base.Rows`) as a table in the
    manager's units, with the columns that fit the terminal; what was left out is said below it
    (``choose`` names the option that picks columns, when the command has one). The columns
    named in ``first`` come first, the most telling when the terminal is narrow; the rest keep
    their order."""
    units = units or Units()
    names, kinds, values, total = _cells_of(frame, first, limit)
    out = console or Console()  # made per call: it reads the terminal's width (COLUMNS) now
    unit_list = [unit_of(n, k, units) for n, k in zip(names, kinds, strict=True)]
    rows = [
        [_cut(cell(v, u, units)) for v, u in zip(row, unit_list, strict=True)] for row in values
    ]
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    narrowest = [
        w if u is not None else min(w, MIN_TEXT) for w, u in zip(widths, unit_list, strict=True)
    ]
    count = fit(narrowest, out.width)
    sizes = _shrunk(widths[:count], narrowest[:count], out.width)
    table = Table(
        title=title or None,
        caption=_caption(unit_list[:count], units),
        box=box.SIMPLE_HEAD,
        show_edge=False,
    )
    for name, unit, size in zip(names[:count], unit_list[:count], sizes, strict=True):
        table.add_column(
            name,
            justify="left" if unit in (None, "time") else "right",
            no_wrap=True,
            overflow="ellipsis",
            width=size,
        )
    for row in rows:
        table.add_row(*row[:count])
    out.print(table)
    _notes(out, names[count:], total - len(rows), choose)


def _cells_of(
    frame: pd.DataFrame | pa.Table | Rows, first: Sequence[str], limit: int | None
) -> tuple[list[str], list[str], list[tuple[Any, ...]], int]:
    """The column names (those of ``first`` first), their numpy dtype kinds, the first
    ``limit`` rows' values and the count of all rows: of a pandas frame, of an Arrow table
    without loading pandas, or of a store's rows without loading Arrow either (the terminal
    view of ``supportops tickets`` starts without them)."""
    from supportops.store.base import Rows

    if isinstance(frame, Rows):
        names = _leading(frame.columns, first)
        at = [frame.columns.index(n) for n in names]
        kept = frame.values if limit is None else frame.values[:limit]
        kinds = [frame.kinds[i] for i in at]
        return names, kinds, [tuple(row[i] for i in at) for row in kept], len(frame.values)
    if not hasattr(frame, "dtypes"):  # an Arrow table
        from supportops.store.base import py_values

        table = cast("pa.Table", frame)
        names = _leading(table.column_names, first)
        shown = table.select(names).slice(0, limit)
        kinds = [_kind(field.type) for field in shown.schema]
        values = list(zip(*(py_values(column) for column in shown.columns), strict=True))
        return names, kinds, values, table.num_rows
    data = cast("pd.DataFrame", frame)
    names = _leading([str(c) for c in data.columns], first)
    data = data[names]
    head = data if limit is None else data.head(limit)
    kinds = [data[c].dtype.kind for c in names]
    return names, kinds, list(head.itertuples(index=False, name=None)), len(data)


def _leading(columns: list[str], first: Sequence[str]) -> list[str]:
    """``columns`` with those named in ``first`` first, in that order."""
    leading = list(dict.fromkeys(c for c in first if c in columns))
    return [*leading, *(c for c in columns if c not in leading)]


def _kind(kind: pa.DataType) -> str:
    """The numpy dtype kind of a column of Arrow type ``kind`` (integers stay integers when
    some are null, where pandas would make them floats)."""
    import pyarrow as pa

    if pa.types.is_timestamp(kind):
        return "M"
    if pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        return "f"
    if pa.types.is_integer(kind):
        return "u" if pa.types.is_unsigned_integer(kind) else "i"
    return "b" if pa.types.is_boolean(kind) else "O"


def _shrunk(widths: list[int], narrowest: list[int], room: int) -> list[int]:
    """Column widths that fit ``room``: the widest text columns give up characters first (to
    their narrowest), numbers and times keep theirs."""
    sizes = list(widths)
    excess = sum(sizes) + 3 * len(sizes) - 1 - room
    while excess > 0:
        slack = [(sizes[i] - narrowest[i], i) for i in range(len(sizes))]
        give, widest = max(slack)
        if give <= 0:
            break
        step = min(give, excess)
        sizes[widest] -= step
        excess -= step
    return sizes


def _caption(unit_list: Iterable[str | None], units: Units) -> str | None:
    if units.zone is not None and "time" in unit_list:
        return f"times in {units.zone}"
    return None


def _notes(out: Console, hidden: list[str], more: int, choose: str) -> None:
    if hidden:
        listed = ", ".join(hidden[:6]) + (", …" if len(hidden) > 6 else "")
        pick = f"{choose} to pick them, " if choose else ""
        out.print(
            f"{len(hidden)} more columns do not fit ({listed}): {pick}a wider terminal, "
            "or --format csv|json for every column",
            highlight=False,
            markup=False,
        )
    if more > 0:
        out.print(
            f"… {more:,} more rows: --limit N, or --format csv --output FILE for all",
            highlight=False,
            markup=False,
        )


def _cut(text: str) -> str:
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"
