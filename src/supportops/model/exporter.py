"""Writing the event log back out as CSV, Parquet or JSONL, one file per table.

An export imports back into the same store: CSV lists are ``;``-joined, timestamps are ISO 8601
in UTC with ``Z``, and the ``raw_*`` columns of open enumerations travel with their table.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import duckdb

from supportops.errors import InputError
from supportops.model.schema import TABLES, Table
from supportops.model.validate import quote, quote_literal
from supportops.store.base import Store

__all__ = ["EXPORT_FORMATS", "export_log"]

ExportFormat = Literal["csv", "parquet", "jsonl"]
EXPORT_FORMATS: dict[str, tuple[str, str]] = {
    "csv": ("csv", "FORMAT csv, HEADER true"),
    "parquet": ("parquet", "FORMAT parquet"),
    "jsonl": ("jsonl", "FORMAT json"),
}
_ISO = "%Y-%m-%dT%H:%M:%S.%fZ"


def _select(table: Table, fmt: str) -> str:
    cols = []
    for name in table.stored:
        col = table.column(name) if name in table.names else None
        ref = quote(name)
        if fmt == "csv" and col is not None and col.type == "list":
            cols.append(f"array_to_string({ref}, ';') AS {ref}")
        elif fmt != "parquet" and col is not None and col.type == "timestamp":
            cols.append(f"strftime({ref}, {quote_literal(_ISO)}) AS {ref}")
        else:
            cols.append(ref)
    return ", ".join(cols)


def export_log(
    store: Store, out: Path, fmt: ExportFormat = "parquet", tables: list[str] | None = None
) -> dict[str, int]:
    """Write each non-empty table of the log to ``out/<table>.<ext>``; returns rows per table."""
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"unknown export format {fmt!r} (expected csv, parquet or jsonl)")
    out.mkdir(parents=True, exist_ok=True)
    ext, options = EXPORT_FORMATS[fmt]
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    written: dict[str, int] = {}
    for name in tables or list(TABLES):
        table = TABLES[name]
        order = ", ".join(quote(k) for k in table.key)
        rows = store.arrow(f"SELECT * FROM {quote(name)} ORDER BY {order}")
        if rows.num_rows == 0:
            continue
        con.register("_rows", rows)
        target = quote_literal(str(out / f"{name}.{ext}"))
        con.execute(f"COPY (SELECT {_select(table, fmt)} FROM _rows) TO {target} ({options})")
        con.unregister("_rows")
        written[name] = rows.num_rows
    con.close()
    return written
