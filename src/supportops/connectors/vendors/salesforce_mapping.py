"""Salesforce Service Cloud records (SOQL over REST) → event-log rows (pure; see
:mod:`supportops.connectors.spec`).

- ``Case`` → tickets. Status through ``status_map`` first, else the org's ``CaseStatus`` rows
  (reference records): ``IsDefault`` → new, ``IsClosed`` → closed, any other → open; the label
  stays in ``custom.status``. ``Priority`` Low/Medium/High/Critical → low/normal/high/urgent,
  ``Origin`` → channel. An owner id starting ``005`` is a user (assignee), ``00G`` a queue
  (group). A deleted case (``queryAll``, ``IsDeleted``) is a tombstone (closed,
  ``custom.tombstone`` deleted); its ``MasterRecordId`` is the case it was merged into.
- ``CaseHistory`` → status, assignee, group, priority and type changes, and ``created``. A lookup
  change (Owner) writes two rows, ids (``DataType`` EntityId) and names: only the ids are kept.
  History values are cut at 255 characters and only tracked fields appear, so long-text fields
  (Subject, Description) are not mapped: they stay in the raw records.
- ``CaseComment`` → messages (``IsPublished`` = public); ``EmailMessage`` → public messages
  (``Incoming`` = the customer's); drafts are skipped.
- Actors from the ``User`` reference records: ``UserType`` AutomatedProcess (flows, Email-to-Case;
  or ``automation_users``) → system, Standard → agent, portal and guest users → customer.
- ``User`` (Standard) → agents.
- ``Account`` → accounts: ``Id`` (what a Case's ``AccountId`` holds) and ``Name``; ``Type``
  (customer, partner, prospect...) as segment, the standard field closest to one. The standard
  Account has no plan and no ARR: ``AnnualRevenue`` is the customer's own yearly revenue, not
  what it pays, so it is not taken as ARR unless the source's ``accounts`` settings name it
  (they may name any queried field: ``Type``, ``Industry``, ``AnnualRevenue``, ``Rating``).
"""

from __future__ import annotations

import re
from typing import Any

from supportops.connectors.accounts import account_row
from supportops.connectors.records import Record, iso, records_of, text_id
from supportops.connectors.spec import Mapped, MappingContext, Parts

__all__ = [
    "CHANNELS",
    "PRIORITIES",
    "map_accounts",
    "map_case_comments",
    "map_case_history",
    "map_cases",
    "map_email_messages",
    "map_users",
]

CHANNELS = {
    "email": "email",
    "phone": "phone",
    "web": "web",
    "chat": "chat",
    "messaging": "messaging",
    "social": "social",
    "twitter": "social",
    "facebook": "social",
}
PRIORITIES = {
    "low": "low",
    "medium": "normal",
    "high": "high",
    "critical": "urgent",
    "urgent": "urgent",
}
USER_TYPES = {
    "AutomatedProcess": "system",
    "Standard": "agent",
    "CsnOnly": "agent",
    "PowerCustomerSuccess": "customer",
    "CustomerSuccess": "customer",
    "CspLitePortal": "customer",
    "Guest": "customer",
    "PowerPartner": "customer",
}
HISTORY_FIELDS = {
    "Status": "status",
    "Priority": "priority",
    "Type": "type",
    "Owner": "assignee",
    "ownerAssignment": "assignee",
    "created": "created",
}
SALESFORCE_ID = re.compile(r"^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$")
QUEUE_PREFIX, USER_PREFIX = "00G", "005"
DRAFT = "5"  # EmailMessage.Status 5 = Draft


def _actor(user_id: object, context: MappingContext) -> str:
    uid = text_id(user_id)
    if uid in context.automation_users:
        return "system"
    user = context.lookup("User", uid)
    return USER_TYPES.get(str(user.get("UserType")), "agent") if user else "agent"


def status_of(label: object, context: MappingContext) -> str:
    """A case status label in canonical form: ``status_map``, else its CaseStatus flags."""
    text = str(label)
    if text in context.status_map:
        return context.status_map[text]
    for status in context.lookups.get("CaseStatus", {}).values():
        if status.get("MasterLabel") == text or status.get("ApiName") == text:
            return (
                "new" if status.get("IsDefault") else "closed" if status.get("IsClosed") else "open"
            )
    return "open"


def _owner(owner: str | None) -> dict[str, str | None]:
    if owner and owner.startswith(QUEUE_PREFIX):
        return {"group": owner, "assignee_id": None}
    return {"group": None, "assignee_id": owner}


def _case(case: dict[str, Any], context: MappingContext) -> Mapped:
    rows, cid = Mapped(), str(case["Id"])
    status = status_of(case.get("Status"), context)
    custom: dict[str, Any] = {"case_number": case.get("CaseNumber"), "status": case.get("Status")}
    for name in ("Reason", "IsEscalated"):
        if case.get(name) is not None:
            custom[name.lower()] = case[name]
    master = text_id(case.get("MasterRecordId"))
    if case.get("IsDeleted"):
        status, custom["tombstone"] = "closed", "deleted"
    origin = str(case.get("Origin") or "")
    priority = str(case.get("Priority") or "")
    rows.add(
        "tickets",
        {
            "ticket_id": cid,
            "source": context.source,
            "created_at": iso(case.get("CreatedDate")),
            "channel": CHANNELS.get(origin.lower(), "other"),
            "raw_channel": origin or None,
            "status": status,
            "priority": PRIORITIES.get(priority.lower(), priority or None),
            "type": case.get("Type"),
            **_owner(text_id(case.get("OwnerId"))),
            "requester_id": text_id(case.get("ContactId")),
            "organization_id": text_id(case.get("AccountId")),
            "subject": case.get("Subject"),
            "solved_at": iso(case.get("ClosedDate")) if status in ("solved", "closed") else None,
            "merged_into": master,
            "custom": custom,
        },
    )
    if master:
        rows.add(
            "events",
            {
                "ticket_id": cid,
                "source": context.source,
                "kind": "merged",
                "at": iso(case.get("SystemModstamp") or case.get("LastModifiedDate")),
                "value": master,
                "actor": "system",
                "event_id": f"sf-{cid}-merged",
            },
        )
    return rows


def map_cases(parts: Parts, context: MappingContext) -> Mapped:
    """Cases (live from ``query``, deleted ones from ``queryAll``) → tickets."""
    rows = Mapped()
    for case in records_of(parts):
        rows.extend(_case(case, context))
    return rows


def _is_id(row: dict[str, Any]) -> bool:
    if row.get("DataType"):
        return bool(row["DataType"] == "EntityId")
    values = [v for v in (row.get("NewValue"), row.get("OldValue")) if v]
    return all(SALESFORCE_ID.match(str(v)) for v in values)


def _history_event(row: dict[str, Any], context: MappingContext) -> Record | None:
    kind = HISTORY_FIELDS.get(str(row.get("Field")))
    if kind is None or (kind == "assignee" and not _is_id(row)):
        return None  # untracked here, or the names row of a lookup change
    new, old = text_id(row.get("NewValue")), text_id(row.get("OldValue"))
    if kind == "status":
        new = status_of(new, context) if new else None
        old = status_of(old, context) if old else None
    elif kind == "priority":
        new = PRIORITIES.get(str(new).lower(), new) if new else None
        old = PRIORITIES.get(str(old).lower(), old) if old else None
    elif kind == "assignee" and new and new.startswith(QUEUE_PREFIX):
        kind = "group"
    event = {
        "ticket_id": str(row["CaseId"]),
        "source": context.source,
        "kind": kind,
        "at": iso(row.get("CreatedDate")),
        "actor": _actor(row.get("CreatedById"), context),
        "actor_id": text_id(row.get("CreatedById")),
        "event_id": f"sf-history-{row['Id']}",
    }
    return event if kind == "created" else {**event, "value": new, "previous": old}


def map_case_history(parts: Parts, context: MappingContext) -> Mapped:
    """CaseHistory rows → field-change events (see the module's docstring)."""
    rows = Mapped()
    for row in records_of(parts):
        event = _history_event(row, context)
        if event is not None:
            rows.add("events", event)
    return rows


def map_case_comments(parts: Parts, context: MappingContext) -> Mapped:
    """CaseComments → messages; an unpublished comment is an internal note."""
    rows = Mapped()
    for comment in records_of(parts):
        if comment.get("IsDeleted"):
            continue
        rows.add(
            "events",
            {
                "ticket_id": str(comment["ParentId"]),
                "source": context.source,
                "kind": "message",
                "at": iso(comment.get("CreatedDate")),
                "public": bool(comment.get("IsPublished")),
                "actor": _actor(comment.get("CreatedById"), context),
                "actor_id": text_id(comment.get("CreatedById")),
                "event_id": f"sf-comment-{comment['Id']}",
                "body": comment.get("CommentBody"),
            },
        )
    return rows


def map_email_messages(parts: Parts, context: MappingContext) -> Mapped:
    """EmailMessages → public messages: incoming ones the customer's, others by their sender."""
    rows = Mapped()
    for email in records_of(parts):
        if str(email.get("Status")) == DRAFT or not email.get("ParentId"):
            continue
        incoming = bool(email.get("Incoming"))
        rows.add(
            "events",
            {
                "ticket_id": str(email["ParentId"]),
                "source": context.source,
                "kind": "message",
                "at": iso(email.get("MessageDate") or email.get("CreatedDate")),
                "public": True,
                "actor": "customer" if incoming else _actor(email.get("CreatedById"), context),
                "actor_id": None if incoming else text_id(email.get("CreatedById")),
                "event_id": f"sf-email-{email['Id']}",
                "body": email.get("TextBody"),
            },
        )
    return rows


def map_users(parts: Parts, context: MappingContext) -> Mapped:
    """Standard users → agents (automated, portal and guest users are not agents)."""
    rows = Mapped()
    for user in records_of(parts):
        if user.get("UserType") != "Standard":
            continue
        rows.add(
            "agents",
            {
                "agent_id": str(user["Id"]),
                "name": user.get("Name"),
                "email": user.get("Email"),
                "timezone": user.get("TimeZoneSidKey"),
            },
        )
    return rows


def map_accounts(parts: Parts, context: MappingContext) -> Mapped:
    """Accounts: id, name, ``Type`` as segment; plan and ARR only from fields named."""
    rows = Mapped()
    for account in records_of(parts):
        row = account_row(
            context, account.get("Id"), account.get("Name"), account, segment=account.get("Type")
        )
        rows.add("accounts", row)
    return rows
