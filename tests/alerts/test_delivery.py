"""Alert runs against local receivers: delivered once, retried, logged, never crashing.

Every run evaluates the golden log at NOW (see ``conftest.py``) with quick retries.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest

from supportops.alerts.deliver import Courier, DeliveryRefused
from supportops.alerts.rules import Delivery
from supportops.alerts.runner import RunReport, run_alerts
from supportops.workspace import Workspace
from tests.alerts.conftest import NOW, every_kind, make_workspace
from tests.alerts.receivers import SmtpSink, Webhook

QUICK = Courier(attempts=3, min_wait=0.01, max_wait=0.05, timeout=5)


def _run(folder: Path) -> RunReport:
    with Workspace.open(folder) as ws:
        return run_alerts(ws, NOW, QUICK)


def _ledger(folder: Path) -> dict[str, Any]:
    sent: dict[str, Any] = json.loads((folder / "alerts_ledger.json").read_text())["sent"]
    return sent


def test_each_rule_is_delivered_once_with_its_content(
    tmp_path: Path, golden_files: Path, webhook: Webhook
) -> None:
    folder = make_workspace(tmp_path, golden_files, every_kind(webhook.url))
    report = _run(folder)
    assert [(o.rule, o.status, o.sent) for o in report.outcomes] == [
        ("first-reply-risk", "sent", 12),
        ("chat-spike", "sent", 1),
        ("csat-falls", "sent", 1),
        ("backlog-grows", "sent", 1),
    ]
    texts = [body["text"] for body in webhook.received]
    assert len(texts) == 4 and all(set(body) == {"text"} for body in webhook.received)
    assert texts[0].startswith("*SLA targets at risk* — first-reply-risk\n• ticket NEW00:")
    assert texts[0].count("\n• ") == 12
    assert "12 tickets created since 14:00 (channel=chat)" in texts[1]
    assert "CSAT 50.0% over the last 7d" in texts[2]
    assert "backlog 12 tickets, up from 0 1d ago" in texts[3]
    assert len(_ledger(folder)["first-reply-risk"]) == 12


def test_running_again_sends_nothing_new(
    tmp_path: Path, golden_files: Path, webhook: Webhook
) -> None:
    folder = make_workspace(tmp_path, golden_files, every_kind(webhook.url))
    _run(folder)
    again = _run(folder)
    assert {o.status for o in again.outcomes} == {"nothing new"}
    assert len(webhook.received) == 4


def test_a_receiver_failing_twice_is_retried_and_the_retries_logged(
    tmp_path: Path, golden_files: Path, caplog: pytest.LogCaptureFixture
) -> None:
    flaky = Webhook(failures=2, fail=503)
    try:
        folder = make_workspace(tmp_path, golden_files, every_kind(flaky.url)[1:2])
        with caplog.at_level(logging.WARNING, logger="supportops.alerts"):
            report = _run(folder)
    finally:
        flaky.close()
    assert report.outcomes[0].status == "sent" and flaky.attempts == 3
    assert len(flaky.received) == 1
    retries = [r.getMessage() for r in caplog.records if "attempt" in r.getMessage()]
    assert len(retries) == 2 and "HTTP 503" in retries[0] and "attempt 2 failed" in retries[1]


def test_a_receiver_that_always_fails_is_logged_and_the_run_goes_on(
    tmp_path: Path, golden_files: Path, webhook: Webhook, caplog: pytest.LogCaptureFixture
) -> None:
    broken = Webhook(failures=-1)
    try:
        rules = every_kind(broken.url)[1:2] + every_kind(webhook.url)[2:3]
        folder = make_workspace(tmp_path, golden_files, rules)
        with caplog.at_level(logging.WARNING, logger="supportops.alerts"):
            report = _run(folder)
    finally:
        broken.close()
    assert [o.status for o in report.outcomes] == ["failed", "sent"]
    assert broken.attempts == 3 and len(webhook.received) == 1
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "alert 'chat-spike': delivery to webhook" in errors[0].getMessage()
    assert "chat-spike" not in _ledger(folder)  # not recorded: the next run tries it again
    assert not any("secret" in r.getMessage() for r in caplog.records)  # the URL's path


def test_an_unreachable_receiver_is_a_failed_rule_not_a_crash(
    tmp_path: Path, golden_files: Path
) -> None:
    folder = make_workspace(tmp_path, golden_files, every_kind("http://127.0.0.1:9/hook")[1:2])
    (outcome,) = _run(folder).outcomes
    assert outcome.status == "failed" and "delivery" in (outcome.error or "")


def test_a_refusal_is_not_retried() -> None:
    calls = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(json.loads(request.content))
        return httpx.Response(404, text="no such hook")

    courier = Courier(transport=httpx.MockTransport(answer), min_wait=0.01)
    with pytest.raises(DeliveryRefused, match="HTTP 404"):
        courier.send(Delivery(slack_webhook="https://hooks.example.com/x"), "s", "hello")
    assert calls == [{"text": "hello"}]


def test_email_goes_out_over_smtp(tmp_path: Path, golden_files: Path, smtp: SmtpSink) -> None:
    email = {"to": ["ops@example.com", "lead@example.com"], "smtp_host": "127.0.0.1",
             "smtp_port": smtp.port, "from": "supportops@example.com"}  # fmt: skip
    rule = {**every_kind("http://unused")[2], "deliver": {"email": email}}
    folder = make_workspace(tmp_path, golden_files, [rule])
    (outcome,) = _run(folder).outcomes
    assert outcome.status == "sent"
    (message,) = smtp.messages
    assert message["from"] == "<supportops@example.com>"
    assert message["to"] == ["<ops@example.com>", "<lead@example.com>"]
    assert "Subject: [supportops] CSAT drop: csat-falls" in message["data"]
    assert "CSAT 50.0% over the last 7d (20 answers)" in message["data"]
