"""Stream the demo to files: one ``<table>.<ext>`` per table, appended chunk by chunk.

Each format is a small sink (Parquet row groups, CSV with ``;``-joined lists and ISO 8601 UTC
timestamps, JSON lines); nothing is kept between chunks, so memory is bounded by the chunk size
whatever the number of tickets. Every table gets a file, empty ones included.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from queue import Queue
from threading import Thread
from typing import IO, Any, Literal

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from supportops.demo.columns import arrow_schema
from supportops.demo.generator import generate
from supportops.model.schema import TABLES

__all__ = ["FORMATS", "Format", "write_files"]

Format = Literal["parquet", "csv", "jsonl"]


class _Sink:
    """Appends chunks of table ``name`` to one file, created at once (empty tables too)."""

    suffix = ""

    def __init__(self, path: Path, name: str) -> None:
        self.path, self.name, self.schema, self.rows = path, name, arrow_schema(name), 0

    def write(self, table: pa.Table) -> None:
        self.rows += table.num_rows
        self._write(table)

    def _write(self, table: pa.Table) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class _ParquetSink(_Sink):
    """Snappy row groups; dictionary pages only for repetitive columns (not ids or instants)."""

    suffix = "parquet"

    def __init__(self, path: Path, name: str) -> None:
        super().__init__(path, name)
        repetitive = [f.name for f in self.schema if _repetitive(f)]
        self._writer = pq.ParquetWriter(path, self.schema, use_dictionary=repetitive)

    def _write(self, table: pa.Table) -> None:
        self._writer.write_table(table)

    def close(self) -> None:
        self._writer.close()


_UNIQUE = frozenset({"event_id", "contact_id", "session_id", "requester_id"})


def _repetitive(field: pa.Field) -> bool:
    """A string-like column with few distinct values, which dictionary encoding shrinks."""
    stringy = pa.types.is_string(field.type) or pa.types.is_list(field.type)
    return stringy and field.name not in _UNIQUE


def _csv_ready(table: pa.Table) -> pa.Table:
    """Lists ``;``-joined, timestamps as ``2026-09-28T12:00:00Z``."""
    columns = []
    for column in table.columns:
        if pa.types.is_list(column.type):
            column = pc.binary_join(column, ";")
        elif pa.types.is_timestamp(column.type):
            seconds = pc.cast(column, pa.timestamp("s", tz="UTC"), safe=False)
            column = pc.strftime(seconds, format="%Y-%m-%dT%H:%M:%SZ")
        columns.append(column)
    return pa.table(columns, names=table.column_names)


class _CsvSink(_Sink):
    suffix = "csv"

    def __init__(self, path: Path, name: str) -> None:
        super().__init__(path, name)
        empty = _csv_ready(self.schema.empty_table())
        self._writer = pcsv.CSVWriter(path, empty.schema)

    def _write(self, table: pa.Table) -> None:
        self._writer.write_table(_csv_ready(table))

    def close(self) -> None:
        self._writer.close()


class _JsonlSink(_Sink):
    suffix = "jsonl"

    def __init__(self, path: Path, name: str) -> None:
        super().__init__(path, name)
        self._file: IO[str] = path.open("w", encoding="utf-8")
        self._objects: dict[str, Any] = {}
        self._json = [c.name for c in TABLES[name].columns if c.type == "json"]

    def _write(self, table: pa.Table) -> None:
        frame = table.to_pandas()
        for column in self._json:
            frame[column] = frame[column].map(self._object)
        text = frame.to_json(orient="records", lines=True, date_format="iso", date_unit="s")
        self._file.write(text if text.endswith("\n") else text + "\n")

    def _object(self, text: str | None) -> Any:
        """A JSON column as a nested object (parsed once per distinct value)."""
        if text is None:
            return None
        if text not in self._objects:
            self._objects[text] = json.loads(text)
        return self._objects[text]

    def close(self) -> None:
        self._file.close()


FORMATS: dict[str, type[_Sink]] = {
    sink.suffix: sink for sink in (_ParquetSink, _CsvSink, _JsonlSink)
}


def write_files(
    out_dir: Path,
    tickets: int,
    seed: int = 0,
    fmt: Format = "parquet",
    progress: Callable[[int], object] | None = None,
    *,
    start: date | None = None,
    weeks: int | None = None,
    chunk_size: int | None = None,
) -> dict[str, int]:
    """Generate the demo into ``out_dir/<table>.<fmt>``; return the rows written per table.

    ``progress`` is called after each chunk with the number of tickets that chunk wrote (an
    increment, as a progress bar's ``advance`` wants it).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    sinks = {name: FORMATS[fmt](out_dir / f"{name}.{fmt}", name) for name in TABLES}
    options: dict[str, Any] = {"start": start, "weeks": weeks, "chunk_size": chunk_size}
    chunks = generate(tickets, seed, **{k: v for k, v in options.items() if v is not None})

    def write(chunk: dict[str, pa.Table]) -> None:
        for name, table in chunk.items():
            if table.num_rows:
                sinks[name].write(table)
        if progress is not None:
            progress(chunk["tickets"].num_rows)

    try:
        _overlapped(chunks, write)
    finally:
        for sink in sinks.values():
            sink.close()
    return {name: sink.rows for name, sink in sinks.items()}


def _overlapped(
    chunks: Iterator[dict[str, pa.Table]], write: Callable[[dict[str, pa.Table]], None]
) -> None:
    """Write each chunk in a second thread while the next one is generated.

    numpy and Arrow release the GIL in their heavy loops, so generating and writing run on two
    cores; the one-slot queue keeps at most three chunks alive (being generated, waiting,
    being written). The first error on either side stops both and is raised here.
    """
    slot: Queue[dict[str, pa.Table] | None] = Queue(maxsize=1)
    failed: list[BaseException] = []

    def drain() -> None:
        while (chunk := slot.get()) is not None:
            if not failed:
                try:
                    write(chunk)
                except BaseException as exc:  # handed to the main thread below
                    failed.append(exc)

    writer = Thread(target=drain, name="demo-writer", daemon=True)
    writer.start()
    try:
        for chunk in chunks:
            if failed:
                break
            slot.put(chunk)
    finally:
        slot.put(None)
        writer.join()
    if failed:
        raise failed[0]
