"""Help Scout (Mailbox API 2.0) records → event-log rows (pure; see
:mod:`supportops.connectors.spec`).

- ``conversations`` (listed with ``embed=threads``) → a ticket and one event per thread. Status
  active → open, pending → pending, closed → solved; spam → closed with ``custom.tombstone``
  spam; a conversation in state ``deleted`` is a tombstone (closed, ``custom.tombstone`` deleted).
- Threads: ``customer`` is a public customer message, ``reply`` (``message``) a public agent
  one, ``chat`` and ``phone`` by their author, ``note`` a private message. A thread's ``status``
  (``nochange`` when it changed nothing) and ``assignedTo`` are status and assignee changes.
  ``lineitem`` threads are actions: ``actionType`` workflow → done by automation (actor
  ``system``); ``merged`` → the absorbed conversation (``actionSourceId``) gets a ``merged``
  event into this one (its old id answers 301).
- Authors: ``createdBy.type`` customer → customer, user → agent (``automation_users`` → system),
  anything else (AI Answers, Beacon) → bot.
- ``users`` → agents; ``ratings`` (the happiness ratings report) → csat answers: great → 5,
  okay → 3, not good → 1.
"""

from __future__ import annotations

from typing import Any

from supportops.connectors.records import Record, iso, records_of, text_id
from supportops.connectors.spec import Mapped, MappingContext, Parts

__all__ = ["RATINGS", "STATUSES", "map_conversations", "map_ratings", "map_users"]

STATUSES = {
    "active": "open",
    "open": "open",
    "pending": "pending",
    "closed": "solved",
    "spam": "closed",
}
CHANNELS = {
    "email": "email",
    "chat": "chat",
    "phone": "phone",
    "beacon": "web",
    "web": "web",
    "api": "api",
}
REPORT_RATINGS = {1: 5, 2: 3, 3: 1}
RATINGS = {"great": 5, "okay": 3, "ok": 3, "not_good": 1, "not-good": 1, "bad": 1}
MESSAGES = frozenset({"customer", "reply", "message", "chat", "phone", "note"})
ACTIONS = {
    "workflow": "workflow",
    "manual-workflow": "workflow",
    "automatic-workflow": "workflow",
    "merged": "merged",
}


def _who(person: dict[str, Any] | None, context: MappingContext) -> str:
    person = person or {}
    kind = str(person.get("type") or "")
    if kind == "customer":
        return "customer"
    if kind == "user":
        return "system" if text_id(person.get("id")) in context.automation_users else "agent"
    return "bot"


def _action(thread: dict[str, Any]) -> str | None:
    raw = thread.get("actionType") or (thread.get("action") or {}).get("type")
    return ACTIONS.get(str(raw)) if raw else None


def _merged_from(thread: dict[str, Any]) -> str | None:
    source = thread.get("actionSourceId")
    if source is None:
        entities = (thread.get("action") or {}).get("associatedEntities") or {}
        source = entities.get("originalConversation") or entities.get("conversation")
    return text_id(source)


def _ticket(conversation: dict[str, Any], context: MappingContext) -> Record:
    raw_status = str(conversation.get("status"))
    status = context.status_map.get(raw_status) or STATUSES.get(raw_status, "open")
    custom: dict[str, Any] = {
        "number": conversation.get("number"),
        "mailbox_id": conversation.get("mailboxId"),
    }
    if raw_status == "spam":
        custom["tombstone"] = "spam"
    if conversation.get("state") == "deleted":
        status, custom["tombstone"] = "closed", "deleted"
    if conversation.get("customFields"):
        custom["fields"] = {
            str(f.get("name")): f.get("text", f.get("value")) for f in conversation["customFields"]
        }
    created_by = conversation.get("createdBy") or {}
    source = conversation.get("source") or {}
    return {
        "ticket_id": str(conversation["id"]),
        "source": context.source,
        "created_at": iso(conversation.get("createdAt")),
        "channel": CHANNELS.get(str(conversation.get("type")), "other"),
        "raw_channel": conversation.get("type"),
        "status": status,
        "assignee_id": text_id((conversation.get("assignee") or {}).get("id")),
        "group": text_id(conversation.get("mailboxId")),
        "requester_id": text_id((conversation.get("primaryCustomer") or {}).get("id")),
        "created_by": "agent" if source.get("via") == "user" else _who(created_by, context),
        "tags": [str(t.get("tag")) for t in conversation.get("tags") or []],
        "subject": conversation.get("subject"),
        "solved_at": iso(conversation.get("closedAt")) if status == "solved" else None,
        "custom": custom,
    }


def _thread_events(
    ticket_id: str, thread: dict[str, Any], state: dict[str, str | None], context: MappingContext
) -> list[Record]:
    """Events of one thread; ``state`` carries the status and assignee the threads set so far."""
    kind, tid = str(thread.get("type")), str(thread["id"])
    action = _action(thread) if kind == "lineitem" else None
    actor = "system" if action == "workflow" else _who(thread.get("createdBy"), context)
    base = {
        "ticket_id": ticket_id,
        "source": context.source,
        "at": iso(thread.get("createdAt")),
        "actor": actor,
        "actor_id": text_id((thread.get("createdBy") or {}).get("id")),
    }
    out: list[Record] = []
    if kind in MESSAGES:
        out.append(
            {
                **base,
                "kind": "message",
                "public": kind != "note",
                "event_id": f"hs-thread-{tid}",
                "body": thread.get("body"),
            }
        )
    status = STATUSES.get(str(thread.get("status")))
    if status and status != state.get("status"):
        out.append(
            {
                **base,
                "kind": "status",
                "value": status,
                "previous": state.get("status"),
                "event_id": f"hs-thread-{tid}-status",
            }
        )
        state["status"] = status
    assignee = text_id((thread.get("assignedTo") or {}).get("id"))
    if assignee and assignee != state.get("assignee"):
        out.append(
            {
                **base,
                "kind": "assignee",
                "value": assignee,
                "previous": state.get("assignee"),
                "event_id": f"hs-thread-{tid}-assignee",
            }
        )
        state["assignee"] = assignee
    absorbed = _merged_from(thread) if action == "merged" else None
    if absorbed:
        out.append(
            {
                **base,
                "ticket_id": absorbed,
                "kind": "merged",
                "value": ticket_id,
                "event_id": f"hs-thread-{tid}-merged",
            }
        )
    return out


def map_conversations(parts: Parts, context: MappingContext) -> Mapped:
    """Conversations with their embedded threads → tickets and events."""
    rows = Mapped()
    for conversation in records_of(parts):
        ticket = _ticket(conversation, context)
        rows.add("tickets", ticket)
        tid = ticket["ticket_id"]
        rows.add(
            "events",
            {
                "ticket_id": tid,
                "source": context.source,
                "kind": "created",
                "at": ticket["created_at"],
                "event_id": f"hs-{tid}-created",
                "actor": ticket["created_by"],
            },
        )
        threads = (conversation.get("_embedded") or {}).get("threads") or []
        state: dict[str, str | None] = {"status": "open", "assignee": None}
        for thread in sorted(threads, key=lambda t: (str(t.get("createdAt")), int(t["id"]))):
            for event in _thread_events(tid, thread, state, context):
                rows.add("events", event)
    return rows


def map_users(parts: Parts, context: MappingContext) -> Mapped:
    """Users → agents."""
    rows = Mapped()
    for user in records_of(parts):
        name = " ".join(p for p in (user.get("firstName"), user.get("lastName")) if p) or None
        rows.add(
            "agents",
            {
                "agent_id": str(user["id"]),
                "name": name,
                "email": user.get("email"),
                "timezone": user.get("timezone"),
            },
        )
    return rows


def _score(rating: dict[str, Any]) -> int | None:
    if (
        rating.get("ratingId") is not None
    ):  # the happiness ratings report: 1 great, 2 okay, 3 not good
        return REPORT_RATINGS.get(int(rating["ratingId"]))
    return RATINGS.get(str(rating.get("rating")).lower().replace(" ", "_"))


def map_ratings(parts: Parts, context: MappingContext) -> Mapped:
    """Satisfaction ratings (``/v2/ratings/{id}`` objects, or rows of the happiness ratings
    report) → csat answers; an ``unknown`` rating is no answer."""
    rows = Mapped()
    for rating in records_of(parts):
        score = _score(rating)
        if score is None:
            continue
        conversation = rating.get("conversationId", rating.get("id"))
        rows.add(
            "surveys",
            {
                "ticket_id": str(conversation),
                "source": context.source,
                "at": iso(rating.get("createdAt") or rating.get("ratingCreatedAt")),
                "survey": "csat",
                "score": score,
                "comment": rating.get("comments") or rating.get("ratingComments") or None,
            },
        )
    return rows
