"""Syncing a fake Salesforce over real HTTP: OAuth2 with ``instance_url``, SOQL pages followed by
their relative ``nextRecordsUrl``, deleted cases through ``queryAll``, a second sync writing
nothing, the daily allowance read from ``Sforce-Limit-Info`` and a 403 REQUEST_LIMIT_EXCEEDED
stopping the source."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from supportops.config import SourceAuth, SourceConfig
from supportops.connectors.runner import Network, rebuild_source, sync_source
from supportops.store import DuckDBStore, Store
from tests.connectors.fakes.salesforce import FakeSalesforce, generate, stamp
from tests.connectors.test_intercom_sync import FAST, snapshot

ENV = {"SF_SECRET": "secret"}
COUNT = 450  # cases; with batches of 200 the Case stream is three pages
STREAMS = (
    "CaseStatus",
    "User",
    "Case",
    "DeletedCase",
    "CaseHistory",
    "CaseComment",
    "EmailMessage",
    "Account",
)


def source(url: str, **settings: Any) -> SourceConfig:
    auth = SourceAuth(client_id="app", client_secret_env="SF_SECRET")
    return SourceConfig(vendor="salesforce", url=url, auth=auth, **settings)


@pytest.fixture
def fake() -> Iterator[FakeSalesforce]:
    salesforce = FakeSalesforce()
    salesforce.objects = generate(COUNT)
    salesforce.default_batch = 200
    with salesforce.serve(max_requests=2_000), salesforce.login.serve(max_requests=50):
        yield salesforce


@pytest.fixture
def store() -> Iterator[Store]:
    one = DuckDBStore(None)
    one.ensure_schema()
    yield one
    one.close()


def sync(store: Store, fake: FakeSalesforce, env: dict[str, str] = ENV, **settings: Any) -> Any:
    config = source(fake.login.base_url, **settings)
    return sync_source(store, "salesforce", config, network=Network(env=env, retries=FAST))


def test_a_sync_reads_every_case_through_the_instance_url(
    store: Store, fake: FakeSalesforce
) -> None:
    report = sync(store, fake)
    assert report.error is None
    assert store.count("tickets") == COUNT
    assert store.count("quarantine") == 0
    assert report.stream("Case").pages == 3  # nextRecordsUrl followed until done
    assert [r.path for r in fake.login.requests] == ["/services/oauth2/token"]
    by_status = {
        r["status"]: r["n"]
        for r in store.arrow(
            "SELECT status, count(*) AS n FROM tickets GROUP BY status"
        ).to_pylist()
    }
    assert by_status == {"closed": COUNT // 2, "open": COUNT // 2}  # CaseStatus IsClosed / other
    kinds = {
        r["kind"]: r["n"]
        for r in store.arrow("SELECT kind, count(*) AS n FROM events GROUP BY kind").to_pylist()
    }
    assert kinds == {"created": COUNT, "status": COUNT, "message": 2 * COUNT}
    # the created rows are the Automated Process user's; incoming e-mail is the customer's
    assert store.scalar("SELECT count(*) FROM events WHERE actor = 'system'") == COUNT
    assert store.scalar("SELECT count(*) FROM events WHERE actor = 'customer'") == COUNT
    assert store.count("agents") == 1


def test_a_second_sync_without_change_writes_nothing_at_one_request_per_stream(
    store: Store, fake: FakeSalesforce
) -> None:
    sync(store, fake)
    before = snapshot(store)
    again = sync(store, fake)
    assert again.error is None
    assert snapshot(store) == before
    assert {n: s.requests for n, s in again.streams.items()} == dict.fromkeys(STREAMS, 1)


def test_a_deleted_case_from_query_all_is_a_tombstone_merged_into_its_master(
    store: Store, fake: FakeSalesforce
) -> None:
    sync(store, fake)
    case = fake.objects["Case"][7]
    case.update(
        IsDeleted=True,
        MasterRecordId=fake.objects["Case"][8]["Id"],
        SystemModstamp=stamp(1709546400 + 86400),
    )
    sync(store, fake)
    row = store.arrow(
        "SELECT status, merged_into, custom FROM tickets WHERE ticket_id = ?", [case["Id"]]
    ).to_pylist()[0]
    assert (row["status"], row["merged_into"]) == ("closed", fake.objects["Case"][8]["Id"])
    assert '"tombstone": "deleted"' in row["custom"]
    assert store.scalar("SELECT count(*) FROM events WHERE kind = 'merged'") == 1


def test_the_sync_stops_while_a_tenth_of_the_daily_allowance_is_left(
    store: Store, fake: FakeSalesforce
) -> None:
    fake.daily_limit, fake.used = 100, 86
    report = sync(store, fake)
    assert report.error is not None and "\n" not in report.error
    assert "daily API allowance is nearly spent (90 of 100 requests used)" in report.error
    assert fake.used == 90  # stopped before the reserve, not at the wall
    resumed = {n: s.pages for n, s in report.streams.items() if s.pages}
    assert resumed  # what was fetched is committed: the next sync goes on from there


def test_request_limit_exceeded_stops_the_source_at_once(
    store: Store, fake: FakeSalesforce
) -> None:
    fake.daily_limit, fake.used = 100, 100
    report = sync(store, fake)
    assert report.error is not None
    assert report.error.startswith("salesforce: access refused (HTTP 403)")
    assert report.requests == 1  # a 403 is not retried


def test_status_map_names_a_status_the_flags_cannot(store: Store, fake: FakeSalesforce) -> None:
    sync(store, fake, status_map={"Working": "pending"})
    assert store.scalar("SELECT count(*) FROM tickets WHERE status = 'pending'") == COUNT // 2


def test_a_rebuild_remaps_without_a_request(store: Store, fake: FakeSalesforce) -> None:
    sync(store, fake)
    before, sent = snapshot(store), len(fake.requests)
    rebuild_source(store, "salesforce", source(fake.login.base_url))
    assert len(fake.requests) == sent
    assert snapshot(store) == before
