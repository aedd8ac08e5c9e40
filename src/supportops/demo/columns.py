"""Arrow columns of the event log's types, built from numpy arrays without a per-row loop.

The generator works on int64 epoch seconds and small integer codes; these helpers turn them into
the Arrow types of :mod:`supportops.model.schema` (timestamps in microseconds, UTC; enumerations
and labels as strings; lists as ``list<string>``) and assemble tables in the schema's column order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from supportops.model.schema import TABLES

__all__ = [
    "NONE",
    "UTC_US",
    "Bools",
    "Floats",
    "Ints",
    "arrow_schema",
    "labels",
    "make_table",
    "numbered",
    "string_lists",
    "timestamps",
]

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

NONE = -1
"""The missing value of an instant or a code (every real instant is a positive epoch second)."""

UTC_US = pa.timestamp("us", tz="UTC")
_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "timestamp": UTC_US,
    "duration": pa.float64(),
    "number": pa.float64(),
    "bool": pa.bool_(),
    "enum": pa.string(),
    "list": pa.list_(pa.string()),
    "json": pa.string(),
}


def arrow_schema(name: str) -> pa.Schema:
    """The Arrow schema of table ``name``: its declared columns, in order, with Arrow types."""
    return pa.schema([pa.field(c.name, _TYPES[c.type]) for c in TABLES[name].columns])


def timestamps(seconds: npt.NDArray[Any], valid: Bools | None = None) -> pa.Array:
    """UTC timestamps from epoch seconds; rows where ``valid`` is false (or NONE) are null."""
    seconds = np.asarray(seconds, dtype=np.int64)
    missing = seconds == NONE if valid is None else ~valid
    return pa.array(seconds * 1_000_000, type=UTC_US, mask=missing)


def labels(vocab: Sequence[str] | pa.Array, codes: npt.NDArray[Any]) -> pa.Array:
    """``vocab[code]`` for each row; a negative code is null."""
    codes = np.asarray(codes)
    indices = pa.array(codes.astype(np.int32), mask=codes < 0)
    strings = vocab if isinstance(vocab, pa.Array) else pa.array(list(vocab), pa.string())
    return pc.take(strings, indices)


def numbered(prefix: str, numbers: npt.NDArray[Any], valid: Bools | None = None) -> pa.Array:
    """``prefix`` followed by the decimal number, e.g. ``u1042``; rows not ``valid`` are null."""
    numbers = np.asarray(numbers, dtype=np.int64)
    missing = numbers < 0 if valid is None else ~valid
    text = pa.array(numbers, mask=missing).cast(pa.string())
    if not prefix:
        return text
    return pc.binary_join_element_wise(pa.scalar(prefix), text, "")


def string_lists(vocab: Sequence[str], chosen: Bools) -> pa.Array:
    """One list per row of the ``[rows, len(vocab)]`` matrix: the vocabulary entries chosen."""
    counts = chosen.sum(axis=1, dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    _, columns = np.nonzero(chosen)
    return pa.ListArray.from_arrays(pa.array(offsets), labels(vocab, columns))


def make_table(name: str, rows: int, columns: Mapping[str, pa.Array | str]) -> pa.Table:
    """Table ``name`` with exactly its schema's columns (a str is repeated, absent ones null)."""
    schema = arrow_schema(name)
    arrays = []
    for field in schema:
        given = columns.get(field.name)
        if given is None:
            arrays.append(pa.nulls(rows, field.type))
        elif isinstance(given, str):
            arrays.append(pa.repeat(pa.scalar(given, field.type), rows))
        else:
            arrays.append(given.cast(field.type))
    unknown = set(columns) - set(schema.names)
    if unknown:
        raise KeyError(f"{name} has no column(s) {sorted(unknown)}")
    return pa.Table.from_arrays(arrays, schema=schema)
