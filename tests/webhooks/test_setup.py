"""``supportops connect NAME --webhook``: the URL, secret and events per vendor; Zendesk's
webhook registered through its API (against the fake); and ``webhooks`` / ``sources``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from supportops.cli import app
from supportops.webhooks.inbox import Inbox
from supportops.webhooks.payloads import Delivery
from supportops.webhooks.vendors import RECEIVERS
from tests.connectors.fakes.server import FakeServer
from tests.connectors.fakes.zendesk import ZendeskAccount, ZendeskFake
from tests.webhooks.conftest import ENV, VENDORS, add_sources
from tests.webhooks.fakes import SIGNING_SECRET, ZendeskWebhooks

runner = CliRunner()
AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={**ENV, "COLUMNS": "250"})
    return result.exit_code, result.output + (str(result.exception) if result.exception else "")


@pytest.mark.parametrize("vendor", VENDORS)
def test_webhook_setup_names_the_url_the_secret_and_the_events(
    hooks_workspace: Path, vendor: str
) -> None:
    code, out = run(
        "connect", vendor, "--name", f"{vendor}-main", "--webhook",
        "--public-url", "https://ops.example.com", "-w", str(hooks_workspace),
    )  # fmt: skip
    assert code == 0, out
    assert f"https://ops.example.com/webhooks/{vendor}-main" in out
    assert f"${vendor.upper()}_WEBHOOK_SECRET" in out
    assert RECEIVERS[vendor].signature.header in out
    for event in RECEIVERS[vendor].events:
        assert event in out


def test_salesforce_url_carries_the_token_parameter(hooks_workspace: Path) -> None:
    _, out = run("connect", "salesforce", "--name", "salesforce-main", "--webhook",
                 "-w", str(hooks_workspace))  # fmt: skip
    assert "/webhooks/salesforce-main?token=<the token in $SALESFORCE_WEBHOOK_SECRET>" in out


def test_zendesk_webhook_is_registered_through_the_api(
    workspace_dir: Path, small_account: ZendeskAccount
) -> None:
    fake_app = ZendeskWebhooks(ZendeskFake(small_account))
    with FakeServer(fake_app, max_requests=50) as fake:
        add_sources(workspace_dir, fake.url)
        code, out = run(
            "connect", "zendesk", "--name", "zendesk-main", "--webhook", "--register",
            "--public-url", "https://ops.example.com", "-w", str(workspace_dir),
        )  # fmt: skip
    assert code == 0, out
    (hook,) = fake_app.created
    assert hook["endpoint"] == "https://ops.example.com/webhooks/zendesk-main"
    assert hook["subscriptions"] == list(RECEIVERS["zendesk"].events)
    assert hook["request_format"] == "json" and hook["http_method"] == "POST"
    assert f"registered webhook {hook['id']}" in out and SIGNING_SECRET in out


def test_a_vendor_without_a_webhook_api_says_to_follow_the_steps(hooks_workspace: Path) -> None:
    code, out = run("connect", "helpscout", "--name", "helpscout-main", "--webhook", "--register",
                    "-w", str(hooks_workspace))  # fmt: skip
    assert code != 0
    assert "cannot be registered through its API" in out


def test_webhooks_list_shows_each_state_and_retry_makes_failed_received(
    hooks_workspace: Path,
) -> None:
    inbox = Inbox.of_workspace(hooks_workspace)
    for number in (1, 2):
        inbox.append(Delivery("zendesk-main", f"d{number}", "146", "zen:x", AT, AT, b"{}"))
    inbox.mark("zendesk-main", ["d1"], "applied", AT)
    inbox.mark("zendesk-main", ["d2"], "failed", AT, "zendesk-main: HTTP 401")
    inbox.refuse("intercom-main", "wrong signature in X-Hub-Signature", AT)
    code, out = run("webhooks", "list", "-w", str(hooks_workspace))
    assert code == 0, out
    for text in ("applied", "failed", "zendesk-main: HTTP 401", "rejected", "wrong signature"):
        assert text in out
    code, out = run("webhooks", "list", "--state", "failed", "-w", str(hooks_workspace))
    assert "d2" in out and "d1" not in out
    code, out = run("webhooks", "retry", "--source", "zendesk-main", "-w", str(hooks_workspace))
    assert code == 0 and "1 failed deliveries" in out
    assert inbox.pending() == {"zendesk-main": ["d2"]}
    inbox.close()


def test_sources_shows_the_newest_event_and_webhook_counts(hooks_workspace: Path) -> None:
    inbox = Inbox.of_workspace(hooks_workspace)
    inbox.append(Delivery("zendesk-main", "d1", "146", "zen:x", AT, AT, b"{}"))
    inbox.refuse("zendesk-main", "wrong signature", AT)
    inbox.close()
    code, out = run("sources", "-w", str(hooks_workspace))
    assert code == 0, out
    assert "newest event" in out and "1 received, 1 rejected" in out
