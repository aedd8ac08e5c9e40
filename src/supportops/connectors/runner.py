"""The sync runner: a source's streams, page by page, each page committed with its cursor.

For every stream of the source's vendor, in order: the request to send is the stored cursor (or
the stream's first request from ``--since`` / the source's ``start``); each answer's records
are mapped (the vendor's pure mapping), then **one transaction** keeps the page's raw records,
its event-log rows (through the importer, so rows are checked and quarantined like any import)
and the cursor after it. Pages read quickly share that transaction (:class:`_Batch`: up to 100
pages, 25,000 records or 2 seconds; no transaction is open while a request waits), so its fixed
cost is paid once for them; a failure commits the pages read before it is raised, so a rerun
starts at the page after the last one read. A page whose records were all stored before writes
no rows; a cursor that did not move is not written again. ``for_each`` streams are read for
each record of their parent's page that is new or changed (one stored unchanged is not read
again; a ``snapshot`` child for every record) and commit with it. A ``snapshot`` stream is read
whole every run; after it, a record it no longer has becomes a tombstone (see
:mod:`supportops.store.sync_log`). Retries and rate-limit waits are the HTTP seam's
(:mod:`supportops.http`), with the vendor's signal as data; each wait is told to the listener.
A vendor telling a daily allowance's use (:class:`~supportops.connectors.spec.UsageSignal`)
stops before its reserve is touched.
A terminal answer (401, 403, a daily limit) stops the source with one line
(:attr:`SourceReport.error`); the caller goes on with the next source.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

import duckdb
import orjson
import pandas as pd
import pyarrow as pa

from supportops.config import SourceConfig
from supportops.connectors.auth import Credentials, credentials
from supportops.connectors.registry import vendor_of
from supportops.connectors.spec import (
    Mapped,
    MappingContext,
    PageRequest,
    Parts,
    Step,
    Stream,
    Vendor,
    dig,
)
from supportops.errors import (
    ConfigError,
    RequestRefused,
    SupportOpsError,
    SyncError,
    TerminalError,
    TransientError,
)
from supportops.http import HttpClient, Retries, Transport
from supportops.instants import Clock, SystemClock
from supportops.model.importer import ImportReport, import_batches, workspace
from supportops.model.schema import TABLES
from supportops.store import sync_log
from supportops.store.base import Store

__all__ = [
    "Listener",
    "Network",
    "OnEvents",
    "SourceReport",
    "StreamReport",
    "rebuild_source",
    "sync_source",
]
# a page's events, in its transaction; what it returns (if anything) runs once the page commits
OnEvents = Callable[[Store, pd.DataFrame], Callable[[], object] | None]

RETRIES = Retries(attempts=10, min_wait=1.0, max_wait=60.0, jitter=0.5, total=3600.0)
REFUSALS = {  # what a terminal HTTP status means for a source, said in one line
    401: "the credentials were refused (HTTP 401): check the token and its environment variable",
    403: "access refused (HTTP 403): a missing permission or the daily request limit",
    404: "not found (HTTP 404): check the source's url",
}


@dataclass
class StreamReport:
    """What one stream did in a run."""

    pages: int = 0
    records: int = 0
    raw_new: int = 0
    rows: int = 0
    events: int = 0
    quarantined: int = 0
    requests: int = 0
    waits: int = 0
    waited: float = 0.0


@dataclass
class SourceReport:
    """What one source's run did, per stream; ``error`` is the one line when it stopped."""

    source: str
    vendor: str
    streams: dict[str, StreamReport] = field(default_factory=dict)
    error: str | None = None

    def stream(self, name: str) -> StreamReport:
        """The report of stream ``name`` (created empty on first use)."""
        return self.streams.setdefault(name, StreamReport())

    @property
    def requests(self) -> int:
        """Requests over all streams."""
        return sum(s.requests for s in self.streams.values())

    @property
    def records(self) -> int:
        """Records fetched over all streams."""
        return sum(s.records for s in self.streams.values())


class Listener(Protocol):
    """Told of each committed page and each rate-limit or retry wait."""

    def page(self, source: str, stream: str, report: StreamReport) -> None: ...

    def wait(self, source: str, stream: str, seconds: float, reason: str) -> None: ...


class _Silent:
    def page(self, source: str, stream: str, report: StreamReport) -> None:
        return None

    def wait(self, source: str, stream: str, seconds: float, reason: str) -> None:
        return None


@dataclass
class Network:
    """What reaches the vendor, injected: the transport (a local fake in tests), the sleeper
    and monotonic timer of retries and waits, the environment holding secrets."""

    transport: Transport | None = None
    sleep: Callable[[float], None] = time.sleep
    monotonic: Callable[[], float] = time.monotonic
    env: Mapping[str, str] | None = None
    retries: Retries = RETRIES


def _table(rows: list[dict[str, Any]]) -> pa.Table:
    """Mapped rows as columns: every key of any row, a column no row fills left out, JSON
    objects and instants as text (:func:`_cell`)."""
    try:  # Arrow reads the rows at once (a struct of every row's keys): twice the speed
        table = pa.Table.from_struct_array(pa.array(rows))
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        return _by_column(rows)  # values Arrow will not put in one column, or too wide
    for at, column in enumerate(table.schema):  # a JSON object or an instant: kept as text
        if pa.types.is_struct(column.type) or pa.types.is_timestamp(column.type):
            text = pa.array([_cell(row.get(column.name)) for row in rows], pa.string())
            table = table.set_column(at, column.name, text)
    return table.select([f.name for f in table.schema if not pa.types.is_null(f.type)])


def _by_column(rows: list[dict[str, Any]]) -> pa.Table:
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row))
    columns: dict[str, list[Any]] = {}
    for name in names:
        values = [row.get(name) for row in rows]
        kinds = set(map(type, values))
        if any(issubclass(k, _ENCODED) for k in kinds):  # only such a column is converted
            values = [_cell(v) for v in values]
        if kinds != {type(None)}:
            columns[name] = values
    return pa.table(columns)


_ENCODED = (dict, datetime)  # the values kept as text: JSON objects, instants


def _cell(value: Any) -> Any:
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, default=str)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _columns(mapped: Mapped) -> dict[str, pa.Table]:
    """A mapping's rows as columns, per table (a table without rows is left out)."""
    return {name: _table(rows) for name, rows in mapped.tables.items() if rows}


def _streams(
    pages: Iterator[dict[str, pa.Table]], label: str
) -> Iterator[tuple[str, str, Iterator[pa.RecordBatch], tuple[str, ...]]]:
    gathered: dict[str, list[pa.Table]] = {}
    for one in pages:
        for name, table in one.items():
            gathered.setdefault(name, []).append(table)
    for name in TABLES:  # tickets first: the other tables' rows name them
        if tables := gathered.get(name):
            # pages may lack a column another has (filled empty) or spell it narrower (an
            # empty column, an integer beside a decimal): both widen as one table would
            joined = pa.concat_tables(tables, promote_options="permissive")
            yield name, f"{label}:{name}", iter(joined.to_batches()), ()


def _import(
    store: Store,
    pages: Iterator[dict[str, pa.Table]],
    source: str,
    label: str,
    clock: Clock,
    con: duckdb.DuckDBPyConnection | None = None,
) -> Any:
    return import_batches(
        store, _streams(pages, label), source=source, files=label, clock=clock, con=con
    )


def _raw(source: str, stream: Stream, parts: Parts) -> pa.Table:
    """The ``raw_records`` columns of ``parts`` but ``fetched_at`` (see :func:`_fetched`)."""
    names: list[tuple[str, int]] = []
    ids: list[str] = []
    texts: list[str] = []
    for part, records in parts.items():
        names.append((part, len(records)))
        ids += [str(dig(sync_log.unwrap(r)[0], stream.id_field)) for r in records]
        texts += map(sync_log.canonical, records)  # one encoding for the digest and the record
    count = len(texts)
    return pa.table(
        {
            "source": pa.repeat(source, count),
            "stream": pa.repeat(stream.name, count),
            "part": pa.array([p for p, n in names for _ in range(n)], pa.string()),
            "vendor_id": pa.array(ids, pa.string()),
            "digest": pa.array(list(map(sync_log.digest_of, texts)), pa.string()),
            "record": pa.array(texts, pa.string()),
        }
    )


def _fetched(raw: pa.Table, at: datetime) -> pa.Table:
    """``raw`` with its ``fetched_at``: ``at``, the instant of the transaction keeping it."""
    at_column = pa.repeat(pa.scalar(at, pa.timestamp("us", tz="UTC")), raw.num_rows)
    return raw.add_column(raw.schema.get_field_index("digest"), "fetched_at", at_column)


def _context(name: str, source: SourceConfig) -> MappingContext:
    """What the mappings know of source ``name``'s settings."""
    return MappingContext(
        name,
        dict(source.status_map),
        frozenset(source.automation_users),
        accounts=source.accounts.named(),
        url=source.url,
    )


def _since(source: SourceConfig, since: datetime | None) -> float | None:
    if since is not None:
        return since.timestamp()
    if source.start is not None:
        return datetime(
            source.start.year, source.start.month, source.start.day, tzinfo=UTC
        ).timestamp()
    return None


class _Run:
    """One source's sync: its client, context, counters."""

    def __init__(
        self,
        store: Store,
        name: str,
        source: SourceConfig,
        vendor: Vendor,
        network: Network,
        clock: Clock,
        listener: Listener,
        on_events: OnEvents | None = None,
    ) -> None:
        self.store, self.name, self.source, self.vendor = store, name, source, vendor
        self.on_events = on_events
        self.clock, self.listener, self.network = clock, listener, network
        self.report = SourceReport(name, vendor.name)
        self.current = ""
        self.context = _context(name, source)
        self.http = HttpClient(
            retries=network.retries,
            timeout=60.0,
            rate_limit=vendor.rate_limit,
            transport=network.transport,
            sleep=network.sleep,
            monotonic=network.monotonic,
            on_retry=self._waited,
        )
        self.creds: Credentials | None = None
        self.workspace = workspace()  # one for every page's import (closed with the run)
        self.cursors: dict[str, str] | None = None  # as stored, once read
        self.usage: tuple[int, int] | None = None  # (used, allowance) as the vendor last told
        self.seen: dict[str, set[str]] = {}  # vendor ids each snapshot stream's run has seen
        self.held: set[str] = set()  # parent digests read in the batch not yet committed

    def _waited(self, attempt: int, error: TransientError, seconds: float) -> None:
        stream = self.report.stream(self.current)
        stream.waits += 1
        stream.waited += seconds
        self.listener.wait(self.name, self.current, seconds, str(error))

    def _token(self, url: str, form: Mapping[str, str]) -> Mapping[str, object]:
        answer: Mapping[str, object] = self.http.post(url, data=dict(form)).json()
        return answer

    def answer(self, stream: Stream, request: PageRequest) -> Any:
        """The body holding ``stream``'s records for ``request``: the answer itself, or for a
        stream with a :attr:`~Stream.link` the file it links (an empty page when either is
        absent)."""
        if stream.link is None:
            return self.fetch(request)
        body = self.fetch(request, absent_ok=True)
        url = _linked(body, stream.link)
        return {} if url is None else (self.download(url) or {})

    def download(self, url: str) -> Any:
        """A linked file's JSON, fetched without the source's credentials (a signed URL takes
        none); None when it is gone."""
        answer = self._send("GET", url, absent_ok=True)
        return None if answer is None else self._json(answer, urlsplit(url).path)

    def _send(self, method: str, url: str, absent_ok: bool = False, **kwargs: Any) -> Any:
        """The answer to one request, counted against the budget; with ``absent_ok``, None for
        a 404."""
        self._spend()
        try:
            return self.http.request(method, url, **kwargs)
        except RequestRefused as exc:
            if absent_ok and getattr(exc, "status", None) == 404:
                return None
            raise

    def _spend(self) -> None:
        if self.source.budget is not None and self.report.requests >= self.source.budget:
            raise SyncError(
                f"source {self.name}: the request budget ({self.source.budget}) is spent",
                source=self.name,
                stream=self.current,
            )
        self._check_usage()
        self.report.stream(self.current).requests += 1

    def _json(self, answer: Any, path: str) -> Any:
        try:
            return orjson.loads(answer.content)  # a third of json's time on a page
        except orjson.JSONDecodeError:
            pass
        try:  # what orjson refuses and json reads: NaN, Infinity
            return answer.json()
        except ValueError as exc:
            raise SyncError(
                f"source {self.name}: {path} answered something that is not JSON",
                source=self.name,
                stream=self.current,
            ) from exc

    def fetch(self, request: PageRequest, absent_ok: bool = False) -> Any:
        """The JSON answer to ``request``; with ``absent_ok``, None for a 404."""
        if self.creds is None:
            self.creds = credentials(
                self.name, self.source, self.vendor, self._token, self.network.env
            )
        body = request.json_body()
        answer = self._send(
            request.method,
            self.creds.base_url.rstrip("/") + request.path,
            absent_ok,
            params=list(request.params),
            headers=self.creds.headers,
            **({"json": body} if body is not None else {}),
        )
        if answer is None:
            return None
        if self.vendor.usage is not None:
            self.usage = self.vendor.usage.read(answer.headers) or self.usage
        return self._json(answer, request.path)

    def _check_usage(self) -> None:
        signal = self.vendor.usage
        if signal is None or self.usage is None or not signal.spent(*self.usage):
            return
        used, allowance = self.usage
        raise SyncError(
            f"source {self.name}: the daily API allowance is nearly spent ({used:,} of "
            f"{allowance:,} requests used); {signal.reserve:.0%} is left for other integrations",
            source=self.name,
            stream=self.current,
        )

    def load_lookups(self) -> None:
        for stream in self.vendor.streams:
            if stream.lookup:
                found = sync_log.raw_records_of(self.store, self.name, stream.name)
                self.context.lookups[stream.name] = {
                    str(dig(r, stream.id_field)): r for p, r in found if p == stream.records
                }

    def remember(self, stream: Stream, records: list[dict[str, Any]]) -> None:
        if stream.lookup:
            known = self.context.lookups.setdefault(stream.name, {})
            known.update({str(dig(r, stream.id_field)): r for r in records})

    def changed(self, stream: Stream, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The records not stored before as they are (only their children are read again)."""
        if not self.vendor.children(stream.name):
            return records
        digests = [sync_log.digest(r) for r in records]
        known = sync_log.known_digests(self.store, self.name, stream.name, digests)
        known |= self.held  # read in an earlier page of the batch not yet committed
        self.held.update(digests)
        return [r for r, d in zip(records, digests, strict=True) if d not in known]

    def children(self, parent: Stream, records: list[dict[str, Any]]) -> list[tuple[Stream, Parts]]:
        """The pages of ``parent``'s children (and theirs) for ``records``: a snapshot child's
        for every record, another's for the new or changed ones only."""
        kids = self.vendor.children(parent.name)
        changed = self.changed(parent, records) if any(not k.snapshot for k in kids) else []
        out: list[tuple[Stream, Parts]] = []
        for child in kids:
            for record in records if child.snapshot else changed:
                self.current = child.name
                key = dig(record, child.parent_key)
                request = child.pagination.first(child, None, now=self.clock.now())
                request = PageRequest(
                    request.path.replace("{parent}", str(key)),
                    request.params,
                    request.method,
                    request.body,
                )
                for parts in self.pages(child, request, parent_id=key):
                    out.append((child, parts))
                    out += self.children(child, parts[child.records])
        return out

    def see(self, stream: Stream, records: list[dict[str, Any]]) -> None:
        """Note the vendor ids a snapshot stream's run has seen."""
        if stream.snapshot:
            seen = self.seen.setdefault(stream.name, set())
            seen.update(str(dig(r, stream.id_field)) for r in records)

    def read(
        self, stream: Stream, request: PageRequest, parent_id: Any = None
    ) -> tuple[Parts, Step]:
        """One page of ``stream``: its parts (the records, under ``stream.records``, carry
        ``_parent`` for a child's page) and where to go after it."""
        body = self.answer(stream, request)
        records = _records(body, stream.records)
        if parent_id is not None:
            records = [{**r, "_parent": parent_id} for r in records]
        self.see(stream, records)
        parts: Parts = {stream.records: records}
        parts |= {p: _records(body, p) for p in stream.parts}
        return parts, stream.pagination.step(request, body, records, now=self.clock.now())

    def pages(
        self, stream: Stream, request: PageRequest | None, parent_id: Any = None
    ) -> Iterator[Parts]:
        while request is not None:
            parts, step = self.read(stream, request, parent_id)
            request = step.next
            yield parts

    def stream(self, stream: Stream, start: PageRequest) -> None:
        self.current = stream.name
        report = self.report.stream(stream.name)
        request: PageRequest | None = start
        batch = _Batch(self.network.monotonic())
        while request is not None:
            try:
                parts, step = self.read(stream, request)
                records = parts[stream.records]
                children = self.children(stream, records)
            except (TerminalError, TransientError):
                self.flush(stream, batch, report)  # the pages read before it are kept
                raise
            self.current = stream.name
            pieces = [self.piece(stream, parts), *(self.piece(c, p) for c, p in children)]
            batch.add(pieces, records if stream.lookup else [], step.resume)
            request = step.next
            if request is None or batch.full(self.network.monotonic()):
                self.flush(stream, batch, report)
                batch = _Batch(self.network.monotonic())
        if stream.snapshot:  # read whole: what it no longer has is gone
            for one in (stream, *self._snapshot_descendants(stream)):
                self.bury(one, self.seen.pop(one.name, set()))

    def _snapshot_descendants(self, stream: Stream) -> list[Stream]:
        """The snapshot streams below ``stream`` (a child read only for changed parents is
        not read whole: nothing of it is buried)."""
        kids = [k for k in self.vendor.children(stream.name) if k.snapshot]
        return [d for k in kids for d in (k, *self._snapshot_descendants(k))]

    def bury(self, stream: Stream, seen: set[str]) -> None:
        """After a run that read snapshot ``stream`` whole: a tombstone for each record stored
        live that the run did not see, and a record seen again as it was before it went is
        live again (its tombstone is forgotten); both are mapped, in one transaction."""
        live, gone = sync_log.presence(self.store, self.name, stream.name)
        missing, back = live - seen, gone & seen
        if not missing and not back:
            return
        self.current = stream.name
        report = self.report.stream(stream.name)
        with self.store.transaction():
            sync_log.forget_gone(self.store, self.name, stream.name, back)
            found = sync_log.latest_of(self.store, self.name, stream.name, missing | back)
            buried: Parts = {}
            parts: Parts = {}
            for part, record in found:
                if str(dig(record, stream.id_field)) in missing:
                    record = sync_log.tombstone(record)
                    buried.setdefault(part, []).append(record)
                parts.setdefault(part, []).append(record)
            if buried:
                raw = _fetched(_raw(self.name, stream, buried), self.clock.now())
                report.raw_new += sync_log.keep_raw(self.store, raw)
            label = f"sync {self.name}/{stream.name} (gone upstream)"
            pages = iter([_columns(stream.map(parts, self.context))])
            done = _import(self.store, pages, self.name, label, self.clock, self.workspace)
            _count(done, report)

    def piece(self, stream: Stream, parts: Parts) -> _Piece:
        """One page of ``stream`` as its commit needs it, converted when read: its raw
        records' columns and its mapped rows' (a batch holds these, not the parsed records)."""
        mapped = stream.map(parts, self.context)
        return _Piece(
            stream, _raw(self.name, stream, parts), _columns(mapped), _merge_candidates(mapped)
        )

    def flush(self, stream: Stream, batch: _Batch, report: StreamReport) -> None:
        """Commit the pages ``batch`` holds (nothing when it holds none), then keep their
        lookup records; the digests held for the batch are stored now."""
        if batch.resume is None:
            return
        self.commit(stream, batch.pieces, batch.resume, report, batch.pages)
        for records in batch.lookups:
            self.remember(stream, records)
        self.held.clear()

    def commit(
        self,
        stream: Stream,
        pieces: list[_Piece],
        resume: PageRequest,
        report: StreamReport,
        pages: int = 1,
    ) -> None:
        """One transaction: the raw records, the mapped rows and the cursor of ``pages``
        pages of ``stream`` (``pieces``: each page's and its children's)."""
        at = self.clock.now()
        after: Callable[[], object] | None = None
        with self.store.transaction():
            new, kept = 0, dict[str, list[pa.Table]]()
            for one in pieces:
                counted = self.report.stream(one.stream.name)
                counted.records += one.raw.num_rows
                counted.pages += one.stream is not stream
                if one.raw.num_rows:
                    kept.setdefault(one.stream.name, []).append(one.raw)
            for name, tables in kept.items():  # one upsert per stream, not one per child page
                fresh = sync_log.keep_raw(self.store, _fetched(pa.concat_tables(tables), at))
                self.report.stream(name).raw_new += fresh
                new += fresh
            if new:
                label = f"sync {self.name}/{stream.name}"
                rows = iter([one.rows for one in pieces])
                done = _import(self.store, rows, self.name, label, self.clock, self.workspace)
                _count(done, report)
                merges = [t for one in pieces for t in one.merges]
                sync_log.apply_merges(self.store, self.name, merges)
                events = [one.rows["events"] for one in pieces if "events" in one.rows]
                if self.on_events is not None and events:  # in the page's transaction
                    after = self.on_events(self.store, _frame(events, self.name))
            cursor = resume.to_json()
            sync_log.save_cursor(self.store, self.name, stream.name, cursor, at, self.cursors)
        if after is not None:  # the rules' live write-backs: only what the page committed
            after()
        report.pages += pages
        self.listener.page(self.name, stream.name, report)


def _frame(events: list[pa.Table], source: str) -> pd.DataFrame:
    """Pages' event rows as one frame, each naming ``source``."""
    joined = pa.concat_tables(events, promote_options="permissive")
    named = pa.repeat(source, joined.num_rows)
    if "source" in joined.column_names:
        joined = joined.set_column(joined.schema.get_field_index("source"), "source", named)
    else:
        joined = joined.append_column("source", named)
    frame: pd.DataFrame = joined.to_pandas()
    return frame


BATCH_PAGES, BATCH_RECORDS, BATCH_SECONDS = 100, 25_000, 2.0


@dataclass
class _Piece:
    """A page of a stream (or of a child stream), read and converted, not yet committed: its
    raw records' columns (all but ``fetched_at``), its mapped rows' per table, and the tickets
    it may give a ``merged_into``."""

    stream: Stream
    raw: pa.Table
    rows: dict[str, pa.Table]
    merges: list[str]


@dataclass
class _Batch:
    """Pages of one stream read and not yet committed: they commit together, at the latest
    after :data:`BATCH_PAGES` pages, :data:`BATCH_RECORDS` records or :data:`BATCH_SECONDS`
    seconds, at the stream's end, and before a failure is raised. A slow or rate-limited
    vendor's page commits alone (its wait passes the seconds); a fast one's pages share the
    transaction's fixed cost. A page is held as columns (:class:`_Piece`), not as the parsed
    records, which take several times the memory; a lookup stream's records are held too, to
    be remembered once they commit."""

    started: float
    pages: int = 0
    held: int = 0
    pieces: list[_Piece] = field(default_factory=list)
    lookups: list[list[dict[str, Any]]] = field(default_factory=list)
    resume: PageRequest | None = None

    def add(self, pieces: list[_Piece], lookups: list[dict[str, Any]], resume: PageRequest) -> None:
        self.pieces += pieces
        if lookups:
            self.lookups.append(lookups)
        self.pages += 1
        self.held += sum(p.raw.num_rows for p in pieces)
        self.resume = resume

    def full(self, now: float) -> bool:
        return (
            self.pages >= BATCH_PAGES
            or self.held >= BATCH_RECORDS
            or now - self.started >= BATCH_SECONDS
        )


def _merge_candidates(mapped: Mapped) -> list[str]:
    """The tickets a page may give a ``merged_into``: its ticket rows (a row written again
    names none) and the tickets of its ``merged`` events."""
    out = [str(r.get("ticket_id") or "") for r in mapped.tables.get("tickets", [])]
    events = mapped.tables.get("events", [])
    return out + [str(r.get("ticket_id") or "") for r in events if r.get("kind") == "merged"]


def _linked(body: Any, path: str) -> str | None:
    """The URL at the dotted ``path`` of ``body``, through the first item of a list."""
    value = body
    for key in path.split("."):
        if isinstance(value, list):
            value = value[0] if value else None
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value if isinstance(value, str) and value else None


def _enabled(name: str, source: SourceConfig, vendor: Vendor) -> tuple[str, ...]:
    """The optional streams ``source`` turns on; a :class:`ConfigError` naming the key for a
    name the vendor has none of."""
    for option in source.enable:
        if option not in vendor.options:
            offered = ", ".join(vendor.options) or "none"
            raise ConfigError(
                f"sources.{name}.enable: {vendor.name} has no optional stream {option!r} "
                f"(it has: {offered})",
                key=f"sources.{name}.enable",
            )
    return tuple(source.enable)


def _records(body: Any, path: str) -> list[dict[str, Any]]:
    found = dig(body, path)
    if found is None:
        return []
    if isinstance(found, dict):
        return [found]
    return [r for r in found if isinstance(r, dict)]


def _count(done: ImportReport, report: StreamReport) -> None:
    report.rows += done.total("imported") + done.total("updated")
    report.events += done.table("events").imported
    report.quarantined += done.total("quarantined")


def _line(name: str, exc: SupportOpsError) -> str:
    status = getattr(exc, "status", None)
    reason = REFUSALS.get(status) if isinstance(status, int) else None
    return f"{name}: {reason}" if reason else (str(exc) if name in str(exc) else f"{name}: {exc}")


def sync_source(
    store: Store,
    name: str,
    source: SourceConfig,
    *,
    full: bool = False,
    since: datetime | None = None,
    network: Network | None = None,
    clock: Clock | None = None,
    listener: Listener | None = None,
    vendor: Vendor | None = None,
    on_events: OnEvents | None = None,
) -> SourceReport:
    """Sync source ``name`` into ``store`` (see the module's docstring). ``full`` ignores the
    stored cursors (from ``start``); ``since`` starts every stream there instead. ``vendor``
    replaces the registered declaration (a test's smaller page cap). ``on_events`` is called
    with each page's new events (the store, and the event rows as mapped, in the event log's
    columns) inside the page's transaction, after they are stored: what it writes (the rules'
    action ledger) commits with the page or not at all; a callable it returns runs after the
    page has committed (the rules' live write-backs)."""
    clock = clock or SystemClock()
    run = _Run(
        store,
        name,
        source,
        vendor or vendor_of(source.vendor),
        network or Network(),
        clock,
        listener or _Silent(),
        on_events,
    )
    started = clock.now()
    run.cursors = sync_log.cursors(store, name)
    stored = {} if full or since else dict(run.cursors)
    with store.bulk_writes():  # many commits in a row: the engine's file is rewritten once
        try:
            enabled = _enabled(name, source, run.vendor)
            run.load_lookups()
            for stream in run.vendor.streams:
                if stream.for_each or (stream.optional and stream.optional not in enabled):
                    continue
                kept = None if stream.snapshot else stored.get(stream.name)  # whole: from the start
                first = (
                    PageRequest.from_json(kept)
                    if kept
                    else stream.pagination.first(stream, _since(source, since), now=clock.now())
                )
                run.stream(stream, first)
        except (TerminalError, TransientError) as exc:
            run.report.error = _line(name, exc)
        finally:
            run.http.close()
            run.workspace.close()
    sync_log.log_run(
        store, name, started, clock.now(), run.report.requests, run.report.records, run.report.error
    )
    return run.report


def rebuild_source(
    store: Store, name: str, source: SourceConfig, clock: Clock | None = None
) -> ImportReport:
    """Remap the stored raw records of source ``name`` into the log, without a request: the
    source's event-log rows are replaced in one transaction."""
    vendor = vendor_of(source.vendor)
    context = _context(name, source)
    for stream in vendor.streams:
        if stream.lookup:
            found = sync_log.raw_records_of(store, name, stream.name)
            context.lookups[stream.name] = {
                str(dig(r, stream.id_field)): r for p, r in found if p == stream.records
            }

    def mapped() -> Iterator[dict[str, pa.Table]]:
        for stream in vendor.streams:
            for parts in sync_log.raw_pages(store, name, stream.name):
                yield _columns(stream.map(parts, context))

    with store.transaction():
        sync_log.forget_source(store, name)
        done: ImportReport = _import(
            store, mapped(), name, f"rebuild {name}", clock or SystemClock()
        )
        sync_log.apply_merges(store, name)
    return done
