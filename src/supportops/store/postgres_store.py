"""The shared store: the event log's tables in a PostgreSQL database (psycopg 3).

Rows arrive with ``COPY ... FROM STDIN`` (CSV written by Arrow, no per-row Python loop) into a
temporary table, then merge with an anti-join, exactly as :class:`DuckDBStore` does. SQL may use
either placeholder style: psycopg's ``%s`` / ``%(name)s``, or DuckDB's ``?`` (rewritten here, so
code written against the embedded store runs unchanged).
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import psycopg
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from supportops.errors import StoreError, StoreUnavailableError
from supportops.model.schema import Table
from supportops.store.base import Capabilities, Store, UpsertCounts
from supportops.store.budget import guarded

__all__ = ["POSTGRES", "PostgresStore", "qmark_to_format"]

POSTGRES = Capabilities(
    name="postgresql",
    dialect="postgres",
    types={
        "string": "TEXT",
        "enum": "TEXT",
        "timestamp": "TIMESTAMPTZ",
        "duration": "DOUBLE PRECISION",
        "number": "DOUBLE PRECISION",
        "bool": "BOOLEAN",
        "json": "TEXT",
    },
    list_type="TEXT[]",
)

# Arrow type of each PostgreSQL type OID a query may return; anything else arrives as text.
_ARROW_TYPES: dict[int, pa.DataType] = {
    16: pa.bool_(),
    20: pa.int64(),
    21: pa.int64(),
    23: pa.int64(),
    700: pa.float64(),
    701: pa.float64(),
    1700: pa.float64(),
    1082: pa.date32(),
    1114: pa.timestamp("us"),
    1184: pa.timestamp("us", tz="UTC"),
    1186: pa.duration("us"),
    1009: pa.list_(pa.string()),
    1015: pa.list_(pa.string()),
}


def qmark_to_format(sql: str) -> str:
    """Rewrite ``?`` placeholders outside quotes as ``%s`` and escape literal ``%``."""
    out: list[str] = []
    quote: str | None = None
    for char in sql:
        if quote:
            quote = None if char == quote else quote
            out.append("%%" if char == "%" else char)
        elif char in "'\"":
            quote = char
            out.append(char)
        else:
            out.append("%s" if char == "?" else "%%" if char == "%" else char)
    return "".join(out)


def _prepare(sql: str, params: Sequence[Any] | None) -> tuple[str, Sequence[Any] | None]:
    if not params:
        return sql, None
    if "%s" in sql or "%(" in sql:
        return sql, params
    return qmark_to_format(sql), params


def _column(values: Sequence[Any], oid: int) -> pa.Array:
    kind = _ARROW_TYPES.get(oid, pa.string())
    if oid == 1700:
        values = [float(v) if isinstance(v, Decimal) else v for v in values]
    elif kind == pa.string():
        values = [v if v is None or isinstance(v, str) else str(v) for v in values]
    return pa.array(values, type=kind)


def _array_literals(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    """A list<string> column as PostgreSQL array literals: ``{"a","b"}``."""
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if pa.types.is_null(arr.type):
        return pa.nulls(len(arr), pa.string())
    if not pa.types.is_list(arr.type):
        return arr.cast(pa.string())
    flat = arr.flatten().cast(pa.string())
    escaped = pc.replace_substring(pc.replace_substring(flat, "\\", "\\\\"), '"', '\\"')
    quoted = pc.binary_join_element_wise('"', escaped, '"', "")
    items = pc.if_else(pc.is_null(flat), pa.scalar("NULL"), quoted)
    lengths = pc.fill_null(arr.value_lengths(), 0)
    offsets = pa.concat_arrays(
        [pa.array([0], pa.int32()), pc.cumulative_sum(lengths).cast(pa.int32())]
    )
    rebuilt = pa.ListArray.from_arrays(offsets, items, mask=arr.is_null())
    joined = pc.binary_join(rebuilt, ",")
    return pc.binary_join_element_wise("{", joined, "}", "")


def _csv_ready(rows: pa.Table) -> pa.Table:
    """Columns Arrow's CSV writer renders the way PostgreSQL's COPY reads them."""
    columns = []
    for field, column in zip(rows.schema, rows.columns, strict=True):
        if pa.types.is_list(field.type) or pa.types.is_large_list(field.type):
            columns.append(_array_literals(column))
        elif pa.types.is_timestamp(field.type):
            columns.append(column.cast(pa.timestamp("us", tz=field.type.tz or "UTC")))
        else:
            columns.append(column)
    return pa.table(columns, names=rows.column_names)


class PostgresStore(Store):
    """The event log in a PostgreSQL database named by a ``postgresql://`` URL."""

    capabilities = POSTGRES

    def __init__(self, url: str) -> None:
        self.url = url
        try:
            self.con = psycopg.connect(url, autocommit=True)
        except psycopg.OperationalError as exc:
            raise StoreUnavailableError(
                f"cannot reach PostgreSQL at {_redact(url)}: {exc}", engine="postgresql"
            ) from exc
        self.execute("SET TIME ZONE 'UTC'")

    def execute(self, sql: str, params: list[Any] | None = None) -> None:
        text, bound = _prepare(sql, params)
        with self._budgeted() as cur:
            cur.execute(text, bound)

    def arrow(self, sql: str, params: list[Any] | None = None) -> pa.Table:
        text, bound = _prepare(sql, params)
        with self._budgeted() as cur:
            cur.execute(text, bound)
            if cur.description is None:
                return pa.table({})
            rows = cur.fetchall()
            names = [d.name for d in cur.description]
            columns = list(zip(*rows, strict=True)) if rows else [()] * len(names)
            arrays = [
                _column(values, d.type_code)
                for values, d in zip(columns, cur.description, strict=True)
            ]
        return pa.table(arrays, names=names)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._errors(), self.con.transaction():  # an inner block is a savepoint
            yield

    def upsert(self, table: Table, rows: pa.Table) -> UpsertCounts:
        if rows.num_rows == 0:
            return UpsertCounts()
        rows = rows.select(table.stored)
        with self._errors(), self.con.transaction():
            self._copy_temp("_incoming", table.name, rows)
            if table.replace:
                counts = self._replace(table)
            else:
                counts = self._insert_new(table, rows.num_rows)
            self.con.execute("DROP TABLE _incoming")
        return counts

    def append(self, name: str, rows: pa.Table) -> None:
        if rows.num_rows == 0:
            return
        with self._errors(), self.con.transaction():
            self._copy(name, rows)

    def close(self) -> None:
        self.con.close()

    def _copy_temp(self, temp: str, like: str, rows: pa.Table) -> None:
        self.con.execute(f'CREATE TEMP TABLE {temp} (LIKE "{like}") ON COMMIT DROP')
        self._copy(temp, rows)

    def _copy(self, name: str, rows: pa.Table) -> None:
        buffer = io.BytesIO()
        options = pa_csv.WriteOptions(include_header=False, quoting_style="all_valid")
        pa_csv.write_csv(_csv_ready(rows), buffer, options)
        cols = ", ".join(f'"{c}"' for c in rows.column_names)
        with (
            self.con.cursor() as cur,
            cur.copy(f'COPY "{name}" ({cols}) FROM STDIN (FORMAT csv)') as copy,
        ):
            copy.write(buffer.getvalue())

    def _insert_new(self, table: Table, total: int) -> UpsertCounts:
        cols = ", ".join(f'"{c}"' for c in table.stored)
        cur = self.con.execute(
            f'INSERT INTO "{table.name}" ({cols}) SELECT DISTINCT ON ({_key("i", table.key)}) '
            f'{cols} FROM _incoming i WHERE NOT EXISTS (SELECT 1 FROM "{table.name}" t '
            f"WHERE {_key('i', table.key)} = {_key('t', table.key)})"
        )
        new = max(cur.rowcount, 0)
        return UpsertCounts(new=new, duplicates=total - new)

    def _replace(self, table: Table) -> UpsertCounts:
        name, cols = f'"{table.name}"', ", ".join(f'"{c}"' for c in table.stored)
        same = " AND ".join(f'i."{c}" IS NOT DISTINCT FROM t."{c}"' for c in table.stored)
        self.con.execute(
            f"CREATE TEMP TABLE _matched ON COMMIT DROP AS SELECT {_key('i', table.key)} AS k, "
            f"({same}) AS same FROM _incoming i JOIN {name} t "
            f"ON {_key('i', table.key)} = {_key('t', table.key)}"
        )
        row = self.con.execute(
            "SELECT count(*) FILTER (WHERE same), count(*) FILTER (WHERE NOT same), "
            "(SELECT count(*) FROM _incoming) FROM _matched"
        ).fetchone()
        duplicates, updated, total = (int(v) for v in row) if row else (0, 0, 0)
        self.con.execute(
            f"DELETE FROM {name} t USING _matched m WHERE NOT m.same "
            f"AND m.k = {_key('t', table.key)}"
        )
        self.con.execute(
            f"INSERT INTO {name} ({cols}) SELECT {cols} FROM _incoming i WHERE NOT EXISTS "
            f"(SELECT 1 FROM _matched m WHERE m.same AND m.k = {_key('i', table.key)})"
        )
        self.con.execute("DROP TABLE _matched")
        return UpsertCounts(
            new=total - duplicates - updated, updated=updated, duplicates=duplicates
        )

    @contextmanager
    def _budgeted(self) -> Iterator[psycopg.Cursor[Any]]:
        """A cursor for one statement; under a request's budget, inside a transaction whose
        ``statement_timeout`` is the budget, and cancelled with the request."""
        with guarded(self.con.cancel_safe) as guard:
            if guard.budget is None:
                with self._errors(), self.con.cursor() as cur:
                    yield cur
                return
            milliseconds = max(1, int(guard.budget.seconds * 1000))
            try:
                with self._errors(), self.con.transaction(), self.con.cursor() as cur:
                    cur.execute(f"SET LOCAL statement_timeout = {milliseconds}")
                    yield cur
            except StoreError as exc:
                canceled = isinstance(exc.__cause__, psycopg.errors.QueryCanceled)
                guard.timed_out = guard.timed_out or (canceled and not guard.budget.cancelled)
                raise (guard.exceeded() if canceled else None) or exc from exc.__cause__

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except psycopg.errors.QueryCanceled as exc:
            raise StoreError(f"postgresql: {exc}", engine="postgresql") from exc
        except psycopg.OperationalError as exc:
            raise StoreUnavailableError(f"postgresql: {exc}", engine="postgresql") from exc
        except psycopg.Error as exc:
            raise StoreError(f"postgresql: {exc}", engine="postgresql") from exc


def _key(alias: str, keys: tuple[str, ...]) -> str:
    """A NULL-safe, hashable text form of a row's key (``ROW(...)::text`` tells NULL from '')."""
    return "(ROW(" + ", ".join(f'{alias}."{k}"' for k in keys) + "))::text"


def _redact(url: str) -> str:
    """The URL without its password."""
    head, sep, tail = url.rpartition("@")
    if not sep or ":" not in head.split("//", 1)[-1]:
        return url
    scheme, _, userinfo = head.partition("//")
    return f"{scheme}//{userinfo.split(':', 1)[0]}:***@{tail}"
