"""Reading event-log files (CSV, Parquet, JSONL) as streams of Arrow record batches.

Every batch carries ``_row``: the 1-based number of the data record in its file (the header is
not counted; a CSV record spanning several lines counts once), so a rejected row can be named.
CSV is read with every column as text; typing happens in one place, the validator.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq

from supportops.errors import InputError

__all__ = ["FORMATS", "SourceFile", "find_files", "numbered", "read_batches", "read_columns"]

FORMATS = {".csv": "csv", ".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl"}
BATCH_ROWS = 1_000_000
Batch = TypeVar("Batch", pa.RecordBatch, pa.Table)


@dataclass(frozen=True)
class SourceFile:
    """A file to import and the table it feeds."""

    path: Path
    table: str
    format: str


def _format_of(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(
            f"{path}: unknown file type {path.suffix!r} (expected .csv, .parquet or .jsonl)",
            file=str(path),
        )
    return fmt


def find_files(paths: list[Path], tables: set[str], table: str | None = None) -> list[SourceFile]:
    """Expand folders and name each file's table from its stem (``tickets.csv`` → tickets),
    or from ``table`` when given."""
    found: list[SourceFile] = []
    if table is not None and table not in tables:
        raise InputError(f"unknown table {table!r} (expected one of {', '.join(sorted(tables))})")
    for path in paths:
        if not path.exists():
            raise InputError(f"{path}: no such file or folder", file=str(path))
        if path.is_dir():
            children = sorted(p for p in path.iterdir() if p.suffix.lower() in FORMATS)
            found += [SourceFile(p, p.stem, _format_of(p)) for p in children if p.stem in tables]
            continue
        stem = table or path.stem.split(".")[0]
        if stem not in tables:
            raise InputError(
                f"{path}: cannot tell which table this file holds: name it after a table "
                f"({', '.join(sorted(tables))}) or import it with --mapping",
                file=str(path),
            )
        found.append(SourceFile(path, stem, _format_of(path)))
    return found


def read_columns(path: Path, fmt: str) -> list[str]:
    """The column names of a file, read cheaply."""
    if fmt == "csv":
        with path.open(newline="", encoding="utf-8-sig") as handle:
            return next(csv.reader(handle), [])
    if fmt == "parquet":
        return list(pq.ParquetFile(path).schema_arrow.names)
    with path.open(encoding="utf-8") as handle:
        first = next((line for line in handle if line.strip()), "")
    if not first:
        return []
    return list(pajson.read_json(pa.BufferReader(first.encode())).column_names)


def read_batches(
    path: Path, fmt: str, null_values: list[str] | None = None, text: tuple[str, ...] = ()
) -> Iterator[pa.RecordBatch]:
    """Stream ``path`` as record batches with a ``_row`` column; errors name the file.

    ``text`` names JSONL fields to keep as text (timestamps: their offset decides how they are
    read, so the JSON reader must not guess a type for them)."""
    try:
        yield from numbered(_raw_batches(path, fmt, null_values or [], text))
    except (pa.ArrowInvalid, OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot be read as {fmt}: {exc}", file=str(path)) from exc


def numbered(batches: Iterator[Batch], offset: int = 0) -> Iterator[Batch]:
    """Add ``_row``, the 1-based record number after ``offset``, to a stream of batches."""
    for batch in batches:
        rows = pa.array(np.arange(offset + 1, offset + batch.num_rows + 1, dtype=np.int64))
        offset += batch.num_rows
        yield batch.append_column("_row", rows)


def _raw_batches(
    path: Path, fmt: str, null_values: list[str], text: tuple[str, ...]
) -> Iterator[pa.RecordBatch]:
    if fmt == "parquet":
        yield from pq.ParquetFile(path).iter_batches(batch_size=BATCH_ROWS)
    elif fmt == "csv":
        names = read_columns(path, "csv")
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(block_size=64 << 20, encoding="utf-8"),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                null_values=["", *null_values],
                strings_can_be_null=True,
            ),
        )
        yield from reader
    else:
        schema = pa.schema([(name, pa.string()) for name in text])
        options = pajson.ParseOptions(explicit_schema=schema, unexpected_field_behavior="infer")
        table = pajson.read_json(path, parse_options=options)
        yield from table.to_batches(max_chunksize=BATCH_ROWS)
