"""Zendesk API records (``{"stream", "data"}`` lines) → event-log rows, for reconciliation.

- ``tickets`` → tickets (``via.channel`` mapped; ``hold`` → on_hold; a ticket submitted by
  someone other than its requester is agent-created); ``ticket_metrics`` → ``vendor_metrics``
  rows (the connector's mapping, :func:`supportops.connectors.vendors.zendesk.metric_rows`).
  A ticket known only from its metrics becomes a stub ticket (its creation time and status as
  the metrics imply).
- ``ticket_comments`` → message events (author = requester → customer, else agent).
- ``satisfaction_ratings`` → csat answers (good → 5, bad → 1; offered/unoffered are no answer).
- ``schedules`` → calendars (``zendesk-<id>``) in supportops.yaml form.

Where no comment or audit was exported, the first reply and the solves are **derived** from the
metrics' calendar minutes (event ids ``zdm-*``): the instants then reproduce Zendesk's calendar
minutes by construction, and the business minutes check our business clock against Zendesk's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from supportops.connectors.spec import MappingContext
from supportops.connectors.vendors.zendesk import CHANNELS, STATUSES, metric_rows

__all__ = ["CHANNELS", "ZendeskRecords", "load_zendesk_records", "schedule_calendar"]

ZONES = {
    "New Caledonia": "Pacific/Noumea",
    "Eastern Time (US & Canada)": "America/New_York",
    "Central Time (US & Canada)": "America/Chicago",
    "London": "Europe/London",
    "Pacific Time (US & Canada)": "America/Los_Angeles",
    "UTC": "UTC",
    "Paris": "Europe/Paris",
    "Berlin": "Europe/Berlin",
}
DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
METRIC_KEYS = (
    "reply_time_in_minutes",
    "first_resolution_time_in_minutes",
    "full_resolution_time_in_minutes",
    "agent_wait_time_in_minutes",
    "requester_wait_time_in_minutes",
    "on_hold_time_in_minutes",
    "reopens",
    "replies",
)


@dataclass
class ZendeskRecords:
    """Event-log rows by table, and the Zendesk schedules as calendars."""

    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    calendars: dict[str, dict[str, Any]] = field(default_factory=dict)


def _at(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def _id(value: Any) -> str | None:
    return None if value is None else str(value)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def schedule_calendar(schedule: dict[str, Any]) -> dict[str, Any]:
    """A Zendesk schedule (intervals in minutes from Sunday 00:00) as a calendar mapping."""
    hours: dict[str, list[str]] = {}
    for interval in schedule.get("intervals", []):
        start, end = int(interval["start_time"]), int(interval["end_time"])
        day, offset = divmod(start, 1440)
        hours.setdefault(DAYS[day % 7], []).append(f"{_hhmm(offset)}-{_hhmm(offset + end - start)}")
    zone = ZONES.get(schedule.get("time_zone", "UTC"), "UTC")
    return {"timezone": zone, "hours": hours}


def _ticket(data: dict[str, Any]) -> dict[str, Any]:
    via = (data.get("via") or {}).get("channel")
    submitter, requester = data.get("submitter_id"), data.get("requester_id")
    return {
        "ticket_id": str(data["id"]),
        "source": "zendesk",
        "created_at": _at(data["created_at"]),
        "channel": CHANNELS.get(str(via), "other"),
        "status": STATUSES.get(data["status"], "open"),
        "priority": data.get("priority"),
        "type": data.get("type"),
        "group": _id(data.get("group_id")),
        "assignee_id": _id(data.get("assignee_id")),
        "requester_id": _id(requester),
        "organization_id": _id(data.get("organization_id")),
        "created_by": "agent" if submitter and requester and submitter != requester else "customer",
        "tags": data.get("tags") or [],
        "subject": data.get("subject"),
        "custom": {},
    }


def _stub(metrics: dict[str, Any]) -> dict[str, Any]:
    solved = (metrics.get("full_resolution_time_in_minutes") or {}).get("calendar") is not None
    return {
        "ticket_id": str(metrics["ticket_id"]),
        "source": "zendesk",
        "created_at": _at(metrics["created_at"]),
        "channel": "other",
        "status": "solved" if solved else "open",
        "custom": {"zendesk_stub": True},
    }


def _derived(ticket: dict[str, Any], metrics: dict[str, Any]) -> list[dict[str, Any]]:
    """First reply and solves rebuilt from the calendar minutes (no comments exported)."""
    created, tid, out = ticket["created_at"], ticket["ticket_id"], []

    def minutes(key: str) -> float | None:
        value = (metrics.get(key) or {}).get("calendar")
        return None if value is None else float(value)

    reply = minutes("reply_time_in_minutes")
    if reply is not None:
        out.append(
            {
                "kind": "message",
                "actor": "agent",
                "public": True,
                "at": created + timedelta(minutes=reply),
                "event_id": f"zdm-reply-{tid}",
            }
        )
    for key, name in (
        ("first_resolution_time_in_minutes", "first-solve"),
        ("full_resolution_time_in_minutes", "last-solve"),
    ):
        value = minutes(key)
        if value is not None:
            out.append(
                {
                    "kind": "status",
                    "value": "solved",
                    "event_id": f"zdm-{name}-{tid}",
                    "at": created + timedelta(minutes=value),
                }
            )
    return [{"ticket_id": tid, "source": "zendesk", **row} for row in out]


def _comment(data: dict[str, Any], requesters: dict[str, str | None]) -> dict[str, Any]:
    tid = str(data["ticket_id"])
    author = _id(data.get("author_id"))
    return {
        "ticket_id": tid,
        "source": "zendesk",
        "at": _at(data["created_at"]),
        "kind": "message",
        "public": bool(data.get("public", True)),
        "actor": "customer" if author and author == requesters.get(tid) else "agent",
        "actor_id": author,
        "event_id": f"zc-{data['id']}",
        "body": data.get("plain_body"),
    }


def _rating(data: dict[str, Any]) -> dict[str, Any] | None:
    score = {"good": 5, "bad": 1}.get(str(data.get("score")))
    if score is None:
        return None
    return {
        "ticket_id": str(data["ticket_id"]),
        "source": "zendesk",
        "at": _at(data.get("updated_at") or data["created_at"]),
        "survey": "csat",
        "score": score,
        "comment": data.get("comment"),
    }


def load_zendesk_records(path: Path | str) -> ZendeskRecords:
    """Read a JSONL file of Zendesk API records into event-log rows and calendars."""
    streams: dict[str, list[dict[str, Any]]] = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            streams.setdefault(record["stream"], []).append(record["data"])
    tickets = {str(t["id"]): _ticket(t) for t in streams.get("tickets", [])}
    events: list[dict[str, Any]] = []
    commented = {str(c["ticket_id"]) for c in streams.get("ticket_comments", [])}
    vendor: list[dict[str, Any]] = []
    context = MappingContext("zendesk")
    for metrics in streams.get("ticket_metrics", []):
        tid = str(metrics["ticket_id"])
        ticket = tickets.setdefault(tid, _stub(metrics))
        vendor += metric_rows(context, metrics)
        if tid not in commented:
            events += _derived(ticket, metrics)
    requesters = {tid: t.get("requester_id") for tid, t in tickets.items()}
    events += [_comment(c, requesters) for c in streams.get("ticket_comments", [])]
    ratings = [r for r in map(_rating, streams.get("satisfaction_ratings", [])) if r]
    for ticket in tickets.values():
        ticket["custom"] = json.dumps(ticket["custom"]) if ticket["custom"] else None
    calendars = {f"zendesk-{s['id']}": schedule_calendar(s) for s in streams.get("schedules", [])}
    return ZendeskRecords(
        {
            "tickets": list(tickets.values()),
            "events": events,
            "surveys": ratings,
            "vendor_metrics": vendor,
        },
        calendars,
    )
