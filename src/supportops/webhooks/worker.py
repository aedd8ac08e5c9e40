"""Applying deliveries, and the scheduled sync that backs them up.

A webhook is a hint: what a delivery's payload says is never written to the log. Applying a
source's received deliveries (taken oldest instant first) runs that source's incremental sync
through its connector, which re-fetches the changed tickets with the connector's declared
streams and mapping and commits page by page (decision D68). One sync applies every delivery
received for the source until it started, however many; the deliveries are then marked
``applied`` (or ``failed`` with the sync's error, to retry). A crash between the sync and the
mark leaves them ``received``: the next pass syncs again, which writes nothing twice.

:class:`LiveSync` is the thread ``supportops serve`` runs: it wakes on each new delivery (or
every ``tick`` seconds), applies what is pending, and syncs each source whose ``schedule``
has elapsed since its last successful sync, webhooks or not. A source is synced at most once per
its ``sync_gap``, by default its vendor's (Zendesk: 18 s, its incremental exports' 10 requests a
minute; an account with the High Volume add-on, 30 a minute, may set ``sync_gap: 6s``): a
delivery arriving sooner waits, received, for the next pass after it, so a busy account's
webhooks never drive the sync into the vendor's rate limit (a wait on which would hold the
store's write lock).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime

from supportops.config import SourceConfig
from supportops.connectors.registry import vendor_of
from supportops.connectors.runner import Network, OnEvents, SourceReport, sync_source
from supportops.instants import Clock
from supportops.store.base import Store
from supportops.webhooks.inbox import Inbox, State

__all__ = ["LiveSync", "Sync", "apply_pending", "due", "last_syncs"]

log = logging.getLogger("supportops.webhooks")
Sync = Callable[..., SourceReport]


def apply_pending(
    inbox: Inbox,
    store: Store,
    sources: Mapping[str, SourceConfig],
    clock: Clock,
    network: Network | None = None,
    sync: Sync = sync_source,
    on_events: OnEvents | None = None,
    only: Collection[str] | None = None,
) -> dict[str, SourceReport]:
    """Apply every received delivery (see the module docstring); the sync report by source.
    ``on_events``: the sync's (the rules run on each page's events); ``only``: the sources to
    apply now (the others' deliveries stay received)."""
    reports: dict[str, SourceReport] = {}
    for name, ids in inbox.pending().items():
        if only is not None and name in sources and name not in only:
            continue
        source = sources.get(name)
        if source is None:
            inbox.mark(name, ids, "failed", clock.now(), f"no source {name!r} in supportops.yaml")
            continue
        extra = {"on_events": on_events} if on_events is not None else {}
        report = sync(store, name, source, network=network, clock=clock, **extra)
        reports[name] = report
        state: State = "failed" if report.error else "applied"
        inbox.mark(name, ids, state, clock.now(), report.error)
        log.info("webhooks: %s %d deliveries of %s", state, len(ids), name)
    return reports


def last_syncs(store: Store, names: list[str]) -> dict[str, datetime | None]:
    """The end of each source's last successful sync (None: never)."""
    rows = store.arrow(
        "SELECT source, max(finished_at) AS finished FROM sync_runs WHERE error IS NULL GROUP BY 1"
    ).to_pylist()
    found = {r["source"]: r["finished"] for r in rows}
    return {name: found.get(name) for name in names}


def due(
    sources: Mapping[str, SourceConfig], last: Mapping[str, datetime | None], now: datetime
) -> list[str]:
    """The sources whose ``schedule`` has elapsed since their last sync (never synced: due)."""
    out = []
    for name, source in sources.items():
        if source.schedule is None:
            continue
        before = last.get(name)
        if before is None or (now - before).total_seconds() >= source.schedule:
            out.append(name)
    return out


@dataclass
class LiveSync:
    """The background thread of ``serve``: deliveries applied, scheduled syncs run.

    ``session`` gives a writing view of the store (the caller's lock held), ``changed`` is
    called after a pass that wrote rows (caches, materialised facts)."""

    inbox: Inbox
    sources: Mapping[str, SourceConfig]
    session: Callable[[], AbstractContextManager[Store]]
    clock: Clock
    changed: Callable[[], None] = lambda: None
    network: Network | None = None
    on_events: OnEvents | None = None  # the rules, run on each synced page's events
    tick: float = 1.0
    gap: float = 5.0  # seconds at least between passes: one sync applies them all
    last: dict[str, datetime | None] = field(default_factory=dict)
    pulled: dict[str, datetime] = field(default_factory=dict)  # each source's last sync here
    _wake: threading.Event = field(default_factory=threading.Event)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def wake(self) -> None:
        """A delivery was kept: apply it soon."""
        self._wake.set()

    def ready(self, name: str, now: datetime) -> bool:
        """Whether source ``name`` may be synced at ``now``: its ``sync_gap`` (by default its
        vendor's) has passed since this thread last synced it (a delivery waits, received,
        until then)."""
        before = self.pulled.get(name)
        source = self.sources.get(name)
        if before is None or source is None:
            return True
        gap = source.sync_gap if source.sync_gap is not None else vendor_of(source.vendor).sync_gap
        return (now - before).total_seconds() >= gap

    def step(self) -> bool:
        """One pass; whether it wrote rows."""
        wrote = False
        with self.session() as store:
            now = self.clock.now()
            ready = [n for n in self.sources if self.ready(n, now)]
            for name, report in apply_pending(
                self.inbox,
                store,
                self.sources,
                self.clock,
                self.network,
                on_events=self.on_events,
                only=ready,
            ).items():
                wrote |= report.records > 0
                self.pulled[name] = self.clock.now()
                if not report.error:
                    self.last[name] = self.clock.now()
            for name in due(self.sources, self.last, self.clock.now()):
                if not self.ready(name, self.clock.now()):
                    continue  # synced for deliveries a moment ago: due at a later pass
                report = sync_source(
                    store,
                    name,
                    self.sources[name],
                    network=self.network,
                    clock=self.clock,
                    on_events=self.on_events,
                )
                wrote |= report.records > 0
                self.pulled[name] = self.last[name] = self.clock.now()  # a failed one waits too
                if report.error:
                    log.warning("scheduled sync of %s failed: %s", name, report.error)
        if wrote:
            self.changed()
        return wrote

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.tick)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.step()
            except Exception:  # logged; the next pass tries again, deliveries stay received
                log.exception("applying webhook deliveries failed")
            self._stop.wait(self.gap)

    def start(self) -> None:
        """Start the thread (the first pass applies what a crash left received)."""
        self._wake.set()
        self._thread = threading.Thread(target=self._run, name="supportops-live", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread after its current pass."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30.0)
