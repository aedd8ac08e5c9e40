"""The drill-down as files: Parquet, or CSV with the same columns (lists joined by ``;``, text
cells that a spreadsheet would run as formulas prefixed with ``'``).

``supportops tickets --out F`` writes the whole drill-down (:func:`write_tickets`); the web app
streams its lists as CSV in the same format, chunk by chunk (:func:`csv_bytes`).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from supportops.metrics.drilldown import iter_tickets
from supportops.spreadsheet import safe_table

if TYPE_CHECKING:
    from supportops.workspace import Workspace

__all__ = ["csv_bytes", "csv_ready", "write_tickets"]


def write_tickets(ws: Workspace, path: Path, fmt: str, **kw: Any) -> int:
    """Write the drill-down to ``path`` as parquet or csv; returns the rows written."""
    rows = 0
    writer: Any = None
    try:
        for part in iter_tickets(ws, **kw):
            if writer is None:
                writer = (
                    pq.ParquetWriter(path, part.schema)
                    if fmt == "parquet"
                    else pa_csv.CSVWriter(path, csv_ready(part).schema)
                )
            writer.write_table(part if fmt == "parquet" else csv_ready(part))
            rows += part.num_rows
    finally:
        if writer is not None:
            writer.close()
    return rows


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
