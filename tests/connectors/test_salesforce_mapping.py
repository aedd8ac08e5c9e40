"""Salesforce Service Cloud → event log, one rule per test, on records shaped as SOQL over REST
returns them (``/services/data/vXX.X/query`` and ``queryAll``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from supportops.connectors.spec import Mapped, MappingContext, Parts
from supportops.connectors.vendors import salesforce_mapping

Tables = defaultdict[str, list[dict[str, Any]]]


def _listed(mapper: Callable[[Parts, MappingContext], Mapped]) -> Callable[..., Tables]:
    """A mapping called with a list of records, as one page of one part; its rows by table."""
    return lambda records, context: defaultdict(
        list, mapper({"records": list(records)}, context).tables
    )


map_case_comments = _listed(salesforce_mapping.map_case_comments)
map_case_history = _listed(salesforce_mapping.map_case_history)
map_cases = _listed(salesforce_mapping.map_cases)
map_email_messages = _listed(salesforce_mapping.map_email_messages)
map_users = _listed(salesforce_mapping.map_users)

STATUSES = [
    {"Id": "01J1", "MasterLabel": "New", "IsDefault": True, "IsClosed": False},
    {"Id": "01J2", "MasterLabel": "Working", "IsDefault": False, "IsClosed": False},
    {"Id": "01J3", "MasterLabel": "Waiting on Customer", "IsDefault": False, "IsClosed": False},
    {"Id": "01J4", "MasterLabel": "Closed", "IsDefault": False, "IsClosed": True},
]
USERS = [
    {
        "Id": "0055g000001AAAA",
        "Name": "Ana Agent",
        "Email": "ana@acme.com",
        "UserType": "Standard",
        "TimeZoneSidKey": "Europe/Paris",
    },
    {"Id": "0055g000002BBBB", "Name": "Automated Process", "UserType": "AutomatedProcess"},
    {"Id": "0055g000003CCCC", "Name": "Portal Pat", "UserType": "PowerCustomerSuccess"},
]
CONTEXT = MappingContext(
    source="salesforce",
    lookups={"CaseStatus": {s["Id"]: s for s in STATUSES}, "User": {u["Id"]: u for u in USERS}},
)
AGENT, AUTOMATED, PORTAL = (u["Id"] for u in USERS)


def case(**extra: Any) -> dict[str, Any]:
    return {
        "attributes": {"type": "Case", "url": "/services/data/v59.0/sobjects/Case/5005g00000Aa1"},
        "Id": "5005g00000Aa1",
        "CaseNumber": "00001001",
        "Subject": "Printer on fire",
        "Status": "New",
        "Priority": "Medium",
        "Origin": "Email",
        "Type": "Problem",
        "OwnerId": AGENT,
        "ContactId": "0035g00000Cc1",
        "AccountId": "0015g00000Ac1",
        "CreatedDate": "2024-03-04T10:00:00.000+0000",
        "ClosedDate": None,
        "IsClosed": False,
        "IsDeleted": False,
        "MasterRecordId": None,
        "SystemModstamp": "2024-03-04T11:00:00.000+0000",
        **extra,
    }


def history(hid: str, field: str, old: Any, new: Any, **extra: Any) -> dict[str, Any]:
    return {
        "Id": hid,
        "CaseId": "5005g00000Aa1",
        "Field": field,
        "OldValue": old,
        "NewValue": new,
        "CreatedDate": "2024-03-04T10:30:00.000+0000",
        "CreatedById": AGENT,
        **extra,
    }


def ticket(**extra: Any) -> dict[str, Any]:
    row: dict[str, Any] = map_cases([case(**extra)], CONTEXT)["tickets"][0]
    return row


def test_a_case_is_a_ticket_with_its_rest_instants() -> None:
    row = ticket()
    assert (row["ticket_id"], row["channel"], row["priority"], row["type"]) == (
        "5005g00000Aa1",
        "email",
        "normal",
        "Problem",
    )
    assert row["created_at"] == datetime(2024, 3, 4, 10, 0, tzinfo=UTC)
    assert (row["requester_id"], row["organization_id"]) == ("0035g00000Cc1", "0015g00000Ac1")
    assert row["custom"]["case_number"] == "00001001"


def test_the_default_case_status_is_new_a_closed_one_closed_others_open() -> None:
    statuses = {
        label: ticket(Status=label)["status"]
        for label in ("New", "Working", "Waiting on Customer", "Closed")
    }
    assert statuses == {
        "New": "new",
        "Working": "open",
        "Waiting on Customer": "open",
        "Closed": "closed",
    }


def test_status_map_wins_over_the_case_status_flags() -> None:
    context = MappingContext(
        source="salesforce",
        status_map={"Waiting on Customer": "pending"},
        lookups=CONTEXT.lookups,
    )
    row = map_cases([case(Status="Waiting on Customer")], context)["tickets"][0]
    assert (row["status"], row["custom"]["status"]) == ("pending", "Waiting on Customer")


def test_a_closed_case_keeps_its_closed_date_as_solved_at() -> None:
    row = ticket(Status="Closed", IsClosed=True, ClosedDate="2024-03-05T09:00:00.000+0000")
    assert row["solved_at"] == datetime(2024, 3, 5, 9, 0, tzinfo=UTC)


def test_an_owner_queue_is_the_group_and_a_user_the_assignee() -> None:
    queued = ticket(OwnerId="00G5g000004QqQq")
    assert (queued["group"], queued["assignee_id"]) == ("00G5g000004QqQq", None)
    assert (ticket()["group"], ticket()["assignee_id"]) == (None, AGENT)


def test_a_deleted_case_is_a_tombstone_and_its_master_record_the_merge() -> None:
    rows = map_cases([case(IsDeleted=True, MasterRecordId="5005g00000Zz9")], CONTEXT)
    row = rows["tickets"][0]
    assert (row["status"], row["custom"]["tombstone"], row["merged_into"]) == (
        "closed",
        "deleted",
        "5005g00000Zz9",
    )
    assert [(e["kind"], e["value"]) for e in rows["events"]] == [("merged", "5005g00000Zz9")]


def test_history_status_changes_are_canonical_with_their_previous() -> None:
    events = map_case_history([history("017a", "Status", "New", "Working")], CONTEXT)["events"]
    assert [(e["kind"], e["previous"], e["value"], e["actor"]) for e in events] == [
        ("status", "new", "open", "agent")
    ]


def test_a_lookup_change_writes_two_history_rows_and_only_the_ids_are_kept() -> None:
    rows = [
        history("017b", "Owner", AGENT, "00G5g000004QqQq", DataType="EntityId"),
        history("017c", "Owner", "Ana Agent", "Tier 2", DataType="Text"),
        history("017d", "Owner", "00G5g000004QqQq", AGENT, DataType="EntityId"),
    ]
    events = map_case_history(rows, CONTEXT)["events"]
    assert [(e["kind"], e["value"]) for e in events] == [
        ("group", "00G5g000004QqQq"),
        ("assignee", AGENT),
    ]


def test_without_a_data_type_the_names_row_is_told_by_its_values() -> None:
    rows = [
        history("017e", "Owner", AGENT, "0055g000009ZZZZ"),
        history("017f", "Owner", "Ana Agent", "Zed Agent"),
    ]
    assert [e["event_id"] for e in map_case_history(rows, CONTEXT)["events"]] == ["sf-history-017e"]


def test_long_text_history_cut_at_255_characters_is_not_mapped() -> None:
    cut = "x" * 255
    rows = [history("017g", "Description", cut, cut), history("017h", "Subject", "a", "b")]
    assert map_case_history(rows, CONTEXT)["events"] == []


def test_history_by_the_automated_process_user_is_the_system() -> None:
    row = history("017i", "Priority", "Medium", "High", CreatedById=AUTOMATED)
    events = map_case_history([row], CONTEXT)["events"]
    assert [(e["kind"], e["value"], e["actor"]) for e in events] == [("priority", "high", "system")]


def test_the_created_history_row_is_the_created_event() -> None:
    events = map_case_history([history("017j", "created", None, None)], CONTEXT)["events"]
    assert [(e["kind"], e["actor_id"]) for e in events] == [("created", AGENT)]


def test_an_unpublished_case_comment_is_an_internal_note() -> None:
    def comment(cid: str, published: bool, by: str) -> dict[str, Any]:
        return {
            "Id": cid,
            "ParentId": "5005g00000Aa1",
            "CommentBody": "hi",
            "IsPublished": published,
            "CreatedDate": "2024-03-04T10:40:00.000+0000",
            "CreatedById": by,
        }

    rows = [comment("00a1", False, AGENT), comment("00a2", True, PORTAL)]
    events = map_case_comments(rows, CONTEXT)["events"]
    assert [(e["public"], e["actor"]) for e in events] == [(False, "agent"), (True, "customer")]


def test_email_messages_are_public_incoming_ones_the_customers_and_drafts_skipped() -> None:
    def email(eid: str, incoming: bool, status: str = "3") -> dict[str, Any]:
        return {
            "Id": eid,
            "ParentId": "5005g00000Aa1",
            "Incoming": incoming,
            "Status": status,
            "TextBody": "body",
            "MessageDate": "2024-03-04T10:50:00.000+0000",
            "CreatedById": AUTOMATED if incoming else AGENT,
        }

    rows = [email("02s1", True), email("02s2", False), email("02s3", False, status="5")]
    events = map_email_messages(rows, CONTEXT)["events"]
    assert [(e["event_id"], e["actor"], e["public"]) for e in events] == [
        ("sf-email-02s1", "customer", True),
        ("sf-email-02s2", "agent", True),
    ]


def test_automation_users_are_the_system() -> None:
    context = MappingContext(
        source="salesforce", automation_users=frozenset({AGENT}), lookups=CONTEXT.lookups
    )
    events = map_case_history([history("017k", "Type", "Problem", "Question")], context)["events"]
    assert [(e["kind"], e["value"], e["actor"]) for e in events] == [("type", "Question", "system")]


def test_only_standard_users_are_agents() -> None:
    agents = map_users(USERS, CONTEXT)["agents"]
    assert agents == [
        {
            "agent_id": AGENT,
            "name": "Ana Agent",
            "email": "ana@acme.com",
            "timezone": "Europe/Paris",
        }
    ]
