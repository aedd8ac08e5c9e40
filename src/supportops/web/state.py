"""What the web app keeps between requests, and each request's view of the workspace.

The server opens the workspace's store itself, once (DuckDB admits one writing process). Each
request gets its own :class:`Workspace` view, whose store is the store's own per-thread view
(:meth:`~supportops.store.Store.view`: a cursor with DuckDB, the shared connection behind a lock
elsewhere). Imports take a write lock and clear the result cache. The server may rebuild the
materialised facts and the SLA snapshot in the background (at start when stale, after each import
through the API).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi import Request

from supportops.instants import Clock
from supportops.tokens import TokenFile
from supportops.web.data import Cache
from supportops.workspace import Workspace

__all__ = ["WebState", "workspace"]

log = logging.getLogger("supportops.web")


class WebState:
    """What the app keeps between requests: the workspace, its tokens and a result cache."""

    def __init__(self, path: Path | str, clock: Clock | None = None) -> None:
        self.base = Workspace.open(path, clock=clock)
        self.store = self.base.store
        self.base.check_store()  # a damaged store is refused at start, with the way back
        self.tokens = TokenFile.of_workspace(self.base.path, self.base.clock)
        self.cache = Cache()
        self.write_lock = threading.Lock()
        self.refresh_after_import = False
        self._flags = threading.Lock()
        self._refreshing = self._again = False

    @contextmanager
    def workspace(self, remember: bool = True) -> Iterator[Workspace]:
        """A workspace view safe to use from the calling thread until the block ends.

        With ``remember`` (a request's view) its store remembers what it learns about the data
        (:meth:`~supportops.store.Store.memo`): pass False for a view that writes."""
        with self.store.view(remember) as store:
            yield self.base.with_store(store)

    def refresh_later(self) -> bool:
        """Refresh the materialised facts and the SLA snapshot (incrementally, see
        :func:`~supportops.metrics.incremental.refresh_changed`) in a background thread, unless a
        rebuild is already running (then it runs once more when that one ends); the result
        cache is cleared when it is done. Pages stay correct meanwhile (stale tables are never
        read), only slower. Returns whether a thread was started."""
        with self._flags:
            self._again = self._refreshing
            if self._refreshing:
                return False
            self._refreshing = True
        threading.Thread(target=self._refresh, name="supportops-refresh", daemon=True).start()
        return True

    def refresh_if_stale(self) -> bool:
        """:meth:`refresh_later` when the facts or the SLA snapshot do not match the data."""
        from supportops.metrics.materialize import is_fresh

        with self.workspace(remember=False) as ws:
            fresh = is_fresh(ws)
        if fresh:
            return False
        log.warning("materialised facts or SLA snapshot stale: rebuilding them in the background")
        return self.refresh_later()

    def _refresh(self) -> None:
        from supportops.metrics.incremental import refresh_changed

        while True:
            try:  # the tickets imports changed, or everything when that is not known
                with self.write_lock, self.workspace(remember=False) as ws:
                    refresh_changed(ws)
            except Exception:  # logged; the server keeps serving from the inline facts
                log.exception("refreshing the materialised facts failed")
            self.cache.clear()
            with self._flags:
                if not self._again:
                    self._refreshing = False
                    return
                self._again = False

    @property
    def refreshing(self) -> bool:
        """Whether a background refresh is running."""
        return self._refreshing

    def close(self) -> None:
        """Close the store."""
        self.base.close()


def workspace(request: Request) -> Iterator[Workspace]:
    """Dependency: this request's workspace view."""
    state: WebState = request.app.state.web
    with state.workspace() as ws:
        yield ws
