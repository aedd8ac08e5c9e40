"""Freshdesk: the mapping on the recorded records, and a sync of the fake over real HTTP —
the page-cap restart with its dedupe, conversations per changed ticket, history by snapshot."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path

import pytest

from supportops.config import SourceConfig
from supportops.connectors.pagination import PageNumber
from supportops.connectors.runner import Network, sync_source
from supportops.connectors.spec import MappingContext
from supportops.connectors.vendors import freshdesk
from supportops.store.base import Store
from tests.connectors.fakes.freshdesk import API_KEY, FreshdeskAccount, FreshdeskFake
from tests.connectors.fakes.server import FakeServer
from tests.connectors.test_sync import snapshot

GOLDEN = Path(__file__).parent / "golden" / "freshdesk"
ENV = {"FRESHDESK_KEY": API_KEY}
MAPPINGS = {
    "tickets": freshdesk.map_tickets,
    "conversations": freshdesk.map_conversations,
    "time_entries": freshdesk.map_time_entries,
    "satisfaction_ratings": freshdesk.map_ratings,
    "agents": freshdesk.map_agents,
}


def _context(account: FreshdeskAccount, **settings: object) -> MappingContext:
    context = MappingContext("freshdesk", **settings)  # type: ignore[arg-type]
    for name in ("agents", "groups", "ticket_fields"):
        context.lookups[name] = {str(r["id"]): r for r in getattr(account, name)}
    return context


def _source(url: str, **settings: object) -> SourceConfig:
    auth = {"api_key_env": "FRESHDESK_KEY"}
    return SourceConfig.model_validate(
        {"vendor": "freshdesk", "url": url, "auth": auth, **settings}
    )


@pytest.mark.parametrize("case", sorted(p.name for p in GOLDEN.glob("*.json")))
def test_the_mapping_gives_the_golden_rows(case: str) -> None:
    golden = json.loads((GOLDEN / case).read_text())
    context = _context(FreshdeskAccount.from_recorded(), **golden.get("context", {}))
    mapped = MAPPINGS[golden["stream"]]({"": golden["records"]}, context)
    assert json.loads(json.dumps(mapped.tables, default=str)) == golden["expected"]


def test_a_custom_status_goes_through_the_status_map_by_label() -> None:
    account = FreshdeskAccount.from_recorded()
    ticket = {**account.tickets[0], "status": 6}
    plain = freshdesk.map_tickets({"": [ticket]}, _context(account)).tables["tickets"][0]
    mapped = freshdesk.map_tickets(
        {"": [ticket]}, _context(account, status_map={"Waiting on vendor": "on_hold"})
    ).tables["tickets"][0]
    assert (plain["status"], plain["custom"]["custom_status"]) == ("open", "Waiting on vendor")
    assert (mapped["status"], mapped["custom"]["custom_status"]) == ("on_hold", "Waiting on vendor")


def test_the_page_cap_restarts_from_the_last_updated_at_and_dedupes(any_store: Store) -> None:
    account = FreshdeskAccount.generated(40)
    small = dataclasses.replace(
        freshdesk.VENDOR,
        streams=tuple(
            dataclasses.replace(s, pagination=PageNumber(size=5, cap=3))
            if s.name == "tickets"
            else s
            for s in freshdesk.VENDOR.streams
        ),
    )
    with FakeServer(FreshdeskFake(account, cap=3)) as fake:
        report = sync_source(
            any_store, "freshdesk", _source(fake.url), vendor=small, network=Network(env=ENV)
        )
        pages = [int(s.query["page"]) for s in fake.seen if s.path == "/api/v2/tickets"]
    assert report.error is None
    assert max(pages) == 3 and pages.count(1) >= 3  # restarted at page 1 after each cap
    assert any_store.count("tickets") == len(account.tickets)
    assert any_store.count("quarantine") == 0


def test_a_sync_brings_conversations_notes_history_and_stats(any_store: Store) -> None:
    account = FreshdeskAccount.generated(15)
    with FakeServer(FreshdeskFake(account)) as fake:
        report = sync_source(any_store, "freshdesk", _source(fake.url), network=Network(env=ENV))
    assert report.error is None
    assert any_store.count("tickets") == len(account.tickets)
    messages = any_store.scalar("SELECT count(*) FROM events WHERE kind = 'message'")
    assert messages == len(account.conversations)
    notes = sum(bool(c["private"]) for c in account.conversations)
    spam = sum(bool(t.get("spam")) for t in account.tickets)
    assert any_store.scalar(
        "SELECT count(*) FROM events WHERE kind = 'message' AND NOT public"
    ) == (notes)
    assert any_store.scalar("SELECT count(*) FROM tickets WHERE custom LIKE '%spam%'") == spam
    assert any_store.scalar("SELECT count(*) FROM work") == len(account.time_entries)
    assert any_store.scalar("SELECT count(DISTINCT metric) FROM vendor_metrics") >= 4


def test_a_second_sync_writes_nothing_at_one_request_per_stream(any_store: Store) -> None:
    account = FreshdeskAccount.generated(15)
    with FakeServer(FreshdeskFake(account)) as fake:
        sync_source(any_store, "freshdesk", _source(fake.url), network=Network(env=ENV))
        before = snapshot(any_store)
        again = sync_source(any_store, "freshdesk", _source(fake.url), network=Network(env=ENV))
    lists = ("agents", "groups", "ticket_fields", "tickets", "time_entries")
    lists += ("satisfaction_ratings", "companies", "solution_categories")
    assert {n: s.requests for n, s in again.streams.items() if s.requests} == {
        **dict.fromkeys(lists, 1),
        # the solutions tree is read whole: one request per category, one per folder
        "solution_folders": len(account.solution_categories),
        "solution_articles": len(account.solution_folders),
    }
    assert snapshot(any_store) == before


def test_a_status_change_between_syncs_is_a_status_event(any_store: Store) -> None:
    account = FreshdeskAccount.generated(10)
    with FakeServer(FreshdeskFake(account)) as fake:
        sync_source(any_store, "freshdesk", _source(fake.url), network=Network(env=ENV))
        ticket = next(t for t in account.tickets if t["id"] == 1_000)
        changed = copy.deepcopy(ticket)
        changed["status"] = 4
        changed["updated_at"] = changed["stats"]["resolved_at"] = "2024-06-01T10:00:00Z"
        changed["stats"]["status_updated_at"] = "2024-06-01T10:00:00Z"
        account.tickets[account.tickets.index(ticket)] = changed
        sync_source(any_store, "freshdesk", _source(fake.url), network=Network(env=ENV))
    statuses = (
        any_store.arrow(
            "SELECT value FROM events WHERE ticket_id = '1000' AND kind = 'status' ORDER BY \"at\""
        )
        .column(0)
        .to_pylist()
    )
    assert statuses == ["open", "solved"]


def test_each_recorded_ticket_opens_with_a_created_event_that_create_rules_fire_on() -> None:
    import pandas as pd

    from supportops.rules.history import replay_history
    from supportops.rules.model import RuleSet

    account = FreshdeskAccount.from_recorded()
    tables = freshdesk.map_tickets({"": account.tickets}, _context(account)).tables
    events = pd.DataFrame(tables["events"]).reindex(
        columns=["ticket_id", "source", "kind", "at", "actor", "event_id", "value", "previous"]
    )
    tickets = pd.DataFrame(tables["tickets"])
    ruleset = RuleSet.model_validate(
        {"rules": [{"name": "welcome", "on": ["create"], "actions": [{"add_tags": ["hi"]}]}]}
    )
    actions = replay_history(ruleset, tickets, events).actions
    assert sorted(actions["ticket_id"]) == sorted(tickets["ticket_id"])  # once per ticket
    opened = tickets.set_index("ticket_id")["created_at"]
    assert all(
        pd.Timestamp(at) == pd.Timestamp(opened[t])
        for t, at in zip(actions["ticket_id"], actions["at"], strict=True)
    )
