"""SIGKILL a sync at random points, run it again: the store is exactly the store of an
uninterrupted sync (nothing missing, nothing twice), for each vendor.

The killed sync is a forked child process (a real process on its own store file, without the
seconds an interpreter's start costs); the fake kills it itself when it serves a chosen request,
or a few milliseconds after, so kills land in requests, mappings and commits alike."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from supportops.config import SourceConfig
from supportops.connectors.runner import Network, sync_source
from supportops.store import DuckDBStore
from tests.connectors.fakes.freshdesk import API_KEY, FreshdeskAccount, FreshdeskFake
from tests.connectors.fakes.server import App, FakeServer, Seen
from tests.connectors.fakes.zendesk import EMAIL, TOKEN, ZendeskAccount, ZendeskFake
from tests.connectors.test_sync import snapshot

ENV = {"ZENDESK_TOKEN": TOKEN, "FRESHDESK_KEY": API_KEY}
VENDORS: dict[str, tuple[int, Callable[[], App], dict[str, Any]]] = {  # kills, fake, auth
    "zendesk": (
        12,
        lambda: ZendeskFake(ZendeskAccount.generated(20, 3, seed=4), page_size=8),
        {"email": EMAIL, "token_env": "ZENDESK_TOKEN"},
    ),
    "freshdesk": (
        8,
        lambda: FreshdeskFake(FreshdeskAccount.generated(12, seed=4)),
        {"api_key_env": "FRESHDESK_KEY"},
    ),
}


def _sync(path: Path, source: SourceConfig) -> None:
    store = DuckDBStore(path)
    try:
        store.ensure_schema()
        report = sync_source(store, "source", source, network=Network(env=ENV))
        assert report.error is None, report.error
    finally:
        store.close()


def _state(path: Path) -> dict[str, Any]:
    store = DuckDBStore(path)
    try:
        return snapshot(store)
    finally:
        store.close()


class Killer:
    """Kills the current child when the fake serves request ``at`` (plus ``delay`` seconds)."""

    def __init__(self) -> None:
        self.pid: int | None = None
        self.at, self.delay, self.served = 0, 0.0, 0

    def __call__(self, seen: Seen) -> None:
        self.served += 1
        if self.pid is not None and self.served == self.at:
            pid = self.pid
            threading.Timer(self.delay, lambda: os.kill(pid, signal.SIGKILL)).start()


@pytest.mark.slow
@pytest.mark.parametrize("vendor", sorted(VENDORS))
def test_a_sync_killed_anywhere_then_run_again_gives_the_uninterrupted_store(
    tmp_path: Path, vendor: str
) -> None:
    kills, fake_of, auth = VENDORS[vendor]
    killer = Killer()
    fork = multiprocessing.get_context("fork")
    with FakeServer(fake_of(), on_request=killer, max_seconds=900) as fake:
        source = SourceConfig.model_validate({"vendor": vendor, "url": fake.url, "auth": auth})
        _sync(tmp_path / "clean.duckdb", source)
        requests, expected = killer.served, _state(tmp_path / "clean.duckdb")
        rng = random.Random(13)
        killed = 0
        for i in range(kills):
            path = tmp_path / f"kill{i}.duckdb"
            killer.served, killer.at = 0, rng.randint(1, requests)
            killer.delay = rng.uniform(0, 0.05)
            child = fork.Process(target=_sync, args=(path, source))
            child.start()
            killer.pid = child.pid
            child.join()
            killer.pid = None
            killed += child.exitcode == -signal.SIGKILL
            _sync(path, source)
            assert _state(path) == expected, f"kill {i} at request {killer.at}"
    assert killed >= kills // 2, killed  # most kills landed before the sync ended
