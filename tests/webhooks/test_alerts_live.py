"""Alerts see live data: a signed webhook delivery, applied by the worker through the connector,
puts its ticket's SLA clock in the store, and the next alert run (``serve`` runs one every
minute) sends "SLA at risk" for it — once per occurrence, as for imported data."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pandas as pd

from supportops.alerts.runner import run_alerts
from supportops.instants import SystemClock
from supportops.sla import evaluate_workspace
from supportops.webhooks.inbox import Inbox
from supportops.webhooks.receive import receive
from supportops.webhooks.worker import apply_pending
from supportops.workspace import Workspace
from tests.connectors.fakes.server import FakeServer
from tests.webhooks.conftest import add_sources
from tests.webhooks.deliveries import body_of, signed

SETTINGS = """
sla_policies:
  - name: everyone
    targets: {first_reply: 8h}
alerts:
  - name: first-reply-at-risk
    kind: sla_at_risk
    within: 1h
    targets: [first_reply]
    deliver: {file: alerts.log}
"""


def _workspace(folder: Path, url: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "supportops.yaml").write_text("report_timezone: UTC\n" + SETTINGS, "utf-8")
    add_sources(folder, url)
    return folder


def _sync(folder: Path, delivery_id: int, ticket: str, at: pd.Timestamp) -> None:
    """Deliver one signed Zendesk webhook about ``ticket`` and let the worker apply it."""
    inbox = Inbox.of_workspace(folder)
    with Workspace.open(folder) as ws:
        source = ws.config.sources["zendesk-main"]
        body = body_of("zendesk", delivery_id, ticket, at.to_pydatetime())
        delivery = signed("zendesk", body, at.to_pydatetime())
        now = at.to_pydatetime()
        answer = receive(inbox, "zendesk-main", source, body, delivery.headers, {}, now)
        assert answer.status == 200 and answer.new
        apply_pending(inbox, ws.store, {"zendesk-main": source}, SystemClock())
    assert {r.state for r in inbox.recent()} == {"applied"}


def _a_clock_at_risk(folder: Path) -> tuple[str, pd.Timestamp]:
    """A synced ticket and an instant 20 minutes before its first reply falls due, while its
    clock still runs (read from the data, so the test follows the fake's records)."""
    with Workspace.open(folder) as ws:
        created = ws.store.query("SELECT ticket_id, created_at FROM tickets ORDER BY created_at")
        for ticket, start in zip(created["ticket_id"], created["created_at"], strict=True):
            early = evaluate_workspace(ws, start + timedelta(minutes=1))
            mine = early[(early["ticket_id"] == ticket) & (early["status"] == "active")]
            if mine.empty:
                continue
            moment = mine["due_at"].iloc[0] - timedelta(minutes=20)
            later = evaluate_workspace(ws, moment)
            still = later[(later["ticket_id"] == ticket) & (later["status"] == "active")]
            if not still.empty:
                return str(ticket), moment
    raise AssertionError("no synced ticket has a running first-reply clock")


def test_a_delivery_applied_by_the_worker_fires_sla_at_risk_once(
    tmp_path: Path, secrets_env: dict[str, str], zendesk_fake: FakeServer
) -> None:
    probe = _workspace(tmp_path / "probe", zendesk_fake.url)
    _sync(probe, 1, "1", pd.Timestamp.now(tz="UTC"))
    ticket, moment = _a_clock_at_risk(probe)

    live = _workspace(tmp_path / "live", zendesk_fake.url)
    with Workspace.open(live) as ws:
        before = run_alerts(ws, moment.to_pydatetime())
    assert [o.sent for o in before.outcomes] == [0]  # nothing synced yet: nothing at risk
    _sync(live, 2, ticket, moment)
    with Workspace.open(live) as ws:
        first = run_alerts(ws, moment.to_pydatetime())
        again = run_alerts(ws, (moment + timedelta(minutes=1)).to_pydatetime())
    (outcome,) = first.outcomes
    assert outcome.status == "sent" and outcome.sent >= 1
    assert [o.sent for o in again.outcomes] == [0]  # the same occurrence is not sent twice
    log = (live / "alerts.log").read_text("utf-8")
    assert f"ticket {ticket}: first_reply (everyone) due" in log
