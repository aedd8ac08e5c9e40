"""Freshdesk, declared: streams, auth, rate-limit signal and the pure mapping.

Streams, in order: ``agents``, ``groups``, ``ticket_fields`` (lookups: agent ids, group names,
the labels of custom statuses), ``tickets`` (``updated_since`` ascending with ``include=stats``,
numbered pages; the 300-page cap restarts from the last ``updated_at`` and the keys dedupe),
``conversations`` (per changed ticket), ``time_entries``, ``satisfaction_ratings`` and
``companies`` (every run; a company stored unchanged writes nothing), then the solutions
(knowledge base) tree, read whole every run: ``solution_categories``, each category's
``solution_folders`` and each folder's ``solution_articles``; an article no longer in the tree
becomes a tombstone.

Each ticket opens with a ``created`` event at its ``created_at``. Status history is rebuilt
**by diffing snapshots**: each ticket snapshot gives its status at
``stats.status_updated_at`` and the instants ``stats`` keeps (pending since, resolved, closed,
reopened); a status held only between two syncs is lost. A source with ``enable: [activities]``
(an admin's key, and the scheduled ticket-activities export turned on in Freshdesk) also reads
``ticket_activities``: each day's export up to yesterday, the day's file fetched from the signed
URL the answer links, every status and priority change at its instant (``dd-mm-YYYY HH:MM:SS
+zzzz``); a change the snapshots also report has the same event id, so it is stored once.

Mapping: status 2 open, 3 pending, 4 solved, 5 closed, 6 and above through the source's
``status_map`` by label (else open, the label kept in ``custom.custom_status``); priority 1–4 →
low, normal, high, urgent; source codes → channels (10 outbound e-mail is agent-created);
``spam`` and ``deleted`` tickets are tombstones (closed, ``custom.tombstone``); a conversation
is a message: ``incoming`` or a non-agent author → customer, an agent → agent, an
``automation_users`` id → system, ``private`` → an internal note; time entries → ``work``;
survey answers 103 → 5, 100 → 3, −103 → 1 (the 7-point scale in between); ``fr_due_by``,
``due_by``, ``is_escalated`` and the first-response and resolution minutes → vendor_metrics;
a company is an account (its id is tickets' ``company_id``): ``account_tier`` → plan,
``renewal_date`` → renewal_at, segment and ARR from the ``custom_fields`` the source's
``accounts`` settings name (one named for plan wins over the tier); a solution article is an
``articles`` row: status 1 → draft, 2 → published, gone from the tree → deleted, its HTML
``description`` as plain text.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from supportops.connectors import spec
from supportops.connectors.accounts import account_row
from supportops.connectors.articles import article_row
from supportops.connectors.pagination import DailyExport, PageNumber
from supportops.connectors.records import created_event, unwrap
from supportops.connectors.spec import Mapped, MappingContext, PageRequest, Parts, Stream, Vendor
from supportops.connectors.zones import zone_of
from supportops.errors import ConfigError
from supportops.http import RateLimit

__all__ = [
    "CHANNELS",
    "PRIORITIES",
    "SCORES",
    "STATUSES",
    "VENDOR",
    "WRITE_BACKS",
    "calendar_of",
    "map_activities",
    "map_agents",
    "map_companies",
    "map_conversations",
    "map_ratings",
    "map_solution_articles",
    "map_tickets",
    "map_time_entries",
    "propose",
]

STATUSES = {2: "open", 3: "pending", 4: "solved", 5: "closed"}
DRAFT = 1  # a solution article's status: 1 draft, 2 published
PORTAL_ARTICLE = "/support/solutions/articles/{id}"  # an article's page on the support portal
PRIORITIES = {1: "low", 2: "normal", 3: "high", 4: "urgent"}
CHANNELS = {
    1: "email",
    2: "web",
    3: "phone",
    4: "web",
    5: "social",
    6: "social",
    7: "chat",
    8: "api",
    9: "web",
    10: "email",
    11: "other",
    12: "chat",
    13: "messaging",
}
OUTBOUND, BOT_SOURCE = 10, 12
SCORES = {103: 5, 102: 4, 101: 4, 100: 3, -101: 2, -102: 2, -103: 1}
HISTORY = (  # stats instant → the status it marks
    ("pending_since", "pending"),
    ("resolved_at", "solved"),
    ("closed_at", "closed"),
    ("reopened_at", "open"),
)


def _id(value: Any) -> str | None:
    return None if value is None else str(value)


def _at(text: Any) -> datetime | None:
    return datetime.fromisoformat(str(text).replace("Z", "+00:00")) if text else None


def _labels(context: MappingContext) -> dict[int, str]:
    """Status codes → agent labels, from the ``status`` ticket field's choices."""
    for field in context.lookups.get("ticket_fields", {}).values():
        if field.get("name") == "status" and isinstance(field.get("choices"), dict):
            out = {}
            for code, names in field["choices"].items():
                label = names[0] if isinstance(names, list) and names else names
                out[int(code)] = str(label)
            return out
    return {}


def status_of(context: MappingContext, code: Any) -> tuple[str, str | None]:
    """The canonical status and, for a custom status (6 and above), its label."""
    number = int(code) if code is not None else 2
    label = _labels(context).get(number)
    if label and label in context.status_map:
        return context.status_map[label], label if number not in STATUSES else None
    if number in STATUSES:
        return STATUSES[number], None
    return "open", label or str(number)


def _history(context: MappingContext, data: dict[str, Any], status: str) -> list[dict[str, Any]]:
    tid, stats = str(data["id"]), data.get("stats") or {}
    base = {"ticket_id": tid, "source": context.source, "kind": "status", "actor": None}
    rows = [{**base, "at": data["created_at"], "value": "open", "event_id": f"fs-{tid}-created"}]
    for key, value in HISTORY:
        if stats.get(key):
            rows.append(
                {
                    **base,
                    "at": stats[key],
                    "value": value,
                    "event_id": f"fs-{tid}-{value}-{stats[key]}",
                }
            )
    current = stats.get("status_updated_at")
    repeated = status == "open" and not stats.get("reopened_at")  # still as it was created
    if current and _at(current) != _at(data["created_at"]) and not repeated:
        rows.append(
            {**base, "at": current, "value": status, "event_id": f"fs-{tid}-{status}-{current}"}
        )
    unique = {r["event_id"]: r for r in rows}
    return [{k: v for k, v in r.items() if v is not None} for r in unique.values()]


def _metrics(context: MappingContext, data: dict[str, Any]) -> list[dict[str, Any]]:
    created, stats = _at(data["created_at"]), data.get("stats") or {}
    base = {
        "source": context.source,
        "ticket_id": str(data["id"]),
        "reported_at": data.get("updated_at"),
    }
    rows = []
    for key in ("fr_due_by", "due_by"):
        if (due := _at(data.get(key))) is not None:
            rows.append({**base, "metric": key, "value": due.timestamp(), "unit": "unix_seconds"})
    if data.get("is_escalated") is not None:
        rows.append(
            {
                **base,
                "metric": "is_escalated",
                "value": float(bool(data["is_escalated"])),
                "unit": "flag",
            }
        )
    for key, metric in (
        ("first_responded_at", "first_response_minutes"),
        ("resolved_at", "resolution_minutes"),
    ):
        if created is not None and (when := _at(stats.get(key))) is not None:
            rows.append(
                {
                    **base,
                    "metric": metric,
                    "clock": "calendar",
                    "unit": "minutes",
                    "value": (when - created).total_seconds() / 60,
                }
            )
    return rows


def _ticket(context: MappingContext, data: dict[str, Any]) -> dict[str, Any]:
    status, label = status_of(context, data.get("status"))
    custom: dict[str, Any] = {"custom_status": label} if label else {}
    for flag in ("spam", "deleted"):
        if data.get(flag):
            status, custom["tombstone"] = "closed", flag
    if data.get("custom_fields"):
        custom["fields"] = data["custom_fields"]
    for key in ("company_id", "product_id", "email_config_id"):
        if data.get(key) is not None:
            custom[key] = data[key]
    code = data.get("source")
    group = context.lookup("groups", data.get("group_id")) or {}
    by = "agent" if code == OUTBOUND else "bot" if code == BOT_SOURCE else "customer"
    return {
        "ticket_id": str(data["id"]),
        "source": context.source,
        "created_at": data["created_at"],
        "channel": CHANNELS.get(int(code), "other") if code is not None else "other",
        "raw_channel": _id(code),
        "status": status,
        "priority": PRIORITIES.get(int(data["priority"])) if data.get("priority") else None,
        "type": data.get("type") or data.get("ticket_type"),
        "group": group.get("name") or _id(data.get("group_id")),
        "assignee_id": _id(data.get("responder_id")),
        "requester_id": _id(data.get("requester_id")),
        "organization_id": _id(data.get("company_id")),
        "created_by": by,
        "tags": [str(t) for t in data.get("tags") or []],
        "subject": data.get("subject"),
        "solved_at": (data.get("stats") or {}).get("resolved_at"),
        "custom": custom,
    }


def map_tickets(parts: Parts, context: MappingContext) -> Mapped:
    """Tickets, their status history by snapshot, and their stats and due dates."""
    out = Mapped()
    for data in parts.get("", []):
        ticket = _ticket(context, data)
        out.add("tickets", ticket)
        opened = created_event(ticket, f"fs-{ticket['ticket_id']}-opened")
        out.add("events", opened, *_history(context, data, ticket["status"]))
        out.add("vendor_metrics", *_metrics(context, data))
    return out


def _author(context: MappingContext, data: dict[str, Any]) -> str:
    user = _id(data.get("user_id"))
    if user in context.automation_users:
        return "system"
    if data.get("incoming"):
        return "customer"
    return "agent" if context.lookup("agents", user) else "customer"


def map_conversations(parts: Parts, context: MappingContext) -> Mapped:
    """Replies and notes as messages (a private note is not public)."""
    out = Mapped()
    for data in parts.get("", []):
        out.add(
            "events",
            {
                "ticket_id": str(data.get("ticket_id") or data["_parent"]),
                "source": context.source,
                "at": data["created_at"],
                "kind": "message",
                "public": not data.get("private", False),
                "actor": _author(context, data),
                "actor_id": _id(data.get("user_id")),
                "body": data.get("body_text"),
                "event_id": f"fc-{data['id']}",
            },
        )
    return out


ACTIVITY_TIME = "%d-%m-%Y %H:%M:%S %z"  # the activities export's: 16-11-2022 16:03:25 +0000
LABELS = {"Open": 2, "Pending": 3, "Resolved": 4, "Closed": 5}  # the default agent labels


def _activity_at(text: Any) -> str | None:
    """An activity's instant as the snapshots write theirs (ISO 8601, UTC, ``Z``); the text as
    it came when it is not the export's form (the import sets the row aside, naming it)."""
    try:
        moment = datetime.strptime(str(text), ACTIVITY_TIME)
    except ValueError:
        return None if text is None else str(text)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _codes(context: MappingContext) -> dict[str, int]:
    """Agent labels → status codes: the status field's, else the default labels."""
    return {**LABELS, **{name: code for code, name in _labels(context).items()}}


def _performer(context: MappingContext, data: dict[str, Any]) -> str:
    who = _id(data.get("performer_id"))
    if who in context.automation_users or data.get("performer_type") == "system":
        return "system"
    return "agent" if context.lookup("agents", who) else "customer"


def map_activities(parts: Parts, context: MappingContext) -> Mapped:
    """The activities export: each status change as a status event, each priority change as a
    priority event, at its instant. Ids are the snapshots' for the same change (the creation,
    a status at an instant), so a change both report is stored once."""
    out, codes = Mapped(), _codes(context)
    for data in parts.get("activities_data", []):
        tid, at = _id(data.get("ticket_id")), _activity_at(data.get("performed_at"))
        change = data.get("activity") or {}
        base = {"ticket_id": tid, "source": context.source, "at": at}
        base |= {"actor": _performer(context, data), "actor_id": _id(data.get("performer_id"))}
        if "status" in change:
            label = str(change["status"])
            code = codes.get(label)
            status = status_of(context, code)[0] if code else context.status_map.get(label, "open")
            created = change.get("new_ticket") is True
            event_id = f"fs-{tid}-created" if created else f"fs-{tid}-{status}-{at}"
            out.add("events", {**base, "kind": "status", "value": status, "event_id": event_id})
        if isinstance(change.get("priority"), int) and change["priority"] in PRIORITIES:
            value = PRIORITIES[change["priority"]]
            event_id = f"fs-{tid}-priority-{value}-{at}"
            out.add("events", {**base, "kind": "priority", "value": value, "event_id": event_id})
    return out


def map_time_entries(parts: Parts, context: MappingContext) -> Mapped:
    """Time entries as stretches of work on their ticket."""
    out = Mapped()
    for data in parts.get("", []):
        if data.get("agent_id") is None or data.get("time_spent_in_seconds") is None:
            continue
        out.add(
            "work",
            {
                "agent_id": str(data["agent_id"]),
                "source": context.source,
                "ticket_id": _id(data.get("ticket_id")),
                "started_at": data.get("start_time") or data["executed_at"],
                "seconds": float(data["time_spent_in_seconds"]),
                "kind": "handle",
            },
        )
    return out


def map_ratings(parts: Parts, context: MappingContext) -> Mapped:
    """The default question's answer as a csat score."""
    out = Mapped()
    for data in parts.get("", []):
        answer = (data.get("ratings") or {}).get("default_question")
        score = SCORES.get(int(answer)) if answer is not None else None
        if score is not None and data.get("ticket_id") is not None:
            out.add(
                "surveys",
                {
                    "ticket_id": str(data["ticket_id"]),
                    "source": context.source,
                    "at": data["created_at"],
                    "survey": "csat",
                    "score": score,
                    "comment": data.get("feedback") or None,
                },
            )
    return out


def map_agents(parts: Parts, context: MappingContext) -> Mapped:
    """Agents with their name, e-mail and time zone (as Freshdesk names it)."""
    out = Mapped()
    for data in parts.get("", []):
        contact = data.get("contact") or {}
        out.add(
            "agents",
            {
                "agent_id": str(data["id"]),
                "name": contact.get("name"),
                "email": contact.get("email"),
            },
        )
    return out


DAYS = {
    "monday": "mon",
    "tuesday": "tue",
    "wednesday": "wed",
    "thursday": "thu",
    "friday": "fri",
    "saturday": "sat",
    "sunday": "sun",
}
SLA_TARGETS = {  # Freshdesk's target (seconds) → the SLA target it is
    "respond_within": "first_reply",
    "next_respond_within": "next_reply",
    "resolve_within": "resolution",
}
SLA_FIELDS = {  # applicable_to key → the ticket field a policy's condition names
    "group_ids": "group",
    "ticket_types": "type",
    "company_ids": "organization_id",
    "sources": "channel",
}
_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*([ap]m)\s*$", re.IGNORECASE)


def _hhmm(text: str, end: bool = False) -> str:
    """``8:00 am`` as ``08:00``; an end of ``11:59 pm`` is the end of the day, ``24:00``."""
    found = _CLOCK.match(str(text))
    if found is None:
        raise ConfigError(f"freshdesk business hours: not a time of day {text!r}", key="hours")
    hour, minute, half = int(found.group(1)) % 12, int(found.group(2)), found.group(3).lower()
    hour += 12 if half == "pm" else 0
    if end and (hour, minute) == (23, 59):
        return "24:00"
    return f"{hour:02d}:{minute:02d}"


def calendar_of(hours: dict[str, Any]) -> dict[str, Any]:
    """Business hours (``working_hours`` by weekday, 12-hour clock times, a Rails zone name)
    as a calendar."""
    days: dict[str, list[str]] = {}
    for day, span in (hours.get("working_hours") or {}).items():
        if str(day).lower() in DAYS and span:
            start, end = _hhmm(span["start_time"]), _hhmm(span["end_time"], end=True)
            days[DAYS[str(day).lower()]] = [f"{start}-{end}"]
    return {"timezone": zone_of(str(hours.get("time_zone") or "UTC")), "hours": days}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "hours"


def _policies(policy: dict[str, Any], calendar: str | None) -> list[dict[str, Any]]:
    """One SLA policy per priority (Freshdesk's ``priority_1`` … ``priority_4``)."""
    when: dict[str, list[str]] = {}
    for key, values in (policy.get("applicable_to") or {}).items():
        field = SLA_FIELDS.get(str(key))
        if field == "channel":
            values = [CHANNELS.get(int(v), "other") for v in values]
        if field and values:
            when[field] = [str(v) for v in values]
    out = []
    for key, target in sorted((policy.get("sla_target") or {}).items()):
        priority = PRIORITIES.get(int(str(key).removeprefix("priority_")))
        targets = {
            name: f"{int(target[field])}s"
            for field, name in SLA_TARGETS.items()
            if target.get(field) is not None
        }
        if priority is None or not targets:
            continue
        item: dict[str, Any] = {
            "name": f"{policy['name']} ({priority})",
            "when": {**when, "priority": [priority]},
            "targets": targets,
        }
        if target.get("business_hours") and calendar:
            item["calendar"] = calendar
        out.append(item)
    return out


def propose(records: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Business hours as calendars (the default one first) and the active SLA policies, one
    per priority, the default policy last (it applies to every ticket the others leave), for
    the user to review; the custom statuses' labels as a status_map to ``open``, the mapping's
    own default, written out for the user to change (Freshdesk tells no category)."""
    hours = sorted(records.get("business_hours", []), key=lambda h: not h.get("is_default"))
    calendars = {f"freshdesk-{_slug(str(h['name']))}": calendar_of(h) for h in hours}
    first = next(iter(calendars), None)
    active = [p for p in records.get("sla_policies", []) if p.get("active", True)]
    ordered = sorted(active, key=lambda p: (bool(p.get("is_default")), p.get("position", 0)))
    policies = [item for p in ordered for item in _policies(p, first)]
    context = MappingContext("freshdesk")
    fields = records.get("ticket_fields", [])
    context.lookups["ticket_fields"] = {str(i): f for i, f in enumerate(fields)}
    labels = {label: "open" for code, label in _labels(context).items() if code not in STATUSES}
    return {"calendars": calendars, "sla_policies": policies, "status_map": labels}


def map_companies(parts: Parts, context: MappingContext) -> Mapped:
    """Companies as accounts: the tier as plan, the renewal date, named custom fields."""
    out = Mapped()
    for data in parts.get("", []):
        row = account_row(
            context,
            data.get("id"),
            data.get("name"),
            data.get("custom_fields"),
            plan=data.get("account_tier"),
            renewal_at=data.get("renewal_date"),
        )
        out.add("accounts", row)
    return out


def map_solution_articles(parts: Parts, context: MappingContext) -> Mapped:
    """Solution articles (a draft is no coverage; a tombstone is a deleted article), linked to
    their page on the account's default portal (the records carry no link)."""
    out = Mapped()
    portal = context.url.rstrip("/")
    for record in parts.get("", []):
        data, gone = unwrap(record)
        row = article_row(
            context,
            data["id"],
            data.get("title"),
            data.get("description"),
            url=f"{portal}{PORTAL_ARTICLE.format(id=data['id'])}" if portal else None,
            updated_at=data.get("updated_at"),
            draft=data.get("status") == DRAFT,
            gone=gone,
        )
        out.add("articles", row)
    return out


LIST = PageNumber(since_param=None)
TICKET = "/api/v2/tickets/{id}"


def _update(key: str, **options: Any) -> spec.Write:
    """A ticket update setting ``key`` (``PUT /api/v2/tickets/{id}``)."""
    return spec.Write("PUT", TICKET, {key: "$value"}, **({"read": key} | options))


WRITE_BACKS = spec.WriteBacks(  # priority and status are numbers; ``tags`` replaces the whole list
    ticket=TICKET,
    writes={
        "group": _update("group_id", lookup=("groups", "name"), number=True),
        "assignee_id": _update("responder_id", number=True),
        "priority": _update("priority", codes={ours: code for code, ours in PRIORITIES.items()}),
        "type": _update("type"),
        "status": _update("status", codes={ours: code for code, ours in STATUSES.items()}),
        "custom": spec.Write("PUT", TICKET, {"custom_fields": {"$key": "$value"}}),
        "add_tags": _update("tags", value="tags"),
        "remove_tags": _update("tags", value="tags"),
        "note": spec.Write("POST", TICKET + "/notes", {"body": "$value", "private": True}),
    },
)
VENDOR = Vendor(
    name="freshdesk",
    write_backs=WRITE_BACKS,
    auth="api_key_basic",
    rate_limit=RateLimit(),  # 429 + Retry-After seconds; invalid requests count too
    check=PageRequest("/api/v2/agents/me"),
    metric_pairs=(
        ("first_reply_time", "first_response_minutes", ("calendar",)),
        ("full_resolution_time", "resolution_minutes", ("calendar",)),
    ),
    history="by diffing ticket snapshots (no activities export): changes between syncs are lost",
    history_with={
        "activities": "from the daily activities export (every change, up to yesterday), "
        "and ticket snapshots since"
    },
    propose=propose,
    config_streams=(
        Stream("business_hours", "/api/v2/business_hours", LIST, ""),
        Stream("sla_policies", "/api/v2/sla_policies", LIST, ""),
        Stream("ticket_fields", "/api/v2/ticket_fields", LIST, ""),
    ),
    streams=(
        Stream("agents", "/api/v2/agents", LIST, "", map=map_agents, lookup=True),
        Stream("groups", "/api/v2/groups", LIST, "", lookup=True),
        Stream("ticket_fields", "/api/v2/ticket_fields", LIST, "", lookup=True),
        # before the tickets: a change both report is stored as the export tells it
        Stream(
            "ticket_activities",
            "/api/v2/export/ticket_activities",
            DailyExport(),
            "activities_data",
            map=map_activities,
            id_field="ticket_id",
            link="export.url",
            optional="activities",
        ),
        Stream(
            "tickets",
            "/api/v2/tickets",
            PageNumber(cap=300),
            "",
            map=map_tickets,
            params=(("order_by", "updated_at"), ("order_type", "asc"), ("include", "stats")),
        ),
        Stream(
            "conversations",
            "/api/v2/tickets/{parent}/conversations",
            LIST,
            "",
            map=map_conversations,
            for_each="tickets",
        ),
        Stream("time_entries", "/api/v2/time_entries", LIST, "", map=map_time_entries),
        Stream(
            "satisfaction_ratings",
            "/api/v2/surveys/satisfaction_ratings",
            PageNumber(since_param="created_since", order_field="created_at"),
            "",
            map=map_ratings,
        ),
        Stream("companies", "/api/v2/companies", LIST, "", map=map_companies),
        Stream("solution_categories", "/api/v2/solutions/categories", LIST, "", snapshot=True),
        Stream(
            "solution_folders",
            "/api/v2/solutions/categories/{parent}/folders",
            LIST,
            "",
            for_each="solution_categories",
            snapshot=True,
        ),
        Stream(
            "solution_articles",
            "/api/v2/solutions/folders/{parent}/articles",
            LIST,
            "",
            map=map_solution_articles,
            for_each="solution_folders",
            snapshot=True,
        ),
    ),
    accounts="companies (tier as plan, renewal date; segment and ARR from custom fields named)",
    articles="solution articles (the tree, each run)",
)
