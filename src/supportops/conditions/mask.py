"""A condition as one boolean mask over a table: Arrow compute kernels, no loop over rows.

Semantics are two-valued and the same as the SQL compiler's (:mod:`.sql`): a comparison with an
empty field is false (so ``not`` of it is true), ``ne`` and ``not_in`` ask for a value that is
there and differs, a column the table lacks is empty, and the event log's defaults fill empty
``source`` and ``created_by``. Custom fields are read from the ``custom`` JSON text by DuckDB's
JSON functions over the Arrow column (in process, vectorised), as the stores read them.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from functools import reduce
from typing import Any

import duckdb
import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from supportops.conditions.model import CUSTOM, All, AnyOf, Compare, Condition, Not, Tags
from supportops.conditions.sql import NUMBER_TEXT, TICKET_DEFAULTS

__all__ = ["mask", "tag_lists"]

Mask = npt.NDArray[np.bool_]
_TYPES = {"text": pa.string(), "number": pa.float64(), "instant": pa.timestamp("us", "UTC")}
_OPS = {"eq": pc.equal, "ne": pc.not_equal, "lt": pc.less, "le": pc.less_equal}
_OPS |= {"gt": pc.greater, "ge": pc.greater_equal}


def mask(
    condition: Condition, frame: pd.DataFrame, defaults: Mapping[str, str] = TICKET_DEFAULTS
) -> Mask:
    """Which rows of ``frame`` satisfy ``condition``."""
    n = len(frame)
    match condition:
        case All(items):
            return reduce(np.logical_and, (mask(i, frame, defaults) for i in items), _ones(n))
        case AnyOf(items):
            return reduce(np.logical_or, (mask(i, frame, defaults) for i in items), ~_ones(n))
        case Not(item):
            return ~mask(item, frame, defaults)
        case Tags():
            return _tags(condition, frame)
        case Compare():
            return _compare(condition, _column(frame, condition, defaults))
    raise TypeError(f"not a condition: {condition!r}")


def _ones(n: int) -> Mask:
    return np.ones(n, dtype=bool)


def _bools(array: Any) -> Mask:
    filled = pc.fill_null(array, False)
    return np.asarray(filled.to_numpy(zero_copy_only=False), dtype=bool)


def _compare(cond: Compare, column: pa.Array) -> Mask:
    if isinstance(column, pa.DictionaryArray) and cond.op != "null":
        on_values = pa.array(_compare(cond, column.dictionary))  # once per distinct value
        return _bools(pc.take(on_values, column.indices))  # an empty index stays false
    if cond.op == "null":
        empty = _bools(pc.is_null(column, nan_is_null=True))
        return empty if cond.values[0] else ~empty
    kind = _TYPES[cond.kind if cond.kind != "custom" else "text"]
    values = [pa.scalar(v, type=kind) for v in cond.values]
    if cond.op in ("in", "not_in"):
        hits = _bools(pc.is_in(column, value_set=pa.array(values, type=kind)))
        return hits if cond.op == "in" else ~hits & _bools(pc.is_valid(column))
    if cond.op == "contains":
        return _bools(pc.match_substring(column, cond.values[0], ignore_case=True))
    if cond.op == "regex":
        return _bools(pc.match_substring_regex(column, cond.values[0]))
    if cond.op == "between":
        low, high = values
        return _bools(pc.greater_equal(column, low)) & _bools(pc.less_equal(column, high))
    return _bools(_OPS[cond.op](column, values[0]))


def _column(frame: pd.DataFrame, cond: Compare, defaults: Mapping[str, str]) -> pa.Array:
    """The field as an Arrow array of its kind's type, defaults filled."""
    if cond.field.startswith(CUSTOM):
        text = _custom(frame, cond.field.removeprefix(CUSTOM))
    elif cond.field in frame:
        text = _arrow(frame[cond.field], decode=cond.field in defaults or cond.kind != "text")
    else:
        text = pa.nulls(len(frame), pa.string())
    if cond.field in defaults:
        text = pc.fill_null(text.cast(pa.string()), defaults[cond.field])
    if cond.kind == "number" and pa.types.is_string(text.type):
        numeric = pc.match_substring_regex(text, NUMBER_TEXT)
        return pc.if_else(numeric, pc.cast(pc.if_else(numeric, text, "0"), pa.float64()), None)
    if cond.kind == "instant" and not pa.types.is_timestamp(text.type):
        stamps = pd.to_datetime(
            pd.Series(text.to_pandas()), utc=True, errors="coerce", format="ISO8601"
        )
        return pa.array(stamps, type=_TYPES["instant"])
    wanted = _TYPES[cond.kind if cond.kind != "custom" else "text"]
    if isinstance(text, pa.DictionaryArray):  # kept encoded: compared once per distinct value
        return pa.DictionaryArray.from_arrays(text.indices, text.dictionary.cast(wanted))
    return text.cast(wanted, safe=cond.kind != "instant")  # instants: to the microsecond


def _arrow(series: pd.Series, decode: bool = True) -> pa.Array:
    values: Any = series.array if isinstance(series.dtype, pd.ArrowDtype) else series
    array = pa.array(values, from_pandas=True)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if decode and isinstance(array, pa.DictionaryArray):
        array = array.dictionary_decode()
    return array


def _custom(frame: pd.DataFrame, key: str) -> pa.Array:
    """``custom ->> key`` for every row, as the stores read it (text, or empty)."""
    if "custom" not in frame:
        return pa.nulls(len(frame), pa.string())
    table = pa.table({"c": _arrow(frame["custom"]).cast(pa.string())})
    con = _connection()
    con.register("custom_fields", table)
    try:
        sql = "SELECT CAST(c AS JSON) ->> ? AS v FROM custom_fields"
        out = con.sql(sql, params=[key]).to_arrow_table()
    finally:
        con.unregister("custom_fields")
    column = out.column("v")
    return column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column


_LOCAL = threading.local()


def _connection() -> duckdb.DuckDBPyConnection:
    """This thread's in-memory DuckDB (opening one per mask costs more than the mask)."""
    con: duckdb.DuckDBPyConnection | None = getattr(_LOCAL, "con", None)
    if con is None:
        con = _LOCAL.con = duckdb.connect()
    return con


def tag_lists(frame: pd.DataFrame, field: str = "tags") -> pa.ListArray:
    """The tags column as an Arrow list array (``;``-separated text is split)."""
    if field not in frame:
        return pa.nulls(len(frame), pa.list_(pa.string()))
    array = _arrow(frame[field])
    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        array = pc.split_pattern(array, ";")
    wanted = pa.list_(pa.string())
    return array if array.type == wanted else array.cast(wanted)


def _tags(cond: Tags, frame: pd.DataFrame) -> Mask:
    lists = tag_lists(frame, cond.field)

    def has(tags: tuple[str, ...]) -> Mask:
        flat = pc.is_in(pc.list_flatten(lists), value_set=pa.array(tags, pa.string()))
        parents = pc.list_parent_indices(lists).to_numpy()
        return np.bincount(parents[_bools(flat)], minlength=len(frame)) > 0

    if cond.op == "all_of":
        return reduce(np.logical_and, (has((t,)) for t in cond.tags), _ones(len(frame)))
    hits = has(cond.tags)
    return hits if cond.op == "any_of" else ~hits
