"""Fixtures of the connector tests: stores on every engine, a fake Zendesk over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from supportops.config import SourceAuth, SourceConfig
from tests.connectors.fakes.server import FakeServer
from tests.connectors.fakes.zendesk import EMAIL, TOKEN, ZendeskAccount, ZendeskFake
from tests.model.conftest import any_store, engine_name, new_store

__all__ = ["any_store", "engine_name", "new_store"]

ENV = {"ZENDESK_TOKEN": TOKEN}


def zendesk_source(url: str, **settings: object) -> SourceConfig:
    """A Zendesk source on ``url`` signing in with the fake's credentials."""
    auth = SourceAuth(email=EMAIL, token_env="ZENDESK_TOKEN")
    return SourceConfig.model_validate({"vendor": "zendesk", "url": url, "auth": auth, **settings})


@pytest.fixture(scope="session")
def zendesk_account() -> ZendeskAccount:
    """The recorded records plus 24 generated tickets (deletes, merges, notes, triggers)."""
    return ZendeskAccount.generated(24, events_per_ticket=3)


@pytest.fixture
def zendesk_fake(zendesk_account: ZendeskAccount) -> Iterator[FakeServer]:
    """A fake Zendesk serving ``zendesk_account`` in pages of 10."""
    with FakeServer(ZendeskFake(zendesk_account, page_size=10), max_requests=2_000) as fake:
        yield fake
