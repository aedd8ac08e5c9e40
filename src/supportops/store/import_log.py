"""The log of imports begun: a marker written before an import's data, outside its transaction.

An import commits its rows and its ``imports`` row in one transaction; the marker in
``import_runs`` is committed first. A marker without an ``imports`` row is an import that did not
finish: it failed (``error`` says why) or its process was killed (``error`` empty) — either way
none of its rows were kept. The marker's time is the database's clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from supportops.store.base import Store

__all__ = ["UnfinishedImport", "begin_import", "fail_import", "unfinished_imports"]


@dataclass(frozen=True)
class UnfinishedImport:
    """An import that began and did not finish; ``error`` is None when it was killed."""

    import_id: str
    started_at: datetime
    files: str
    error: str | None


def begin_import(store: Store, import_id: str, files: str) -> None:
    """Record that import ``import_id`` of ``files`` begins (committed at once)."""
    store.execute(
        'INSERT INTO import_runs (import_id, started_at, files, "error") '
        "VALUES (?, CURRENT_TIMESTAMP, ?, NULL)",
        [import_id, files],
    )


def fail_import(store: Store, import_id: str, error: str) -> None:
    """Record why import ``import_id`` failed (its transaction was rolled back)."""
    store.execute('UPDATE import_runs SET "error" = ? WHERE import_id = ?', [error, import_id])


def unfinished_imports(store: Store) -> list[UnfinishedImport]:
    """Imports begun without an ``imports`` row, oldest first."""
    rows = store.arrow(
        'SELECT r.import_id, r.started_at, r.files, r."error" FROM import_runs r '
        "WHERE NOT EXISTS (SELECT 1 FROM imports i WHERE i.import_id = r.import_id) "
        "ORDER BY r.started_at, r.import_id"
    )
    return [UnfinishedImport(**row) for row in rows.to_pylist()]
