"""The store interface: the event log's tables on an SQL engine.

Engines differ only through :class:`Capabilities` (data, not branches): the SQLGlot dialect their
SQL is generated in, the DDL type of each logical column type, and whether their per-thread read
views (:meth:`Store.view`) run in parallel.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from supportops.lazy import lazy_module
from supportops.model.schema import TABLES, Column, Table

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa
else:  # a command that reads a few rows (``Store.rows``) loads neither Arrow nor numpy
    pa = lazy_module("pyarrow")

__all__ = [
    "BOOKKEEPING",
    "PENDING",
    "Capabilities",
    "Rows",
    "Store",
    "UpsertCounts",
    "py_rows",
    "py_values",
]


def py_values(column: pa.Array | pa.ChunkedArray) -> list[Any]:
    """An Arrow column's values as Python objects, as ``to_pylist`` gives them, but an instant
    with a time zone is read as UTC wall time and given its zone here: pyarrow resolves the
    zone through pandas, and a command that needs no pandas must not load it."""
    kind = column.type
    if not (pa.types.is_timestamp(kind) and kind.tz is not None) or kind.tz[0] in "+-":
        values: list[Any] = column.to_pylist()  # no zone, or a fixed offset
        return values
    zone = UTC if kind.tz.upper() in ("UTC", "Z") else ZoneInfo(kind.tz)
    naive = column.cast(pa.timestamp(kind.unit)).to_pylist()
    return [v if v is None else v.replace(tzinfo=UTC).astimezone(zone) for v in naive]


def py_rows(table: pa.Table) -> list[dict[str, Any]]:
    """An Arrow table's rows as dicts, as ``to_pylist`` gives them (instants by
    :func:`py_values`, without pandas)."""
    columns = [py_values(column) for column in table.columns]
    return [dict(zip(table.column_names, row, strict=True)) for row in zip(*columns, strict=True)]


@dataclass(frozen=True)
class Rows:
    """A query's rows as Python values, for the few rows a person reads: the column names,
    each column's numpy dtype kind read from its values (``M`` instants, ``b``, ``i``, ``f``,
    else ``O``), and the rows as tuples."""

    columns: list[str]
    kinds: list[str]
    values: list[tuple[Any, ...]]

    @classmethod
    def of(cls, columns: list[str], values: list[tuple[Any, ...]]) -> Rows:
        """Rows with their kinds read from the first value that is not null in each column."""
        kinds = []
        for i in range(len(columns)):
            first = next((row[i] for row in values if row[i] is not None), None)
            kinds.append(_kind_of(first))
        return cls(columns, kinds, values)

    def dicts(self) -> list[dict[str, Any]]:
        """The rows as dicts by column name."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.values]


def _kind_of(value: Any) -> str:
    from datetime import datetime
    from decimal import Decimal

    if isinstance(value, bool):
        return "b"
    if isinstance(value, int):
        return "i"
    if isinstance(value, float | Decimal):
        return "f"
    return "M" if isinstance(value, datetime) else "O"


@dataclass(frozen=True)
class Capabilities:
    """What distinguishes one engine from another, as data.

    ``parallel_views``: each :meth:`Store.view` is a cursor of its own, so views of several
    threads run at once (DuckDB); otherwise a view is the store itself, one thread at a time.

    ``local_csv``: the statement that writes a query's rows (``{query}``, DuckDB SQL) as CSV to a
    file of this machine (``{path}``), forcing quotes on ``{quoted}``, without a header; None
    where the engine writes files on its server (PostgreSQL), so the rows are read and written
    here.

    ``row_id``: the pseudo-column naming a row, when selecting the few rows of a large table
    by their ids is quicker than one pass reading every column (DuckDB's ``rowid``).
    """

    name: str
    dialect: str
    types: dict[str, str]
    list_type: str
    parallel_views: bool = False
    local_csv: str | None = None
    row_id: str | None = None

    def ddl_type(self, column: Column) -> str:
        """The engine's SQL type for a declared column."""
        if column.type == "list":
            return self.list_type
        return self.types[column.type]


@dataclass(frozen=True)
class UpsertCounts:
    """What an upsert did: rows new to the store, rows that replaced a changed row, and rows
    that were already there unchanged (merged as duplicates)."""

    new: int = 0
    updated: int = 0
    duplicates: int = 0


PENDING = "refresh_pending"

# Tables of the store's own: the quarantine of rejected rows, the imports begun, and the log of
# imports that finished.
BOOKKEEPING: dict[str, list[tuple[str, str]]] = {
    "quarantine": [
        ("import_id", "string"),
        ("table_name", "string"),
        ("file", "string"),
        ("row", "number"),
        ("column", "string"),
        ("reason", "string"),
        ("record", "string"),
    ],
    # written before an import's data, outside its transaction: a run without an imports row
    # did not finish (``error`` says why when it failed; empty when it was killed)
    "import_runs": [
        ("import_id", "string"),
        ("started_at", "timestamp"),
        ("files", "string"),
        ("error", "string"),
    ],
    "imports": [
        ("import_id", "string"),
        ("at", "timestamp"),
        ("files", "string"),
        ("rows_read", "number"),
        ("imported", "number"),
        ("updated", "number"),
        ("duplicates", "number"),
        ("quarantined", "number"),
    ],
    # connectors (see :mod:`supportops.store.sync_log`): every fetched vendor record, each
    # stream's cursor, and one row per sync run of a source
    "raw_records": [
        ("source", "string"),
        ("stream", "string"),
        ("part", "string"),
        ("vendor_id", "string"),
        ("fetched_at", "timestamp"),
        ("digest", "string"),
        ("record", "string"),
    ],
    "sync_state": [
        ("source", "string"),
        ("stream", "string"),
        ("cursor", "string"),
        ("committed_at", "timestamp"),
    ],
    "sync_runs": [
        ("source", "string"),
        ("started_at", "timestamp"),
        ("finished_at", "timestamp"),
        ("requests", "number"),
        ("records", "number"),
        ("error", "string"),
    ],
    # the tickets imports changed since the materialised facts were last refreshed (see
    # :mod:`supportops.metrics.incremental`): written in the import's transaction
    PENDING: [("source", "string"), ("ticket_id", "string")],
    # the rules' action ledger (see :mod:`supportops.rules.ledger`): append-only, one row per
    # action a rule took, dry or live
    "rule_actions": [
        ("action_id", "string"),
        ("rule", "string"),
        ("source", "string"),
        ("ticket_id", "string"),
        ("action", "string"),
        ("field", "string"),
        ("before", "string"),
        ("after", "string"),
        ("at", "timestamp"),
        ("recorded_at", "timestamp"),
        ("result", "string"),
        ("mode", "string"),
        # the context fields the rule's condition read (a triage prediction and its
        # confidence, an SLA's due_in, ...), as JSON, with their values at the event
        ("context", "string"),
    ],
    # coaching notes (see :mod:`supportops.qa.notes`): appended, one row per note
    "coaching_notes": [
        ("note_id", "string"),
        ("agent_id", "string"),
        ("author", "string"),
        ("at", "timestamp"),
        ("text", "string"),
        ("focus", "string"),
    ],
}

_VIEW_LOCKS = threading.Lock()  # guards the creation of each store's view lock


class Store(ABC):
    """An SQL engine holding the event log. Subclasses provide the engine's I/O.

    ``remembered`` is None (the default: every call asks the engine), or, for a view whose data
    cannot change while it lives (a web request's cursor), a dict in which :meth:`memo` keeps
    answers about the data — which tables exist, their signatures — for the view's life.
    """

    capabilities: Capabilities
    remembered: dict[Hashable, Any] | None = None
    _view_lock: threading.RLock | None = None

    def memo(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """``compute()``, remembered under ``key`` when this store remembers (see above)."""
        if self.remembered is None:
            return compute()
        if key not in self.remembered:
            self.remembered[key] = compute()
        return self.remembered[key]

    def has_table(self, name: str) -> bool:
        """Whether the current schema has a table called ``name``. A store that remembers (a
        request's view, whose data does not change) lists the schema's tables once."""
        if self.remembered is None:
            return bool(
                self.scalar(
                    "SELECT count(*) FROM information_schema.tables WHERE table_name = ? "
                    "AND table_schema = current_schema()",
                    [name],
                )
            )
        tables: frozenset[str] = self.memo(
            ("tables",),
            lambda: frozenset(
                self.arrow(
                    "SELECT table_name FROM information_schema.tables "
                    "WHERE table_schema = current_schema()"
                )
                .column(0)
                .to_pylist()
            ),
        )
        return name in tables

    @contextmanager
    def view(self, remember: bool = True) -> Iterator[Store]:
        """A store safe to use from the calling thread until the block ends (a web request's).

        With ``remember`` it remembers what it learns about the data (:meth:`memo`): pass False
        for a view that writes. This default serves engines without parallel views: the store
        itself, one view at a time (a re-entrant lock); an engine with cursors overrides it."""
        with _VIEW_LOCKS:
            if self._view_lock is None:
                self._view_lock = threading.RLock()
        with self._view_lock:
            before = self.remembered
            self.remembered = {} if remember else None
            try:
                yield self
            finally:
                self.remembered = before

    def ensure_schema(self) -> None:
        """Create every table of the event log and the bookkeeping tables if missing, and add
        the columns a table of an earlier version lacks (empty in its rows: a column the event
        log gained, such as ``bot_sessions.requester_id``, is optional; so is one a bookkeeping
        table gained, such as ``rule_actions.context``)."""
        for tbl in TABLES.values():
            self.execute(self._create_sql(tbl))
        for name, columns in BOOKKEEPING.items():
            body = ", ".join(f'"{col}" {self.capabilities.types[kind]}' for col, kind in columns)
            self.execute(f'CREATE TABLE IF NOT EXISTS "{name}" ({body})')
        self._add_missing_columns()

    def _add_missing_columns(self) -> None:
        found = self.rows(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema()"
        )
        have = {(str(table), str(column)) for table, column in found.values}
        for tbl in TABLES.values():
            declared = [(c.name, self.capabilities.ddl_type(c)) for c in tbl.columns]
            declared += [
                (c.raw_name, self.capabilities.types["string"]) for c in tbl.columns if c.other
            ]
            for column, kind in declared:
                if (tbl.name, column) not in have:
                    self.execute(f'ALTER TABLE "{tbl.name}" ADD COLUMN "{column}" {kind}')
        for name, columns in BOOKKEEPING.items():
            for column, kind in columns:
                if (name, column) not in have:
                    sql_type = self.capabilities.types[kind]
                    self.execute(f'ALTER TABLE "{name}" ADD COLUMN "{column}" {sql_type}')

    def _create_sql(self, tbl: Table) -> str:
        defs = [f'"{c.name}" {self.capabilities.ddl_type(c)}' for c in tbl.columns]
        defs += [
            f'"{c.raw_name}" {self.capabilities.types["string"]}' for c in tbl.columns if c.other
        ]
        return f'CREATE TABLE IF NOT EXISTS "{tbl.name}" ({", ".join(defs)})'

    @abstractmethod
    def execute(self, sql: str, params: list[Any] | None = None) -> None:
        """Run a statement that returns nothing."""

    @abstractmethod
    def arrow(self, sql: str, params: list[Any] | None = None) -> pa.Table:
        """Run a query and return its rows as an Arrow table."""

    def rows(self, sql: str, params: list[Any] | None = None) -> Rows:
        """Run a query and return its rows as Python values (:class:`Rows`): for the few rows
        a person reads, where an engine that can gives them without Arrow."""
        table = self.arrow(sql, params)
        values = list(zip(*(py_values(column) for column in table.columns), strict=True))
        return Rows.of(table.column_names, values)

    def query(self, sql: str, params: list[Any] | None = None) -> pd.DataFrame:
        """Run a query and return its rows as a pandas DataFrame."""
        frame: pd.DataFrame = self.arrow(sql, params).to_pandas()
        return frame

    def scalar(self, sql: str, params: list[Any] | None = None) -> Any:
        """Run a query and return the first column of its first row (None when empty)."""
        result = self.rows(sql, params)
        return result.values[0][0] if result.values else None

    def count(self, table: str) -> int:
        """Rows in ``table``."""
        return int(self.scalar(f'SELECT count(*) FROM "{table}"'))

    @abstractmethod
    def transaction(self) -> AbstractContextManager[None]:
        """A block whose writes all commit at its end, or none if it raises (or the process
        dies). Blocks nest: only the outermost commits; an inner one's error undoes them all."""

    @abstractmethod
    def upsert(self, table: Table, rows: pa.Table) -> UpsertCounts:
        """Merge ``rows`` (unique by ``table.key``, all stored columns) into ``table``.

        For a table with ``replace`` a row whose key exists replaces the stored row; otherwise
        a row whose key exists is a duplicate and is dropped.
        """

    @abstractmethod
    def append(self, name: str, rows: pa.Table) -> None:
        """Append ``rows`` to a bookkeeping table."""

    def bulk_writes(self, memory: str | None = None) -> AbstractContextManager[None]:
        """A block of many small transactions in a row (a sync's pages): where the engine
        rewrites its data files on a schedule of its own (DuckDB's checkpoint), it does so once
        for the block rather than every few commits; with ``memory``, the engine holds at most
        that much (``128MB``: an embedded engine's cache of the store) until the block ends.
        Every commit stays as durable. Nothing changes on a database server."""
        return nullcontext()

    def limit_memory(self, memory: str) -> None:  # noqa: B027 - a no-op unless overridden
        """Bound the engine's memory (``2GB``) where the engine has such a setting; a
        database server keeps its own."""

    def damaged(self) -> list[tuple[str, str]]:
        """The tables whose data cannot be read, each with the engine's error; ``[]`` when the
        engine keeps its own integrity (a database server)."""
        return []

    @abstractmethod
    def close(self) -> None:
        """Release the connection."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
