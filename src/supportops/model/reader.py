"""Reading event-log files (CSV, Parquet, JSONL) as streams of Arrow record batches.

Every batch carries ``_row``: the 1-based number of the data record in its file (the header is
not counted; a CSV record spanning several lines counts once), so a rejected row can be named.
CSV is read with every column as text; typing happens in one place, the validator.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq

from supportops.errors import InputError

__all__ = [
    "FORMATS",
    "RECORD",
    "Damaged",
    "SourceFile",
    "encoding_hint",
    "find_files",
    "numbered",
    "read_batches",
    "read_columns",
]

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


def read_columns(path: Path, fmt: str, encoding: str = "utf-8") -> list[str]:
    """The column names of a file, read cheaply; a file that cannot be read, or that names a
    column twice, is an :class:`InputError` naming it."""
    try:
        names = _columns(path, fmt, encoding)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: cannot be read as {encoding}: byte {exc.start} is invalid"
            f"{encoding_hint(path, encoding)}",
            file=str(path),
        ) from exc
    except (pa.ArrowInvalid, OSError, csv.Error, LookupError) as exc:
        raise InputError(f"{path}: cannot be read as {fmt}: {exc}", file=str(path)) from exc
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise InputError(
            f"{path}: column{'s' if len(twice) > 1 else ''} {', '.join(twice)} "
            "named more than once in the header",
            file=str(path),
            column=twice[0],
        )
    return names


def _columns(path: Path, fmt: str, encoding: str) -> list[str]:
    if fmt == "csv":
        codec = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
        with path.open(newline="", encoding=codec, errors="replace") as handle:
            return next(csv.reader(handle), [])
    if fmt == "parquet":
        return list(pq.ParquetFile(path).schema_arrow.names)
    with path.open(encoding=encoding) as handle:
        first = next((line for line in handle if line.strip()), "")
    if not first:
        return []
    return list(pajson.read_json(pa.BufferReader(first.encode())).column_names)


HINTS = ("cp1252", "latin-1")


def encoding_hint(path: Path, encoding: str, size: int = 1 << 20) -> str:
    """A hint naming an encoding the start of ``path`` decodes in, when it is not ``encoding``."""
    head = path.read_bytes()[:size] if path.stat().st_size <= size else _head(path, size)
    for other in HINTS:
        if other == encoding:
            continue
        try:
            head.decode(other)
        except UnicodeDecodeError:
            continue
        return f" (the file decodes as {other}: pass --encoding {other})"
    return ""


def _head(path: Path, size: int) -> bytes:
    with path.open("rb") as handle:
        return handle.read(size)


RECORD = "record"  # the column of a record wrong as a whole (too many or too few fields)


@dataclass(frozen=True)
class Damaged:
    """A CSV record the reader left out, to be quarantined: ``column`` is :data:`RECORD` for
    a record with the wrong number of fields (``text``: its line), else the column whose value
    is not valid text (``text``: the record's values, undecodable bytes replaced)."""

    row: int
    column: str
    reason: str
    text: str


def read_batches(
    path: Path,
    fmt: str,
    null_values: list[str] | None = None,
    text: tuple[str, ...] = (),
    encoding: str = "utf-8",
    damaged: list[Damaged] | None = None,
) -> Iterator[pa.RecordBatch]:
    """Stream ``path`` as record batches with a ``_row`` column; errors name the file.

    ``text`` names JSONL fields to keep as text (timestamps: their offset decides how they are
    read, so the JSON reader must not guess a type for them). With ``damaged``, a CSV record
    with too many or too few fields, or with a value not valid in ``encoding``, is left out and
    appended there (else it is an error); the other records keep their numbers. A ragged
    record's row is its line number less the header's, exact unless an earlier value spans
    lines."""
    try:
        if fmt != "csv" or damaged is None:
            yield from numbered(_raw_batches(path, fmt, null_values or [], text, encoding))
            return
        yield from _around_damage(path, null_values or [], encoding, damaged)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: cannot be read as {encoding}: {exc}{encoding_hint(path, encoding)}",
            file=str(path),
        ) from exc
    except (pa.ArrowInvalid, OSError) as exc:
        hint = encoding_hint(path, encoding) if "UTF8" in str(exc) else ""
        raise InputError(f"{path}: cannot be read as {fmt}: {exc}{hint}", file=str(path)) from exc


def numbered(batches: Iterator[Batch], offset: int = 0) -> Iterator[Batch]:
    """Add ``_row``, the 1-based record number after ``offset``, to a stream of batches."""
    for batch in batches:
        rows = pa.array(np.arange(offset + 1, offset + batch.num_rows + 1, dtype=np.int64))
        offset += batch.num_rows
        yield batch.append_column("_row", rows)


def _around_damage(
    path: Path, null_values: list[str], encoding: str, damaged: list[Damaged]
) -> Iterator[pa.RecordBatch]:
    """CSV batches numbered around the ragged records (the k-th good record's number is k plus
    the ragged records before it: one search per batch), less the records whose text does
    not decode (found only in a batch that fails Arrow's UTF-8 validation)."""

    def skip(row: pacsv.InvalidRow) -> str:
        reason = f"expected {row.expected_columns} fields, got {row.actual_columns}"
        damaged.append(Damaged(int(row.number or 0) - 1, RECORD, reason, row.text))
        return "skip"

    done, hint = 0, None
    for batch in _raw_batches(path, "csv", null_values, (), encoding, skip):
        ragged = sorted(d.row for d in damaged if d.column == RECORD)
        bad = np.array(ragged, dtype=np.int64)
        goods_before = bad - np.arange(1, len(bad) + 1)  # good records before each ragged one
        k = np.arange(done + 1, done + batch.num_rows + 1, dtype=np.int64)
        rows = k + np.searchsorted(goods_before, k, side="left")
        done += batch.num_rows
        numbered_batch = batch.append_column("_row", pa.array(rows))
        if _valid_text(numbered_batch):
            yield numbered_batch
            continue
        hint = encoding_hint(path, encoding) if hint is None else hint
        yield _without_undecodable(numbered_batch, damaged, encoding, hint)


def _valid_text(batch: pa.RecordBatch) -> bool:
    try:
        batch.validate(full=True)  # checks UTF-8 in C++: the cheap path for a clean batch
    except pa.ArrowInvalid:
        return False
    return True


def _without_undecodable(
    batch: pa.RecordBatch, damaged: list[Damaged], encoding: str, hint: str
) -> pa.RecordBatch:
    """``batch`` less its records holding a value that is not valid UTF-8, each appended to
    ``damaged`` with its first such column."""
    bad_any = np.zeros(batch.num_rows, dtype=bool)
    first: dict[int, str] = {}
    for name, column in zip(batch.schema.names, batch.columns, strict=True):
        if not pa.types.is_string(column.type):
            continue
        for index in _undecodable(column, 0, len(column)):
            first.setdefault(index, name)
            bad_any[index] = True
    rows = batch.column("_row").to_pylist()
    for index, name in sorted(first.items()):
        record = {n: _lenient(batch.column(n)[index]) for n in batch.schema.names if n != "_row"}
        reason = f"not valid {encoding}{hint}"
        damaged.append(Damaged(int(rows[index]), name, reason, json.dumps(record)))
    return batch.filter(pa.array(~bad_any))


def _undecodable(column: pa.Array, lo: int, hi: int) -> list[int]:
    """Positions in ``column[lo:hi]`` of the values that are not valid UTF-8: halves that pass
    Arrow's validation are skipped, so a few bad values cost a few dozen validations."""
    if hi <= lo or _valid_text(pa.record_batch([column.slice(lo, hi - lo)], ["v"])):
        return []
    if hi - lo == 1:
        return [lo]
    mid = (lo + hi) // 2
    return _undecodable(column, lo, mid) + _undecodable(column, mid, hi)


def _lenient(value: pa.Scalar) -> str | None:
    raw = value.cast(pa.binary()).as_py() if pa.types.is_string(value.type) else value.as_py()
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw


def _raw_batches(
    path: Path,
    fmt: str,
    null_values: list[str],
    text: tuple[str, ...],
    encoding: str = "utf-8",
    invalid: Callable[[pacsv.InvalidRow], str] | None = None,
) -> Iterator[pa.RecordBatch]:
    if fmt == "parquet":
        yield from pq.ParquetFile(path).iter_batches(batch_size=BATCH_ROWS)
    elif fmt == "csv":
        names = read_columns(path, "csv", encoding)
        reader = pacsv.open_csv(
            path,
            # one thread when ragged records are reported: only then does Arrow number them
            read_options=pacsv.ReadOptions(
                block_size=64 << 20, encoding=encoding, use_threads=invalid is None
            ),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=invalid),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                null_values=["", *null_values],
                strings_can_be_null=True,
                check_utf8=invalid is None,  # else each batch is validated, bad records dropped
            ),
        )
        yield from reader
    else:
        schema = pa.schema([(name, pa.string()) for name in text])
        options = pajson.ParseOptions(explicit_schema=schema, unexpected_field_behavior="infer")
        table = pajson.read_json(path, parse_options=options)
        yield from table.to_batches(max_chunksize=BATCH_ROWS)
