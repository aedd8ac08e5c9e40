"""Help Scout → event log, one rule per test, on records shaped as the Mailbox API 2.0 documents
them (``GET /v2/conversations?embed=threads``, ``/v2/users``, ``/v2/ratings/{id}``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from supportops.connectors.spec import Mapped, MappingContext, Parts
from supportops.connectors.vendors import helpscout_mapping

Tables = defaultdict[str, list[dict[str, Any]]]


def _listed(mapper: Callable[[Parts, MappingContext], Mapped]) -> Callable[..., Tables]:
    """A mapping called with a list of records, as one page of one part; its rows by table."""
    return lambda records, context: defaultdict(
        list, mapper({"records": list(records)}, context).tables
    )


map_conversations = _listed(helpscout_mapping.map_conversations)
map_ratings = _listed(helpscout_mapping.map_ratings)
map_users = _listed(helpscout_mapping.map_users)

CONTEXT = MappingContext(source="helpscout")
CUSTOMER = {"id": 1, "type": "customer", "email": "bear@acme.com"}
USER = {"id": 12, "type": "user", "email": "agent@acme.com"}


def thread(tid: int, kind: str, by: dict[str, Any], minute: int, **extra: Any) -> dict[str, Any]:
    status = extra.pop("status", "nochange")
    return {
        "id": tid,
        "type": kind,
        "status": status,
        "state": "published",
        "body": f"thread {tid}",
        "createdBy": by,
        "createdAt": f"2024-03-04T10:{minute:02d}:00Z",
        **extra,
    }


def conversation(*threads: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "id": 10,
        "number": 12,
        "type": "email",
        "folderId": 1,
        "status": "active",
        "state": "published",
        "subject": "Refund",
        "mailboxId": 85,
        "createdBy": CUSTOMER,
        "createdAt": "2024-03-04T10:00:00Z",
        "source": {"type": "email", "via": "customer"},
        "primaryCustomer": {"id": 1},
        "tags": [{"id": 9, "color": "#929499", "tag": "vip"}],
        "_embedded": {"threads": list(threads)},
        **extra,
    }


def mapped(*threads: dict[str, Any], context: MappingContext = CONTEXT, **extra: Any) -> Any:
    return map_conversations([conversation(*threads, **extra)], context)


def test_a_conversation_is_a_ticket_with_its_iso_instants_and_tags() -> None:
    ticket = mapped()["tickets"][0]
    assert (ticket["ticket_id"], ticket["channel"], ticket["status"]) == ("10", "email", "open")
    assert ticket["created_at"] == datetime(2024, 3, 4, 10, 0, tzinfo=UTC)
    assert (ticket["tags"], ticket["requester_id"], ticket["created_by"]) == (
        ["vip"],
        "1",
        "customer",
    )
    assert ticket["custom"]["number"] == 12


def test_statuses_map_active_pending_and_closed() -> None:
    statuses = {
        s: mapped(status=s)["tickets"][0]["status"] for s in ("active", "pending", "closed")
    }
    assert statuses == {"active": "open", "pending": "pending", "closed": "solved"}


def test_spam_is_closed_and_flagged() -> None:
    ticket = mapped(status="spam")["tickets"][0]
    assert (ticket["status"], ticket["custom"]["tombstone"]) == ("closed", "spam")


def test_a_deleted_conversation_is_a_tombstone() -> None:
    ticket = mapped(state="deleted", status="active")["tickets"][0]
    assert (ticket["status"], ticket["custom"]["tombstone"]) == ("closed", "deleted")


def test_customer_threads_and_replies_are_public_messages_by_their_author() -> None:
    events = mapped(thread(1, "customer", CUSTOMER, 0), thread(2, "reply", USER, 5))["events"]
    messages = [(e["actor"], e["public"]) for e in events if e["kind"] == "message"]
    assert messages == [("customer", True), ("agent", True)]


def test_a_note_is_a_private_message() -> None:
    events = mapped(thread(1, "note", USER, 3))["events"]
    assert [(e["kind"], e["public"]) for e in events if e["kind"] == "message"] == [
        ("message", False)
    ]


def test_a_thread_status_is_a_status_change_and_nochange_is_none() -> None:
    threads = [
        thread(1, "customer", CUSTOMER, 0, status="active"),
        thread(2, "reply", USER, 5, status="pending"),
        thread(3, "note", USER, 6),
        thread(4, "reply", USER, 9, status="closed"),
    ]
    events = mapped(*threads)["events"]
    changes = [(e["previous"], e["value"]) for e in events if e["kind"] == "status"]
    assert changes == [("open", "pending"), ("pending", "solved")]


def test_assigned_to_is_an_assignee_change_once() -> None:
    threads = [
        thread(1, "lineitem", USER, 1, assignedTo={"id": 12}),
        thread(2, "reply", USER, 2, assignedTo={"id": 12}),
    ]
    events = mapped(*threads)["events"]
    assert [(e["value"], e["event_id"]) for e in events if e["kind"] == "assignee"] == [
        ("12", "hs-thread-1-assignee")
    ]


def test_a_workflow_lineitem_is_automation() -> None:
    workflow = thread(1, "lineitem", USER, 1, status="closed", actionType="workflow")
    v2_workflow = thread(
        2,
        "lineitem",
        USER,
        2,
        status="active",
        action={"type": "automatic-workflow", "text": "Workflow ran"},
    )
    events = mapped(workflow, v2_workflow)["events"]
    assert [e["actor"] for e in events if e["kind"] == "status"] == ["system", "system"]


def test_a_merged_lineitem_merges_the_absorbed_conversation_into_this_one() -> None:
    merged = thread(1, "lineitem", USER, 1, actionType="merged", actionSourceId=77)
    events = mapped(merged)["events"]
    assert [(e["ticket_id"], e["kind"], e["value"]) for e in events if e["kind"] == "merged"] == [
        ("77", "merged", "10")
    ]


def test_an_author_neither_customer_nor_user_is_a_bot() -> None:
    answer = thread(1, "chat", {"id": 5, "type": "ai"}, 1)
    events = mapped(answer, type="chat")["events"]
    assert [e["actor"] for e in events if e["kind"] == "message"] == ["bot"]


def test_automation_users_are_the_system() -> None:
    context = MappingContext(source="helpscout", automation_users=frozenset({"12"}))
    events = mapped(thread(1, "reply", USER, 1), context=context)["events"]
    assert [e["actor"] for e in events if e["kind"] == "message"] == ["system"]


def test_an_outbound_conversation_is_created_by_an_agent() -> None:
    outbound = mapped(createdBy=USER, source={"type": "email", "via": "user"})["tickets"][0]
    assert outbound["created_by"] == "agent"


def test_ratings_great_okay_not_good_are_5_3_1_and_unknown_is_no_answer() -> None:
    def rating(rid: int, value: str) -> dict[str, Any]:
        return {
            "id": rid,
            "conversationId": 123,
            "threadId": 10,
            "rating": value,
            "comments": "Well done!",
            "createdAt": f"2017-12-12T12:12:1{rid}",
        }

    surveys = map_ratings(
        [rating(1, "great"), rating(2, "okay"), rating(3, "not_good"), rating(4, "unknown")],
        CONTEXT,
    )["surveys"]
    assert [s["score"] for s in surveys] == [5, 3, 1]
    assert surveys[0]["at"] == datetime(2017, 12, 12, 12, 12, 11, tzinfo=UTC)  # documented UTC
    assert surveys[0]["ticket_id"] == "123"


def test_happiness_report_rows_rate_1_2_3_as_5_3_1() -> None:
    def row(n: int, rating_id: int) -> dict[str, Any]:
        return {
            "number": n,
            "threadid": 3002084,
            "id": 1000 + n,
            "type": "email",
            "ratingId": rating_id,
            "ratingComments": "",
            "ratingCustomerId": 449379,
            "ratingCreatedAt": "2024-03-05T09:00:00Z",
            "ratingUserId": 11,
        }

    surveys = map_ratings([row(1, 1), row(2, 2), row(3, 3)], CONTEXT)["surveys"]
    assert [(s["ticket_id"], s["score"], s["comment"]) for s in surveys] == [
        ("1001", 5, None),
        ("1002", 3, None),
        ("1003", 1, None),
    ]


def test_users_are_agents() -> None:
    user = {
        "id": 11,
        "firstName": "Vernon",
        "lastName": "Bear",
        "email": "bear@acme.com",
        "role": "owner",
        "timezone": "America/New_York",
        "type": "user",
    }
    assert map_users([user], CONTEXT)["agents"] == [
        {
            "agent_id": "11",
            "name": "Vernon Bear",
            "email": "bear@acme.com",
            "timezone": "America/New_York",
        }
    ]
