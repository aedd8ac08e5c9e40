"""A fake Zendesk account over real HTTP, seeded from the recorded records.

It pages as Zendesk documents: the cursor exports (``after_cursor`` until ``end_of_stream``, the
cursor still non-null at the end; a ticket updated after the cursor comes again), the
time-based ticket events export (``next_page`` and ``end_time``, pages overlapping on the last
second), list endpoints with ``page[size]`` and
``meta.has_more`` (Help Center articles among them: no article is among the recorded records,
so :func:`article` builds them in the documented shape). It refuses wrong credentials with
401. ``generated`` adds tickets in the recorded shapes with deletes, merges, private notes,
custom statuses, triggers and a bot.

Ticket updates (``PUT /api/v2/tickets/{id}.json`` with ``{"ticket": {...}}``) are applied as
Zendesk documents them: the fields, ``additional_tags`` / ``remove_tags``, ``custom_fields``,
a ``comment`` (``public: false``: an internal note); each update is an audit in the events
export. An invalid value is a 422 ``RecordInvalid`` with its ``details``; ``throttle`` answers
that many updates with a 429 and ``Retry-After``.
"""

from __future__ import annotations

import base64
import bisect
import copy
import json
import random
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.connectors.fakes.server import Answer, Seen

TICKET = re.compile(r"^/api/v2/tickets/(\d+)\.json$")
FIELDS = ("group_id", "assignee_id", "priority", "type", "status")
CHOICES = {
    "priority": ("low", "normal", "high", "urgent"),
    "type": ("problem", "incident", "question", "task"),
    "status": ("new", "open", "pending", "hold", "solved", "closed"),
}
HOLIDAYS = re.compile(r"^/api/v2/business_hours/schedules/(\d+)/holidays\.json$")
RECORDED = Path(__file__).resolve().parents[4] / "shared" / "data" / "api" / "zendesk"
EMAIL, TOKEN = "ops@acme.test", "zendesk-test-token"
AGENT, ADMIN = 360786799676, 360000000001


def recorded() -> dict[str, list[dict[str, Any]]]:
    """The recorded records by stream."""
    streams: dict[str, list[dict[str, Any]]] = {}
    for line in (RECORDED / "expected_records_subset.jsonl").read_text().splitlines():
        if line.strip():
            record = json.loads(line)
            streams.setdefault(record["stream"], []).append(record["data"])
    return streams


def _epoch(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


def _iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _audit_of(comment: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": comment["audit_id"],
        "ticket_id": comment["ticket_id"],
        "timestamp": comment["timestamp"],
        "created_at": comment["created_at"],
        "updater_id": comment["author_id"],
        "via": comment["via"],
        "event_type": "Audit",
        "child_events": [{k: v for k, v in comment.items() if k not in ("ticket_id", "audit_id")}],
    }


@dataclass
class ZendeskAccount:
    """The account's records, as the API serves them."""

    custom_statuses: list[dict[str, Any]] = field(default_factory=list)
    ticket_fields: list[dict[str, Any]] = field(default_factory=list)
    groups: list[dict[str, Any]] = field(default_factory=list)
    users: list[dict[str, Any]] = field(default_factory=list)
    tickets: list[dict[str, Any]] = field(default_factory=list)
    metric_sets: list[dict[str, Any]] = field(default_factory=list)
    ticket_events: list[dict[str, Any]] = field(default_factory=list)
    satisfaction_ratings: list[dict[str, Any]] = field(default_factory=list)
    schedules: list[dict[str, Any]] = field(default_factory=list)
    sla_policies: list[dict[str, Any]] = field(default_factory=list)
    holidays: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # by schedule id
    organizations: list[dict[str, Any]] = field(default_factory=list)
    articles: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_recorded(cls) -> ZendeskAccount:
        """The recorded tickets, comments (as audits), ratings, groups, fields, metrics."""
        streams = recorded()
        fields = streams["ticket_fields"]
        statuses = [s for f in fields for s in f.get("custom_statuses") or []]
        tickets = streams["tickets"]
        for ticket in tickets:
            ticket.setdefault("generated_timestamp", _epoch(ticket["updated_at"]))
        users = [
            {
                "id": AGENT,
                "name": "Agent One",
                "email": "agent@acme.test",
                "role": "agent",
                "updated_at": "2021-06-01T00:00:00Z",
            },
            {
                "id": 360839922496,
                "name": "Customer",
                "email": "c@x.test",
                "role": "end-user",
                "updated_at": "2021-06-01T00:00:00Z",
            },
        ]
        return cls(
            custom_statuses=statuses,
            ticket_fields=fields,
            groups=streams["groups"],
            users=users,
            tickets=tickets,
            metric_sets=streams["ticket_metrics"],
            ticket_events=[_audit_of(c) for c in streams["ticket_comments"]],
            satisfaction_ratings=streams["satisfaction_ratings"],
            schedules=streams["schedules"],
            sla_policies=streams["sla_policies"],
            # not among the recorded records: the documented shape of a schedule's holidays
            holidays={
                s["id"]: [
                    {
                        "id": 1,
                        "name": "Christmas",
                        "start_date": "2024-12-25",
                        "end_date": "2024-12-25",
                    },
                    {
                        "id": 2,
                        "name": "Year end",
                        "start_date": "2024-12-30",
                        "end_date": "2025-01-01",
                    },
                ]
                for s in streams["schedules"]
            },
            articles=[  # not among the recorded records either: documented examples
                article(
                    360001,
                    "How do I request a refund?",
                    "<p>Open <b>Billing</b> and choose <i>Request refund</i>.</p>",
                ),
                article(
                    360002,
                    "Resetting your password",
                    "<h2>Forgot it?</h2><ol><li>Click <b>Forgot password</b>.</li>"
                    "<li>Follow the e-mail&#39;s link.</li></ol>",
                ),
                article(360003, "Single sign-on (coming soon)", "<p>Not yet.</p>", draft=True),
            ],
        )

    @classmethod
    def generated(cls, tickets: int, events_per_ticket: int = 4, seed: int = 1) -> ZendeskAccount:
        """The recorded account plus ``tickets`` more in the recorded shapes."""
        rng = random.Random(seed)
        account = cls.from_recorded()
        template = next(t for t in account.tickets if t["id"] == 146)
        account.users += [
            {
                "id": ADMIN,
                "name": "Admin",
                "email": "admin@acme.test",
                "role": "admin",
                "updated_at": "2022-01-01T00:00:00Z",
            },
        ]
        customers = [8_000_000 + i for i in range(max(tickets // 10, 1))]
        account.users += [
            {
                "id": c,
                "name": f"Customer {c}",
                "email": f"{c}@x.test",
                "role": "end-user",
                "updated_at": "2022-01-01T00:00:00Z",
            }
            for c in customers
        ]
        status_ids = [s["id"] for s in account.custom_statuses]
        category = {s["id"]: s["status_category"] for s in account.custom_statuses}
        base = _epoch("2024-01-01T00:00:00Z")
        event_id = 50_000_000
        for n in range(tickets):
            tid = 10_000 + n
            created = base + n * 60
            custom = rng.choice(status_ids)
            ticket = copy.deepcopy(template)
            requester = rng.choice(customers)
            ticket |= {
                "id": tid,
                "url": f"https://acme.zendesk.com/api/v2/tickets/{tid}.json",
                "created_at": _iso(created),
                "custom_status_id": custom,
                "status": {"hold": "hold"}.get(category[custom], category[custom]),
                "requester_id": requester,
                "submitter_id": requester,
                "assignee_id": AGENT,
                "subject": f"Question {tid}",
                "group_id": account.groups[n % len(account.groups)]["id"],
            }
            if n % 97 == 5:
                ticket["status"] = "deleted"
            at = created
            events = []
            for k in range(events_per_ticket):
                at += rng.randint(60, 7200)
                event_id += 1
                author = requester if k % 2 == 0 else AGENT
                public = k % 5 != 3
                child: dict[str, Any] = {
                    "id": event_id,
                    "event_type": "Comment",
                    "author_id": author,
                    "public": public,
                    "body": f"message {k} on {tid}",
                    "plain_body": f"message {k} on {tid}",
                    "via": {"channel": "web"},
                }
                children = [child]
                if k == 1:
                    event_id += 1
                    children.append(
                        {
                            "id": event_id,
                            "event_type": "Change",
                            "field_name": "status",
                            "value": "pending",
                            "previous_value": "open",
                        }
                    )
                via = {"channel": "answer_bot"} if k == 1 and n % 11 == 3 else {"channel": "web"}
                if k == 2 and n % 7 == 0:
                    via, author = {"channel": "rule"}, -1
                    children = [
                        {
                            "id": event_id,
                            "event_type": "Change",
                            "field_name": "status",
                            "value": "solved",
                            "previous_value": "pending",
                        }
                    ]
                event_id += 1
                events.append(
                    {
                        "id": event_id,
                        "ticket_id": tid,
                        "timestamp": at,
                        "created_at": _iso(at),
                        "updater_id": author,
                        "via": via,
                        "event_type": "Audit",
                        "child_events": children,
                    }
                )
            if n % 53 == 7:
                event_id += 2
                target = tid - 1
                ticket["tags"] = [*ticket["tags"], "closed_by_merge"]
                events.append(
                    {
                        "id": event_id,
                        "ticket_id": tid,
                        "timestamp": at + 30,
                        "created_at": _iso(at + 30),
                        "updater_id": AGENT,
                        "via": {"channel": "web"},
                        "event_type": "Audit",
                        "child_events": [
                            {
                                "id": event_id - 1,
                                "event_type": "Comment",
                                "author_id": AGENT,
                                "public": False,
                                "body": f"This request was closed and merged into request #{target}.",  # noqa: E501
                                "via": {"channel": "web"},
                            }
                        ],
                    }
                )
                at += 30
            ticket["updated_at"] = _iso(at)
            ticket["generated_timestamp"] = at
            account.tickets.append(ticket)
            account.ticket_events += events
            account.metric_sets.append(
                {
                    "id": 90_000_000 + n,
                    "ticket_id": tid,
                    "created_at": _iso(created),
                    "updated_at": _iso(at),
                    "reopens": 0,
                    "replies": 1,
                    "reply_time_in_minutes": {"calendar": 12, "business": 3},
                    "full_resolution_time_in_minutes": {"calendar": None, "business": None},
                }
            )
            if n % 4 == 0:
                account.satisfaction_ratings.append(
                    {
                        "id": 70_000_000 + n,
                        "ticket_id": tid,
                        "score": "good" if n % 8 == 0 else "bad",
                        "comment": None,
                        "created_at": _iso(at),
                        "updated_at": _iso(at),
                    }
                )
        return account


def organization(oid: int, name: str, **fields: Any) -> dict[str, Any]:
    """An organization in the shape Zendesk documents for ``GET /api/v2/organizations``
    (no organization is among the recorded records); ``fields`` are its organization_fields."""
    return {
        "url": f"https://acme.zendesk.com/api/v2/organizations/{oid}.json",
        "id": oid,
        "name": name,
        "shared_tickets": False,
        "shared_comments": False,
        "external_id": None,
        "created_at": "2023-01-10T09:00:00Z",
        "updated_at": "2024-03-01T09:00:00Z",
        "domain_names": [f"{name.lower().replace(' ', '')}.test"],
        "details": "",
        "notes": "",
        "group_id": None,
        "tags": [],
        "organization_fields": fields,
    }


def article(
    aid: int, title: str, body: str, *, draft: bool = False, locale: str = "en-us", **more: Any
) -> dict[str, Any]:
    """A Help Center article in the shape Zendesk documents for ``GET
    /api/v2/help_center/articles.json`` (no article is among the recorded records)."""
    slug = "-".join(title.split())
    return {
        "id": aid,
        "url": f"https://acme.zendesk.com/api/v2/help_center/{locale}/articles/{aid}.json",
        "html_url": f"https://acme.zendesk.com/hc/{locale}/articles/{aid}-{slug}",
        "author_id": AGENT,
        "comments_disabled": False,
        "draft": draft,
        "promoted": False,
        "position": 0,
        "vote_sum": 0,
        "vote_count": 0,
        "section_id": 360000100,
        "created_at": "2024-01-10T12:00:00Z",
        "updated_at": "2024-02-01T09:30:00Z",
        "edited_at": "2024-02-01T09:30:00Z",
        "name": title,
        "title": title,
        "source_locale": locale,
        "locale": locale,
        "outdated": False,
        "outdated_locales": [],
        "user_segment_id": None,
        "permission_group_id": 360000200,
        "content_tag_ids": [],
        "label_names": [],
        "body": body,
        **more,
    }


def _cursor(index: int) -> str:
    return base64.urlsafe_b64encode(f"i{index}".encode()).decode()


def _index(cursor: str) -> int:
    return int(base64.urlsafe_b64decode(cursor.encode()).decode()[1:])


@dataclass
class ZendeskFake:
    """The fake's routes over an account; ``page_size`` is small so that paging is exercised."""

    account: ZendeskAccount
    page_size: int = 2
    email: str = EMAIL
    token: str = TOKEN
    # an account that does not change while served (a benchmark's): its exports are sorted
    # once, not on every request
    static: bool = False
    throttle: int = 0  # ticket updates still to refuse with a 429 (Retry-After: 1)
    _sorted: dict[str, list[dict[str, Any]]] = field(default_factory=dict, repr=False)

    def _ordered(self, name: str, key: Any) -> list[dict[str, Any]]:
        if self.static and name in self._sorted:
            return self._sorted[name]
        rows = sorted(getattr(self.account, name), key=key)
        if self.static:
            self._sorted[name] = rows
        return rows

    def __call__(self, seen: Seen, base: str) -> Answer:
        expected = base64.b64encode(f"{self.email}/token:{self.token}".encode()).decode()
        if seen.headers.get("Authorization") != f"Basic {expected}":
            return Answer(401, {"error": "Couldn't authenticate you"})
        routes = {
            "/api/v2/users/me.json": lambda: {"user": {"id": AGENT, "role": "admin"}},
            "/api/v2/custom_statuses.json": lambda: self._list("custom_statuses", seen),
            "/api/v2/ticket_fields.json": lambda: self._list("ticket_fields", seen),
            "/api/v2/groups.json": lambda: self._list("groups", seen),
            "/api/v2/business_hours/schedules.json": lambda: self._list("schedules", seen),
            "/api/v2/slas/policies.json": lambda: self._list("sla_policies", seen),
            "/api/v2/satisfaction_ratings.json": lambda: self._list("satisfaction_ratings", seen),
            "/api/v2/organizations.json": lambda: self._list("organizations", seen),
            "/api/v2/help_center/articles.json": lambda: self._list("articles", seen),
            "/api/v2/incremental/users/cursor.json": lambda: self._export("users", seen),
            "/api/v2/incremental/tickets/cursor.json": lambda: self._export("tickets", seen),
            "/api/v2/incremental/ticket_events.json": lambda: self._events(seen, base),
        }
        if found := TICKET.match(seen.path):
            return self._ticket(int(found.group(1)), seen)
        if found := HOLIDAYS.match(seen.path):
            schedule = int(found.group(1))
            if not any(s["id"] == schedule for s in self.account.schedules):
                return Answer(404, {"error": "RecordNotFound"})
            return Answer(200, {"holidays": self.account.holidays.get(schedule, [])})
        route = routes.get(seen.path)
        return Answer(404, {"error": "InvalidEndpoint"}) if route is None else Answer(200, route())

    def _ticket(self, tid: int, seen: Seen) -> Answer:
        ticket = next((t for t in self.account.tickets if t["id"] == tid), None)
        if ticket is None:
            return Answer(404, {"error": "RecordNotFound", "description": "Not found"})
        if seen.method == "GET":
            return Answer(200, {"ticket": ticket})
        if self.throttle > 0:
            self.throttle -= 1
            return Answer(429, {"error": "TooManyRequests"}, {"Retry-After": "1"})
        update = seen.body.get("ticket") if isinstance(seen.body, dict) else None
        if seen.method != "PUT" or not isinstance(update, dict):
            return Answer(400, {"error": "InvalidValue", "description": "ticket is required"})
        if details := self._invalid(update):
            return Answer(
                422,
                {"error": "RecordInvalid", "description": "Record validation errors", **details},
            )
        audit = self._apply(ticket, update)
        return Answer(200, {"ticket": ticket, "audit": audit})

    def _invalid(self, update: dict[str, Any]) -> dict[str, Any]:
        details = {
            key: [{"description": f"{key.title()}: is not valid ({update[key]!r})"}]
            for key, allowed in CHOICES.items()
            if key in update and update[key] not in allowed
        }
        groups = {g["id"] for g in self.account.groups}
        if "group_id" in update and update["group_id"] not in groups:
            details["group_id"] = [{"description": "Group: is not valid"}]
        return {"details": details} if details else {}

    def _apply(self, ticket: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
        now = max(int(time.time()), _stamp(ticket["generated_timestamp"]) + 1)
        ids = iter(range(now * 100, now * 100 + 100))
        children: list[dict[str, Any]] = []
        for key in FIELDS:
            if key in update and update[key] != ticket.get(key):
                change = {"event_type": "Change", "field_name": key, "value": update[key]}
                children.append({"id": next(ids), **change, "previous_value": ticket.get(key)})
                ticket[key] = update[key]
        tags = [t for t in ticket.get("tags") or [] if t not in update.get("remove_tags", [])]
        tags += [t for t in update.get("additional_tags", []) if t not in tags]
        if tags != ticket.get("tags"):
            change = {"event_type": "Change", "field_name": "tags", "value": tags}
            children.append({"id": next(ids), **change, "previous_value": ticket.get("tags")})
            ticket["tags"] = tags
        for one in update.get("custom_fields", []):
            kept = [f for f in ticket.get("custom_fields") or [] if f["id"] != one["id"]]
            ticket["custom_fields"] = [*kept, one]
        if comment := update.get("comment"):
            children.append(
                {
                    "id": next(ids),
                    "event_type": "Comment",
                    "author_id": AGENT,
                    "public": bool(comment.get("public", True)),
                    "body": comment["body"],
                    "plain_body": comment["body"],
                    "via": {"channel": "api"},
                }
            )
        ticket["updated_at"], ticket["generated_timestamp"] = _iso(now), now
        audit = {
            "id": next(ids),
            "ticket_id": ticket["id"],
            "timestamp": now,
            "created_at": _iso(now),
            "updater_id": AGENT,
            "via": {"channel": "api"},
            "event_type": "Audit",
            "child_events": children,
        }
        self.account.ticket_events.append(audit)
        return audit

    def _list(self, name: str, seen: Seen) -> dict[str, Any]:
        rows: list[dict[str, Any]] = getattr(self.account, name)
        if "start_time" in seen.query:
            since = int(seen.query["start_time"])
            rows = [r for r in rows if _epoch(r["updated_at"]) >= since]
        size = int(seen.query.get("page[size]", 100))
        start = _index(seen.query["page[after]"]) if "page[after]" in seen.query else 0
        page = rows[start : start + size]
        more = start + size < len(rows)
        return {
            name: page,
            "meta": {"has_more": more, "after_cursor": _cursor(start + size) if more else None},
        }

    def _export(self, name: str, seen: Seen) -> dict[str, Any]:
        stamp = "generated_timestamp" if name == "tickets" else "updated_at"
        key = lambda r: (_stamp(r[stamp]), r["id"])  # noqa: E731
        rows = self._ordered(name, key)
        if "cursor" in seen.query:  # after the last row it gave: an updated row comes again
            after = _place(seen.query["cursor"])
        else:  # before the first row of start_time
            after = (int(seen.query.get("start_time", 0)) - 1, 2**62)
        start = bisect.bisect_right(rows, after, key=key)
        page = rows[start : start + self.page_size]
        end = start + len(page)
        last = key(page[-1]) if page else after
        body: dict[str, Any] = {
            name: page,
            "after_cursor": _at_place(last),
            "before_cursor": _cursor(start),
            "end_of_stream": end >= len(rows),
        }
        if name == "tickets" and seen.query.get("include") == "metric_sets":
            ids = {t["id"] for t in page}
            body["metric_sets"] = [m for m in self.account.metric_sets if m["ticket_id"] in ids]
        return body

    def _events(self, seen: Seen, base: str) -> dict[str, Any]:
        rows = self._ordered("ticket_events", lambda e: (e["timestamp"], e["id"]))
        since = int(seen.query.get("start_time", 0))
        start = bisect.bisect_left(rows, since, key=lambda e: e["timestamp"])
        page = rows[start : start + self.page_size]
        if page:  # every event of the last second rides along (more rows than asked)
            stop = bisect.bisect_right(rows, page[-1]["timestamp"], key=lambda e: e["timestamp"])
            page = rows[start:stop]
        last = page[-1]["timestamp"] if page else since
        end_time = last + 1 if all(e["timestamp"] == since for e in page) else last
        remaining = bisect.bisect_right(rows, last, key=lambda e: e["timestamp"]) < len(rows)
        include = seen.query.get("include")
        query = f"start_time={end_time}" + (f"&include={include}" if include else "")
        return {
            "ticket_events": page,
            "count": len(page),
            "end_time": end_time,
            "next_page": f"{base}/api/v2/incremental/ticket_events.json?{query}",
            "end_of_stream": not remaining,
        }


def _at_place(place: tuple[int, int]) -> str:
    return base64.urlsafe_b64encode(f"t{place[0]}:{place[1]}".encode()).decode()


def _place(cursor: str) -> tuple[int, int]:
    stamp, _, row = base64.urlsafe_b64decode(cursor.encode()).decode()[1:].partition(":")
    return int(stamp), int(row)


def _stamp(value: Any) -> int:
    return value if isinstance(value, int) else _epoch(str(value))
