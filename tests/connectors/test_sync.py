"""Syncing a fake Zendesk over real HTTP, on every engine: pages commit with their cursor, a
second sync writes nothing, waits follow the vendor's signal, a 401 stops only its source."""

from __future__ import annotations

import copy
import json
from typing import Any

from supportops.connectors.runner import Network, StreamReport, rebuild_source, sync_source
from supportops.connectors.spec import PageRequest
from supportops.store.base import Store
from tests.connectors.conftest import ENV, zendesk_source
from tests.connectors.fakes.server import Answer, FakeServer
from tests.connectors.fakes.zendesk import ZendeskAccount, ZendeskFake

DATA = ("tickets", "events", "surveys", "agents", "vendor_metrics", "articles", "raw_records")
DATA += ("sync_state",)


def snapshot(store: Store) -> dict[str, list[dict[str, Any]]]:
    """Every data table's rows (without the instants of fetching), sorted."""
    out = {}
    for name in DATA:
        rows = store.arrow(f'SELECT * FROM "{name}"').to_pylist()
        for row in rows:
            row.pop("fetched_at", None)
            row.pop("committed_at", None)
        out[name] = sorted(rows, key=lambda r: json.dumps(r, sort_keys=True, default=str))
    return out


class FakeClock:
    """A monotonic timer that only sleeping moves."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


class Told:
    """A listener keeping the waits it was told."""

    def __init__(self) -> None:
        self.waits: list[tuple[str, float, str]] = []

    def page(self, source: str, stream: str, report: StreamReport) -> None:
        return None

    def wait(self, source: str, stream: str, seconds: float, reason: str) -> None:
        self.waits.append((stream, seconds, reason))


def test_a_sync_brings_every_ticket_event_and_vendor_metric(
    any_store: Store, zendesk_fake: FakeServer, zendesk_account: ZendeskAccount
) -> None:
    report = sync_source(
        any_store, "zendesk", zendesk_source(zendesk_fake.url), network=Network(env=ENV)
    )
    assert report.error is None
    assert any_store.count("tickets") == len(zendesk_account.tickets)
    assert any_store.count("quarantine") == 0
    assert any_store.scalar("SELECT count(*) FROM tickets WHERE custom LIKE '%tombstone%'") == 1
    assert any_store.scalar("SELECT count(*) FROM events WHERE kind = 'merged'") == 1
    served = {t["id"] for t in zendesk_account.tickets}  # metric sets ride along their ticket
    metric_sets = [m for m in zendesk_account.metric_sets if m["ticket_id"] in served]
    assert any_store.scalar("SELECT count(DISTINCT ticket_id) FROM vendor_metrics") == len(
        metric_sets
    )
    audits = {str(a["id"]) for a in zendesk_account.ticket_events}
    assert any_store.scalar(
        "SELECT count(DISTINCT vendor_id) FROM raw_records WHERE stream = 'ticket_events'"
    ) == len(audits)


def test_a_second_sync_writes_nothing_at_one_request_per_stream(
    any_store: Store, zendesk_fake: FakeServer
) -> None:
    source = zendesk_source(zendesk_fake.url)
    sync_source(any_store, "zendesk", source, network=Network(env=ENV))
    before = snapshot(any_store)
    again = sync_source(any_store, "zendesk", source, network=Network(env=ENV))
    assert again.error is None
    assert {name: s.requests for name, s in again.streams.items()} == {
        name: 1 for name in again.streams
    }
    assert snapshot(any_store) == before


def test_the_end_of_stream_cursor_is_kept_and_new_tickets_come_from_it(
    any_store: Store, zendesk_account: ZendeskAccount
) -> None:
    account = copy.deepcopy(zendesk_account)
    with FakeServer(ZendeskFake(account, page_size=10)) as fake:
        source = zendesk_source(fake.url)
        sync_source(any_store, "zendesk", source, network=Network(env=ENV))
        kept = any_store.scalar("SELECT cursor FROM sync_state WHERE stream = 'tickets'")
        assert "cursor" in dict(PageRequest.from_json(kept).params)
        new = copy.deepcopy(account.tickets[-1])
        newest = max(t["generated_timestamp"] for t in account.tickets)
        new |= {"id": 99_999, "generated_timestamp": newest + 60}  # changed now: exported last
        account.tickets.append(new)
        first = len(fake.seen)
        sync_source(any_store, "zendesk", source, network=Network(env=ENV))
        asked = [s for s in fake.seen[first:] if s.path.endswith("tickets/cursor.json")]
    assert [("cursor" in s.query, "start_time" in s.query) for s in asked] == [(True, False)]
    assert any_store.scalar("SELECT count(*) FROM tickets WHERE ticket_id = '99999'") == 1


def test_a_429_is_retried_only_after_its_retry_after(
    any_store: Store, zendesk_account: ZendeskAccount
) -> None:
    clock = FakeClock()
    limited = Answer(429, {"error": "TooManyRequests"}, {"retry-after": "7"})
    faults = {5: limited, 9: Answer(429, {"error": "TooManyRequests"})}
    told = Told()
    with FakeServer(
        ZendeskFake(zendesk_account, page_size=10), faults=faults, monotonic=clock.monotonic
    ) as fake:
        network = Network(env=ENV, sleep=clock.sleep, monotonic=clock.monotonic)
        report = sync_source(
            any_store, "zendesk", zendesk_source(fake.url), network=network, listener=told
        )
        seen = fake.seen
    assert report.error is None
    assert seen[5].at - seen[4].at >= 7  # the 6th request came 7 s after the 429 named 7 s
    assert seen[5].path == seen[4].path
    assert next(w[1] for w in told.waits) == 7
    assert "retry after 7s" in told.waits[0][2]
    assert told.waits[1][1] > 0  # no Retry-After: the backoff still waits
    assert any_store.count("tickets") == len(zendesk_account.tickets)


def test_a_5xx_burst_is_retried_and_gives_the_store_of_a_clean_sync(
    new_store: Any, zendesk_account: ZendeskAccount
) -> None:
    clean, bursty = new_store(), new_store()
    clock = FakeClock()
    network = Network(env=ENV, sleep=clock.sleep, monotonic=clock.monotonic)
    with FakeServer(ZendeskFake(zendesk_account, page_size=10)) as fake:
        sync_source(clean, "zendesk", zendesk_source(fake.url), network=network)
    burst = {n: Answer(503, {"error": "unavailable"}) for n in (6, 7, 8)}
    with FakeServer(ZendeskFake(zendesk_account, page_size=10), faults=burst) as fake:
        report = sync_source(bursty, "zendesk", zendesk_source(fake.url), network=network)
    assert report.error is None
    assert report.streams["users"].waits + report.streams["tickets"].waits == 3
    assert snapshot(bursty) == snapshot(clean)


def test_a_401_stops_that_source_with_one_line_and_the_next_source_syncs(
    any_store: Store, zendesk_fake: FakeServer
) -> None:
    bad = sync_source(
        any_store,
        "broken",
        zendesk_source(zendesk_fake.url),
        network=Network(env={"ZENDESK_TOKEN": "wrong"}),
    )
    good = sync_source(
        any_store, "zendesk", zendesk_source(zendesk_fake.url), network=Network(env=ENV)
    )
    assert bad.error == (
        "broken: the credentials were refused (HTTP 401): check the token and its "
        "environment variable"
    )
    assert bad.requests == 1
    assert good.error is None
    assert any_store.scalar("SELECT count(*) FROM tickets WHERE source = 'broken'") == 0
    assert any_store.scalar("SELECT count(*) FROM tickets WHERE source = 'zendesk'") > 0


def test_a_missing_secret_is_named_without_a_request(
    any_store: Store, zendesk_fake: FakeServer
) -> None:
    report = sync_source(
        any_store, "zendesk", zendesk_source(zendesk_fake.url), network=Network(env={})
    )
    assert report.error == (
        "source zendesk: environment variable ZENDESK_TOKEN (auth.token_env) is not set"
    )
    assert zendesk_fake.seen == []


def test_a_rebuild_remaps_the_raw_records_without_a_request(
    any_store: Store, zendesk_fake: FakeServer
) -> None:
    source = zendesk_source(zendesk_fake.url)
    sync_source(any_store, "zendesk", source, network=Network(env=ENV))
    synced = snapshot(any_store)
    asked = len(zendesk_fake.seen)
    any_store.execute("DELETE FROM events WHERE kind = 'message'")
    rebuild_source(any_store, "zendesk", source)
    assert len(zendesk_fake.seen) == asked
    assert snapshot(any_store) == synced


def test_a_rebuild_applies_a_changed_status_map(any_store: Store, zendesk_fake: FakeServer) -> None:
    sync_source(any_store, "zendesk", zendesk_source(zendesk_fake.url), network=Network(env=ENV))
    rebuild_source(
        any_store, "zendesk", zendesk_source(zendesk_fake.url, status_map={"Open": "pending"})
    )
    assert any_store.scalar("SELECT status FROM tickets WHERE ticket_id = '146'") == "pending"


def test_full_reads_from_the_start_and_since_from_its_instant(
    any_store: Store, zendesk_fake: FakeServer
) -> None:
    from datetime import UTC, datetime

    source = zendesk_source(zendesk_fake.url)
    sync_source(any_store, "zendesk", source, network=Network(env=ENV))
    synced = snapshot(any_store)
    first = len(zendesk_fake.seen)
    sync_source(any_store, "zendesk", source, full=True, network=Network(env=ENV))
    again = [s for s in zendesk_fake.seen[first:] if s.path.endswith("tickets/cursor.json")]
    assert again[0].query.get("start_time") == "0" and len(again) > 1
    assert snapshot(any_store)["tickets"] == synced["tickets"]
    since = datetime(2024, 1, 1, 3, tzinfo=UTC)
    first = len(zendesk_fake.seen)
    sync_source(any_store, "zendesk", source, since=since, network=Network(env=ENV))
    asked = [s for s in zendesk_fake.seen[first:] if s.path.endswith("ticket_events.json")]
    assert asked[0].query["start_time"] == str(int(since.timestamp()))
