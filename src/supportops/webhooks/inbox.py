"""The durable inbox of webhook deliveries: ``webhooks.sqlite`` in the workspace.

Each verified delivery is one row keyed by (source, delivery id), committed before the server
answers 2xx: a SQLite transaction in WAL mode with ``synchronous=FULL``, so the commit has
reached the disk (fsync of the log) when :meth:`Inbox.append` returns. Deliveries arriving
together share one commit (group commit). A second delivery with
the same key changes nothing and is answered 2xx like the first. The file is apart from the
store, like ``access.sqlite``, so that ``supportops webhooks`` reads it while ``serve`` holds
the DuckDB store, and a commit never waits behind an analytical query (decision D67).

States: ``received`` (kept, not applied yet), ``applied``, ``failed`` (with its error; a retry
makes it ``received`` again). Refused deliveries (a bad signature or token, an unreadable
body) are kept apart in ``refusals`` with their reason and shown with state ``rejected``:
they never take a delivery id, so a forged delivery cannot shadow a genuine one. Only the
newest :data:`REFUSALS_KEPT` refusals are kept.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from supportops.errors import StoreError
from supportops.webhooks.payloads import Delivery

__all__ = ["INBOX_FILE", "REFUSALS_KEPT", "STATES", "Inbox", "Row", "State"]

INBOX_FILE = "webhooks.sqlite"
REFUSALS_KEPT = 10_000
State = Literal["received", "applied", "failed", "rejected"]
STATES: tuple[State, ...] = ("received", "applied", "failed", "rejected")
SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    source TEXT NOT NULL,
    delivery_id TEXT NOT NULL,
    ticket_id TEXT,
    event TEXT,
    instant TEXT NOT NULL,
    received_at TEXT NOT NULL,
    body BLOB NOT NULL,
    state TEXT NOT NULL DEFAULT 'received',
    error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    applied_at TEXT,
    PRIMARY KEY (source, delivery_id)
);
CREATE INDEX IF NOT EXISTS deliveries_state ON deliveries (state, source, instant);
CREATE INDEX IF NOT EXISTS deliveries_received ON deliveries (received_at);
CREATE TABLE IF NOT EXISTS refusals (
    received_at TEXT NOT NULL,
    source TEXT NOT NULL,
    reason TEXT NOT NULL
);
"""


@dataclass
class _Slot:
    """A delivery waiting for its group commit, and what came of it."""

    delivery: Delivery
    done: bool = False
    new: bool = False
    error: StoreError | None = None


@dataclass(frozen=True)
class Row:
    """One delivery (or refusal) as ``supportops webhooks`` lists it."""

    source: str
    delivery_id: str
    ticket_id: str | None
    event: str | None
    instant: str
    received_at: str
    state: State
    error: str | None
    attempts: int


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


class Inbox:
    """The inbox file at ``path``; safe to share between threads and processes."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()  # one transaction at a time
        self._queued = threading.Lock()
        self._queue: list[_Slot] = []
        try:
            self._db = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=30.0
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot open the webhook inbox: {exc}") from exc

    @classmethod
    def of_workspace(cls, folder: Path | str) -> Inbox:
        """The inbox of the workspace at ``folder``."""
        return cls(Path(folder) / INBOX_FILE)

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def append(self, delivery: Delivery) -> bool:
        """Keep ``delivery`` durably; False when (source, delivery id) was kept before.

        Group commit: deliveries appended by other threads while a commit runs wait for it,
        then the first of them commits them all in one transaction (one fsync), so the rate
        follows the disk's fsync rate times the batch, not the fsync rate alone."""
        slot = _Slot(delivery)
        with self._queued:
            self._queue.append(slot)
        with self._lock:
            if not slot.done:
                with self._queued:
                    batch, self._queue = self._queue, []
                self._commit(batch)
        if slot.error is not None:
            raise slot.error
        return slot.new

    def _commit(self, batch: list[_Slot]) -> None:
        db = self._db
        try:
            db.execute("BEGIN IMMEDIATE")
            for slot in batch:
                d = slot.delivery
                done = db.execute(
                    "INSERT OR IGNORE INTO deliveries (source, delivery_id, ticket_id, event, "
                    "instant, received_at, body) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        d.source,
                        d.delivery_id,
                        d.ticket_id,
                        d.event,
                        _iso(d.instant),
                        _iso(d.received_at),
                        d.body,
                    ),
                )
                slot.new = done.rowcount == 1
            db.execute("COMMIT")
        except (sqlite3.Error, OSError) as exc:
            if db.in_transaction:
                db.execute("ROLLBACK")
            error = StoreError(f"{self.path}: the delivery was not kept: {exc}")
            for slot in batch:
                slot.error = error
        for slot in batch:
            slot.done = True

    def refuse(self, source: str, reason: str, at: datetime) -> None:
        """Keep the reason a delivery to ``source`` was refused (the newest ones only)."""
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO refusals VALUES (?, ?, ?)", (_iso(at), source, reason[:500])
            )
            if cursor.lastrowid and cursor.lastrowid % 100 == 0:
                db.execute(
                    "DELETE FROM refusals WHERE rowid <= ?", (cursor.lastrowid - REFUSALS_KEPT,)
                )

    def pending(self) -> dict[str, list[str]]:
        """The delivery ids still to apply, by source, each in order of their instants."""
        with self._lock:
            found = self._db.execute(
                "SELECT source, delivery_id FROM deliveries WHERE state = 'received' "
                "ORDER BY source, instant, received_at, delivery_id"
            ).fetchall()
        out: dict[str, list[str]] = {}
        for source, delivery_id in found:
            out.setdefault(source, []).append(delivery_id)
        return out

    def mark(
        self, source: str, ids: Iterable[str], state: State, at: datetime, error: str | None = None
    ) -> None:
        """Set the state of deliveries ``ids`` of ``source`` (one transaction)."""
        with self._write() as db:
            db.executemany(
                "UPDATE deliveries SET state = ?, error = ?, attempts = attempts + 1, "
                "applied_at = ? WHERE source = ? AND delivery_id = ?",
                [(state, error, _iso(at) if state == "applied" else None, source, i) for i in ids],
            )

    def retry(self, source: str | None = None, delivery_id: str | None = None) -> int:
        """Make failed deliveries (of ``source``, or just ``delivery_id``) ``received`` again;
        returns how many."""
        query = "UPDATE deliveries SET state = 'received', error = NULL WHERE state = 'failed'"
        args: list[str] = []
        for column, value in (("source", source), ("delivery_id", delivery_id)):
            if value is not None:
                query += f" AND {column} = ?"
                args.append(value)
        with self._write() as db:
            return db.execute(query, args).rowcount

    def recent(
        self, limit: int = 50, source: str | None = None, state: State | None = None
    ) -> list[Row]:
        """The newest deliveries and refusals, newest first."""
        kept = (
            "SELECT source, delivery_id, ticket_id, event, instant, received_at, state, error, "
            "attempts FROM deliveries"
        )
        refused = (
            "SELECT source, '' AS delivery_id, NULL, NULL, received_at, received_at, "
            "'rejected', reason, 0 FROM refusals"
        )
        query = f"SELECT * FROM ({kept} UNION ALL {refused}) WHERE 1 = 1"
        args: list[object] = []
        for column, value in (("source", source), ("state", state)):
            if value is not None:
                query += f" AND {column} = ?"
                args.append(value)
        with self._lock:
            found = self._db.execute(
                query + " ORDER BY received_at DESC LIMIT ?", [*args, limit]
            ).fetchall()
        return [Row(*r) for r in found]

    def counts(self) -> dict[str, dict[str, int]]:
        """Deliveries by source and state (refusals as ``rejected``)."""
        with self._lock:
            found = self._db.execute(
                "SELECT source, state, count(*) FROM deliveries GROUP BY 1, 2 "
                "UNION ALL SELECT source, 'rejected', count(*) FROM refusals GROUP BY 1"
            ).fetchall()
        out: dict[str, dict[str, int]] = {}
        for source, state, count in found:
            by_state = out.setdefault(source, {})
            by_state[state] = by_state.get(state, 0) + count
        return out

    def newest(self) -> dict[str, str]:
        """The instant of the newest delivery kept, by source (ISO text, UTC)."""
        with self._lock:
            found = self._db.execute(
                "SELECT source, max(received_at) FROM deliveries GROUP BY 1"
            ).fetchall()
        return {s: at for s, at in found}

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._db.close()
