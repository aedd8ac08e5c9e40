"""Syncing a fake Intercom over real HTTP: the recorded records and generated conversations
arrive whole, a second sync writes nothing, a late-indexed conversation is caught by the
lookback, a 429 waits for its X-RateLimit-Reset, a 401 stops only its source."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from supportops.config import SourceAuth, SourceConfig
from supportops.connectors.runner import Network, StreamReport, rebuild_source, sync_source
from supportops.http import Retries
from supportops.store import DuckDBStore, Store
from tests.connectors.fakes.intercom import FakeIntercom, generate, rate_limited, recorded
from tests.connectors.fakes.vendor import Fault
from tests.model.conftest import any_store, engine_name, new_store

__all__ = ["any_store", "engine_name", "new_store"]

ENV = {"INTERCOM_TOKEN": "secret"}
FAST = Retries(attempts=4, min_wait=0.05, max_wait=0.2, jitter=0.0, total=10.0)  # no test hangs
DATA = ("tickets", "events", "surveys", "agents", "vendor_metrics", "raw_records", "sync_state")


def source(url: str) -> SourceConfig:
    return SourceConfig(vendor="intercom", url=url, auth=SourceAuth(token_env="INTERCOM_TOKEN"))


def snapshot(store: Store) -> dict[str, list[dict[str, Any]]]:
    out = {}
    for name in DATA:
        rows = store.arrow(f'SELECT * FROM "{name}"').to_pylist()
        for row in rows:
            row.pop("fetched_at", None)
            row.pop("committed_at", None)
        out[name] = sorted(json.dumps(r, sort_keys=True, default=str) for r in rows)  # type: ignore[misc]
    return out


class Told:
    def __init__(self) -> None:
        self.waits: list[tuple[str, float, str]] = []

    def page(self, source: str, stream: str, report: StreamReport) -> None:
        return None

    def wait(self, source: str, stream: str, seconds: float, reason: str) -> None:
        self.waits.append((stream, seconds, reason))


@pytest.fixture
def fake(shared_data: Path) -> Iterator[FakeIntercom]:
    intercom = FakeIntercom().seed(recorded(shared_data))
    for conversation in generate(30):
        intercom.put(conversation)
    with intercom.serve(max_requests=2_000):
        yield intercom


@pytest.fixture
def store() -> Iterator[Store]:
    one = DuckDBStore(None)
    one.ensure_schema()
    yield one
    one.close()


def test_a_sync_brings_every_conversation_with_its_parts_metrics_and_ratings(
    any_store: Store, fake: FakeIntercom
) -> None:
    report = sync_source(
        any_store, "intercom", source(fake.base_url), network=Network(env=ENV, retries=FAST)
    )
    assert report.error is None
    assert any_store.count("tickets") == len(fake.conversations) + len(fake.tickets)
    assert any_store.count("quarantine") == 0
    assert any_store.scalar("SELECT count(*) FROM events WHERE actor = 'bot'") == 2  # Operator
    assert any_store.scalar("SELECT count(*) FROM surveys") == 8  # every fourth of 30
    assert any_store.scalar("SELECT count(DISTINCT ticket_id) FROM vendor_metrics") == len(
        fake.conversations
    )
    assert any_store.count("agents") == len(fake.admins)
    assert fake.count("/conversations/") == len(fake.conversations) + 1  # + the search


def test_a_second_sync_without_change_writes_nothing_at_one_request_per_stream(
    store: Store, fake: FakeIntercom
) -> None:
    sync_source(store, "intercom", source(fake.base_url), network=Network(env=ENV, retries=FAST))
    before, sent = snapshot(store), len(fake.requests)
    again = sync_source(
        store, "intercom", source(fake.base_url), network=Network(env=ENV, retries=FAST)
    )
    assert again.error is None
    assert snapshot(store) == before
    per_stream = {name: s.requests for name, s in again.streams.items()}
    assert per_stream == {
        "teams": 1,
        "admins": 1,
        "conversations": 1,
        "tickets": 1,
        "companies": 1,
    }
    assert len(fake.requests) - sent == 5


def test_a_changed_conversation_is_read_again_alone(store: Store, fake: FakeIntercom) -> None:
    sync_source(store, "intercom", source(fake.base_url), network=Network(env=ENV, retries=FAST))
    changed = dict(fake.conversations["100005"], updated_at=1709546400 + 7200, state="snoozed")
    fake.put(changed)
    sent = len(fake.requests)
    sync_source(store, "intercom", source(fake.base_url), network=Network(env=ENV, retries=FAST))
    reads = [r.path for r in fake.requests[sent:] if r.path.startswith("/conversations/")]
    assert reads == ["/conversations/search", "/conversations/100005"]
    assert store.scalar("SELECT status FROM tickets WHERE ticket_id = '100005'") == "on_hold"


def test_a_conversation_indexed_late_is_found_by_the_lookback(
    store: Store, fake: FakeIntercom
) -> None:
    newest = max(c["updated_at"] for c in fake.conversations.values())
    late = dict(fake.conversations["100003"], id="200000", updated_at=newest - 120)
    fake.put(late)
    fake.conversations["200000"]["indexed_at"] = newest + 60  # in the index after the first sync
    fake.now = newest + 30
    sync_source(store, "intercom", source(fake.base_url), network=Network(env=ENV, retries=FAST))
    assert store.scalar("SELECT count(*) FROM tickets WHERE ticket_id = '200000'") == 0
    fake.now = newest + 90
    sync_source(store, "intercom", source(fake.base_url), network=Network(env=ENV, retries=FAST))
    assert store.scalar("SELECT count(*) FROM tickets WHERE ticket_id = '200000'") == 1


def test_a_429_waits_until_its_reset_and_is_told(store: Store, fake: FakeIntercom) -> None:
    fake.fail(rate_limited(seconds=1, prefix="/conversations/search"))
    told = Told()
    report = sync_source(
        store,
        "intercom",
        source(fake.base_url),
        network=Network(env=ENV, retries=FAST),
        listener=told,
    )
    assert report.error is None
    assert fake.early == []  # no retry came before X-RateLimit-Reset
    assert [(stream, "rate limited" in reason) for stream, _, reason in told.waits] == [
        ("conversations", True)
    ]
    assert told.waits[0][1] >= 1.0
    assert store.count("tickets") == len(fake.conversations) + len(fake.tickets)


def test_a_wrong_token_stops_the_source_with_one_line(store: Store, fake: FakeIntercom) -> None:
    report = sync_source(
        store,
        "intercom",
        source(fake.base_url),
        network=Network(env={"INTERCOM_TOKEN": "bad"}, retries=FAST),
    )
    assert report.error is not None and "\n" not in report.error
    assert report.error.startswith("intercom: the credentials were refused (HTTP 401)")
    assert report.requests == 1
    assert store.count("tickets") == 0


def test_a_rebuild_remaps_the_raw_records_without_a_request(
    store: Store, fake: FakeIntercom
) -> None:
    sync_source(store, "intercom", source(fake.base_url), network=Network(env=ENV, retries=FAST))
    before, sent = snapshot(store), len(fake.requests)
    rebuild_source(store, "intercom", source(fake.base_url))
    assert len(fake.requests) == sent
    assert snapshot(store) == before


def test_more_than_500_parts_arrive_as_the_500_newest_and_are_flagged(
    store: Store, fake: FakeIntercom
) -> None:
    long = intercom_conversation(fake, "100002", parts=520)
    fake.put(long)
    sync_source(store, "intercom", source(fake.base_url), network=Network(env=ENV, retries=FAST))
    custom = json.loads(store.scalar("SELECT custom FROM tickets WHERE ticket_id = '100002'"))
    assert (custom["parts_truncated"], custom["parts_returned"], custom["parts_total"]) == (
        True,
        500,
        520,
    )
    kept = "SELECT count(*) FROM events WHERE ticket_id = '100002' AND event_id LIKE 'ic-part-%'"
    assert store.scalar(kept) == 500  # the oldest 20 parts are what Intercom no longer gives


def test_a_5xx_burst_is_retried(store: Store, fake: FakeIntercom) -> None:
    fake.fail(Fault(502, count=2, prefix="/conversations/"))
    report = sync_source(
        store, "intercom", source(fake.base_url), network=Network(env=ENV, retries=FAST)
    )
    assert report.error is None
    assert store.count("tickets") == len(fake.conversations) + len(fake.tickets)


def intercom_conversation(fake: FakeIntercom, cid: str, parts: int) -> dict[str, Any]:
    """Conversation ``cid`` of the fake with ``parts`` comments (the statistics count them)."""
    conversation = dict(fake.conversations[cid])
    t = conversation["created_at"]
    conversation["conversation_parts"] = {
        "conversation_parts": [
            {
                "type": "conversation_part",
                "id": f"9{cid}{i:04d}",
                "part_type": "comment",
                "body": "<p>x</p>",
                "created_at": t + i,
                "author": {"type": "user", "id": "c1"},
            }
            for i in range(parts)
        ]
    }
    conversation["statistics"] = {**conversation["statistics"], "count_conversation_parts": parts}
    conversation["updated_at"] = t + parts
    conversation.pop("indexed_at", None)
    return conversation
