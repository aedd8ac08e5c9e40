"""What connectors keep beside the event log: raw vendor records, cursors, and sync runs.

- ``raw_records``: every record fetched (source, stream, the JSON key it came under as
  ``part``, vendor id, fetched_at, a digest of its JSON, the JSON). A record fetched again
  unchanged is not stored twice (its digest is part of the key); a changed one adds a row, so
  the latest row per vendor id is the record as last seen.
- ``sync_state``: per source and stream, the cursor (the next request, as JSON) after the last
  committed page.
- ``sync_runs``: one row per sync of a source: when, requests, records, the error if it failed.

A record of a stream read whole every run (``Stream.snapshot``) that a complete run no longer
sees is gone upstream (an archived article): it is kept as a **tombstone**, the record as last
seen wrapped as ``{"_gone": record}`` (:func:`tombstone`), stored like any fetched record so
that it is the latest one of its vendor id and a rebuild maps it again.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import orjson

from supportops.lazy import lazy_module
from supportops.model.schema import TABLES, Column, Table
from supportops.store.base import Store

if TYPE_CHECKING:
    import pyarrow as pa
else:  # loaded on first use (a command reading a few rows needs neither Arrow nor numpy)
    pa = lazy_module("pyarrow")

__all__ = [
    "GONE",
    "RAW_RECORDS",
    "SYNC_STATE",
    "SourceSummary",
    "apply_merges",
    "canonical",
    "cursors",
    "digest",
    "digest_of",
    "forget_gone",
    "forget_source",
    "keep_raw",
    "known_digests",
    "latest_of",
    "log_run",
    "one_per_key",
    "presence",
    "raw_pages",
    "raw_records_of",
    "save_cursor",
    "summaries",
    "tombstone",
    "unwrap",
]

# every key column is always written (the runner's): so a merge reads only the stored rows near
# its records' ids (``Store.upsert``), not every raw record stored, which made each page's merge
# cost grow with the store (86 ms a merge at 300k tickets against 33 ms at 100k)
_RAW_KEY = ("source", "stream", "part", "vendor_id", "digest")
RAW_RECORDS = Table(
    "raw_records",
    "Every vendor record fetched.",
    tuple(
        Column(n, t, n, required=n in _RAW_KEY)  # type: ignore[arg-type]
        for n, t in (
            ("source", "string"),
            ("stream", "string"),
            ("part", "string"),
            ("vendor_id", "string"),
            ("fetched_at", "timestamp"),
            ("digest", "string"),
            ("record", "string"),
        )
    ),
    key=_RAW_KEY,
    replace=False,
)
SYNC_STATE = Table(
    "sync_state",
    "Each stream's cursor.",
    (
        Column("source", "string", "source"),
        Column("stream", "string", "stream"),
        Column("cursor", "string", "the next request, as JSON"),
        Column("committed_at", "timestamp", "when the cursor was committed"),
    ),
    key=("source", "stream"),
)
GONE = "_gone"
_MARK = '{"' + GONE + '":'  # how a tombstone's canonical JSON begins
# the latest record per vendor id: the last fetched; a tombstone written at the same instant as
# the record it buries is the later
_NEWEST = f"ORDER BY fetched_at DESC, substr(record, 1, {len(_MARK)}) = '{_MARK}' DESC"


def _latest(only: str = "", select: str = "part, record") -> str:
    """SQL: ``select`` of the latest record per vendor id of a source's stream (``only``: a
    further condition on the stored rows)."""
    return (
        f"SELECT {select} FROM (SELECT part, vendor_id, record, row_number() OVER "
        f"(PARTITION BY part, vendor_id {_NEWEST}) AS n FROM raw_records "
        f"WHERE source = ? AND stream = ?{only}) r WHERE n = 1 ORDER BY part, vendor_id"
    )


def tombstone(record: dict[str, Any]) -> dict[str, Any]:
    """The tombstone of a record gone upstream: the record as last seen, wrapped."""
    return {GONE: record}


def unwrap(record: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The vendor's record and whether it is a tombstone's."""
    inner = record.get(GONE) if len(record) == 1 else None
    return (inner, True) if isinstance(inner, dict) else (record, False)


def canonical(record: Any) -> str:
    """A record's JSON with sorted keys: the text kept and digested. It is the text of
    ``json.dumps(record, sort_keys=True, separators=(",", ":"), default=str)`` (so digests of
    records stored before stay the same), written by orjson, which is ten times faster. orjson
    spells some numbers below 1e-4 otherwise (``1e-7`` for ``1e-07``, ``0.00001`` for
    ``1e-05``); a text that may hold such a number (:data:`_SPELLED`) is written by ``json``."""
    try:
        text = orjson.dumps(record, default=str, option=_SORTED).decode()
    except TypeError:  # beyond orjson: an integer past 64 bits, a key that is not text
        text = ""
    if not text or _spelled(text):
        return json.dumps(record, sort_keys=True, separators=(",", ":"), default=str)
    return text if text.isascii() and "\x7f" not in text else _WIDE.sub(_escaped, text)


_SORTED = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
_WIDE = re.compile("[^\x00-\x7e]")  # what json.dumps writes as \uXXXX
# a number in exponent form, or a decimal below 1e-4: where orjson and json may spell a float
# apart (a string holding the same characters after a comma is written by json too: the same)
_SPELLED = re.compile(r"(?:^|[:,\[])-?(?:0\.0000|\d+(?:\.\d+)?e)")


def _spelled(text: str) -> bool:
    """Whether ``text`` may hold a number orjson spells apart from json: the substring tests
    first (orjson's exponents carry a sign), the pattern only on the few texts that pass them
    (over 47 MB of a 10k-ticket sync's records: 0.1 s, against 0.95 s for the pattern alone)."""
    return ("e-" in text or "e+" in text or "0.0000" in text) and bool(_SPELLED.search(text))


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000  # a surrogate pair, as json.dumps writes it
    return f"\\u{0xD800 | code >> 10:04x}\\u{0xDC00 | code & 0x3FF:04x}"


def digest_of(text: str) -> str:
    """The digest of a record's canonical JSON."""
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def digest(record: Any) -> str:
    """A stable digest of a record's JSON (key order does not matter)."""
    return digest_of(canonical(record))


def keep_raw(store: Store, rows: pa.Table) -> int:
    """Add fetched records (the columns of ``raw_records``); returns how many were new. A
    record given twice (overlapping pages of one transaction) is kept once."""
    return store.upsert(RAW_RECORDS, one_per_key(rows)).new


def one_per_key(rows: pa.Table) -> pa.Table:
    """``rows`` with the first row of each ``raw_records`` key, in their order (told by
    Arrow's grouping, not a loop over the rows)."""
    if rows.num_rows < 2:
        return rows
    keys = list(RAW_RECORDS.key)
    numbered = rows.select(keys).append_column("_i", pa.array(range(rows.num_rows), pa.int64()))
    firsts = numbered.group_by(keys, use_threads=False).aggregate([("_i", "min")])
    if firsts.num_rows == rows.num_rows:
        return rows
    return rows.take(firsts.column("_i_min").sort())


_MERGES = (
    "UPDATE tickets SET merged_into = m.value FROM (SELECT ticket_id, max(value) AS value "
    "FROM events WHERE source = ? AND kind = 'merged' AND value IS NOT NULL{only} "
    "GROUP BY ticket_id) m "
    "WHERE tickets.source = ? AND tickets.ticket_id = m.ticket_id "
    "AND (tickets.merged_into IS NULL OR tickets.merged_into = '')"
)
_SEPARATOR = chr(31)  # joins ticket ids into one parameter (SQL both engines read)


def apply_merges(store: Store, source: str, tickets: list[str] | None = None) -> None:
    """Give a ticket of ``source`` whose row names no ``merged_into`` the target of its
    ``merged`` event (a vendor that tells the merge only on the surviving ticket, as Help Scout
    does, never sends the absorbed ticket's row again). With ``tickets``, only those tickets
    are looked at (a page's: its cost does not grow with the store)."""
    if tickets is None:
        store.execute(_MERGES.format(only=""), [source, source])
        return
    ids = sorted({t for t in tickets if t})
    if not ids:
        return
    if any(_SEPARATOR in t for t in ids):  # an id that cannot be sent joined: look at all
        store.execute(_MERGES.format(only=""), [source, source])
        return
    only = " AND ticket_id IN (SELECT unnest(string_to_array(CAST(? AS VARCHAR), chr(31))))"
    store.execute(_MERGES.format(only=only), [source, _SEPARATOR.join(ids), source])


def known_digests(store: Store, source: str, stream: str, digests: list[str]) -> set[str]:
    """Which of ``digests`` are stored for ``stream`` of ``source`` (records fetched before,
    unchanged)."""
    if not digests:
        return set()
    marks = ", ".join("?" for _ in digests)
    rows = store.arrow(
        f"SELECT DISTINCT digest FROM raw_records WHERE source = ? AND stream = ? "
        f"AND digest IN ({marks})",
        [source, stream, *digests],
    )
    return {str(d) for d in rows.column(0).to_pylist()}


def cursors(store: Store, source: str) -> dict[str, str]:
    """Each stream's stored cursor for ``source``."""
    rows = store.arrow("SELECT stream, cursor FROM sync_state WHERE source = ?", [source])
    return dict(zip(rows.column(0).to_pylist(), rows.column(1).to_pylist(), strict=True))


def save_cursor(
    store: Store,
    source: str,
    stream: str,
    cursor: str,
    at: datetime,
    stored: dict[str, str] | None = None,
) -> bool:
    """Store ``stream``'s cursor when it changed; True when it was written. ``stored`` is the
    source's cursors as the caller knows them (read from the store when not given); it is
    updated with the cursor written."""
    known = cursors(store, source) if stored is None else stored
    if known.get(stream) == cursor:
        return False
    row = pa.table(
        {
            "source": [source],
            "stream": [stream],
            "cursor": [cursor],
            "committed_at": pa.array([at], pa.timestamp("us", tz="UTC")),
        }
    )
    store.upsert(SYNC_STATE, row)
    if stored is not None:
        stored[stream] = cursor
    return True


def raw_records_of(store: Store, source: str, stream: str) -> list[tuple[str, dict[str, Any]]]:
    """The latest stored record per vendor id of ``stream``, as (part, record)."""
    return _decoded(store.arrow(_latest(), [source, stream]))


def _decoded(rows: pa.Table) -> list[tuple[str, dict[str, Any]]]:
    """(part, record) of rows of ``part`` and ``record`` (its JSON)."""
    parts = rows.column(0).to_pylist()
    return [(p, json.loads(r)) for p, r in zip(parts, rows.column(1).to_pylist(), strict=True)]


def raw_pages(
    store: Store, source: str, stream: str, size: int = 1000
) -> Iterator[dict[str, list[dict[str, Any]]]]:
    """The latest stored records of ``stream`` as pages of one part each, ``size`` records."""
    page: dict[str, list[dict[str, Any]]] = {}
    for part, record in raw_records_of(store, source, stream):
        if page and (part not in page or len(page[part]) >= size):
            yield page
            page = {}
        page.setdefault(part, []).append(record)
    if page:
        yield page


_PRESENCE = _latest(select=f"vendor_id, substr(record, 1, {len(_MARK)}) = ? AS gone")


def presence(store: Store, source: str, stream: str) -> tuple[set[str], set[str]]:
    """The vendor ids of ``stream`` whose latest record is live, and those whose latest is a
    tombstone."""
    rows = store.arrow(_PRESENCE, [_MARK, source, stream])
    pairs = zip(rows.column(0).to_pylist(), rows.column(1).to_pylist(), strict=True)
    live: set[str] = set()
    gone: set[str] = set()
    for vendor_id, is_gone in pairs:
        (gone if is_gone else live).add(str(vendor_id))
    return live, gone


def _ids_param(ids: set[str]) -> str:
    return _SEPARATOR.join(sorted(ids))


_ONLY_IDS = " AND vendor_id IN (SELECT unnest(string_to_array(CAST(? AS VARCHAR), chr(31))))"


def latest_of(
    store: Store, source: str, stream: str, ids: set[str]
) -> list[tuple[str, dict[str, Any]]]:
    """The latest stored record of each of ``ids`` of ``stream``, as (part, record)."""
    if not ids:
        return []
    return _decoded(store.arrow(_latest(_ONLY_IDS), [source, stream, _ids_param(ids)]))


def forget_gone(store: Store, source: str, stream: str, ids: set[str]) -> None:
    """Delete the tombstones of ``ids`` (records seen again as they were before they went):
    the record stored before is the latest again."""
    if ids:
        store.execute(
            "DELETE FROM raw_records WHERE source = ? AND stream = ? AND substr(record, 1, "
            f"{len(_MARK)}) = ?{_ONLY_IDS}",
            [source, stream, _MARK, _ids_param(ids)],
        )


def forget_source(store: Store, source: str) -> None:
    """Delete the event-log rows of ``source`` (before a rebuild remaps its raw records)."""
    for name, table in TABLES.items():
        if "source" in table.names:
            store.execute(f'DELETE FROM "{name}" WHERE source = ?', [source])


def log_run(
    store: Store,
    source: str,
    started_at: datetime,
    finished_at: datetime,
    requests: int,
    records: int,
    error: str | None,
) -> None:
    """Record one sync run of ``source``."""
    stamp = pa.timestamp("us", tz="UTC")
    store.append(
        "sync_runs",
        pa.table(
            {
                "source": [source],
                "started_at": pa.array([started_at], stamp),
                "finished_at": pa.array([finished_at], stamp),
                "requests": pa.array([float(requests)], pa.float64()),
                "records": pa.array([float(records)], pa.float64()),
                "error": pa.array([error], pa.string()),
            }
        ),
    )


@dataclass(frozen=True)
class SourceSummary:
    """What ``supportops sources`` shows of one source."""

    source: str
    last_success: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    tickets: int
    raw_records: int
    cursors: dict[str, str]
    articles: int = 0  # published help-center articles


def summaries(store: Store, names: list[str]) -> list[SourceSummary]:
    """The last successful run, the last error (when after it), counts and cursors per source."""
    out = []
    for name in names:
        ok = store.scalar(
            "SELECT max(finished_at) FROM sync_runs WHERE source = ? AND error IS NULL", [name]
        )
        failed = store.arrow(
            "SELECT finished_at, error FROM sync_runs WHERE source = ? AND error IS NOT NULL "
            "ORDER BY finished_at DESC LIMIT 1",
            [name],
        ).to_pylist()
        last = failed[0] if failed and (ok is None or failed[0]["finished_at"] > ok) else None
        out.append(
            SourceSummary(
                name,
                ok,
                last["error"] if last else None,
                last["finished_at"] if last else None,
                int(store.scalar("SELECT count(*) FROM tickets WHERE source = ?", [name])),
                int(store.scalar("SELECT count(*) FROM raw_records WHERE source = ?", [name])),
                cursors(store, name),
                int(
                    store.scalar(
                        "SELECT count(*) FROM articles WHERE source = ? AND status = 'published'",
                        [name],
                    )
                ),
            )
        )
    return out
