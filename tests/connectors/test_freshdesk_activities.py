"""Freshdesk's activities export, when the source turns it on: every status change, the ones
a snapshot misses between two syncs included, read day by day up to yesterday, each day's file
fetched from its signed URL without the API key (over real HTTP to the fake)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from supportops.config import SourceConfig
from supportops.connectors.runner import Network, SourceReport, sync_source
from supportops.connectors.spec import MappingContext
from supportops.connectors.vendors import freshdesk
from supportops.instants import FrozenClock
from supportops.store.base import Store
from tests.connectors.fakes.freshdesk import (
    API_KEY,
    EXPORTS,
    FreshdeskAccount,
    FreshdeskFake,
    activities_of,
    activity_time,
)
from tests.connectors.fakes.server import FakeServer
from tests.connectors.test_sync import snapshot

ENV = {"FRESHDESK_KEY": API_KEY}
FIRST, TODAY = date(2022, 11, 15), date(2022, 11, 25)
STATUS_MAP = {"Waiting on vendor": "on_hold"}


def _source(url: str, **settings: object) -> SourceConfig:
    return SourceConfig.model_validate(
        {
            "vendor": "freshdesk",
            "url": url,
            "auth": {"api_key_env": "FRESHDESK_KEY"},
            "start": FIRST.isoformat(),
            "status_map": STATUS_MAP,
            **settings,
        }
    )


def _sync(store: Store, url: str, today: date = TODAY, **settings: object) -> SourceReport:
    """A sync whose clock says noon on ``today``."""
    return sync_source(
        store,
        "freshdesk",
        _source(url, **settings),
        network=Network(env=ENV),
        clock=FrozenClock(datetime.combine(today, time(12), UTC)),
    )


def _account() -> FreshdeskAccount:
    """The recorded account with the export on since 15 November 2022. Ticket 22 (pending
    since 16:03:25 on the 16th) also waited on a vendor from 16:10 to 16:15: its snapshot
    cannot tell."""
    account = FreshdeskAccount.from_recorded()
    between = [
        (datetime(2022, 11, 16, 16, 10, tzinfo=UTC), "Waiting on vendor"),
        (datetime(2022, 11, 16, 16, 15, tzinfo=UTC), "Pending"),
    ]
    extra = [
        {
            "ticket_id": 22,
            "performed_at": activity_time(at),
            "performer_type": "agent",
            "performer_id": account.agents[0]["id"],
            "activity": {"status": label},
        }
        for at, label in between
    ]
    account.activities = activities_of(account.tickets) + extra
    account.activities_from, account.today = FIRST, TODAY
    return account


def _statuses(store: Store, ticket: str) -> list[str]:
    rows = store.arrow(
        "SELECT value FROM events WHERE ticket_id = ? AND kind = 'status' ORDER BY \"at\"",
        [ticket],
    )
    return [str(v) for v in rows.column(0).to_pylist()]


def test_the_export_brings_the_changes_a_snapshot_misses(any_store: Store) -> None:
    with FakeServer(FreshdeskFake(_account())) as fake:
        report = _sync(any_store, fake.url, enable=["activities"])
    assert report.error is None
    assert _statuses(any_store, "22") == ["open", "pending", "on_hold", "pending"]
    # a change both the snapshot and the export report is one event, by the export's actor
    rows = any_store.arrow(
        "SELECT actor FROM events WHERE event_id = 'fs-22-pending-2022-11-16T16:03:25Z'"
    ).to_pylist()
    assert rows == [{"actor": "system"}]
    assert any_store.count("quarantine") == 0


def test_without_the_export_the_history_is_the_snapshots_and_sources_says_so(
    any_store: Store,
) -> None:
    with FakeServer(FreshdeskFake(_account())) as fake:
        report = _sync(any_store, fake.url)
        asked = [s for s in fake.seen if "export" in s.path]
    assert report.error is None and asked == []
    assert _statuses(any_store, "22") == ["open", "pending"]
    assert "snapshots" in freshdesk.VENDOR.history_of([])
    assert "activities export" in freshdesk.VENDOR.history_of(["activities"])


def test_each_day_is_asked_once_up_to_yesterday_and_its_file_without_the_key(
    any_store: Store,
) -> None:
    account = _account()
    with FakeServer(FreshdeskFake(account)) as fake:
        first = _sync(any_store, fake.url, enable=["activities"])
        days = [s.query["created_at"] for s in fake.seen if s.path.endswith("ticket_activities")]
        files = [s for s in fake.seen if s.path.startswith(EXPORTS)]
        before = snapshot(any_store)
        again = _sync(any_store, fake.url, enable=["activities"])
        after = snapshot(any_store)
        later = _sync(any_store, fake.url, date(2022, 11, 27), enable=["activities"])
    assert first.error is None and again.error is None and later.error is None
    assert days == [date(2022, 11, d).isoformat() for d in range(15, 25)]
    assert len(files) == 10 and all("Authorization" not in s.headers for s in files)
    # nothing new: one request (today's file, not made yet), nothing written
    assert again.streams["ticket_activities"].requests == 1
    assert after == before
    # two days on: the 25th and the 26th are asked (the fake's clock still says the 25th, so
    # both answer 404 and are passed), and the 27th, today, is kept for the next run
    assert later.streams["ticket_activities"].requests == 2


def test_the_mapping_reads_the_exports_instants_and_labels() -> None:
    account = FreshdeskAccount.from_recorded()
    context = MappingContext("freshdesk", status_map=STATUS_MAP)
    for name in ("agents", "ticket_fields"):
        context.lookups[name] = {str(r["id"]): r for r in getattr(account, name)}
    rows = {"activities_data": activities_of([t for t in account.tickets if t["id"] == 22])}
    rows["activities_data"].append(
        {
            "ticket_id": 22,
            "performed_at": "16-11-2022 17:10:00 +0100",
            "performer_type": "agent",
            "performer_id": account.agents[0]["id"],
            "activity": {"status": "Waiting on vendor", "priority": 3},
        }
    )
    events = freshdesk.map_activities(rows, context).tables["events"]
    got = [(e["kind"], e["value"], e["at"], e["actor"], e["event_id"]) for e in events]
    assert got == [
        ("status", "open", "2022-11-16T16:03:17Z", "customer", "fs-22-created"),
        (
            "priority",
            "low",
            "2022-11-16T16:03:17Z",
            "customer",
            "fs-22-priority-low-2022-11-16T16:03:17Z",
        ),
        (
            "status",
            "pending",
            "2022-11-16T16:03:25Z",
            "system",
            "fs-22-pending-2022-11-16T16:03:25Z",
        ),
        (
            "status",
            "on_hold",
            "2022-11-16T16:10:00Z",
            "agent",
            "fs-22-on_hold-2022-11-16T16:10:00Z",
        ),
        (
            "priority",
            "high",
            "2022-11-16T16:10:00Z",
            "agent",
            "fs-22-priority-high-2022-11-16T16:10:00Z",
        ),
    ]
    # the snapshot's own events for the same changes carry the same ids
    snapshot_ids = {
        e["event_id"]
        for e in freshdesk.map_tickets(
            {"": [t for t in account.tickets if t["id"] == 22]}, context
        ).tables["events"]
    }
    assert {"fs-22-pending-2022-11-16T16:03:25Z"} <= snapshot_ids


def test_an_unknown_optional_stream_names_the_key(any_store: Store) -> None:
    with FakeServer(FreshdeskFake(_account())) as fake:
        report = _sync(any_store, fake.url, enable=["audits"])
        sent = len(fake.seen)
    assert report.error is not None and "sources.freshdesk.enable" in report.error
    assert "activities" in report.error and sent == 0


def test_an_export_not_enabled_upstream_stops_the_source_with_one_line(any_store: Store) -> None:
    account = _account()
    account.activities_from = None
    with FakeServer(FreshdeskFake(account)) as fake:
        report = _sync(any_store, fake.url, enable=["activities"])
    assert report.error is not None and "403" in report.error
    assert any_store.count("agents") > 0  # the streams before it committed
