"""SIGKILL an Intercom, Help Scout or Salesforce sync at random points, run it again: the store
is exactly the store of an uninterrupted sync (nothing missing, nothing twice).

The killed sync is a forked child process on its own store file; the fake kills it when it
serves a chosen request, or a few milliseconds after, so kills land in requests, mappings and
commits alike. Seven points per vendor, 21 in all."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest

from supportops.config import SourceAuth, SourceConfig
from supportops.connectors.runner import Network, sync_source
from supportops.store import DuckDBStore
from tests.connectors.fakes import helpscout, intercom, salesforce
from tests.connectors.fakes.server import Seen
from tests.connectors.test_intercom_sync import FAST, snapshot

KILLS = 7
ENV = {"INTERCOM_TOKEN": "secret", "HELPSCOUT_SECRET": "secret", "SF_SECRET": "secret"}
Served = Callable[["Killer"], Any]  # serves a fake with the killer; yields the source


class Killer:
    """Kills the current child when the fake serves request ``at`` (plus ``delay`` seconds)."""

    def __init__(self) -> None:
        self.pid: int | None = None
        self.at, self.delay, self.served = 0, 0.0, 0

    def __call__(self, seen: Seen) -> None:
        self.served += 1
        if self.pid is not None and self.served == self.at:
            pid = self.pid
            threading.Timer(self.delay, _kill, (pid,)).start()


def _kill(pid: int) -> None:
    with suppress(ProcessLookupError):  # the sync ended before the delay: nothing to kill
        os.kill(pid, signal.SIGKILL)


@contextmanager
def intercom_served(killer: Killer) -> Iterator[SourceConfig]:
    fake = intercom.FakeIntercom()
    for conversation in intercom.generate(16):
        fake.put(conversation)
    fake.search_page = 5
    with fake.serve(on_request=killer, max_requests=20_000, max_seconds=900):
        auth = SourceAuth(token_env="INTERCOM_TOKEN")
        yield SourceConfig(vendor="intercom", url=fake.base_url, auth=auth)


@contextmanager
def helpscout_served(killer: Killer) -> Iterator[SourceConfig]:
    fake = helpscout.FakeHelpScout()
    for conversation in helpscout.generate(3 * helpscout.PAGE_SIZE):
        fake.put(conversation)
    with fake.serve(on_request=killer, max_requests=20_000, max_seconds=900):
        auth = SourceAuth(client_id="app", client_secret_env="HELPSCOUT_SECRET")
        yield SourceConfig(vendor="helpscout", url=fake.base_url, auth=auth)


@contextmanager
def salesforce_served(killer: Killer) -> Iterator[SourceConfig]:
    fake = salesforce.FakeSalesforce(daily_limit=10**9)
    fake.objects = salesforce.generate(250)
    fake.default_batch = 200
    with fake.serve(on_request=killer, max_requests=20_000, max_seconds=900), fake.login.serve():
        auth = SourceAuth(client_id="app", client_secret_env="SF_SECRET")
        yield SourceConfig(vendor="salesforce", url=fake.login.base_url, auth=auth)


SERVED = {
    "intercom": intercom_served,
    "helpscout": helpscout_served,
    "salesforce": salesforce_served,
}


def _sync(path: Path, source: SourceConfig) -> None:
    store = DuckDBStore(path)
    try:
        store.ensure_schema()
        report = sync_source(store, "source", source, network=Network(env=ENV, retries=FAST))
        assert report.error is None, report.error
    finally:
        store.close()


def _state(path: Path) -> dict[str, Any]:
    store = DuckDBStore(path)
    try:
        return snapshot(store)
    finally:
        store.close()


@pytest.mark.slow
@pytest.mark.parametrize("vendor", sorted(SERVED))
def test_a_sync_killed_anywhere_then_run_again_gives_the_uninterrupted_store(
    tmp_path: Path, vendor: str
) -> None:
    killer = Killer()
    fork = multiprocessing.get_context("fork")
    with SERVED[vendor](killer) as source:
        _sync(tmp_path / "clean.duckdb", source)
        requests, expected = killer.served, _state(tmp_path / "clean.duckdb")
        rng = random.Random(13)
        killed = 0
        for i in range(KILLS):
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
    assert killed >= KILLS // 2, killed  # most kills landed before the sync ended
