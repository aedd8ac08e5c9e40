"""The drill-down as files: Parquet, or CSV with the same columns (lists joined by ``;``, text
cells that a spreadsheet would run as formulas prefixed with ``'``).

``supportops tickets --out F`` writes the whole drill-down (:func:`write_tickets`); the web app
streams its lists as CSV in the same format, chunk by chunk (:func:`csv_bytes`).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import uuid
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from supportops.metrics.drilldown import iter_tickets
from supportops.spreadsheet import FORMULA_CHARS, safe_table

if TYPE_CHECKING:
    from supportops.store.base import Store
    from supportops.workspace import Workspace

__all__ = ["copy_csv", "csv_bytes", "csv_ready", "write_parts", "write_tickets"]


def write_tickets(ws: Workspace, path: Path, fmt: str, **kw: Any) -> int:
    """Write the drill-down to ``path`` as parquet or csv; returns the rows written."""
    return write_parts(iter_tickets(ws, **kw), path, fmt)


def write_parts(parts: Iterable[pa.Table], sink: Path | IO[bytes], fmt: str) -> int:
    """Write tables of one schema to ``sink`` (a file, or a binary stream such as stdout) as
    parquet, csv or json (an array of objects: lists as arrays, instants as ISO 8601 text), one
    part at a time; returns the rows written."""
    if fmt == "json":
        return _write_json(parts, sink)
    rows = 0
    writer: Any = None
    try:
        for part in parts:
            if writer is None:
                writer = (
                    pq.ParquetWriter(sink, part.schema)
                    if fmt == "parquet"
                    else pa_csv.CSVWriter(sink, csv_ready(part).schema)
                )
            writer.write_table(part if fmt == "parquet" else csv_ready(part))
            rows += part.num_rows
    finally:
        if writer is not None:
            writer.close()
    return rows


def _write_json(parts: Iterable[pa.Table], sink: Path | IO[bytes]) -> int:
    out: IO[bytes] = sink.open("wb") if isinstance(sink, Path) else sink
    rows = 0
    try:
        out.write(b"[")
        for part in parts:
            for record in part.to_pylist():
                out.write((",\n  " if rows else "\n  ").encode())
                out.write(json.dumps(record, default=_instant).encode())
                rows += 1
        out.write(b"\n]\n" if rows else b"]\n")
    finally:
        if isinstance(sink, Path):
            out.close()
    return rows


def _instant(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def csv_ready(table: pa.Table) -> pa.Table:
    """``table`` as CSV holds it: each list (tags) joined by ``;`` into one string, and every
    text cell safe to open in a spreadsheet (:mod:`supportops.spreadsheet`)."""
    cols = [pc.binary_join(c, ";") if pa.types.is_list(c.type) else c for c in table.columns]
    return safe_table(pa.table(cols, names=table.column_names))


def csv_bytes(table: pa.Table, header: bool) -> bytes:
    """``table`` as CSV text (with the header row when ``header``)."""
    out = io.BytesIO()
    options = pa_csv.WriteOptions(include_header=header)
    pa_csv.write_csv(csv_ready(table), out, write_options=options)
    return out.getvalue()


def copy_csv(store: Store, sql: str, params: list[Any], path: Path) -> int | None:
    """Write the rows of ``sql`` to ``path`` as :func:`write_parts` writes CSV — the same bytes:
    a header of quoted names, text quoted and formula-safe, lists joined by ``;``, instants as
    ``YYYY-MM-DD HH:MM:SS.ffffffZ`` — by the store's own statement
    (:attr:`~supportops.store.base.Capabilities.local_csv`), which reads and writes on all the
    engine's threads. The file appears whole or not at all: it is written beside ``path`` and
    moved into place. Returns the rows written, or None when the store has no such statement or
    a column has a type it does not format (the caller writes the parts then)."""
    template = store.capabilities.local_csv
    if template is None:
        return None
    schema = store.arrow(f"SELECT * FROM ({sql}) so_q LIMIT 0", params).schema
    cells = [_cell_sql(f'so_q."{f.name}"', f.type) for f in schema]
    quoted = [f'"{f.name}"' for f in schema if _is_text(f.type)]
    if None in cells or not quoted:
        return None
    select = ", ".join(f'{cell} AS "{f.name}"' for cell, f in zip(cells, schema, strict=True))
    token = uuid.uuid4().hex[:12]
    body, whole = (path.with_name(f".{path.name}.{token}.{part}") for part in ("rows", "tmp"))
    statement = template.format(
        query=f"SELECT {select} FROM ({sql}) so_q",
        path=str(body).replace("'", "''"),
        quoted=", ".join(quoted),
    )
    try:
        rows = int(store.scalar(statement, params) or 0)
        with whole.open("wb") as out, body.open("rb") as written:
            out.write(_header(schema.names))
            shutil.copyfileobj(written, out, 1 << 20)
        os.replace(whole, path)
    finally:
        body.unlink(missing_ok=True)
        whole.unlink(missing_ok=True)
    return rows


def _header(names: list[str]) -> bytes:
    """The header row Arrow's CSV writer writes: every name quoted (its quotes doubled)."""
    return (",".join('"' + n.replace('"', '""') + '"' for n in names) + "\n").encode()


def _is_text(kind: pa.DataType) -> bool:
    text = pa.types.is_string(kind) or pa.types.is_large_string(kind)
    return bool(text or (pa.types.is_list(kind) and pa.types.is_string(kind.value_type)))


def _cell_sql(column: str, kind: pa.DataType) -> str | None:
    """The DuckDB SQL of one cell as :func:`csv_ready` and Arrow's CSV writer write it (None:
    a type not formatted here)."""
    if pa.types.is_list(kind) and pa.types.is_string(kind.value_type):
        column = f"array_to_string({column}, ';')"
    elif not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        if pa.types.is_timestamp(kind):
            zone = f"{column} AT TIME ZONE 'UTC'" if kind.tz is not None else column
            return f"strftime({zone}, '%Y-%m-%d %H:%M:%S.%f{'Z' if kind.tz else ''}')"
        if pa.types.is_floating(kind):  # Arrow writes a whole number without its ".0"
            whole = f"{column} = trunc({column}) AND abs({column}) < 1e15"
            return (
                f"CASE WHEN {whole} THEN CAST(CAST({column} AS BIGINT) AS VARCHAR) "
                f"ELSE CAST({column} AS VARCHAR) END"
            )
        if pa.types.is_integer(kind) or pa.types.is_boolean(kind):
            return column
        return None
    codes = ", ".join(str(ord(c)) for c in FORMULA_CHARS)  # the first character's, cheaper
    risky = f"ascii({column}) IN ({codes})"  # than a regular expression on every cell
    return f"CASE WHEN {risky} THEN '''' || {column} ELSE {column} END"
