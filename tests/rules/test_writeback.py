"""Live rules write back to the helpdesk, over real HTTP to the fake Zendesk and Freshdesk: each
action reaches the ticket once (a second evaluation sends nothing, a crash between a write and
its result sends nothing twice), at most ``rules.per_minute`` writes a minute, a 429 waited
out, a refusal recorded as ``failed`` while the other actions go, nothing sent in dry run; the
next sync brings the new values back into the store."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from supportops.connectors.runner import Network, sync_source
from supportops.connectors.setup import add_source
from supportops.connectors.vendors import freshdesk, helpscout, intercom, salesforce, zendesk
from supportops.rules.ledger import pending, read_ledger
from supportops.rules.live import on_events_of
from supportops.rules.writeback import Helpdesks, Pace, Planned, plan
from supportops.workspace import Workspace
from tests.connectors.fakes.freshdesk import API_KEY, FreshdeskAccount, FreshdeskFake
from tests.connectors.fakes.server import FakeServer
from tests.connectors.fakes.zendesk import EMAIL, TOKEN, ZendeskAccount, ZendeskFake

ENV = {"ZENDESK_TOKEN": TOKEN, "FRESHDESK_KEY": API_KEY}
ROUTED = ("10000", "10001")  # two of the fake Zendesk's tickets, priority low
ZENDESK_RULES = """
rules:
  mode: {mode}
  per_minute: {per_minute}
  rules:
    - name: route-low
      on: [customer_message]
      when: {{priority: low, ticket_id: ["10000", "10001"]}}
      actions:
        - set: {{priority: normal}}
        - set: {{group: Department 2}}
        - add_tags: [routed]
        - note: Routed by the rules
"""


@pytest.fixture(scope="module")
def zendesk_base() -> ZendeskAccount:
    return ZendeskAccount.generated(6, events_per_ticket=2)


@pytest.fixture
def zendesk_fake(zendesk_base: ZendeskAccount) -> Iterator[FakeServer]:
    fake = ZendeskFake(copy.deepcopy(zendesk_base), page_size=50)
    with FakeServer(fake, max_requests=2_000) as server:
        yield server


def _zendesk_workspace(folder: Path, url: str, mode: str = "live", per_minute: int = 60) -> None:
    settings = {
        "vendor": "zendesk",
        "url": url,
        "auth": {"email": EMAIL, "token_env": "ZENDESK_TOKEN"},
    }
    add_source(folder / "supportops.yaml", "zendesk-main", settings)
    _append(folder, ZENDESK_RULES.format(mode=mode, per_minute=per_minute))


def _append(folder: Path, text: str) -> None:
    config = folder / "supportops.yaml"
    config.write_text(config.read_text(encoding="utf-8") + text, encoding="utf-8")


def _account(server: FakeServer) -> ZendeskAccount:
    app = server.app
    assert isinstance(app, ZendeskFake)
    return app.account


def _ticket(account: ZendeskAccount | FreshdeskAccount, tid: int) -> dict[str, object]:
    return next(t for t in account.tickets if t["id"] == tid)


def _sync(ws: Workspace, name: str, network: Network, hook: object = "rules") -> None:
    rules = on_events_of(ws, network) if hook == "rules" else None
    source = ws.config.sources[name]
    report = sync_source(ws.store, name, source, clock=ws.clock, network=network, on_events=rules)
    assert report.error is None


def _results(ws: Workspace) -> dict[tuple[str, str, str | None], str]:
    ledger = read_ledger(ws.store, limit=1_000)
    return {
        (r.ticket_id, r.action, None if pd.isna(r.field) else r.field): r.result
        for r in ledger.itertuples()
    }


def test_a_live_action_reaches_the_ticket_once_and_comes_back_with_the_next_sync(
    workspace_dir: Path, zendesk_fake: FakeServer
) -> None:
    _zendesk_workspace(workspace_dir, zendesk_fake.url, per_minute=3)
    slept: list[float] = []
    network = Network(env=ENV, sleep=slept.append)
    account = _account(zendesk_fake)
    department = next(g["id"] for g in account.groups if g["name"] == "Department 2")
    with Workspace.open(workspace_dir) as ws:
        _sync(ws, "zendesk-main", network)
        writes = [(s.method, s.path) for s in zendesk_fake.writes()]
        results = _results(ws)
        _sync(ws, "zendesk-main", network)  # our own writes come back as update events
        again = len(zendesk_fake.writes())
        stored = ws.store.query(
            'SELECT ticket_id, priority, "group", tags FROM tickets WHERE ticket_id IN (?, ?)',
            list(ROUTED),
        )
        ledger_rows = ws.store.count("rule_actions")
    assert sorted(writes) == sorted(
        ("PUT", f"/api/v2/tickets/{t}.json") for t in ROUTED for _ in range(4)
    )
    assert set(results.values()) == {"written"} and len(results) == 8
    for tid in ROUTED:
        ticket = _ticket(account, int(tid))
        assert (ticket["priority"], ticket["group_id"]) == ("normal", department)
        assert "routed" in ticket["tags"]  # type: ignore[operator]
    notes = [
        c
        for e in account.ticket_events
        for c in e["child_events"]
        if c.get("body") == "Routed by the rules"
    ]
    assert len(notes) == 2 and not any(n["public"] for n in notes)
    assert again == len(writes) and ledger_rows == 8  # evaluated again: nothing sent, nothing new
    assert set(stored["priority"]) == {"normal"} and set(stored["group"]) == {"Department 2"}
    assert all("routed" in list(tags) for tags in stored["tags"])
    # per_minute 3: the 4th to 8th writes each waited for a slot of the minute
    assert len([s for s in slept if s > 50]) == 5


def test_dry_run_sends_nothing(workspace_dir: Path, zendesk_fake: FakeServer) -> None:
    _zendesk_workspace(workspace_dir, zendesk_fake.url, mode="dry_run")
    with Workspace.open(workspace_dir) as ws:
        _sync(ws, "zendesk-main", Network(env=ENV))
        results = _results(ws)
    assert zendesk_fake.writes() == []
    assert len(results) == 8 and set(results.values()) == {"dry_run"}
    assert _ticket(_account(zendesk_fake), 10000)["priority"] == "low"


def test_a_429_is_waited_out(workspace_dir: Path, zendesk_fake: FakeServer) -> None:
    _zendesk_workspace(workspace_dir, zendesk_fake.url)
    app = zendesk_fake.app
    assert isinstance(app, ZendeskFake)
    app.throttle = 1
    with Workspace.open(workspace_dir) as ws:
        _sync(ws, "zendesk-main", Network(env=ENV))
        results = _results(ws)
    first, second = zendesk_fake.writes()[:2]
    assert first.path == second.path  # the refused write was sent again...
    assert second.at - first.at >= 1.0  # ...after its Retry-After
    assert set(results.values()) == {"written"} and len(results) == 8


def test_a_crash_between_a_write_and_its_result_sends_nothing_twice(
    workspace_dir: Path, zendesk_fake: FakeServer
) -> None:
    _zendesk_workspace(workspace_dir, zendesk_fake.url)
    network = Network(env=ENV)
    with Workspace.open(workspace_dir) as ws:
        _sync(ws, "zendesk-main", network, hook=None)  # the history, before the rules
        events = ws.store.query(
            "SELECT * FROM events WHERE kind = 'message' AND actor = 'customer'"
            " AND ticket_id IN (?, ?)",
            list(ROUTED),
        )
        hook = on_events_of(ws, network)
        assert hook is not None
        hook(ws.store, events)  # recorded pending; the run stops before the requests...
        left = pending(ws.store, ["zendesk-main"], [])
        helpdesks = Helpdesks(ws.store, ws.config.sources, 60, network)
        helpdesks.write(left[left["ticket_id"] == "10000"])  # ...or after 10000's went out
        sent = len(zendesk_fake.writes())
        restarted = on_events_of(ws, network)
        assert restarted is not None
        after = restarted(ws.store, events)  # the same events again, after a restart
        assert after is not None
        after()
        resent = [s.path for s in zendesk_fake.writes()[sent:]]
        results = _results(ws)
    assert sent == 4
    # 10001's field writes never went out: read back, not there, sent now; 10000's were there
    assert resent == ["/api/v2/tickets/10001.json"] * 3
    for tid in ROUTED:
        assert results[(tid, "set", "priority")] == "written"
        assert results[(tid, "set", "group")] == "written"
        assert results[(tid, "add_tags", "tags")] == "written"
        # a note cannot be read back: never sent a second time, said so
        assert results[(tid, "note", None)].startswith("failed: unconfirmed")
    updates = [e for e in _account(zendesk_fake).ticket_events if e["via"]["channel"] == "api"]
    assert sorted(e["ticket_id"] for e in updates) == [10000] * 4 + [10001] * 3


FRESHDESK_RULES = """
rules:
  mode: live
  rules:
    - name: urgent-problem
      on: [customer_message]
      when: {ticket_id: ["1000"]}
      actions:
        - set: {type: Nonsense}
        - set: {priority: urgent}
        - note: Escalated by the rules
"""


def test_a_refused_write_is_failed_and_the_other_actions_still_go(workspace_dir: Path) -> None:
    account = FreshdeskAccount.generated(3)
    settings = {"vendor": "freshdesk", "url": "", "auth": {"api_key_env": "FRESHDESK_KEY"}}
    with FakeServer(FreshdeskFake(account), max_requests=2_000) as server:
        add_source(
            workspace_dir / "supportops.yaml", "freshdesk-main", {**settings, "url": server.url}
        )
        _append(workspace_dir, FRESHDESK_RULES)
        with Workspace.open(workspace_dir) as ws:
            _sync(ws, "freshdesk-main", Network(env=ENV))
            results = _results(ws)
        writes = [(s.method, s.path) for s in server.writes()]
    assert writes == [
        ("PUT", "/api/v2/tickets/1000"),
        ("PUT", "/api/v2/tickets/1000"),
        ("POST", "/api/v2/tickets/1000/notes"),
    ]
    failed = results[("1000", "set", "type")]
    assert failed.startswith("failed: HTTP 400") and '"field": "type"' in failed
    assert results[("1000", "set", "priority")] == "written"
    assert results[("1000", "note", None)] == "written"
    assert _ticket(account, 1000)["priority"] == 4 and _ticket(account, 1000)["type"] != "Nonsense"
    notes = [c for c in account.conversations if c["body_text"] == "Escalated by the rules"]
    assert len(notes) == 1 and notes[0]["private"] is True


def _row(action: str, field: str | None, before: object, after: object) -> dict[str, object]:
    return {"action": action, "field": field, "before": before, "after": after, "ticket_id": "7"}


def test_an_action_becomes_the_vendors_documented_request() -> None:
    groups = {"groups": [{"id": 42, "name": "Billing"}]}
    fd = plan(freshdesk.WRITE_BACKS, _row("set", "priority", "low", "urgent"))
    zd = plan(zendesk.WRITE_BACKS, _row("escalate", "group", "Sales", "Billing"), groups)
    tags = plan(zendesk.WRITE_BACKS, _row("remove_tags", "tags", "a;b;c", "a;c"))
    note = plan(freshdesk.WRITE_BACKS, _row("note", None, None, "hello"))
    assert isinstance(fd, Planned) and (fd.method, fd.path, fd.body) == (
        "PUT",
        "/api/v2/tickets/7",
        {"priority": 4},
    )
    assert isinstance(zd, Planned) and zd.body == {"ticket": {"group_id": 42}}
    assert isinstance(tags, Planned) and tags.body == {"ticket": {"remove_tags": ["b"]}}
    assert isinstance(note, Planned) and note.path == "/api/v2/tickets/7/notes"
    assert note.body == {"body": "hello", "private": True}


def test_what_cannot_be_written_is_said_not_sent() -> None:
    assert plan(zendesk.WRITE_BACKS, _row("set", "priority", "high", "high")) == "unchanged"
    assert plan(zendesk.WRITE_BACKS, _row("notify", None, None, "x")).startswith("skipped: ")
    assert plan(None, _row("set", "priority", "low", "high")).startswith("skipped: ")
    unknown = plan(zendesk.WRITE_BACKS, _row("set", "group", None, "Nowhere"), {"groups": []})
    assert unknown == "failed: the vendor has no groups record named 'Nowhere'"
    assert plan(freshdesk.WRITE_BACKS, _row("set", "status", "open", "on_hold")) == (
        "failed: the vendor has no status 'on_hold'"
    )


def test_the_other_helpdesks_take_what_their_apis_document() -> None:
    status = plan(helpscout.WRITE_BACKS, _row("set", "status", "open", "solved"))
    owner = plan(salesforce.WRITE_BACKS, _row("assign_by_skill", "assignee_id", None, "005A"))
    comment = plan(salesforce.WRITE_BACKS, _row("note", None, None, "hi"))
    custom = plan(intercom.WRITE_BACKS, _row("set", "custom.plan", "free", "pro"))
    assert isinstance(status, Planned) and (status.method, status.path) == (
        "PATCH",
        "/v2/conversations/7",
    )
    assert status.body == {"op": "replace", "path": "/status", "value": "closed"}
    assert isinstance(owner, Planned) and owner.body == {"OwnerId": "005A"}
    assert isinstance(comment, Planned) and comment.body["ParentId"] == "7"
    assert isinstance(custom, Planned) and custom.body == {"custom_attributes": {"plan": "pro"}}
    for backs in (helpscout.WRITE_BACKS, intercom.WRITE_BACKS):
        said = plan(backs, _row("set", "priority", "low", "high"))
        assert isinstance(said, str) and said.startswith("skipped: ")
    assert plan(salesforce.WRITE_BACKS, _row("add_tags", "tags", "", "vip")) == (
        "skipped: Salesforce Cases have no tags"
    )


def test_the_pace_allows_per_minute_writes_in_any_minute() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    pace = Pace(2, sleep, lambda: now[0])
    for _ in range(5):
        pace.wait()
        now[0] += 1.0
    assert slept == [58.0, 58.0]  # the 3rd and the 5th waited for the oldest to age a minute
