"""Import mappings: turning a foreign export into the event log.

A mapping is a YAML file (see ``docs/import-mappings.md``) that names, for each event-log column,
the source column (or a constant), a value map and a timestamp format. ``history`` turns status
history given as snapshot rows (one row per update of a record) into field-change events, and
``events`` derives events from timestamp columns (a closed date becomes a solve). The mapped
rows then go through the same cleaning and quarantine as any event-log file.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import duckdb
import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from supportops.config import read_yaml
from supportops.errors import MappingError
from supportops.model.reader import _format_of as format_of
from supportops.model.reader import read_batches, read_columns
from supportops.model.schema import TABLES
from supportops.model.validate import quote, quote_literal

__all__ = ["BUILTIN", "Mapping", "load_mapping"]

BUILTIN = ("servicenow", "nyc311")
Stream = tuple[str, str, Iterator[pa.RecordBatch], tuple[str, ...]]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldMap(_Model):
    """Where one event-log column comes from."""

    column: str | None = None
    value: str | None = None
    columns: list[str] = Field(default_factory=list)
    map: dict[str, str] = Field(default_factory=dict)
    format: str | None = None


class History(_Model):
    """Snapshot rows: one row per update, ordered by ``at`` then ``order_by``."""

    at: str
    format: str | None = None
    order_by: list[str] = Field(default_factory=list)
    fields: list[str] = Field(
        default_factory=lambda: ["status", "assignee_id", "group", "priority"]
    )


class DerivedEvent(_Model):
    """An event made from a timestamp column, when it is set."""

    kind: str
    at: str
    value: str | None = None
    format: str | None = None


class Mapping(_Model):
    """A whole mapping file."""

    name: str
    description: str = ""
    source: str | None = None
    timezone: str | None = None
    null_values: list[str] = Field(default_factory=list)
    timestamp_format: str | None = None
    tickets: dict[str, FieldMap | str]
    history: History | None = None
    events: list[DerivedEvent] = Field(default_factory=list)

    def fields(self) -> dict[str, FieldMap]:
        """The ticket column maps, a bare string meaning a source column."""
        return {k: FieldMap(column=v) if isinstance(v, str) else v for k, v in self.tickets.items()}

    def tables(self, paths: list[Path], encoding: str = "utf-8") -> Iterator[Stream]:
        """Streams of mapped tickets and events for the importer (text read in ``encoding``)."""
        for path in paths:
            if not path.is_file():
                raise MappingError(f"{path}: no such file", file=str(path))
            yield from _MappedFile(self, path, encoding).streams()


def _expr(fm: FieldMap) -> str:
    if fm.value is not None:
        return quote_literal(fm.value)
    if fm.columns:
        packed = ", ".join(f"{quote(c)} := {quote(c)}" for c in fm.columns)
        return f"CAST(to_json(struct_pack({packed})) AS VARCHAR)"
    ref = f"CAST({quote(fm.column or '')} AS VARCHAR)"
    if not fm.map:
        return ref
    whens = " ".join(f"WHEN {quote_literal(k)} THEN {quote_literal(v)}" for k, v in fm.map.items())
    return f"CASE {ref} {whens} ELSE {ref} END"


class _MappedFile:
    def __init__(self, mapping: Mapping, path: Path, encoding: str = "utf-8") -> None:
        self.m, self.path, self.encoding = mapping, path, encoding
        self.fmt = format_of(path)
        self.columns = read_columns(path, self.fmt, encoding)
        self.fields = mapping.fields()
        self._check_columns()

    def _check_columns(self) -> None:
        needed = [f.column for f in self.fields.values() if f.column]
        needed += [c for f in self.fields.values() for c in f.columns]
        if self.m.history:
            needed += [self.m.history.at, *self.m.history.order_by]
        needed += [e.at for e in self.m.events]
        missing = sorted({c for c in needed if c not in self.columns})
        if missing:
            raise MappingError(
                f"{self.path}: column{'s' if len(missing) > 1 else ''} "
                f"{', '.join(map(repr, missing))} named by mapping {self.m.name!r} "
                f"not found in the file",
                file=str(self.path),
                column=missing[0],
            )
        absent = [c for c in TABLES["tickets"].required if c not in self.fields]
        if absent:
            raise MappingError(
                f"mapping {self.m.name!r}: tickets.{absent[0]} is not mapped",
                key=f"tickets.{absent[0]}",
            )

    def _format(self, col: str, fm: FieldMap | None = None) -> str | None:
        if fm is not None and fm.format:
            return fm.format
        kind = TABLES["tickets"].column(col).type if col in TABLES["tickets"].names else ""
        return self.m.timestamp_format if kind == "timestamp" else None

    def _with_formats(
        self, table: pa.Table, formats: dict[str, str | None]
    ) -> Iterator[pa.RecordBatch]:
        meta = {f"format:{k}".encode(): v.encode() for k, v in formats.items() if v}
        for batch in table.to_batches(max_chunksize=1_000_000):
            yield batch.replace_schema_metadata(meta)

    def streams(self) -> Iterator[Stream]:
        con = duckdb.connect()
        batches = read_batches(self.path, self.fmt, self.m.null_values, encoding=self.encoding)
        raw = pa.Table.from_batches(list(batches))
        con.register("_raw", raw)
        select = ", ".join(f"{_expr(fm)} AS {quote(col)}" for col, fm in self.fields.items())
        source = "_raw"
        if self.m.history:
            source = self._latest(con)
        tickets = con.sql(f"SELECT {select}, _row FROM {source}").to_arrow_table()
        formats = {c: self._format(c, fm) for c, fm in self.fields.items()}
        yield "tickets", str(self.path), self._with_formats(tickets, formats), ()
        events = self._events(con)
        if events is not None:
            yield (
                "events",
                f"{self.path} (derived events)",
                self._with_formats(events, {"at": self._at_format()}),
                (),
            )
        con.close()

    def _at_format(self) -> str | None:
        h = self.m.history
        return (h.format if h else None) or self.m.timestamp_format

    def _order(self, direction: str = "") -> str:
        h = self.m.history
        assert h is not None
        fmt = h.format or self.m.timestamp_format
        at = quote(h.at)
        parsed = (
            f"try_strptime({at}, {quote_literal(fmt)})" if fmt else f"TRY_CAST({at} AS TIMESTAMP)"
        )
        extra = [f"TRY_CAST({quote(c)} AS DOUBLE)" for c in h.order_by]
        return ", ".join(f"{term}{direction}" for term in [parsed, *extra, "_row"])

    def _latest(self, con: duckdb.DuckDBPyConnection) -> str:
        key = _expr(self.fields["ticket_id"])
        con.execute(
            f"CREATE TEMP TABLE _latest AS SELECT * FROM _raw QUALIFY row_number() OVER "
            f"(PARTITION BY {key} ORDER BY {self._order(' DESC')}) = 1"
        )
        return "_latest"

    def _events(self, con: duckdb.DuckDBPyConnection) -> pa.Table | None:
        parts: list[str] = []
        key = _expr(self.fields["ticket_id"])
        if self.m.history:
            parts += [self._changes(f, key) for f in self.m.history.fields if f in self.fields]
        for ev in self.m.events:
            value = quote_literal(ev.value) if ev.value else "NULL"
            parts.append(
                f'SELECT {key} AS ticket_id, CAST({quote(ev.at)} AS VARCHAR) AS "at", '
                f"{quote_literal(ev.kind)} AS kind, 'system' AS actor, {value} AS value, "
                "NULL AS previous, NULL AS event_id, _row "
                f"FROM _raw WHERE {quote(ev.at)} IS NOT NULL"
            )
        if not parts:
            return None
        return con.sql(" UNION ALL ".join(parts)).to_arrow_table()

    def _changes(self, field: str, key: str) -> str:
        assert self.m.history is not None
        kind = "assignee" if field == "assignee_id" else field
        value = _expr(self.fields[field])
        at = f"CAST({quote(self.m.history.at)} AS VARCHAR)"
        return (
            f"SELECT ticket_id, \"at\", {quote_literal(kind)} AS kind, 'system' AS actor, value, "
            f"previous, ticket_id || '#' || lpad(CAST(n AS VARCHAR), 6, '0') || "
            f"{quote_literal('-' + kind)} AS event_id, _row "
            f'FROM (SELECT {key} AS ticket_id, {at} AS "at", {value} AS value, '
            f"lag({value}) OVER w AS previous, row_number() OVER w AS n, _row FROM _raw "
            f"WINDOW w AS (PARTITION BY {key} ORDER BY {self._order()})) "
            f"WHERE (n = 1 AND value IS NOT NULL) OR (n > 1 AND value IS DISTINCT FROM previous)"
        )


def load_mapping(path: Path | str) -> Mapping:
    """Read a mapping file, or a built-in mapping by name (``servicenow``, ``nyc311``)."""
    if str(path) in BUILTIN:
        ref = resources.files("supportops.mappings").joinpath(f"{path}.yaml")
        with resources.as_file(ref) as real:
            return load_mapping(real)
    file = Path(path)
    raw = read_yaml(file)
    try:
        return Mapping.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        raise MappingError(f"{file}: {key}: {err['msg']}", file=str(file), key=key) from exc
