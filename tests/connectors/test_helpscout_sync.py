"""Syncing a fake Help Scout over real HTTP: OAuth2 client credentials, HAL pages with their
threads, a second sync writing nothing, a 429 waiting for X-RateLimit-Retry-After, a merge, and
a refused secret stopping only its source."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from supportops.config import SourceAuth, SourceConfig
from supportops.connectors.runner import Network, rebuild_source, sync_source
from supportops.store import DuckDBStore, Store
from tests.connectors.fakes.helpscout import PAGE_SIZE, FakeHelpScout, generate, rate_limited
from tests.connectors.test_intercom_sync import FAST, Told, snapshot
from tests.model.conftest import any_store, engine_name, new_store

__all__ = ["any_store", "engine_name", "new_store"]

ENV = {"HELPSCOUT_SECRET": "secret"}
COUNT = 60  # three pages of conversations


def source(url: str) -> SourceConfig:
    auth = SourceAuth(client_id="app", client_secret_env="HELPSCOUT_SECRET")
    return SourceConfig(vendor="helpscout", url=url, auth=auth)


def rating(n: int, conversation: int, rating_id: int) -> dict[str, Any]:
    return {
        "number": n,
        "threadid": 10 * n + 2,
        "id": conversation,
        "type": "email",
        "ratingId": rating_id,
        "ratingComments": "thanks" if rating_id == 1 else "",
        "ratingCustomerId": 500 + n,
        "ratingCreatedAt": f"2024-03-05T09:{n:02d}:00Z",
        "ratingUserId": 11,
    }


@pytest.fixture
def fake() -> Iterator[FakeHelpScout]:
    helpscout = FakeHelpScout()
    for conversation in generate(COUNT):
        helpscout.put(conversation)
    spam = dict(generate(1, start="2024-03-04T09:00:00Z")[0], id=999, status="spam")
    for thread in spam["_embedded"]["threads"]:
        thread["id"] += 90_000  # thread ids are unique over the account
    helpscout.put(spam)
    helpscout.users = [
        {
            "id": 11,
            "firstName": "Vernon",
            "lastName": "Bear",
            "type": "user",
            "email": "bear@acme.com",
            "timezone": "America/New_York",
            "updatedAt": "2024-01-01T00:00:00Z",
        }
    ]
    helpscout.ratings = {str(n): rating(n, 1000 + n, 1 + n % 3) for n in range(6)}
    with helpscout.serve(max_requests=2_000):
        yield helpscout


@pytest.fixture
def store() -> Iterator[Store]:
    one = DuckDBStore(None)
    one.ensure_schema()
    yield one
    one.close()


def sync(store: Store, fake: FakeHelpScout, env: dict[str, str] = ENV, **options: Any) -> Any:
    return sync_source(
        store, "helpscout", source(fake.base_url), network=Network(env=env, retries=FAST), **options
    )


def test_a_sync_brings_every_conversation_with_its_threads(
    store: Store, fake: FakeHelpScout
) -> None:
    report = sync(store, fake)
    assert report.error is None
    assert store.count("tickets") == COUNT + 1
    assert store.count("quarantine") == 0
    notes = store.scalar("SELECT count(*) FROM events WHERE kind = 'message' AND NOT public")
    assert notes == COUNT // 3 + 1  # every third conversation has a note, the spam one too
    assert store.scalar("SELECT count(*) FROM tickets WHERE custom LIKE '%spam%'") == 1
    assert store.scalar("SELECT count(*) FROM surveys") == 6
    assert store.scalar("SELECT sum(score) FROM surveys") == 2 * (5 + 3 + 1)
    assert store.count("agents") == 1
    assert fake.count("/v2/oauth2/token") == 1
    assert report.stream("conversations").pages == -(-(COUNT + 1) // PAGE_SIZE)


def test_a_second_sync_without_change_writes_nothing_at_one_request_per_stream(
    store: Store, fake: FakeHelpScout
) -> None:
    sync(store, fake)
    before = snapshot(store)
    again = sync(store, fake)
    assert again.error is None
    assert snapshot(store) == before
    assert {n: s.requests for n, s in again.streams.items()} == {
        "users": 1,
        "conversations": 1,
        "ratings": 1,
    }


def test_a_merge_gives_the_absorbed_conversation_its_merged_event_and_merged_into(
    any_store: Store, fake: FakeHelpScout
) -> None:
    store = any_store
    sync(store, fake)
    fake.merge("1003", into="1004", at="2024-03-06T10:00:00Z")
    sync(store, fake)
    merged = store.arrow("SELECT ticket_id, value FROM events WHERE kind = 'merged'").to_pylist()
    assert merged == [{"ticket_id": "1003", "value": "1004"}]
    absorbed = "SELECT merged_into FROM tickets WHERE ticket_id = '1003'"
    assert store.scalar(absorbed) == "1004"  # its row is never sent again: the event names it
    rebuild_source(store, "helpscout", source(fake.base_url))
    assert store.scalar(absorbed) == "1004"


def test_a_429_waits_for_x_ratelimit_retry_after(store: Store, fake: FakeHelpScout) -> None:
    fake.fail(rate_limited(seconds=1, prefix="/v2/conversations"))
    told = Told()
    report = sync(store, fake, listener=told)
    assert report.error is None
    assert fake.early == []
    assert [(stream, seconds) for stream, seconds, _ in told.waits] == [("conversations", 1.0)]
    assert store.count("tickets") == COUNT + 1


def test_a_5xx_burst_is_retried(store: Store, fake: FakeHelpScout) -> None:
    from tests.connectors.fakes.vendor import Fault

    fake.fail(Fault(503, count=2, prefix="/v2/conversations"))
    report = sync(
        store,
        fake,
    )
    assert report.error is None
    assert store.count("tickets") == COUNT + 1


def test_a_refused_secret_stops_only_this_source(store: Store, fake: FakeHelpScout) -> None:
    refused = sync(store, fake, env={"HELPSCOUT_SECRET": "wrong"})
    assert refused.error is not None and "\n" not in refused.error
    assert refused.error.startswith("helpscout: the credentials were refused (HTTP 401)")
    assert store.count("tickets") == 0
    assert sync(store, fake).error is None  # the same store syncs once the secret is right


def test_a_rebuild_remaps_without_a_request(store: Store, fake: FakeHelpScout) -> None:
    sync(store, fake)
    before, sent = snapshot(store), len(fake.requests)
    rebuild_source(store, "helpscout", source(fake.base_url))
    assert len(fake.requests) == sent
    assert snapshot(store) == before
