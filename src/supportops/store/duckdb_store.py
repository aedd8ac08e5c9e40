"""The embedded store: one DuckDB file in the workspace folder."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from supportops.errors import (
    BudgetExceededError,
    StoreCorruptError,
    StoreError,
    SupportOpsError,
)
from supportops.lazy import lazy_module
from supportops.model.schema import Table
from supportops.store.base import Capabilities, Rows, Store, UpsertCounts
from supportops.store.budget import Guard, guarded

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.compute as pc
else:  # loaded on first use: a command that reads a few rows (``rows``) needs no Arrow
    pa = lazy_module("pyarrow")
    pc = lazy_module("pyarrow.compute")

__all__ = ["DUCKDB", "DuckDBStore"]

DUCKDB = Capabilities(
    name="duckdb",
    dialect="duckdb",
    types={
        "string": "VARCHAR",
        "enum": "VARCHAR",
        "timestamp": "TIMESTAMPTZ",
        "duration": "DOUBLE",
        "number": "DOUBLE",
        "bool": "BOOLEAN",
        "json": "VARCHAR",
    },
    list_type="VARCHAR[]",
    parallel_views=True,
    local_csv="COPY ({query}) TO '{path}' (FORMAT csv, HEADER false, FORCE_QUOTE ({quoted}))",
    row_id="rowid",
)

STORE_FILE = "supportops.duckdb"


def key_match(left: str, right: str, table: Table) -> str:
    """SQL condition: ``left`` and ``right`` rows have the same key (NULLs equal where a key
    column may be empty; plain equality elsewhere, so the engine can hash-join)."""
    nullable = table.nullable_key
    return " AND ".join(
        f'{left}."{k}" IS NOT DISTINCT FROM {right}."{k}"'
        if k in nullable
        else f'{left}."{k}" = {right}."{k}"'
        for k in table.key
    )


BULK_CHECKPOINT = "256MiB"  # the write-ahead log a bulk_writes block lets grow (see there)
NEAR_ROWS = 100_000  # merges of at most this many rows look only near their keys (see _near)


def _near(table: Table, rows: pa.Table) -> str | None:
    """A condition on the stored rows that keeps every row sharing a key with ``rows``: its
    value of one key column is among the incoming ones. DuckDB reads it as a semi-join with
    the few incoming rows as build side and skips stored row groups outside their range, so
    merging a page costs about the page, not the table (the anti-join alone reads every key).
    The column is the non-empty key column with the most distinct incoming values (the first
    in the key's order on a tie: an id rather than a digest); None for a large merge (a bulk
    import) or a key whose every column may be empty."""
    if rows.num_rows > NEAR_ROWS:
        return None
    candidates = [k for k in table.key if k not in table.nullable_key]
    if not candidates:
        return None
    counts = {k: pc.count_distinct(rows.column(k)).as_py() for k in candidates}
    best = max(candidates, key=lambda k: counts[k])  # max keeps the first of equals
    return f'"{best}" IN (SELECT "{best}" FROM _incoming)'


def _translated(exc: duckdb.Error, guard: Guard) -> SupportOpsError:
    """A DuckDB error as the package's: a budget's when a budget stopped the query."""
    if isinstance(exc, duckdb.InterruptException):
        return guard.exceeded() or StoreError(f"duckdb: {exc}", engine="duckdb")
    if isinstance(exc, duckdb.OutOfMemoryException):
        return BudgetExceededError(
            "the query needs more memory than limits.query_memory allows (narrow the date "
            "range or the filters, or raise the limit)",
            budget="memory",
        )
    return StoreError(f"duckdb: {exc}", engine="duckdb")


class DuckDBStore(Store):
    """The event log in ``DIR/supportops.duckdb`` (or in memory with ``path=None``)."""

    capabilities = DUCKDB
    _depth = 0  # open transaction blocks (a class default: views are made without __init__)
    _bulk = False  # in a bulk_writes block
    _memory: str | None = None  # the memory_limit set (None: DuckDB's default)

    def __init__(self, path: Path | None, read_only: bool = False) -> None:
        self.path = path
        try:
            self.con = duckdb.connect(str(path) if path else ":memory:", read_only=read_only)
        except (duckdb.SerializationException, duckdb.InternalException) as exc:
            raise StoreCorruptError(f"{path}: {exc}", engine="duckdb", path=str(path)) from exc
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():  # another process holds the file: not damage
                raise StoreError(f"cannot open the store {path}: {exc}", engine="duckdb") from exc
            raise StoreCorruptError(f"{path}: {exc}", engine="duckdb", path=str(path)) from exc
        except duckdb.Error as exc:
            raise StoreError(f"cannot open the store {path}: {exc}", engine="duckdb") from exc
        self.con.execute("SET TimeZone = 'UTC'")

    @contextmanager
    def view(self, remember: bool = True) -> Iterator[Store]:
        """A cursor of the shared connection (a DuckDB connection must not serve two threads at
        once; its cursors may run in parallel), closed when the block ends."""
        view = copy.copy(self)
        view.con = self.con.cursor()
        view.con.execute("SET TimeZone = 'UTC'")
        view.remembered = {} if remember else None  # a request's data does not change
        try:
            yield view
        finally:
            view.con.close()

    def execute(self, sql: str, params: list[Any] | None = None) -> None:
        with guarded(self.con.interrupt) as guard:
            try:
                self.con.execute(sql, params or [])
            except duckdb.Error as exc:
                raise _translated(exc, guard) from exc

    def arrow(self, sql: str, params: list[Any] | None = None) -> pa.Table:
        with guarded(self.con.interrupt) as guard:
            try:
                return self.con.sql(sql, params=params or None).to_arrow_table()
            except duckdb.Error as exc:
                raise _translated(exc, guard) from exc

    def rows(self, sql: str, params: list[Any] | None = None) -> Rows:
        with guarded(self.con.interrupt) as guard:
            try:
                cursor = self.con.execute(sql, params or [])
                if cursor.description is None:
                    return Rows([], [], [])
                names = [d[0] for d in cursor.description]
                return Rows.of(names, [tuple(r) for r in cursor.fetchall()])
            except duckdb.Error as exc:
                raise _translated(exc, guard) from exc

    def limit_memory(self, memory: str) -> None:
        """DuckDB's ``memory_limit`` for the whole database (every cursor): past it a query
        fails with :class:`BudgetExceededError` rather than the process growing."""
        self.con.execute(f"SET memory_limit = '{memory}'")
        self._memory = memory

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        # BEGIN and COMMIT bypass the request budget: a finished import is not refused its commit
        self.con.execute("BEGIN")
        self._depth = 1
        try:
            yield
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")  # also after a failed COMMIT: nothing stays open
            raise
        finally:
            self._depth = 0

    @contextmanager
    def bulk_writes(self, memory: str | None = None) -> Iterator[None]:
        """DuckDB checkpoints (rewrites the database file from its write-ahead log) whenever
        the log passes 16 MB: a sync's commits of raw records passed it every page or two, and
        each checkpoint costs more as the store grows (measured: 15 of 72 profiled seconds of a
        100,000-ticket sync). In the block the log may hold :data:`BULK_CHECKPOINT` first; one
        checkpoint ends the block. A commit is as durable in the log as in the file. With
        ``memory``, DuckDB's ``memory_limit`` for the block (its cache of blocks read and
        written grows with the store otherwise); both settings are as before after it."""
        if self._bulk:
            yield
            return
        limit = self._memory
        self.con.execute(f"SET checkpoint_threshold = '{BULK_CHECKPOINT}'")
        if memory:
            self.limit_memory(memory)
        self._bulk = True
        try:
            yield
        finally:
            self._bulk = False
            self.con.execute("RESET checkpoint_threshold")
            if memory and limit:
                self.limit_memory(limit)
            elif memory:
                self.con.execute("RESET memory_limit")
                self._memory = None
            with suppress(duckdb.Error):  # another connection's write open: DuckDB's own later
                self.con.execute("CHECKPOINT")

    def upsert(self, table: Table, rows: pa.Table) -> UpsertCounts:
        if rows.num_rows == 0:
            return UpsertCounts()
        self.con.register("_incoming", rows)
        try:
            with self.transaction():
                return self._merge(table, rows)
        except duckdb.Error as exc:
            raise StoreError(f"duckdb: upsert into {table.name}: {exc}", engine="duckdb") from exc
        finally:
            self.con.unregister("_incoming")

    def _merge(self, table: Table, rows: pa.Table) -> UpsertCounts:
        name = f'"{table.name}"'
        cols = ", ".join(f'"{c}"' for c in table.stored)
        near = _near(table, rows)
        if table.replace:
            return self._replace(table, name, cols, rows.num_rows, near)
        stored = f"(SELECT * FROM {name} WHERE {near})" if near else name
        inserted = self.con.execute(  # an INSERT answers the number of rows it inserted
            f"INSERT INTO {name} ({cols}) SELECT {cols} FROM _incoming i "
            f"WHERE NOT EXISTS (SELECT 1 FROM {stored} t WHERE {key_match('i', 't', table)})"
        ).fetchall()
        new = int(inserted[0][0])
        return UpsertCounts(new=new, duplicates=rows.num_rows - new)

    def _replace(
        self, table: Table, name: str, cols: str, total: int, near: str | None
    ) -> UpsertCounts:
        same = " AND ".join(f'i."{c}" IS NOT DISTINCT FROM t."{c}"' for c in table.stored)
        keys = ", ".join(f'i."{k}"' for k in table.key)
        stored = f"(SELECT * FROM {name} WHERE {near})" if near else name
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE _matched AS SELECT {keys}, ({same}) AS same "
            f"FROM _incoming i JOIN {stored} t ON {key_match('i', 't', table)}"
        )
        row = self.con.execute(
            "SELECT count(*) FILTER (same), count(*) FILTER (NOT same) FROM _matched"
        ).fetchall()[0]
        duplicates, updated = int(row[0]), int(row[1])
        self.con.execute(
            f"DELETE FROM {name} t WHERE {near or 'true'} AND EXISTS (SELECT 1 FROM _matched m "
            f"WHERE NOT m.same AND {key_match('m', 't', table)})"
        )
        self.con.execute(
            f"INSERT INTO {name} ({cols}) SELECT {cols} FROM _incoming i "
            f"WHERE NOT EXISTS (SELECT 1 FROM _matched m "
            f"WHERE m.same AND {key_match('m', 'i', table)})"
        )
        self.con.execute("DROP TABLE _matched")
        new = total - duplicates - updated
        return UpsertCounts(new=new, updated=updated, duplicates=duplicates)

    def append(self, name: str, rows: pa.Table) -> None:
        if rows.num_rows == 0:
            return
        self.con.register("_append", rows)
        try:
            cols = ", ".join(f'"{c}"' for c in rows.column_names)
            self.con.execute(f'INSERT INTO "{name}" ({cols}) SELECT {cols} FROM _append')
        finally:
            self.con.unregister("_append")

    def damaged(self) -> list[tuple[str, str]]:
        """Every table read through (each column's minimum over every row group): a torn or
        overwritten block fails here, with DuckDB's error, rather than in a later query."""
        tables = self.con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE NOT temporary ORDER BY table_name"
        ).fetchall()
        found = []
        for (name,) in tables:
            try:
                self.con.execute(f'SELECT min(COLUMNS(*)) FROM "{name}"').fetchall()
            except duckdb.Error as exc:
                found.append((str(name), str(exc).splitlines()[0]))
        return found

    def close(self) -> None:
        self.con.close()
