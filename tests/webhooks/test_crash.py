"""Nothing acknowledged is ever lost: signed deliveries at 200/s to a real ``supportops serve``
SIGKILLed at random instants and restarted; afterwards every delivery that got a 2xx is in the
inbox exactly once, and applied.

``SUPPORTOPS_CRASH_SECONDS`` sets how long the load runs (default 60, as the issue asks)."""

from __future__ import annotations

import os
import random
import sqlite3
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from supportops.webhooks.inbox import INBOX_FILE, Inbox
from tests.connectors.fakes.server import FakeServer
from tests.connectors.fakes.zendesk import ZendeskAccount, ZendeskFake
from tests.webhooks.conftest import ENV, add_sources
from tests.webhooks.deliveries import body_of, signed
from tests.webhooks.load import Serve, free_port, send_at_rate

RATE = 200.0
SECONDS = float(os.environ.get("SUPPORTOPS_CRASH_SECONDS", "60"))


def zendesk_delivery(number: int) -> object:
    now = datetime.now(UTC)
    return signed("zendesk", body_of("zendesk", number, str(146 + number % 5), now), now)


def killer(serve: Serve, stop: threading.Event, rng: random.Random) -> None:
    """Kill the server at random instants, restart it at once, until ``stop``."""
    while not stop.wait(rng.uniform(3.0, 10.0)):
        serve.kill()
        if not stop.is_set():
            serve.start()


def drained(folder: Path, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        inbox = Inbox.of_workspace(folder)
        pending = inbox.pending()
        inbox.close()
        if not pending:
            return True
        time.sleep(0.5)
    return False


@pytest.mark.slow
def test_a_crash_at_any_instant_loses_no_acknowledged_delivery(
    workspace_dir: Path, tmp_path: Path
) -> None:
    account = ZendeskAccount.generated(6, events_per_ticket=2)
    with FakeServer(
        ZendeskFake(account, page_size=50), max_requests=200_000, max_seconds=SECONDS + 240
    ) as fake:
        add_sources(workspace_dir, fake.url)
        serve = Serve(workspace_dir, free_port(), ENV, tmp_path / "serve.log")
        serve.start()
        stop = threading.Event()
        chaos = threading.Thread(target=killer, args=(serve, stop, random.Random(14)))
        chaos.start()
        try:
            sent = send_at_rate(
                serve.url + "/webhooks/zendesk-main",
                RATE,
                SECONDS,
                zendesk_delivery,  # type: ignore[arg-type]
            )
        finally:
            stop.set()
            chaos.join()
        if serve.process is None or serve.process.poll() is not None:
            serve.start()
        try:
            assert drained(workspace_dir, 120.0), "deliveries left unapplied after the restarts"
        finally:
            serve.stop()
    acknowledged = {f"01HZ-{s.number:08d}" for s in sent if s.acknowledged}
    refused = [s for s in sent if s.status is not None and 400 <= s.status < 500]
    with sqlite3.connect(workspace_dir / INBOX_FILE) as db:
        rows = db.execute(
            "SELECT delivery_id, count(*), max(state) FROM deliveries GROUP BY delivery_id"
        ).fetchall()
    kept = {delivery_id: (count, state) for delivery_id, count, state in rows}
    assert serve.kills >= 2, "the server was not killed often enough to test anything"
    assert len(acknowledged) >= 200, "too few deliveries got through to test anything"
    assert refused == [], f"deliveries refused while the server was up: {refused[:3]}"
    lost = acknowledged - set(kept)
    assert not lost, f"{len(lost)} acknowledged deliveries lost, e.g. {sorted(lost)[:3]}"
    doubled = [d for d, (count, _) in kept.items() if count != 1]
    assert not doubled, f"deliveries kept twice: {doubled[:3]}"
    unapplied = [d for d in acknowledged if kept[d][1] != "applied"]
    assert not unapplied, f"{len(unapplied)} acknowledged deliveries not applied"
