"""Intercom → event log, one rule per test, on the recorded records (Airbyte's expected records of
a real workspace) and on the documented shapes of the Intercom OpenAPI 2.11 examples."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from supportops.connectors.spec import Mapped, MappingContext, Parts
from supportops.connectors.vendors import intercom_mapping

Tables = defaultdict[str, list[dict[str, Any]]]


def _listed(mapper: Callable[[Parts, MappingContext], Mapped]) -> Callable[..., Tables]:
    """A mapping called with a list of records, as one page of one part; its rows by table."""
    return lambda records, context: defaultdict(
        list, mapper({"records": list(records)}, context).tables
    )


map_admins = _listed(intercom_mapping.map_admins)
map_conversations = _listed(intercom_mapping.map_conversations)
map_tickets = _listed(intercom_mapping.map_tickets)

CONTEXT = MappingContext(source="intercom")


def at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


@pytest.fixture(scope="module")
def recorded(shared_data: Path) -> dict[str, list[dict[str, Any]]]:
    path = shared_data / "api" / "intercom" / "airbyte_expected_records_subset"
    streams: dict[str, list[dict[str, Any]]] = {}
    for line in (path / "expected_records_subset.jsonl").read_text().splitlines():
        record = json.loads(line)
        streams.setdefault(record["stream"], []).append(record["data"])
    return streams


@pytest.fixture(scope="module")
def conversation_1(recorded: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Conversation 1 as ``GET /conversations/1`` gives it: the record with its parts embedded."""
    conversation = dict(next(c for c in recorded["conversations"] if c["id"] == "1"))
    parts = [p for p in recorded["conversation_parts"] if p["conversation_id"] == 1]
    conversation["conversation_parts"] = {
        "type": "conversation_part.list",
        "conversation_parts": parts,
        "total_count": len(parts),
    }
    return conversation


def part(kind: str, pid: str, author_type: str = "admin", **extra: Any) -> dict[str, Any]:
    author = {"type": author_type, "id": "991267553", "name": "Ciaran", "email": "c@example.com"}
    return {
        "type": "conversation_part",
        "id": pid,
        "part_type": kind,
        "body": "<p>hi</p>",
        "created_at": 1719493000 + int(pid),
        "author": {**author, **extra.pop("author", {})},
        **extra,
    }


def conversation(state: str, parts: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "type": "conversation",
        "id": "367",
        "created_at": 1719492825,
        "state": state,
        "source": {
            "type": "email",
            "id": "403918255",
            "delivered_as": "customer_initiated",
            "body": "<p>help</p>",
            "author": {"type": "user", "id": "667d60d8"},
        },
        "contacts": {"contacts": [{"type": "contact", "id": "667d60d8"}]},
        "conversation_parts": {"conversation_parts": parts, "total_count": len(parts)},
        **extra,
    }


def test_a_recorded_conversation_becomes_a_ticket_with_unix_instants(
    conversation_1: dict[str, Any],
) -> None:
    ticket = map_conversations([conversation_1], CONTEXT)["tickets"][0]
    assert ticket["ticket_id"] == "1"
    assert ticket["source"] == "intercom"
    assert ticket["created_at"] == datetime(2020, 12, 9, 22, 34, 3, tzinfo=UTC)
    assert ticket["channel"] == "chat"  # source.type "conversation" is the Messenger
    assert ticket["requester_id"] == "5fd150d50697b6d0bbc4a2c2"
    assert ticket["created_by"] == "customer"  # delivered_as customer_initiated


def test_open_after_the_first_admin_reply_is_open(conversation_1: dict[str, Any]) -> None:
    assert map_conversations([conversation_1], CONTEXT)["tickets"][0]["status"] == "open"


def test_open_before_any_admin_reply_is_new(recorded: dict[str, list[dict[str, Any]]]) -> None:
    unanswered = next(c for c in recorded["conversations"] if c["id"] == "60")
    assert unanswered["statistics"]["first_admin_reply_at"] is None
    assert map_conversations([unanswered], CONTEXT)["tickets"][0]["status"] == "new"


def test_snoozed_is_on_hold_and_closed_is_solved() -> None:
    snoozed = map_conversations([conversation("snoozed", [])], CONTEXT)["tickets"][0]
    closed = conversation("closed", [], statistics={"last_close_at": 1719496000})
    solved = map_conversations([closed], CONTEXT)["tickets"][0]
    assert snoozed["status"] == "on_hold"
    assert (solved["status"], solved["solved_at"]) == ("solved", at(1719496000))


def test_an_admin_started_conversation_is_created_by_an_agent(
    recorded: dict[str, list[dict[str, Any]]],
) -> None:
    outbound = conversation("open", [])
    outbound["source"]["delivered_as"] = "admin_initiated"
    automated = next(c for c in recorded["conversations"] if c["id"] == "60")
    assert map_conversations([outbound], CONTEXT)["tickets"][0]["created_by"] == "agent"
    assert map_conversations([automated], CONTEXT)["tickets"][0]["created_by"] == "system"


def test_recorded_bot_parts_are_bot_messages_and_user_parts_customer_ones(
    conversation_1: dict[str, Any],
) -> None:
    events = map_conversations([conversation_1], CONTEXT)["events"]
    by_id = {e["event_id"]: e for e in events}
    assert by_id["ic-part-7288120839"]["actor"] == "customer"
    assert by_id["ic-part-7288121348"]["actor"] == "bot"  # author.type bot: "Operator"
    assert by_id["ic-part-7288121348"]["at"] == at(1607553249)


def test_fin_answering_on_behalf_of_an_admin_is_a_bot() -> None:
    parts = [
        part("comment", "1", author={"from_ai_agent": True}),
        part("comment", "2", author={"is_ai_answer": True}),
        part("comment", "3"),
    ]
    events = map_conversations([conversation("open", parts)], CONTEXT)["events"]
    actors = {e["event_id"]: e["actor"] for e in events if e["kind"] == "message"}
    assert (actors["ic-part-1"], actors["ic-part-2"], actors["ic-part-3"]) == (
        "bot",
        "bot",
        "agent",
    )


def test_automation_users_are_the_system() -> None:
    context = MappingContext(source="intercom", automation_users=frozenset({"991267553"}))
    events = map_conversations([conversation("open", [part("comment", "1")])], context)["events"]
    assert next(e for e in events if e["event_id"] == "ic-part-1")["actor"] == "system"


def test_a_note_is_a_private_message_and_a_comment_a_public_one() -> None:
    parts = [part("note", "1"), part("comment", "2")]
    events = map_conversations([conversation("open", parts)], CONTEXT)["events"]
    public = {e["event_id"]: e["public"] for e in events if e["kind"] == "message"}
    assert (public["ic-part-1"], public["ic-part-2"]) == (False, True)


def test_the_opening_message_is_the_created_event_and_a_public_message() -> None:
    events = map_conversations([conversation("open", [])], CONTEXT)["events"]
    kinds = sorted((e["kind"], e["actor"], e.get("public")) for e in events)
    assert kinds == [("created", "customer", None), ("message", "customer", True)]


def test_close_open_and_snooze_parts_are_status_changes() -> None:
    parts = [part("close", "1"), part("open", "2"), part("snoozed", "3"), part("unsnoozed", "4")]
    events = map_conversations([conversation("open", parts)], CONTEXT)["events"]
    statuses = [e["value"] for e in sorted(events, key=lambda e: e["at"]) if e["kind"] == "status"]
    assert statuses == ["solved", "open", "on_hold", "open"]


def test_an_assignment_to_an_admin_or_a_team_changes_assignee_or_group() -> None:
    teams = {"teams": {"5017691": {"id": "5017691", "name": "Billing"}}}
    context = MappingContext(source="intercom", lookups=teams)
    parts = [
        part("assignment", "1", assigned_to={"type": "admin", "id": "991267715"}),
        part("assignment", "2", assigned_to={"type": "team", "id": "5017691"}),
    ]
    events = map_conversations([conversation("open", parts)], context)["events"]
    changes = [(e["kind"], e["value"]) for e in events if e["kind"] in ("assignee", "group")]
    assert changes == [("assignee", "991267715"), ("group", "Billing")]


def test_more_parts_than_the_500_returned_flags_the_truncation() -> None:
    parts = [part("comment", str(i)) for i in range(500)]
    full = conversation("open", parts, statistics={"count_conversation_parts": 730})
    complete = conversation("open", parts[:7], statistics={"count_conversation_parts": 7})
    custom = map_conversations([full], CONTEXT)["tickets"][0]["custom"]
    assert custom["parts_truncated"] is True
    assert (custom["parts_returned"], custom["parts_total"]) == (500, 730)
    assert "parts_truncated" not in map_conversations([complete], CONTEXT)["tickets"][0]["custom"]


def test_statistics_are_vendor_metrics_with_their_clock(conversation_1: dict[str, Any]) -> None:
    metrics = {
        m["metric"]: m for m in map_conversations([conversation_1], CONTEXT)["vendor_metrics"]
    }
    reply = metrics["time_to_admin_reply"]
    assert (reply["value"], reply["unit"], reply["clock"]) == (4317957.0, "seconds", "business")
    assert metrics["first_admin_reply_at"]["value"] == 1625654131.0
    assert metrics["count_conversation_parts"]["value"] == 7.0
    assert "time_to_first_close" not in metrics  # null: nothing reported


def test_a_conversation_rating_is_a_csat_answer() -> None:
    rating = {
        "rating": 4,
        "remark": "quick",
        "created_at": 1719496000,
        "contact": {"id": "667d60d8"},
        "teammate": {"id": "991267553"},
    }
    surveys = map_conversations([conversation("closed", [], conversation_rating=rating)], CONTEXT)
    assert surveys["surveys"] == [
        {
            "ticket_id": "367",
            "source": "intercom",
            "at": at(1719496000),
            "survey": "csat",
            "score": 4,
            "comment": "quick",
        }
    ]


def test_a_conversation_that_is_a_ticket_leaves_the_ticket_row_to_the_tickets_stream() -> None:
    ticketed = conversation("open", [part("comment", "1")], ticket={"type": "ticket", "id": "70"})
    rows = map_conversations([ticketed], CONTEXT)
    assert rows["tickets"] == []
    assert [e["event_id"] for e in rows["events"] if e["kind"] == "message"][-1] == "ic-part-1"


def test_recorded_tickets_map_their_states(recorded: dict[str, list[dict[str, Any]]]) -> None:
    rows = map_tickets(recorded["tickets"], CONTEXT)
    first = rows["tickets"][0]
    assert (first["ticket_id"], first["status"], first["type"]) == (
        "70",
        "new",
        "Test Ticket Type 1",
    )
    assert first["assignee_id"] is None  # admin_assignee_id "0" is nobody
    assert first["custom"]["ticket_number"] == "1"
    assert rows["events"] == []  # a part that keeps the state is no change


def test_ticket_state_parts_are_status_changes() -> None:
    def change(pid: str, old: str, new: str, author: str = "admin") -> dict[str, Any]:
        return {
            "id": pid,
            "ticket_state": new,
            "previous_ticket_state": old,
            "created_at": 1738329300 + 100 * int(pid),
            "author": {"type": author, "id": "9"},
        }

    parts = [
        change("1", "submitted", "in_progress"),
        change("2", "in_progress", "waiting_on_customer"),
        change("3", "waiting_on_customer", "resolved", author="bot"),
    ]
    ticket = {
        "id": "71",
        "created_at": 1738329331,
        "ticket_state": "resolved",
        "ticket_parts": {"ticket_parts": parts},
    }
    rows = map_tickets([ticket], CONTEXT)
    changes = [(e["previous"], e["value"], e["actor"]) for e in rows["events"]]
    assert changes == [
        ("new", "open", "agent"),
        ("open", "pending", "agent"),
        ("pending", "solved", "bot"),
    ]
    assert rows["tickets"][0]["solved_at"] == at(1738329600)


def test_recorded_admins_are_agents_with_their_team_name(
    recorded: dict[str, list[dict[str, Any]]],
) -> None:
    teams = {"teams": {t["id"]: t for t in recorded["teams"]}}
    admins = [dict(recorded["admins"][0], team_ids=[6407164]), *recorded["admins"][1:]]
    agents = map_admins(admins, MappingContext(source="intercom", lookups=teams))["agents"]
    assert agents[0] == {
        "agent_id": "4423433",
        "name": "Airbyte Team",
        "email": "integration-test@airbyte.io",
        "team": "Test team 2",
    }
    assert agents[1]["team"] is None
