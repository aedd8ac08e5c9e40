"""Fixtures of the webhook tests: a workspace with one source per vendor, secrets in the
environment, a fake Zendesk over real HTTP for the worker."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from supportops.connectors.setup import add_source
from tests.connectors.fakes.server import FakeServer
from tests.connectors.fakes.zendesk import EMAIL, TOKEN, ZendeskAccount, ZendeskFake
from tests.webhooks.deliveries import ORG_ID, SECRETS

VENDORS = ("zendesk", "intercom", "helpscout", "freshdesk", "salesforce")
ENV = {f"{v.upper()}_WEBHOOK_SECRET": s for v, s in SECRETS.items()} | {"ZENDESK_TOKEN": TOKEN}


def add_sources(folder: Path, zendesk_url: str = "http://127.0.0.1:9") -> None:
    """One source per vendor, named ``<vendor>-main``; Zendesk's on ``zendesk_url``."""
    for vendor in VENDORS:
        hook: dict[str, str] = {"secret_env": f"{vendor.upper()}_WEBHOOK_SECRET"}
        if vendor == "salesforce":
            hook["org_id"] = ORG_ID
        settings: dict[str, object] = {
            "vendor": vendor,
            "url": zendesk_url if vendor == "zendesk" else "http://127.0.0.1:9",
            "webhook": hook,
        }
        if vendor == "zendesk":
            settings["auth"] = {"email": EMAIL, "token_env": "ZENDESK_TOKEN"}
        add_source(folder / "supportops.yaml", f"{vendor}-main", settings)


@pytest.fixture
def secrets_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The webhook secrets (and the fake Zendesk's API token) in the environment."""
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    return ENV


@pytest.fixture
def hooks_workspace(workspace_dir: Path, secrets_env: dict[str, str]) -> Path:
    """An empty workspace with a source of each vendor."""
    add_sources(workspace_dir)
    return workspace_dir


@pytest.fixture(scope="session")
def small_account() -> ZendeskAccount:
    """The recorded Zendesk records plus 6 generated tickets."""
    return ZendeskAccount.generated(6, events_per_ticket=2)


@pytest.fixture
def zendesk_fake(small_account: ZendeskAccount) -> Iterator[FakeServer]:
    """A fake Zendesk over ``small_account`` on 127.0.0.1."""
    with FakeServer(ZendeskFake(small_account, page_size=50), max_requests=2_000) as fake:
        yield fake
