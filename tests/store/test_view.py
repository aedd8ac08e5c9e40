"""``Store.view()``: a per-thread view of the store, on every engine, as its capabilities say.

DuckDB declares parallel views (each is a cursor of the shared connection); PostgreSQL does not
(a view is the store itself, one thread at a time).
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from supportops.errors import StoreError
from supportops.store import Store, open_store


def _table(store: Store) -> None:
    store.execute("CREATE TABLE t (n INTEGER)")
    store.execute("INSERT INTO t VALUES (1), (2)")


def test_a_view_reads_and_writes_the_stores_data(store: Store) -> None:
    _table(store)
    with store.view(remember=False) as view:
        assert view.count("t") == 2
        view.execute("INSERT INTO t VALUES (3)")
    assert store.count("t") == 3


def test_a_remembering_view_remembers_for_its_life_only(store: Store) -> None:
    calls: list[int] = []
    with store.view() as view:
        assert [view.memo("k", lambda: calls.append(1) or len(calls)) for _ in "ab"] == [1, 1]
    with store.view(remember=False) as view:
        assert [view.memo("k", lambda: calls.append(1) or len(calls)) for _ in "ab"] == [2, 3]
    assert store.remembered is None


def test_views_run_in_parallel_exactly_when_the_engine_says_so(store: Store) -> None:
    _table(store)
    seen: dict[str, object] = {}
    with store.view() as mine:

        def other() -> None:
            lock = store._view_lock
            seen["free"] = lock is None or lock.acquire(blocking=False)
            if store.capabilities.parallel_views:
                with store.view() as theirs:
                    seen["count"], seen["same"] = theirs.count("t"), theirs is mine

        thread = threading.Thread(target=other)
        thread.start()
        thread.join(timeout=30)
    if store.capabilities.parallel_views:
        assert seen == {"free": True, "count": 2, "same": False}
        assert mine is not store
    else:
        assert seen == {"free": False} and mine is store


def test_a_cursor_view_is_closed_when_its_block_ends(tmp_path: Path) -> None:
    with open_store("duckdb", tmp_path) as store:
        with store.view() as view:
            assert view.scalar("SELECT 1") == 1
        with pytest.raises(StoreError):
            view.scalar("SELECT 1")
        assert store.scalar("SELECT 1") == 1
