"""Intercom records → event-log rows (pure; see :mod:`supportops.connectors.spec`).

- ``conversations`` (each read whole by ``GET /conversations/{id}``) → a ticket, its opening
  message, one event per part and its rating. ``state`` open is ``new`` until the first admin
  reply, snoozed is ``on_hold``, closed is ``solved``. Parts: ``comment`` is a public message,
  ``note`` a private one; ``close`` / ``open`` / ``snoozed`` / ``unsnoozed`` change the status;
  assignments change the assignee (an admin) or the group (a team). Intercom returns at most the
  500 newest parts: when ``statistics.count_conversation_parts`` says there are more, the ticket's
  ``custom`` says ``parts_truncated`` with both counts. A conversation that is a ticket
  (``ticket`` set) gives its events only: the ticket's row, with its ticket state, is the
  ``tickets`` stream's.
- Authors: ``user``, ``lead`` and ``contact`` are the customer; ``bot``, or an admin part
  ``from_ai_agent`` / ``is_ai_answer`` (Fin answers on behalf of an admin), is a bot; other
  admins and teams are agents; ``automation_users`` are the system. ``source.delivered_as``
  says who opened it (automated and campaign messages: the system).
- ``statistics`` → ``vendor_metrics`` (seconds; ``time_to_*`` except ``time_to_assignment``
  exclude office hours, so they are the ``business`` clock; ``*_at`` are unix instants and
  ``count_*`` counts, both without a clock).
- ``conversation_rating`` → a csat answer (1-5 as given).
- ``tickets`` → tickets with their ticket parts; states submitted → new, in_progress → open,
  waiting_on_customer → pending, resolved → solved.
- ``admins`` → agents (their first team's name as team); ``teams`` are reference records.
- ``companies`` → accounts: Intercom's ``id``, the name, ``plan.name`` as plan, ARR as
  12 × ``monthly_spend`` (Intercom keeps a monthly figure), the names of the company's
  ``segments`` (joined by ``;``) as segment; a ``custom_attributes`` key the source's
  ``accounts`` settings name wins over each.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from supportops.connectors.accounts import account_row, amount
from supportops.connectors.records import Record, epoch, records_of, text_id
from supportops.connectors.spec import Mapped, MappingContext, Parts

__all__ = [
    "CHANNELS",
    "PART_STATUSES",
    "TICKET_STATES",
    "map_admins",
    "map_companies",
    "map_conversations",
    "map_tickets",
]

CHANNELS = {
    "conversation": "chat",
    "email": "email",
    "phone_call": "phone",
    "phone_switch": "phone",
    "sms": "messaging",
    "whatsapp": "messaging",
    "facebook": "social",
    "instagram": "social",
    "twitter": "social",
    "push": "other",
}
STATES = {"open": "open", "snoozed": "on_hold", "closed": "solved"}
PART_STATUSES = {
    "close": "solved",
    "open": "open",
    "assign_and_reopen": "open",
    "unsnoozed": "open",
    "timer_unsnooze": "open",
    "snoozed": "on_hold",
}
ASSIGNMENTS = frozenset(
    {
        "assignment",
        "default_assignment",
        "assign_and_reopen",
        "away_mode_assignment",
        "assign_and_unsnooze",
    }
)
TICKET_STATES = {
    "submitted": "new",
    "in_progress": "open",
    "waiting_on_customer": "pending",
    "resolved": "solved",
}
PRIORITIES = {"priority": "high", "not_priority": None}
OPENED_BY = {
    "customer_initiated": "customer",
    "admin_initiated": "agent",
    "operator_initiated": "bot",
    "automated": "system",
    "campaigns_initiated": "system",
}
CUSTOMERS = frozenset({"user", "lead", "contact"})
BUSINESS_METRICS = frozenset(
    {"time_to_admin_reply", "time_to_first_close", "time_to_last_close", "median_time_to_reply"}
)
PART_LIMIT = 500


def _who(author: dict[str, Any] | None, context: MappingContext) -> str:
    author = author or {}
    kind = str(author.get("type") or "")
    if kind in CUSTOMERS:
        return "customer"
    if text_id(author.get("id")) in context.automation_users:
        return "system"
    if kind == "bot" or author.get("from_ai_agent") or author.get("is_ai_answer"):
        return "bot"
    return "agent"


def _nobody(value: object) -> str | None:
    """An Intercom assignee id; ``"0"`` is Intercom's "unassigned"."""
    text = text_id(value)
    return None if text == "0" else text


def _team_name(context: MappingContext, team_id: str | None) -> str | None:
    team = context.lookup("teams", team_id)
    return str(team["name"]) if team and team.get("name") else team_id


def _event(
    ticket_id: str,
    at: object,
    author: dict[str, Any] | None,
    context: MappingContext,
    **fields: Any,
) -> Record:
    author = author or {}
    return {
        "ticket_id": ticket_id,
        "source": context.source,
        "at": epoch(at),
        "actor": _who(author, context),
        "actor_id": text_id(author.get("id")),
        **fields,
    }


def _part_events(ticket_id: str, part: dict[str, Any], context: MappingContext) -> list[Record]:
    kind, pid = str(part.get("part_type")), str(part["id"])
    event = partial(_event, ticket_id, part.get("created_at"), part.get("author"), context)
    out: list[Record] = []
    if kind in ("comment", "note") and part.get("body") is not None:
        public = kind == "comment"
        out.append(
            event(kind="message", public=public, event_id=f"ic-part-{pid}", body=part["body"])
        )
    if kind in PART_STATUSES:
        out.append(
            event(kind="status", value=PART_STATUSES[kind], event_id=f"ic-part-{pid}-status")
        )
    assigned = part.get("assigned_to") or {}
    if kind in ASSIGNMENTS and assigned:
        field = "group" if assigned.get("type") == "team" else "assignee"
        value = text_id(assigned.get("id"))
        value = _team_name(context, value) if field == "group" else value
        out.append(event(kind=field, value=value, event_id=f"ic-part-{pid}-{field}"))
    return out


def _metrics(ticket_id: str, stats: dict[str, Any], context: MappingContext) -> list[Record]:
    out: list[Record] = []
    for name, value in stats.items():
        if name == "type" or value is None or isinstance(value, bool):
            continue
        if name.endswith("_at"):
            unit, clock = "unix_seconds", None  # an instant: no clock
        elif name.startswith("count_"):
            unit, clock = "count", None
        elif name.endswith("_id"):
            continue
        else:
            unit = "seconds"
            clock = "business" if name in BUSINESS_METRICS else "calendar"
        out.append(
            {
                "source": context.source,
                "ticket_id": ticket_id,
                "metric": name,
                "clock": clock,
                "value": float(value),
                "unit": unit,
            }
        )
    return out


def _rating(
    ticket_id: str, rating: dict[str, Any] | None, context: MappingContext
) -> Record | None:
    if not rating or rating.get("rating") is None:
        return None
    return {
        "ticket_id": ticket_id,
        "source": context.source,
        "at": epoch(rating.get("created_at")),
        "survey": "csat",
        "score": int(rating["rating"]),
        "comment": rating.get("remark") or None,
    }


def _status(conversation: dict[str, Any], parts: list[dict[str, Any]]) -> str:
    status = STATES.get(str(conversation.get("state")), "open")
    stats = conversation.get("statistics") or {}
    replied = stats.get("first_admin_reply_at") is not None or any(
        p.get("part_type") == "comment" and (p.get("author") or {}).get("type") == "admin"
        for p in parts
    )
    return "new" if status == "open" and not replied else status


def _truncation(parts: list[dict[str, Any]], stats: dict[str, Any]) -> dict[str, Any]:
    expected = stats.get("count_conversation_parts")
    if expected is None or int(expected) <= len(parts) or len(parts) < PART_LIMIT:
        return {}
    return {"parts_truncated": True, "parts_returned": len(parts), "parts_total": int(expected)}


def _conversation_ticket(conversation: dict[str, Any], context: MappingContext) -> Record:
    opening = conversation.get("source") or {}
    parts = (conversation.get("conversation_parts") or {}).get("conversation_parts") or []
    stats = conversation.get("statistics") or {}
    custom = {"state": conversation.get("state"), **_truncation(parts, stats)}
    if conversation.get("custom_attributes"):
        custom["attributes"] = conversation["custom_attributes"]
    contacts = (conversation.get("contacts") or {}).get("contacts") or []
    assignee = _nobody(conversation.get("admin_assignee_id")) or text_id(
        (conversation.get("assignee") or {}).get("id")
    )
    status = _status(conversation, parts)
    opened_by = OPENED_BY.get(str(opening.get("delivered_as")))
    tags = (conversation.get("tags") or {}).get("tags") or []
    return {
        "ticket_id": str(conversation["id"]),
        "source": context.source,
        "created_at": epoch(conversation.get("created_at")),
        "channel": CHANNELS.get(str(opening.get("type")), "other"),
        "raw_channel": opening.get("type"),
        "status": status,
        "priority": PRIORITIES.get(str(conversation.get("priority"))),
        "group": _team_name(context, _nobody(conversation.get("team_assignee_id"))),
        "assignee_id": assignee,
        "requester_id": text_id(contacts[0].get("id")) if contacts else None,
        "created_by": opened_by or _who(opening.get("author"), context),
        "tags": [str(t.get("name")) for t in tags],
        "subject": opening.get("subject") or conversation.get("title") or None,
        "solved_at": epoch(stats.get("last_close_at")) if status == "solved" else None,
        "custom": custom,
    }


def _conversation(conversation: dict[str, Any], context: MappingContext) -> Mapped:
    rows, tid = Mapped(), str(conversation["id"])
    if not conversation.get("ticket"):  # a ticket's row is the tickets stream's (its state)
        rows.add("tickets", _conversation_ticket(conversation, context))
    opening = conversation.get("source") or {}
    created, author = conversation.get("created_at"), opening.get("author")
    rows.add(
        "events",
        _event(tid, created, author, context, kind="created", event_id=f"ic-{tid}-created"),
    )
    if opening.get("body") is not None:
        source_id = f"ic-source-{opening.get('id', tid)}"
        rows.add(
            "events",
            _event(
                tid,
                created,
                author,
                context,
                kind="message",
                public=True,
                event_id=source_id,
                body=opening["body"],
            ),
        )
    parts = (conversation.get("conversation_parts") or {}).get("conversation_parts") or []
    for part in parts:
        for event in _part_events(tid, part, context):
            rows.add("events", event)
    for metric in _metrics(tid, conversation.get("statistics") or {}, context):
        rows.add("vendor_metrics", metric)
    rating = _rating(tid, conversation.get("conversation_rating"), context)
    if rating is not None:
        rows.add("surveys", rating)
    return rows


def map_conversations(parts: Parts, context: MappingContext) -> Mapped:
    """Whole conversations (``GET /conversations/{id}``) → tickets, events, surveys, metrics."""
    rows = Mapped()
    for conversation in records_of(parts):
        rows.extend(_conversation(conversation, context))
    return rows


def _ticket_state(state: object, context: MappingContext) -> str:
    return context.status_map.get(str(state)) or TICKET_STATES.get(str(state), "open")


def _ticket(ticket: dict[str, Any], context: MappingContext) -> Mapped:
    rows, tid = Mapped(), str(ticket["id"])
    state = str(ticket.get("ticket_state"))
    contacts = (ticket.get("contacts") or {}).get("contacts") or []
    parts = (ticket.get("ticket_parts") or {}).get("ticket_parts") or []
    resolved = [p.get("created_at") for p in parts if p.get("ticket_state") == "resolved"]
    custom = {
        "ticket_number": ticket.get("ticket_id"),
        "ticket_state": state,
        "label": ticket.get("ticket_state_internal_label"),
        "category": ticket.get("category"),
    }
    rows.add(
        "tickets",
        {
            "ticket_id": tid,
            "source": context.source,
            "created_at": epoch(ticket.get("created_at")),
            "channel": "other",
            "status": _ticket_state(state, context),
            "type": (ticket.get("ticket_type") or {}).get("name") or ticket.get("category"),
            "group": _team_name(context, _nobody(ticket.get("team_assignee_id"))),
            "assignee_id": _nobody(ticket.get("admin_assignee_id")),
            "requester_id": text_id(contacts[0].get("id")) if contacts else None,
            "subject": (ticket.get("ticket_attributes") or {}).get("_default_title_"),
            "solved_at": epoch(resolved[-1]) if state == "resolved" and resolved else None,
            "custom": custom,
        },
    )
    for part in parts:
        new, old = part.get("ticket_state"), part.get("previous_ticket_state")
        if new is None or new == old:
            continue
        previous = _ticket_state(old, context) if old else None
        event_id = f"ic-ticket-part-{part['id']}"
        rows.add(
            "events",
            _event(
                tid,
                part.get("created_at"),
                part.get("author"),
                context,
                kind="status",
                value=_ticket_state(new, context),
                previous=previous,
                event_id=event_id,
            ),
        )
    return rows


def map_tickets(parts: Parts, context: MappingContext) -> Mapped:
    """Intercom tickets (with their ticket parts) → tickets and status events."""
    rows = Mapped()
    for ticket in records_of(parts):
        rows.extend(_ticket(ticket, context))
    return rows


def map_admins(parts: Parts, context: MappingContext) -> Mapped:
    """Admins → agents; the team is the name of the admin's first team."""
    rows = Mapped()
    for admin in records_of(parts):
        teams = [str(t) for t in admin.get("team_ids") or []]
        rows.add(
            "agents",
            {
                "agent_id": str(admin["id"]),
                "name": admin.get("name"),
                "email": admin.get("email"),
                "team": _team_name(context, teams[0]) if teams else None,
            },
        )
    return rows


def map_companies(parts: Parts, context: MappingContext) -> Mapped:
    """Companies → accounts (plan name, 12 × monthly spend as ARR, segment names)."""
    rows = Mapped()
    for company in records_of(parts):
        segments = (company.get("segments") or {}).get("segments") or []
        row = account_row(
            context,
            company.get("id"),
            company.get("name"),
            company.get("custom_attributes"),
            plan=(company.get("plan") or {}).get("name"),
            segment=[s["name"] for s in segments if s.get("name")],
            arr=amount(company.get("monthly_spend"), 12),
        )
        rows.add("accounts", row)
    return rows
