"""The drill-down as files: Parquet, or CSV with the same columns (lists joined by ``;``, text
cells that a spreadsheet would run as formulas prefixed with ``'``).

``supportops tickets --out F`` writes the whole drill-down (:func:`write_tickets`); the web app
streams its lists as CSV in the same format, chunk by chunk (:func:`csv_bytes`).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from supportops.metrics.drilldown import iter_tickets
from supportops.spreadsheet import safe_table

if TYPE_CHECKING:
    from supportops.workspace import Workspace

__all__ = ["csv_bytes", "csv_ready", "write_parts", "write_tickets"]


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
