"""Zendesk Support, declared: streams, auth, rate-limit signal and the pure mapping.

Streams, in order: ``custom_statuses``, ``ticket_fields``, ``groups`` (lookups, re-read each
run: one request each), ``users`` (cursor export; roles tell agents, customers and bots),
``tickets`` (cursor export with ``include=metric_sets``: ticket_metrics ride along into
``vendor_metrics``), ``ticket_events`` (time-based export with ``include=comment_events``: status,
assignee, group, priority, tags and type changes, comments, merges) and
``satisfaction_ratings``, then ``organizations`` (the list, re-read each run: an
organization stored unchanged writes nothing) as ``accounts``, and ``articles`` (Guide's
Help Center articles, the whole list each run: an article no longer listed, archived, becomes
a tombstone) as ``articles``.

Mapping, as the connectors contract says:

- status ``new, open, pending, hold → on_hold, solved, closed``; a ticket's
  ``custom_status_id`` goes through its ``status_category`` (the source's ``status_map`` by
  agent label wins); the label is kept in ``custom.custom_status``.
- a deleted ticket (status ``deleted``) is a tombstone: status ``closed``,
  ``custom.tombstone = "deleted"``; never a hard delete.
- actors: the updater's or author's role (``end-user`` → customer, ``agent``/``admin`` →
  agent), user ``-1``, a ``via.channel`` of ``rule`` (triggers, automations) or the source's
  ``automation_users`` → system; answer-bot / AI-agent channels → bot.
- each ticket opens with a ``created`` event at its ``created_at`` (by its ``created_by``);
- comments are messages (``public`` false = internal note); a comment saying the ticket was
  merged into another adds a ``merged`` event naming it.
- satisfaction ``good`` → 5, ``bad`` → 1 (offered / unoffered are no answer).
- an organization is an account: its id (as tickets' ``organization_id`` has it) and name;
  plan, segment and ARR only from the ``organization_fields`` the source's ``accounts``
  settings name (Zendesk has no such fields of its own).
- an article is an ``articles`` row: its id, locale, title, ``body`` as plain text,
  ``html_url``, ``updated_at``; ``draft: true`` → draft, gone from the list → deleted.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from supportops.connectors import spec
from supportops.connectors.accounts import account_row
from supportops.connectors.articles import article_row
from supportops.connectors.pagination import CursorExport, ListCursor, Single, TimeNextPage
from supportops.connectors.records import created_event, unwrap
from supportops.connectors.spec import Mapped, MappingContext, PageRequest, Parts, Stream, Vendor
from supportops.connectors.zones import ZONES, zone_of
from supportops.http import RateLimit

__all__ = [
    "CHANNELS",
    "METRIC_KEYS",
    "METRIC_PAIRS",
    "STATUSES",
    "VENDOR",
    "WRITE_BACKS",
    "ZONES",
    "calendar_of",
    "map_articles",
    "map_events",
    "map_organizations",
    "map_ratings",
    "map_tickets",
    "map_users",
    "metric_rows",
    "propose",
]

CHANNELS = {
    "web": "web",
    "email": "email",
    "voice": "phone",
    "chat": "chat",
    "api": "api",
    "mobile": "api",
    "mobile_sdk": "api",
    "twitter": "social",
    "facebook": "social",
    "native_messaging": "messaging",
    "sample_ticket": "other",
}
STATUSES = {
    "new": "new",
    "open": "open",
    "pending": "pending",
    "hold": "on_hold",
    "solved": "solved",
    "closed": "closed",
}
SYSTEM_CHANNELS = frozenset({"rule", "system"})
BOT_CHANNELS = frozenset({"answer_bot", "answer_bot_for_agents", "ai_agent", "answer_bot_api"})
ROLES = {"end-user": "customer", "agent": "agent", "admin": "agent"}
METRIC_PAIRS = (  # our metric, the vendor's, the clocks it reports: for reconcile
    ("first_reply_time", "reply_time_in_minutes", ("calendar", "business")),
    ("first_resolution_time", "first_resolution_time_in_minutes", ("calendar", "business")),
    ("full_resolution_time", "full_resolution_time_in_minutes", ("calendar", "business")),
    ("requester_wait_time", "requester_wait_time_in_minutes", ("calendar", "business")),
    ("agent_wait_time", "agent_wait_time_in_minutes", ("calendar", "business")),
    ("on_hold_time", "on_hold_time_in_minutes", ("calendar", "business")),
    ("reopens", "reopens", ("count",)),
    ("agent_replies", "replies", ("count",)),
)
METRIC_KEYS = (
    "reply_time_in_minutes",
    "first_resolution_time_in_minutes",
    "full_resolution_time_in_minutes",
    "agent_wait_time_in_minutes",
    "requester_wait_time_in_minutes",
    "on_hold_time_in_minutes",
)
COUNT_KEYS = ("reopens", "replies", "group_stations", "assignee_stations")
FIELDS = {  # a ticket field's change → the event kind
    "status": "status",
    "assignee_id": "assignee",
    "group_id": "group",
    "priority": "priority",
    "tags": "tags",
    "type": "type",
}
SCORES = {"good": 5, "bad": 1}
MERGED = re.compile(r"merged into (?:request|ticket) #(\d+)", re.IGNORECASE)


def _id(value: Any) -> str | None:
    return None if value is None else str(value)


def _channel(via: Any) -> str:
    return str((via or {}).get("channel") or "")


def actor(context: MappingContext, user_id: Any, via: Any) -> str:
    """Who did something: the user's role, or system for rules, ``-1`` and automation users,
    bot for answer-bot and AI-agent channels."""
    channel = _channel(via)
    if channel in BOT_CHANNELS:
        return "bot"
    if (
        channel in SYSTEM_CHANNELS
        or str(user_id) == "-1"
        or str(user_id) in context.automation_users
    ):
        return "system"
    user = context.lookup("users", user_id) or {}
    return ROLES.get(str(user.get("role")), "agent" if user else "customer")


def status_of(
    context: MappingContext, status: Any, custom_status_id: Any
) -> tuple[str, str | None]:
    """The canonical status and the custom status label (when the ticket has one)."""
    custom = context.lookup("custom_statuses", custom_status_id)
    label = str(custom["agent_label"]) if custom and custom.get("agent_label") else None
    if status == "closed":  # closed is no custom-status category: it keeps the solved label
        return "closed", label
    if label and label in context.status_map:
        return context.status_map[label], label
    if custom and custom.get("status_category") in STATUSES:
        return STATUSES[str(custom["status_category"])], label
    return STATUSES.get(str(status), "open"), label


def _fields(context: MappingContext, values: list[dict[str, Any]]) -> dict[str, Any]:
    out = {}
    for item in values or []:
        if item.get("value") in (None, "", []):
            continue
        field = context.lookup("ticket_fields", item.get("id")) or {}
        out[str(field.get("title") or item.get("id"))] = item["value"]
    return out


def _ticket(context: MappingContext, data: dict[str, Any]) -> dict[str, Any]:
    status, label = status_of(context, data.get("status"), data.get("custom_status_id"))
    custom: dict[str, Any] = {"via": _channel(data.get("via")) or None}
    if data.get("status") == "deleted":
        status, custom["tombstone"] = "closed", "deleted"
    if label:
        custom |= {"custom_status": label, "custom_status_id": data.get("custom_status_id")}
    if fields := _fields(context, data.get("custom_fields") or []):
        custom["fields"] = fields
    for key in ("brand_id", "ticket_form_id", "external_id", "problem_id"):
        if data.get(key) is not None:
            custom[key] = data[key]
    submitter, requester = data.get("submitter_id"), data.get("requester_id")
    by = actor(context, submitter, data.get("via")) if submitter != requester else "customer"
    group = context.lookup("groups", data.get("group_id")) or {}
    return {
        "ticket_id": str(data["id"]),
        "source": context.source,
        "created_at": data["created_at"],
        "channel": CHANNELS.get(_channel(data.get("via")), "other"),
        "raw_channel": _channel(data.get("via")) or None,
        "status": status,
        "priority": data.get("priority"),
        "type": data.get("type"),
        "group": group.get("name") or _id(data.get("group_id")),
        "assignee_id": _id(data.get("assignee_id")),
        "requester_id": _id(requester),
        "organization_id": _id(data.get("organization_id")),
        "created_by": by,
        "tags": [str(t) for t in data.get("tags") or []],
        "subject": data.get("subject"),
        "custom": {k: v for k, v in custom.items() if v is not None},
    }


def metric_rows(context: MappingContext, data: dict[str, Any]) -> list[dict[str, Any]]:
    base = {
        "source": context.source,
        "ticket_id": str(data["ticket_id"]),
        "reported_at": data.get("updated_at"),
    }
    rows = []
    for key in METRIC_KEYS:  # a null minute is kept: reported, not final yet
        for clock, value in (data.get(key) or {}).items():
            if clock in ("calendar", "business"):
                rows.append(
                    {
                        **base,
                        "metric": key,
                        "clock": clock,
                        "value": None if value is None else float(value),
                        "unit": "minutes",
                    }
                )
    for key in COUNT_KEYS:
        if data.get(key) is not None:
            rows.append({**base, "metric": key, "value": float(data[key]), "unit": "count"})
    return rows


def map_tickets(parts: Parts, context: MappingContext) -> Mapped:
    """Tickets, each with its ``created`` event (and the side-loaded ``metric_sets`` as
    vendor_metrics)."""
    out = Mapped()
    tickets = [_ticket(context, t) for t in parts.get("tickets", [])]
    out.add("tickets", *tickets)
    if tickets:
        out.add("events", *(created_event(t, f"zt-{t['ticket_id']}-created") for t in tickets))
    for metric_set in parts.get("metric_sets", []):
        out.add("vendor_metrics", *metric_rows(context, metric_set))
    return out


Actor = Callable[[Any, Any], str]  # (user id, via) -> actor, as :func:`actor` tells it


def _actors(context: MappingContext) -> Actor:
    """:func:`actor`, remembered per (user, channel) for one page: the lookups it reads do not
    change while a page is mapped, and a page's audits name few users many times."""
    known: dict[tuple[str, str], str] = {}

    def who(user_id: Any, via: Any) -> str:
        key = (str(user_id), _channel(via))
        found = known.get(key)
        if found is None:
            found = known[key] = actor(context, user_id, via)
        return found

    return who


def _change(audit: dict[str, Any], child: dict[str, Any], who: Actor) -> dict[str, Any] | None:
    kind = FIELDS.get(str(child.get("field_name")))
    if kind is None:
        return None
    value, previous = child.get("value"), child.get("previous_value")
    if kind == "status":
        value, previous = STATUSES.get(str(value), value), STATUSES.get(str(previous), previous)
    if isinstance(value, list):
        value = ";".join(map(str, value))
    if isinstance(previous, list):
        previous = ";".join(map(str, previous))
    return {
        "kind": kind,
        "value": _id(value),
        "previous": _id(previous),
        "actor": who(audit.get("updater_id"), audit.get("via")),
        "actor_id": _id(audit.get("updater_id")),
    }


def _custom_status(
    context: MappingContext, audit: dict[str, Any], child: dict[str, Any], who: Actor
) -> dict[str, Any] | None:
    if child.get("field_name") != "custom_status_id":
        return None
    status, _ = status_of(context, None, child.get("value"))
    before, _ = status_of(context, None, child.get("previous_value"))
    return {
        "kind": "status",
        "value": status,
        "previous": before if child.get("previous_value") is not None else None,
        "actor": who(audit.get("updater_id"), audit.get("via")),
        "actor_id": _id(audit.get("updater_id")),
    }


def _comment(audit: dict[str, Any], child: dict[str, Any], who: Actor) -> list[dict[str, Any]]:
    author = child.get("author_id", audit.get("updater_id"))
    message = {
        "kind": "message",
        "public": bool(child.get("public", True)),
        "actor": who(author, child.get("via") or audit.get("via")),
        "actor_id": _id(author),
        "body": child.get("plain_body") or child.get("body"),
        "event_id": f"zc-{child['id']}",
    }
    merged = MERGED.search(str(child.get("body") or ""))
    if not merged:
        return [message]
    merge = {
        "kind": "merged",
        "value": merged.group(1),
        "actor": "system",
        "event_id": f"zm-{child['id']}",
    }
    return [message, merge]


def _audit(context: MappingContext, audit: dict[str, Any], who: Actor) -> list[dict[str, Any]]:
    children = audit.get("child_events") or []
    rows: list[dict[str, Any]] = []
    custom = [e for c in children if (e := _custom_status(context, audit, c, who))]
    for child in children:
        if child.get("event_type") == "Comment":
            rows += _comment(audit, child, who)
            continue
        row = _change(audit, child, who)
        if row is None or (row["kind"] == "status" and custom):
            continue
        rows.append({**row, "event_id": f"zd-{child['id']}"})
    rows += [{**row, "event_id": f"zcs-{audit['id']}"} for row in custom[:1]]
    base = {
        "ticket_id": str(audit["ticket_id"]),
        "source": context.source,
        "at": audit["created_at"],
    }
    return [{**base, **row} for row in rows]


def map_events(parts: Parts, context: MappingContext) -> Mapped:
    """Ticket events (audits with their child events) as event-log events."""
    out = Mapped()
    who = _actors(context)
    for audit in parts.get("ticket_events", []):
        out.add("events", *_audit(context, audit, who))
    return out


def map_users(parts: Parts, context: MappingContext) -> Mapped:
    """Agents and admins as agents (customers stay raw and in the lookup)."""
    out = Mapped()
    for user in parts.get("users", []):
        if (
            ROLES.get(str(user.get("role"))) == "agent"
            and str(user.get("id")) not in context.automation_users
        ):
            out.add(
                "agents",
                {
                    "agent_id": str(user["id"]),
                    "name": user.get("name"),
                    "email": user.get("email"),
                    "timezone": None,
                },
            )
    return out


def map_ratings(parts: Parts, context: MappingContext) -> Mapped:
    """Answered satisfaction ratings as csat surveys."""
    out = Mapped()
    for rating in parts.get("satisfaction_ratings", []):
        score = SCORES.get(str(rating.get("score")))
        if score is not None and rating.get("ticket_id") is not None:
            out.add(
                "surveys",
                {
                    "ticket_id": str(rating["ticket_id"]),
                    "source": context.source,
                    "at": rating.get("updated_at") or rating["created_at"],
                    "survey": "csat",
                    "score": score,
                    "comment": rating.get("comment"),
                },
            )
    return out


def map_organizations(parts: Parts, context: MappingContext) -> Mapped:
    """Organizations as accounts (plan, segment, ARR from the named organization fields)."""
    out = Mapped()
    for org in parts.get("organizations", []):
        fields = org.get("organization_fields") or {}
        out.add("accounts", account_row(context, org.get("id"), org.get("name"), fields))
    return out


def map_articles(parts: Parts, context: MappingContext) -> Mapped:
    """Help Center articles (a draft is no coverage; a tombstone is a deleted article)."""
    out = Mapped()
    for record in parts.get("articles", []):
        data, gone = unwrap(record)
        out.add(
            "articles",
            article_row(
                context,
                data["id"],
                data.get("title"),
                data.get("body"),
                url=data.get("html_url"),
                locale=data.get("locale"),
                updated_at=data.get("updated_at"),
                draft=bool(data.get("draft")),
                gone=gone,
            ),
        )
    return out


DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
SLA_TARGETS = {
    "first_reply_time": "first_reply",
    "next_reply_time": "next_reply",
    "periodic_update_time": "periodic_update",
    "pausable_update_time": "pausable_update",
    "requester_wait_time": "requester_wait",
    "agent_work_time": "agent_work",
}
SLA_FIELDS = {
    "assignee_id": "assignee_id",
    "organization_id": "organization_id",
    "group_id": "group",
    "priority": "priority",
    "type": "type",
    "via_id": "channel",
    "current_tags": "tags",
    "requester_id": "requester_id",
}


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def calendar_of(
    schedule: dict[str, Any], holidays: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """A schedule (intervals in minutes from Sunday 00:00, a Rails zone name) as a calendar,
    its holidays (``start_date`` to ``end_date``, both included) as closed dates; an unknown
    zone name is kept as given, for the config check to name."""
    hours: dict[str, list[str]] = {}
    for interval in schedule.get("intervals", []):
        start, end = int(interval["start_time"]), int(interval["end_time"])
        day, offset = divmod(start, 1440)
        hours.setdefault(DAYS[day % 7], []).append(f"{_hhmm(offset)}-{_hhmm(offset + end - start)}")
    zone = str(schedule.get("time_zone") or "UTC")
    calendar: dict[str, Any] = {"timezone": zone_of(zone), "hours": hours}
    dates = sorted({d for h in holidays or [] for d in _days(h["start_date"], h["end_date"])})
    if dates:
        calendar["holidays"] = {"dates": dates}
    return calendar


def _days(first: str, last: str) -> list[str]:
    start, end = date.fromisoformat(first[:10]), date.fromisoformat(last[:10])
    return [(start + timedelta(days=n)).isoformat() for n in range((end - start).days + 1)]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "schedule"


def _policies(policy: dict[str, Any], calendar: str | None) -> list[dict[str, Any]]:
    when: dict[str, list[str]] = {}
    for condition in (policy.get("filter") or {}).get("all", []):
        key = SLA_FIELDS.get(str(condition.get("field")))
        if key and condition.get("operator") in ("is", "includes"):
            when.setdefault(key, []).append(str(condition["value"]))
    by_priority: dict[str, dict[str, Any]] = {}
    for metric in policy.get("policy_metrics", []):
        target = SLA_TARGETS.get(str(metric.get("metric")))
        if target is None:
            continue
        one = by_priority.setdefault(str(metric["priority"]), {"targets": {}, "business": False})
        one["targets"][target] = f"{int(metric['target'])}m"
        one["business"] = one["business"] or bool(metric.get("business_hours"))
    out = []
    for priority, one in by_priority.items():
        item: dict[str, Any] = {
            "name": f"{policy['title']} ({priority})",
            "when": {**when, "priority": [priority]},
            "targets": one["targets"],
        }
        if one["business"] and calendar:
            item["calendar"] = calendar
        out.append(item)
    return out


def propose(records: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Schedules (with their holidays) as calendars, SLA policies (one per priority, in
    Zendesk's order) and the custom statuses' labels as a status_map, for the user to review."""
    holidays: dict[Any, list[dict[str, Any]]] = {}
    for holiday in records.get("holidays", []):
        holidays.setdefault(holiday.get("_parent"), []).append(holiday)
    calendars = {
        f"zendesk-{_slug(s['name'])}": calendar_of(s, holidays.get(s.get("id")))
        for s in records.get("schedules", [])
    }
    first = next(iter(calendars), None)
    ordered = sorted(records.get("sla_policies", []), key=lambda p: p.get("position", 0))
    policies = [item for p in ordered for item in _policies(p, first)]
    status_map = {
        str(s["agent_label"]): STATUSES[str(s["status_category"])]
        for s in records.get("custom_statuses", [])
        if s.get("active", True) and str(s.get("status_category")) in STATUSES
    }
    return {"calendars": calendars, "sla_policies": policies, "status_map": status_map}


TICKET = "/api/v2/tickets/{id}.json"


def _update(key: str, **options: Any) -> spec.Write:
    """A ticket update setting ``key`` (``PUT /api/v2/tickets/{id}.json``)."""
    return spec.Write(
        "PUT", TICKET, {"ticket": {key: "$value"}}, **({"read": f"ticket.{key}"} | options)
    )


WRITE_BACKS = spec.WriteBacks(  # one ticket update per action; tags and notes ride it too
    ticket=TICKET,
    writes={
        "group": _update("group_id", lookup=("groups", "name"), number=True),
        "assignee_id": _update("assignee_id", number=True),
        "priority": _update("priority"),
        "type": _update("type"),
        "status": _update("status", codes={ours: theirs for theirs, ours in STATUSES.items()}),
        "custom": spec.Write(
            "PUT", TICKET, {"ticket": {"custom_fields": [{"id": "$key", "value": "$value"}]}}
        ),
        "add_tags": _update("additional_tags", value="added", read="ticket.tags"),
        "remove_tags": _update("remove_tags", value="removed", read="ticket.tags"),
        "note": spec.Write(
            "PUT", TICKET, {"ticket": {"comment": {"body": "$value", "public": False}}}
        ),
    },
)
VENDOR = Vendor(
    name="zendesk",
    write_backs=WRITE_BACKS,
    auth="token_basic",
    rate_limit=RateLimit(),  # 429 + Retry-After (seconds; any case; a backoff when missing)
    check=PageRequest("/api/v2/users/me.json"),
    history="from ticket events (incremental export with comment events)",
    metric_pairs=METRIC_PAIRS,
    propose=propose,
    config_streams=(
        Stream("schedules", "/api/v2/business_hours/schedules.json", ListCursor(), "schedules"),
        Stream(
            "holidays",
            "/api/v2/business_hours/schedules/{parent}/holidays.json",
            Single(),
            "holidays",
            for_each="schedules",
        ),
        Stream("sla_policies", "/api/v2/slas/policies.json", ListCursor(), "sla_policies"),
        Stream("custom_statuses", "/api/v2/custom_statuses.json", ListCursor(), "custom_statuses"),
    ),
    streams=(
        Stream(
            "custom_statuses",
            "/api/v2/custom_statuses.json",
            ListCursor(),
            "custom_statuses",
            lookup=True,
        ),
        Stream(
            "ticket_fields",
            "/api/v2/ticket_fields.json",
            ListCursor(),
            "ticket_fields",
            lookup=True,
        ),
        Stream("groups", "/api/v2/groups.json", ListCursor(), "groups", lookup=True),
        Stream(
            "users",
            "/api/v2/incremental/users/cursor.json",
            CursorExport(),
            "users",
            map=map_users,
            lookup=True,
        ),
        Stream(
            "tickets",
            "/api/v2/incremental/tickets/cursor.json",
            CursorExport(),
            "tickets",
            map=map_tickets,
            params=(("include", "metric_sets"),),
            parts=("metric_sets",),
        ),
        Stream(
            "ticket_events",
            "/api/v2/incremental/ticket_events.json",
            TimeNextPage(),
            "ticket_events",
            map=map_events,
            params=(("include", "comment_events"),),
        ),
        Stream(
            "satisfaction_ratings",
            "/api/v2/satisfaction_ratings.json",
            ListCursor(since_param="start_time"),
            "satisfaction_ratings",
            map=map_ratings,
        ),
        Stream(
            "organizations",
            "/api/v2/organizations.json",
            ListCursor(),
            "organizations",
            map=map_organizations,
        ),
        Stream(
            "articles",
            "/api/v2/help_center/articles.json",
            ListCursor(),
            "articles",
            map=map_articles,
            snapshot=True,
        ),
    ),
    accounts="organizations (plan, segment, ARR from the organization fields named)",
    articles="Guide articles (the list, each run)",
    sync_gap=18.0,  # incremental exports: 10 requests a minute, three in a sync (users, tickets,
    # ticket events)
)
