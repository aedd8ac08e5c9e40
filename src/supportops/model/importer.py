"""Importing event-log files into a store: read, clean, quarantine, merge.

Files stream through an in-memory DuckDB in batches: each batch is cleaned and checked by one
SQL statement (:mod:`supportops.model.validate`), good rows are merged into the store by their
identity (importing the same rows twice changes nothing; later rows replace a ticket and add its
new events), and rejected rows go to the ``quarantine`` table with file, row, column and reason.
The whole import is one store transaction: it is kept entirely or not at all.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from supportops.errors import InputError, SupportOpsError
from supportops.instants import Clock, SystemClock
from supportops.model.reader import (
    BATCH_ROWS,
    RECORD,
    Damaged,
    SourceFile,
    find_files,
    numbered,
    read_batches,
    read_columns,
)
from supportops.model.schema import TABLES, Table
from supportops.model.validate import HORIZON_DAYS, ColumnInput, Options, checked_sql, quote
from supportops.store.base import PENDING, Store
from supportops.store.import_log import begin_import, fail_import

__all__ = ["ImportReport", "TableReport", "import_batches", "import_files", "workspace"]

Progress = Callable[[str, int], None]
CHANGES = ("tickets", "events", "surveys")  # the tables the materialised facts are built from
KNOWN_BY_ID = 20_000  # a batch naming more tickets loads every stored ticket instead
_SEPARATOR = chr(31)  # joins the ids of a batch's tickets in the query asking for them
_KNOWN = (
    "SELECT source AS _k_source, ticket_id AS _k_ticket_id, created_at AS _created_at FROM tickets"
)


@dataclass
class TableReport:
    """Counts for one table: rows read, new, updated, merged as duplicates, quarantined."""

    rows_read: int = 0
    imported: int = 0
    updated: int = 0
    duplicates: int = 0
    quarantined: int = 0
    reasons: Counter[str] = field(default_factory=Counter)


@dataclass
class ImportReport:
    """What one import did, per table, with the reasons rows were quarantined."""

    import_id: str
    files: list[str] = field(default_factory=list)
    tables: dict[str, TableReport] = field(default_factory=dict)
    ignored_columns: dict[str, list[str]] = field(default_factory=dict)
    # the (source, ticket_id) of every ticket whose tickets, events or surveys rows the import
    # kept: what the incremental refresh recomputes (also noted in the store: ``PENDING``)
    changed: pa.Table | None = None

    def table(self, name: str) -> TableReport:
        """The report of table ``name`` (created empty on first use)."""
        return self.tables.setdefault(name, TableReport())

    def total(self, attr: str) -> int:
        """Sum of one count over all tables."""
        return sum(int(getattr(t, attr)) for t in self.tables.values())

    @property
    def reasons(self) -> Counter[str]:
        """Quarantined rows by ``table.column: reason``."""
        out: Counter[str] = Counter()
        for name, rep in self.tables.items():
            out.update({f"{name}.{k}": v for k, v in rep.reasons.items()})
        return out


class _Importer:
    def __init__(
        self,
        store: Store,
        options: Options,
        progress: Progress | None,
        clock: Clock,
        con: duckdb.DuckDBPyConnection | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.options = options
        self.progress = progress
        self.con = con or workspace()
        self.report = ImportReport(import_id=uuid.uuid4().hex[:12])
        self._known_loaded = False
        self._fallback: str | None = None
        self._owners_built = False
        self._offsets: dict[str, int] = {}
        self.damaged: dict[str, list[Damaged]] = {}  # per file label, filled by the reader
        self._damaged_done: dict[str, int] = {}
        self.con.execute("CREATE OR REPLACE TEMP TABLE _mine (source VARCHAR, ticket_id VARCHAR)")
        self.con.execute(
            "CREATE OR REPLACE TEMP TABLE _touched (source VARCHAR, ticket_id VARCHAR)"
        )

    def run(
        self,
        table: Table,
        label: str,
        batches: Iterator[pa.RecordBatch],
        extras: tuple[str, ...] = (),
    ) -> None:
        if table.name == "tickets":
            self._known_loaded = False
        if label not in self.report.files:
            self.report.files.append(label)
        for batch in _grouped(batches):
            if "_row" not in batch.schema.names:
                batch = next(numbered(iter([batch]), self._offsets.get(label, 0)))
            self._offsets[label] = int(batch.column("_row")[-1].as_py()) if batch.num_rows else 0
            self._batch(table, label, batch, extras)
            self._quarantine_damaged(table, label)
        self._quarantine_damaged(table, label)

    def _quarantine_damaged(self, table: Table, label: str) -> None:
        """Quarantine the records the reader left out of ``label`` since the last call."""
        found = self.damaged.get(label, [])
        new = found[self._damaged_done.get(label, 0) :]
        if not new:
            return
        self._damaged_done[label] = len(found)
        rows = pa.table(
            {
                "import_id": [self.report.import_id] * len(new),
                "table_name": [table.name] * len(new),
                "file": [label] * len(new),
                "row": pa.array([float(d.row) for d in new], pa.float64()),
                "column": [d.column for d in new],
                "reason": [d.reason for d in new],
                "record": [
                    json.dumps({"line": d.text}) if d.column == RECORD else d.text for d in new
                ],
            }
        )
        self.store.append("quarantine", rows)
        rep = self.report.table(table.name)
        rep.rows_read += len(new)
        rep.quarantined += len(new)
        rep.reasons.update(f"{d.column}: {d.reason}" for d in new)

    def _load_known(self) -> None:
        """``_known``: every stored ticket a row may refer to (reloaded after tickets were
        imported)."""
        if self._known_loaded:
            return
        self.con.register("_known", self.store.arrow(_KNOWN))
        self._known_loaded = True
        self._owners_built = False

    def _load_known_of_batch(self) -> None:
        """``_known`` for this batch only: the stored tickets whose ids its rows name, asked of
        the store by id, so a batch's cost does not grow with the store. A batch naming more
        than :data:`KNOWN_BY_ID` tickets loads them all instead (once, as :meth:`_load_known`)."""
        ids = [
            r[0]
            for r in self.con.execute(
                "SELECT DISTINCT NULLIF(TRIM(CAST(ticket_id AS VARCHAR)), '') FROM _batch "
                "WHERE ticket_id IS NOT NULL"
            ).fetchall()
            if r[0] is not None
        ]
        if len(ids) > KNOWN_BY_ID:
            self._load_known()
            return
        if any(_SEPARATOR in i for i in ids):  # cannot be sent joined: ask for every ticket
            self._load_known()
            return
        # one parameter, the ids joined (SQL both engines read): a long IN list is slow to bind
        known = self.store.arrow(
            f"{_KNOWN} WHERE ticket_id IN "
            "(SELECT unnest(string_to_array(CAST(? AS VARCHAR), chr(31))))",
            [_SEPARATOR.join(ids)],
        )
        self.con.register("_known", known)
        self._known_loaded = False  # this batch's only: the next batch asks again
        self._owners_built = False

    def _owners(self) -> str:
        """``_owner``, built on first use after the tickets were imported: the source of each
        ticket id — the one of this import's tickets with that id, else the one stored ticket
        with it (NULL, and ``_o_ambiguous`` when several); and the fallback source of a row
        naming no ticket (the only source of the import's tickets, else of the store's)."""
        if self._owners_built:
            return "_owner"
        self.con.execute(
            "CREATE OR REPLACE TEMP TABLE _owner AS WITH "
            "m AS (SELECT ticket_id, min(source) AS s, count(DISTINCT source) AS n "
            "FROM _mine GROUP BY 1), "
            "k AS (SELECT _k_ticket_id AS ticket_id, min(_k_source) AS s, "
            "count(DISTINCT _k_source) AS n FROM _known GROUP BY 1) "
            "SELECT COALESCE(m.ticket_id, k.ticket_id) AS _o_ticket_id, "
            "CASE WHEN m.n = 1 THEN m.s WHEN m.n IS NULL AND k.n = 1 THEN k.s END AS _o_source, "
            "COALESCE(m.n, k.n) > 1 AS _o_ambiguous "
            "FROM m FULL JOIN k ON m.ticket_id = k.ticket_id"
        )
        sources = [
            r[0]
            for r in self.con.execute(
                "SELECT DISTINCT source FROM _mine UNION SELECT DISTINCT _k_source FROM _known "
                "WHERE NOT EXISTS (SELECT 1 FROM _mine)"
            ).fetchall()
        ]
        self._fallback = sources[0] if len(sources) == 1 else None
        self._owners_built = True
        return "_owner"

    def _batch(self, table: Table, label: str, batch: pa.Table, extras: tuple[str, ...]) -> None:
        seq = pa.array(np.arange(batch.num_rows, dtype=np.int64))
        batch = batch.append_column("_seq", seq)
        self.con.register("_batch", batch)
        types = {r[0]: r[1] for r in self.con.execute("DESCRIBE _batch").fetchall()}
        inputs = {n: ColumnInput(n, t) for n, t in types.items() if n in table.stored}
        formats = getattr(batch.schema, "metadata", None) or {}
        for key, value in formats.items():
            name = key.decode().removeprefix("format:")
            if key.startswith(b"format:") and name in inputs:
                inputs[name] = ColumnInput(name, inputs[name].type, value.decode())
        names = batch.schema.names
        sourceless = "source" not in names or batch.column("source").null_count > 0
        # rows naming no source take their ticket's: that needs every stored ticket (the
        # fallback source is the store's only one); otherwise only events look tickets up
        owning = sourceless and not self.options.source and table.name != "tickets"
        known = "_known" if table.name == "events" else None
        if owning:
            self._load_known()
        elif known and "ticket_id" in names:
            self._load_known_of_batch()
        elif known:
            self._load_known()
        owners = self._owners() if owning else None
        opts = Options(
            self.options.timezone,
            self.options.source,
            known,
            extras,
            owners=owners,
            fallback_source=self._fallback,
            horizon_days=self.options.horizon_days,
        )
        checked = self.con.sql(checked_sql(table, "_batch", inputs, opts)).to_arrow_table()
        ok = checked.column("_ok")
        self._keep_good(table, checked.filter(ok))
        self._quarantine(table, label, checked.filter(pc.invert(ok)))
        rep = self.report.table(table.name)
        rep.rows_read += batch.num_rows
        if self.progress:
            self.progress(label, batch.num_rows)
        self.con.unregister("_batch")

    def _unique(self, table: Table, good: pa.Table) -> pa.Table:
        """``good`` with one row per key: the last row of the file wins."""
        if not _repeats(good, table.key):
            return good
        keys = ", ".join(quote(k) for k in table.key)
        self.con.register("_good", good)
        try:
            good = self.con.sql(
                "SELECT * FROM _good QUALIFY "
                f"row_number() OVER (PARTITION BY {keys} ORDER BY _row DESC) = 1"
            ).to_arrow_table()
        finally:
            self.con.unregister("_good")
        return good

    def _keep_good(self, table: Table, good: pa.Table) -> None:
        unique = self._unique(table, good.select([*table.stored, "_row"]))
        if table.name in CHANGES and unique.num_rows:
            self.con.register("_kept", unique.select(["source", "ticket_id"]))
            if table.name == "tickets":
                self.con.execute("INSERT INTO _mine SELECT source, ticket_id FROM _kept")
            self.con.execute("INSERT INTO _touched SELECT source, ticket_id FROM _kept")
            self.con.unregister("_kept")
        counts = self.store.upsert(table, unique.select(table.stored))
        rep = self.report.table(table.name)
        rep.imported += counts.new
        rep.updated += counts.updated
        rep.duplicates += counts.duplicates + good.num_rows - unique.num_rows

    def _quarantine(self, table: Table, label: str, bad: pa.Table) -> None:
        if not bad.num_rows:
            return
        # one record per bad row: joined on _seq, as one source record may yield several rows
        self.con.register("_bad", bad.select(["_row", "_seq", "_column", "_reason"]))
        rows = self.con.sql(
            f"SELECT '{self.report.import_id}' AS import_id, '{table.name}' AS table_name, "
            f'? AS file, CAST(c._row AS DOUBLE) AS row, c._column AS "column", '
            "c._reason AS reason, "
            """CAST(json_merge_patch(to_json(b), '{"_seq": null}') AS VARCHAR) AS record """
            "FROM _bad c JOIN _batch b ON b._seq = c._seq ORDER BY c._row, c._seq",
            params=[label],
        ).to_arrow_table()
        self.con.unregister("_bad")
        self.store.append("quarantine", rows)
        rep = self.report.table(table.name)
        rep.quarantined += rows.num_rows
        pairs = zip(
            rows.column("column").to_pylist(), rows.column("reason").to_pylist(), strict=True
        )
        rep.reasons.update(f"{c}: {r}" for c, r in pairs)

    def finish(self) -> ImportReport:
        rep = self.report
        log = pa.table(
            {
                "import_id": [rep.import_id],
                "at": pa.array([self.clock.now()], pa.timestamp("us", tz="UTC")),
                "files": [";".join(rep.files)],
                "rows_read": [float(rep.total("rows_read"))],
                "imported": [float(rep.total("imported"))],
                "updated": [float(rep.total("updated"))],
                "duplicates": [float(rep.total("duplicates"))],
                "quarantined": [float(rep.total("quarantined"))],
            }
        )
        self.store.append("imports", log)
        rep.changed = self.con.sql("SELECT DISTINCT * FROM _touched").to_arrow_table()
        _note_pending(self.store, rep.changed)
        return rep


def _note_pending(store: Store, changed: pa.Table) -> None:
    """Note ``changed`` (source, ticket_id) for the next refresh, each ticket once: a ticket
    that imports change again and again between refreshes is one row, so the table holds at
    most one row per ticket however many imports come before the refresh."""
    if changed.num_rows == 0:
        return
    string = store.capabilities.types["string"]
    # inside the import's transaction: a failure rolls the temporary table back with the rest
    store.execute(f"CREATE TEMP TABLE so_changed (source {string}, ticket_id {string})")
    store.append("so_changed", changed.select(["source", "ticket_id"]))
    store.execute(
        f"INSERT INTO {PENDING} SELECT c.source, c.ticket_id FROM so_changed c "
        f"WHERE NOT EXISTS (SELECT 1 FROM {PENDING} p WHERE p.source IS NOT DISTINCT FROM "
        "c.source AND p.ticket_id IS NOT DISTINCT FROM c.ticket_id)"
    )
    store.execute("DROP TABLE so_changed")


def _repeats(rows: pa.Table, keys: tuple[str, ...]) -> bool:
    """Whether a key occurs twice in ``rows`` (empty keys equal), told by Arrow: no query."""
    if rows.num_rows < 2:
        return False
    try:
        grouped = rows.group_by(list(keys), use_threads=False).aggregate([])  # no pool to wake
        return bool(grouped.num_rows < rows.num_rows)
    except (pa.ArrowNotImplementedError, pa.ArrowTypeError):  # a key type Arrow cannot group
        return True  # then the query decides


def workspace() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB for importing batches; one may serve many imports in turn (a sync
    passes the same one for every page, sparing a connection per page)."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    return con


def _grouped(batches: Iterator[pa.RecordBatch], rows: int = BATCH_ROWS) -> Iterator[pa.Table]:
    """Batches gathered into tables of about ``rows`` rows: one SQL pass and one merge each."""
    pending: list[pa.RecordBatch] = []
    size = 0
    for batch in batches:
        pending.append(batch)
        size += batch.num_rows
        if size >= rows:
            yield pa.Table.from_batches(pending)
            pending, size = [], 0
    if pending:
        yield pa.Table.from_batches(pending)


def _check_required(src: SourceFile, columns: list[str]) -> None:
    table = TABLES[src.table]
    missing = [c for c in table.required if c not in columns]
    if missing:
        raise InputError(
            f"{src.path}: missing required column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)} for table {src.table} (found: {', '.join(columns) or 'none'})",
            file=str(src.path),
            column=missing[0],
        )


def import_files(
    store: Store,
    paths: list[Path],
    *,
    timezone: str | None = None,
    mapping: Path | str | None = None,
    source: str | None = None,
    table: str | None = None,
    progress: Progress | None = None,
    encoding: str = "utf-8",
    horizon_days: int = HORIZON_DAYS,
) -> ImportReport:
    """Import event-log files (or, with ``mapping``, foreign exports) into ``store``.

    Each file's table is named by its stem (``tickets.csv``) or by ``table``; text files are
    read in ``encoding``."""
    if mapping is not None:
        from supportops.model.mapping import load_mapping

        spec = load_mapping(mapping)
        return import_batches(
            store,
            spec.tables(paths, encoding),
            timezone=timezone or spec.timezone,
            source=source or spec.source,
            progress=progress,
            files=";".join(map(str, paths)),
            horizon_days=horizon_days,
        )
    files = find_files(paths, set(TABLES), table)
    order = list(TABLES)
    files.sort(key=lambda f: order.index(f.table))
    for src in files:
        _check_required(src, read_columns(src.path, src.format, encoding))
    if not files:
        raise InputError(f"no event-log files found in {', '.join(map(str, paths))}")
    damaged: dict[str, list[Damaged]] = {}

    def streams() -> Iterator[tuple[str, str, Iterator[pa.RecordBatch], tuple[str, ...]]]:
        for src in files:
            cols = read_columns(src.path, src.format, encoding)
            extras = tuple(c for c in cols if c not in TABLES[src.table].stored)
            stamps = tuple(
                c.name
                for c in TABLES[src.table].columns
                if c.type == "timestamp" and c.name in cols
            )
            sink = damaged.setdefault(str(src.path), [])
            batches = read_batches(
                src.path, src.format, text=stamps, encoding=encoding, damaged=sink
            )
            yield src.table, str(src.path), batches, extras

    described = ";".join(str(f.path) for f in files)
    return import_batches(
        store,
        streams(),
        timezone=timezone,
        source=source,
        progress=progress,
        files=described,
        damaged=damaged,
        horizon_days=horizon_days,
    )


def import_batches(
    store: Store,
    streams: Iterator[tuple[str, str, Iterator[pa.RecordBatch], tuple[str, ...]]],
    *,
    timezone: str | None = None,
    source: str | None = None,
    progress: Progress | None = None,
    files: str = "",
    damaged: dict[str, list[Damaged]] | None = None,
    horizon_days: int = HORIZON_DAYS,
    clock: Clock | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> ImportReport:
    """Import streams of (table, label, batches, extra columns) in the order given; ``clock``
    stamps the ``imports`` row (the system clock by default); ``con`` is the
    :func:`workspace` to check batches in (a new one, closed at the end, by default).

    The import is one transaction over every table it touches and its ``imports`` row: a
    failure, or a kill, leaves the store as it was. A marker committed first (see
    :mod:`supportops.store.import_log`, naming ``files``) tells an import that did not finish."""
    options = Options(timezone=timezone, source=source, horizon_days=horizon_days)
    importer = _Importer(store, options, progress, clock or SystemClock(), con)
    importer.damaged = damaged if damaged is not None else {}
    import_id = importer.report.import_id
    begin_import(store, import_id, files)
    try:
        with store.transaction():
            for table, label, batches, extras in streams:
                importer.run(TABLES[table], label, batches, extras)
                if extras and table != "tickets":
                    importer.report.ignored_columns[label] = list(extras)
            return importer.finish()
    except BaseException as exc:
        _record_failure(store, import_id, exc)
        raise
    finally:
        if con is None:
            importer.con.close()


def _record_failure(store: Store, import_id: str, exc: BaseException) -> None:
    """Say why the import failed on its marker; a store that cannot say leaves it "killed"."""
    with contextlib.suppress(SupportOpsError):
        fail_import(store, import_id, str(exc) or type(exc).__name__)
