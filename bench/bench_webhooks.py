"""Benchmark: signed Zendesk webhooks to a real ``supportops serve`` on 127.0.0.1.

Figures, each beside its floor measured in the same run:

- sustained deliveries/s (3,000 sent at once, 128 open at a time), beside the receive path alone
  (verify, read, commit to the inbox) called in-process: the HTTP stack's share;
- p50/p99 time to acknowledge at 200 deliveries/s (open loop) — goal p99 < 100 ms;
- delivery → the SLA at-risk list (``GET /api/sla/at-risk``) showing a new urgent ticket, beside
  the worker's floor (one incremental sync of the source, timed in-process) — goal < 60 s.

The server, the fake Zendesk and the load share this machine's cores (the load average is
printed: other work on the machine slows every figure).

Run: ``.venv/bin/python bench/bench_webhooks.py [seconds at 200/s, default 20]``.
"""

from __future__ import annotations

import copy
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "src"))

from tests.connectors.fakes.server import FakeServer  # noqa: E402
from tests.connectors.fakes.zendesk import ZendeskAccount, ZendeskFake  # noqa: E402
from tests.webhooks.conftest import ENV, add_sources  # noqa: E402
from tests.webhooks.deliveries import Signed, body_of, signed  # noqa: E402
from tests.webhooks.load import Serve, free_port, quantile, send_at_rate  # noqa: E402

from supportops.cli.workspace import write_config  # noqa: E402
from supportops.tokens import TokenFile  # noqa: E402
from supportops.webhooks.inbox import Inbox  # noqa: E402
from supportops.webhooks.receive import receive  # noqa: E402
from supportops.workspace import Workspace  # noqa: E402

NEW_TICKET = 99_001


def zendesk(number: int, ticket: int = 146) -> Signed:
    now = datetime.now(UTC)
    return signed("zendesk", body_of("zendesk", number, str(ticket), now), now)


def _workspace(fake_url: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="bench-webhooks-"))
    write_config(folder, "supportops.yaml", "supportops.templates", force=False)
    add_sources(folder, fake_url)
    return folder


def in_process_floor(folder: Path, count: int = 2000) -> float:
    """Deliveries/s of the receive path alone (verify, read, commit), no HTTP."""
    os.environ.update(ENV)
    ws = Workspace.open(folder)
    inbox = Inbox(folder / "floor.sqlite")
    sent = [zendesk(10_000_000 + n) for n in range(count)]
    source = ws.config.sources["zendesk-main"]
    start = time.perf_counter()
    for s in sent:
        receive(inbox, "zendesk-main", source, s.body, s.headers, s.query, datetime.now(UTC))
    inbox.close()
    return count / (time.perf_counter() - start)


def sync_floor(folder: Path) -> float:
    """Seconds of one incremental sync of the source with nothing new (what a pass costs)."""
    from supportops.connectors.runner import sync_source

    with Workspace.open(folder) as ws:
        source = ws.config.sources["zendesk-main"]
        sync_source(ws.store, "zendesk-main", source)
        start = time.perf_counter()
        sync_source(ws.store, "zendesk-main", source)
        return time.perf_counter() - start


def sustained(url: str, count: int = 3000) -> float:
    """Deliveries/s acknowledged when ``count`` are sent at once (at most
    :data:`~tests.webhooks.load.IN_FLIGHT` open at a time)."""
    start = time.perf_counter()
    sent = send_at_rate(url, 100_000.0, count / 100_000.0, zendesk, first=20_000_000)
    return sum(s.acknowledged for s in sent) / (time.perf_counter() - start)


def add_urgent_ticket(account: ZendeskAccount) -> None:
    """A ticket created 30 minutes ago, urgent (1 h first reply, 24x7), no reply yet."""
    now = datetime.now(UTC)
    created = now - timedelta(minutes=30)
    ticket: dict[str, Any] = copy.deepcopy(next(t for t in account.tickets if t["id"] == 146))
    open_status = next(
        s["id"] for s in account.custom_statuses if s.get("status_category") == "open"
    )
    ticket |= {
        "id": NEW_TICKET,
        "created_at": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "updated_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "generated_timestamp": int(now.timestamp()),
        "status": "open",
        "custom_status_id": open_status,
        "priority": "urgent",
        "subject": "Live: urgent and unanswered",
    }
    account.tickets.append(ticket)
    requester = ticket["requester_id"]
    message = {
        "id": 90_000_001,
        "event_type": "Comment",
        "author_id": requester,
        "public": True,
        "body": "Our checkout is down, please help",
        "plain_body": "Our checkout is down, please help",
        "via": {"channel": "web"},
    }
    account.ticket_events.append(
        {
            "id": 90_000_002,
            "ticket_id": NEW_TICKET,
            "timestamp": int(created.timestamp()),
            "created_at": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "updater_id": requester,
            "via": {"channel": "web"},
            "event_type": "Audit",
            "child_events": [message],
        }
    )


def at_risk_latency(serve: Serve, token: str, account: ZendeskAccount) -> float | None:
    """Seconds from the delivery about a new ticket to the at-risk list showing it."""
    add_urgent_ticket(account)
    start = time.perf_counter()
    sent = zendesk(30_000_000, NEW_TICKET)
    httpx.post(serve.url + "/webhooks/zendesk-main", content=sent.body, headers=sent.headers)
    headers = {"Authorization": f"Bearer {token}"}
    while time.perf_counter() - start < 120:
        rows = httpx.get(serve.url + "/api/sla/at-risk", headers=headers, timeout=60).json()
        if any(str(r.get("ticket_id")) == str(NEW_TICKET) for r in rows):
            return time.perf_counter() - start
        time.sleep(0.5)
    return None


def main(seconds: float) -> None:
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    account = ZendeskAccount.generated(6, events_per_ticket=2)
    with FakeServer(ZendeskFake(account, page_size=50), max_requests=500_000) as fake:
        folder = _workspace(fake.url)
        floor = in_process_floor(folder)
        one_sync = sync_floor(folder)
        token = TokenFile.of_workspace(folder).create("bench", "read")[1]
        serve = Serve(folder, free_port(), ENV, folder / "serve.log")
        serve.start()
        try:
            url = serve.url + "/webhooks/zendesk-main"
            rate = sustained(url)
            sent = send_at_rate(url, 200.0, seconds, zendesk, first=40_000_000)
            ok = [s.seconds for s in sent if s.acknowledged]
            risk = at_risk_latency(serve, token, account)
        finally:
            serve.stop()
    print(f"{'figure':<46}{'measured':>14}{'floor':>14}{'ratio':>8}")
    print(f"{'sustained deliveries/s (HTTP, 128 in flight)':<46}{rate:>14.0f}{floor:>14.0f}"
          f"{floor / rate:>8.1f}")  # fmt: skip
    if ok:
        p50, p99 = quantile(ok, 0.5) * 1000, quantile(ok, 0.99) * 1000
        print(f"{'ack p50 ms at 200/s':<46}{p50:>14.1f}{1000 / floor:>14.2f}"
              f"{p50 * floor / 1000:>8.0f}")  # fmt: skip
        print(f"{'ack p99 ms at 200/s (goal < 100)':<46}{p99:>14.1f}")
    print(f"{'acknowledged at 200/s':<46}{len(ok):>14,}{len(sent):>14,}")
    shown = f"{risk:.1f}" if risk is not None else "not seen"
    print(f"{'delivery -> at-risk list, s (goal < 60)':<46}{shown:>14}{one_sync:>14.2f}")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 20.0)
