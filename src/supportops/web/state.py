"""What the web app keeps between requests, and each request's view of the workspace.

The server opens the workspace's store itself, once (DuckDB admits one writing process). Each
request gets its own :class:`Workspace` view: with DuckDB a view whose store is a cursor of the
shared connection (a DuckDB connection must not be used by two threads at once; its cursors may
run in parallel); with an engine without cursors, the shared workspace behind a lock. Imports take
a write lock and clear the result cache.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi import Request

from supportops.store import DuckDBStore
from supportops.tokens import TokenFile
from supportops.web.data import Cache
from supportops.workspace import Workspace

__all__ = ["WebState", "workspace"]


class WebState:
    """What the app keeps between requests: the workspace, its tokens and a result cache."""

    def __init__(self, path: Path | str) -> None:
        self.base = Workspace.open(path)
        self.store = self.base.store
        self.tokens = TokenFile.of_workspace(self.base.path)
        self.cache = Cache()
        self.write_lock = threading.Lock()
        self._lock = threading.RLock()

    @contextmanager
    def workspace(self) -> Iterator[Workspace]:
        """A workspace view safe to use from the calling thread until the block ends."""
        if not isinstance(self.store, DuckDBStore):
            with self._lock:
                yield self.base
            return
        view = copy.copy(self.base)
        store = DuckDBStore.__new__(DuckDBStore)
        store.path = self.store.path
        store.con = self.store.con.cursor()
        store.con.execute("SET TimeZone = 'UTC'")
        view.__dict__["store"] = store
        try:
            yield view
        finally:
            store.con.close()

    def close(self) -> None:
        """Close the store."""
        self.base.close()


def workspace(request: Request) -> Iterator[Workspace]:
    """Dependency: this request's workspace view."""
    state: WebState = request.app.state.web
    with state.workspace() as ws:
        yield ws
