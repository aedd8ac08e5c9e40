"""The instances table: the spec's columns first, compact dtypes, timestamps in UTC.

Text columns are categoricals (a code per row), ticket ids Arrow strings and counts int32, so
ten million tickets' instances fit in memory; ``ticket_row`` is the ticket's row in the tickets
frame given to the engine, for joins without strings. Blocks hand over compact :class:`Rows`,
and the table is built one column at a time, each freed from the rows as it is built.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from numpy.typing import NDArray

from supportops.config import TARGETS, WorkspaceConfig
from supportops.sla.events import NAT, source_column
from supportops.sla.grouped import Ints
from supportops.sla.targets import Spans
from supportops.sla.track import STATES, Measured

__all__ = [
    "COLUMNS",
    "TIMESTAMP_COLUMNS",
    "Rows",
    "empty_frame",
    "instance_frame",
    "release_memory",
    "timestamps",
]

COLUMNS = (
    "ticket_id",
    "policy",
    "target",
    "instance",
    "started_at",
    "stopped_at",
    "target_seconds",
    "elapsed_seconds",
    "status",
    "breached_at",
    "due_at",
)
TIMESTAMP_COLUMNS = ("started_at", "stopped_at", "breached_at", "due_at")
_STAMPS = tuple(zip(TIMESTAMP_COLUMNS, ("started", "stopped", "breached", "due"), strict=True))

_MISSING = np.iinfo(np.int32).min
_UTC = pd.DatetimeTZDtype(unit="s", tz="UTC")
_SMALL = np.iinfo(np.int32).max


def _narrow(values: Ints) -> NDArray[Any]:
    """int32 when the values fit (they almost always do), else int64."""
    if values.size and (values.max() > _SMALL or values.min() < _MISSING):
        return values
    return values.astype(np.int32)


def _offsets(epoch: Ints, base: int) -> NDArray[Any]:
    """Instants as seconds after ``base``, missing ones ``_MISSING``."""
    missing = epoch == NAT
    return _narrow(np.where(missing, _MISSING, epoch - base))


@dataclass
class Rows:
    """One target's measured instances in one block, kept small until the table is built:
    instants as seconds after ``base`` (``_MISSING`` for none) and counts as int32."""

    target: int
    base: int
    ticket: NDArray[Any] | None
    number: NDArray[Any] | None
    started: NDArray[Any] | None
    stopped: NDArray[Any] | None
    seconds: NDArray[Any] | None
    elapsed: NDArray[Any] | None
    state: NDArray[Any] | None
    breached: NDArray[Any] | None
    due: NDArray[Any] | None

    @classmethod
    def of(cls, target: str, base: int, spans: Spans, seconds: Ints, measured: Measured) -> Rows:
        """The rows of measured ``spans`` of ``target``."""
        return cls(
            TARGETS.index(target),
            base,
            _narrow(spans.ticket),
            _narrow(spans.number),
            _offsets(spans.start, base),
            _offsets(spans.stop, base),
            _narrow(seconds),
            _narrow(measured.elapsed),
            measured.state,
            _offsets(measured.breached_at, base),
            _offsets(measured.due_at, base),
        )

    def __len__(self) -> int:
        return 0 if self.state is None else int(self.state.size)


def _libc_trim() -> Callable[[int], int] | None:
    try:
        trim: Callable[[int], int] = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to do
        return None
    return trim


_TRIM = _libc_trim()


def release_memory() -> None:
    """Hand freed memory back to the system (glibc only).

    Blocks leave many ~10 MB arrays that are freed while the table's columns (hundreds of MB,
    allocated fresh) are built; glibc keeps such freed chunks in its heaps, so without this the
    resident size grows by the freed rows as well as by the columns."""
    if _TRIM is not None:
        _TRIM(0)


def timestamps(epoch: Ints) -> pd.Series:
    """UTC timestamps (second unit) of epoch seconds; NAT stays missing.

    Built with the dtype rather than ``.dt.tz_localize``: the accessor holds a reference cycle
    that would keep the epoch buffer alive until the next garbage collection."""
    return pd.Series(epoch.view("datetime64[s]"), dtype=_UTC, copy=False)


def _take(rows: list[Rows], field: str) -> NDArray[Any]:
    """One field of all rows, concatenated; the rows let go of it to free memory."""
    parts = [getattr(row, field) for row in rows]
    for row in rows:
        setattr(row, field, None)
    return np.concatenate(parts) if len(parts) > 1 else np.asarray(parts[0])


def _instants(rows: list[Rows], field: str) -> pd.Series:
    """One instant field of all rows as UTC timestamps, filled part by part into one buffer."""
    epoch = np.empty(sum(len(row) for row in rows), dtype=np.int64)
    start = 0
    for row in rows:
        offsets = getattr(row, field)
        part = epoch[start : start + offsets.size]
        np.add(offsets, np.int64(row.base), out=part)  # int64: a 1900 base is not an int32
        part[offsets == _MISSING] = NAT
        setattr(row, field, None)
        start += offsets.size
    del offsets, part
    release_memory()
    return timestamps(epoch)


def _categorical(codes: Any, categories: Sequence[Any] | pd.Index) -> pd.Series:
    return pd.Series(pd.Categorical.from_codes(codes, categories=pd.Index(categories)))


def _ticket_ids(tickets: pd.DataFrame, rows: Ints) -> pd.Series:
    """The ticket ids of ``rows`` as Arrow strings (no Python string per row)."""
    column = tickets["ticket_id"]
    arrow = isinstance(column.dtype, pd.ArrowDtype | pd.StringDtype)
    ids = pa.array(column.array if arrow else column.astype(str), type=pa.string())
    if isinstance(ids, pa.ChunkedArray):
        ids = ids.combine_chunks()
    return pd.Series(pd.arrays.ArrowExtensionArray(ids.take(pa.array(rows))), copy=False)


def _policies(config: WorkspaceConfig, chosen: Ints) -> pd.Series:
    names = [policy.name for policy in config.sla_policies]
    unique = list(dict.fromkeys(names))
    lookup = np.array([unique.index(name) for name in names] + [-1], dtype=np.int16)
    return _categorical(lookup[chosen], unique)


def _sources(tickets: pd.DataFrame, rows: Ints) -> pd.Series:
    codes, uniques = pd.factorize(source_column(tickets))
    return _categorical(codes.astype(np.int16 if len(uniques) < 2**15 else np.int64)[rows], uniques)


def instance_frame(
    tickets: pd.DataFrame, config: WorkspaceConfig, chosen: Ints, rows: list[Rows]
) -> pd.DataFrame:
    """The instances table of ``rows`` (in the spec's order of targets, then ticket order)."""
    rows = [row for row in rows if len(row)]
    if not rows:
        return empty_frame()
    targets = np.concatenate([np.full(len(row), row.target, np.int8) for row in rows])
    # the largest columns first, while the rows still hold the smaller ones
    stamps = {name: _instants(rows, field) for name, field in _STAMPS}
    ticket = _take(rows, "ticket")
    columns: dict[str, Any] = {
        "ticket_id": _ticket_ids(tickets, ticket),
        "policy": _policies(config, chosen[ticket]),
        "target": _categorical(targets, TARGETS),
        "instance": _take(rows, "number"),
        "started_at": stamps["started_at"],
        "stopped_at": stamps["stopped_at"],
        "target_seconds": _take(rows, "seconds"),
        "elapsed_seconds": _take(rows, "elapsed"),
        "status": _categorical(_take(rows, "state"), STATES),
        "breached_at": stamps["breached_at"],
        "due_at": stamps["due_at"],
        "source": _sources(tickets, ticket),
        "ticket_row": ticket,
    }
    return pd.DataFrame(columns, copy=False)


def empty_frame() -> pd.DataFrame:
    """An instances table with no rows and the right dtypes."""
    none = np.empty(0, dtype=np.int64)
    return pd.DataFrame(
        {
            "ticket_id": _ticket_ids(pd.DataFrame({"ticket_id": []}), none),
            "policy": _categorical(none, pd.Index([], dtype=object)),
            "target": _categorical(none, TARGETS),
            "instance": none.astype(np.int32),
            **{name: timestamps(none) for name in ("started_at", "stopped_at")},
            "target_seconds": none.astype(np.int32),
            "elapsed_seconds": none.astype(np.int32),
            "status": _categorical(none, STATES),
            **{name: timestamps(none) for name in ("breached_at", "due_at")},
            "source": _categorical(none, pd.Index([], dtype=object)),
            "ticket_row": none.astype(np.int32),
        }
    )
