"""The Zendesk mapping on the recorded records, against golden files (one per rule).

Each golden file under ``golden/zendesk/`` holds the pages given to the pure mapping and the
rows expected from it; a change of mapping shows as a diff of that file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from supportops.connectors.spec import MappingContext
from supportops.connectors.vendors import zendesk
from tests.connectors.fakes.zendesk import AGENT, ZendeskAccount

GOLDEN = Path(__file__).parent / "golden" / "zendesk"
STREAMS = {
    "tickets": zendesk.map_tickets,
    "ticket_events": zendesk.map_events,
    "satisfaction_ratings": zendesk.map_ratings,
    "users": zendesk.map_users,
}


def _context(account: ZendeskAccount, **settings: Any) -> MappingContext:
    context = MappingContext("zendesk", **settings)
    for name in ("custom_statuses", "ticket_fields", "groups", "users"):
        context.lookups[name] = {str(r["id"]): r for r in getattr(account, name)}
    return context


@pytest.mark.parametrize("case", sorted(p.name for p in GOLDEN.glob("*.json")))
def test_the_mapping_gives_the_golden_rows(case: str) -> None:
    golden = json.loads((GOLDEN / case).read_text())
    account = ZendeskAccount.generated(golden.get("generated", 0), events_per_ticket=3)
    context = _context(account, **golden.get("context", {}))
    mapped = STREAMS[golden["stream"]](golden["parts"], context)
    assert json.loads(json.dumps(mapped.tables, default=str)) == golden["expected"]


def test_recorded_tickets_keep_their_custom_status_label_and_category() -> None:
    account = ZendeskAccount.from_recorded()
    rows = zendesk.map_tickets({"tickets": account.tickets}, _context(account)).tables["tickets"]
    labels = {r["ticket_id"]: (r["status"], r["custom"].get("custom_status")) for r in rows}
    assert labels == {"145": ("new", "New"), "1": ("closed", "Solved"), "146": ("open", "Open")}


def test_a_status_map_entry_wins_over_the_custom_status_category() -> None:
    account = ZendeskAccount.from_recorded()
    context = _context(account, status_map={"Open": "pending"})
    rows = zendesk.map_tickets({"tickets": account.tickets}, context).tables["tickets"]
    assert {r["ticket_id"]: r["status"] for r in rows}["146"] == "pending"


def test_offered_and_unoffered_ratings_are_no_answers() -> None:
    account = ZendeskAccount.from_recorded()
    parts = {"satisfaction_ratings": account.satisfaction_ratings}
    assert zendesk.map_ratings(parts, _context(account)).tables == {}


def test_automation_users_act_as_system() -> None:
    account = ZendeskAccount.from_recorded()
    context = _context(account, automation_users=frozenset({str(AGENT)}))
    events = zendesk.map_events({"ticket_events": account.ticket_events}, context).tables
    assert {e["actor"] for e in events["events"]} == {"system"}


def test_each_recorded_ticket_opens_with_a_created_event_that_create_rules_fire_on() -> None:
    import pandas as pd

    from supportops.rules.history import replay_history
    from supportops.rules.model import RuleSet

    account = ZendeskAccount.from_recorded()
    context = _context(account)
    tickets = zendesk.map_tickets({"tickets": account.tickets}, context).tables
    comments = zendesk.map_events({"ticket_events": account.ticket_events}, context).tables
    columns = ("value", "previous", "public", "body")
    events = pd.DataFrame(tickets["events"] + comments["events"]).reindex(
        columns=[*pd.DataFrame(tickets["events"]).columns, *columns]
    )
    frame = pd.DataFrame(tickets["tickets"])
    ruleset = RuleSet.model_validate(
        {"rules": [{"name": "welcome", "on": ["create"], "actions": [{"add_tags": ["hi"]}]}]}
    )
    actions = replay_history(ruleset, frame, events).actions
    assert sorted(actions["ticket_id"]) == sorted(frame["ticket_id"])  # once per ticket
    created = events[events["kind"] == "created"].set_index("ticket_id")["at"]
    assert all(
        pd.Timestamp(at) == pd.Timestamp(created[t])
        for t, at in zip(actions["ticket_id"], actions["at"], strict=True)
    )


def test_one_user_on_a_page_is_told_apart_by_each_audits_channel() -> None:
    """Who acted is remembered per user and channel within a page: the same agent's audit
    through a bot channel is the bot's, through a rule the system's, through the web the
    agent's, in any order on one page."""
    account = ZendeskAccount.from_recorded()
    context = _context(account)
    audit = next(a for a in account.ticket_events if str(a.get("updater_id")) == str(AGENT))
    channels = ["web", "answer_bot", "rule", "web", "ai_agent"]
    page = [
        {
            **audit,
            "id": n,
            "via": {"channel": c},
            "child_events": [
                {"id": 900 + n, "field_name": "status", "value": "open", "previous_value": "new"}
            ],
        }
        for n, c in enumerate(channels)
    ]
    events = zendesk.map_events({"ticket_events": page}, context).tables["events"]
    assert [e["actor"] for e in events] == ["agent", "bot", "system", "agent", "bot"]
