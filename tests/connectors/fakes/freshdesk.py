"""A fake Freshdesk account over real HTTP, seeded from the recorded records.

The solutions (knowledge base) tree is served as documented: ``/api/v2/solutions/categories``,
``/api/v2/solutions/categories/{id}/folders``, ``/api/v2/solutions/folders/{id}/articles``
(an unknown id is a 404), seeded from the recorded categories, folders and articles (the folder
of each category is told by its articles' ``category_id`` and ``folder_id``).

Numbered pages (``page``, ``per_page`` up to 100) ordered by ``updated_at``; ``updated_since``
inclusive, and without it only the last 30 days; beyond page ``cap`` the documented 400
("You cannot access tickets beyond the 300th page"). Basic auth with the API key and ``X``.
``generated`` adds tickets in the recorded shape: custom statuses, spam, private notes, agent
and customer conversations, time entries and survey answers.

Ticket updates (``PUT /api/v2/tickets/{id}``: the fields, numbered priority and status, the
whole ``tags`` list, ``custom_fields``) and private notes (``POST /api/v2/tickets/{id}/notes``,
201) are applied as Freshdesk documents them; an invalid value or an unknown field is a 400
``Validation failed`` with ``errors: [{field, message, code}]``. ``throttle`` answers that many
writes with a 429 and ``Retry-After``.
"""

from __future__ import annotations

import base64
import copy
import json
import random
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.connectors.fakes.server import Answer, Seen

RECORDED = Path(__file__).resolve().parents[4] / "shared" / "data" / "api" / "freshdesk"
API_KEY = "freshdesk-test-key"
AGENT = 67013469919
NOW = datetime(2024, 6, 1, tzinfo=UTC)


def recorded() -> dict[str, list[dict[str, Any]]]:
    """The recorded records by stream."""
    streams: dict[str, list[dict[str, Any]]] = {}
    path = RECORDED / "airbyte_expected_records_subset" / "expected_records_subset.jsonl"
    for line in path.read_text().splitlines():
        if line.strip():
            record = json.loads(line)
            streams.setdefault(record["stream"], []).append(record["data"])
    return streams


def recorded_companies() -> list[dict[str, Any]]:
    """The recorded companies (python-freshdesk's sample of ``GET /api/v2/companies``)."""
    path = RECORDED / "python-freshdesk_sample_json_data" / "companies.json"
    companies: list[dict[str, Any]] = json.loads(path.read_text())
    return companies


def recorded_solutions() -> dict[str, list[dict[str, Any]]]:
    """The recorded solution categories, folders and articles (python-freshdesk's samples of
    the solutions endpoints, in the account's default language)."""
    folder = RECORDED / "python-freshdesk_sample_json_data"
    return {
        name: json.loads((folder / f"solution_{name}.json").read_text())
        for name in ("categories", "folders", "articles")
    }


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class FreshdeskAccount:
    """The account's records, as the API serves them."""

    agents: list[dict[str, Any]] = field(default_factory=list)
    groups: list[dict[str, Any]] = field(default_factory=list)
    ticket_fields: list[dict[str, Any]] = field(default_factory=list)
    tickets: list[dict[str, Any]] = field(default_factory=list)
    conversations: list[dict[str, Any]] = field(default_factory=list)
    time_entries: list[dict[str, Any]] = field(default_factory=list)
    satisfaction_ratings: list[dict[str, Any]] = field(default_factory=list)
    business_hours: list[dict[str, Any]] = field(default_factory=list)
    sla_policies: list[dict[str, Any]] = field(default_factory=list)
    companies: list[dict[str, Any]] = field(default_factory=list)
    solution_categories: list[dict[str, Any]] = field(default_factory=list)
    solution_folders: list[dict[str, Any]] = field(default_factory=list)
    solution_articles: list[dict[str, Any]] = field(default_factory=list)
    folder_category: dict[int, int] = field(default_factory=dict)  # folder id → category id
    # the admin's scheduled activities export: None when not enabled (the API answers 403);
    # else the first day it has a file for (days before it, and today, answer 404)
    activities_from: date | None = None
    activities: list[dict[str, Any]] = field(default_factory=list)
    today: date = date(2024, 6, 1)  # the day of NOW

    @classmethod
    def from_recorded(cls) -> FreshdeskAccount:
        """The recorded records, with one custom status (6, "Waiting on vendor") added."""
        streams = recorded()
        solutions = recorded_solutions()
        fields = copy.deepcopy(streams["ticket_fields"])
        for f in fields:
            if f.get("name") == "status":
                f["choices"]["6"] = ["Waiting on vendor", "Awaiting a third party"]
        return cls(
            agents=streams["agents"],
            groups=streams["groups"],
            ticket_fields=fields,
            tickets=streams["tickets"],
            conversations=streams["conversations"],
            time_entries=streams["time_entries"],
            satisfaction_ratings=streams["satisfaction_ratings"],
            business_hours=streams["business_hours"],
            sla_policies=streams["sla_policies"],
            companies=recorded_companies(),
            solution_categories=solutions["categories"],
            solution_folders=solutions["folders"],
            solution_articles=solutions["articles"],
            folder_category={a["folder_id"]: a["category_id"] for a in solutions["articles"]},
        )

    @classmethod
    def generated(cls, tickets: int, seed: int = 1) -> FreshdeskAccount:
        """The recorded account plus ``tickets`` more."""
        rng = random.Random(seed)
        account = cls.from_recorded()
        template = next(t for t in account.tickets if t["id"] == 22)
        start = NOW - timedelta(days=20)
        cid = 90_000_000
        for n in range(tickets):
            tid = 1_000 + n
            created = start + timedelta(minutes=7 * n)
            status = (2, 3, 4, 5, 6)[n % 5]
            updated = created + timedelta(minutes=rng.randint(5, 600))
            ticket = copy.deepcopy(template)
            stats = {k: None for k in template["stats"]}
            stats["status_updated_at"] = _iso(updated)
            stats["first_responded_at"] = _iso(created + timedelta(minutes=3))
            if status == 3:
                stats["pending_since"] = _iso(updated)
            if status in (4, 5):
                stats["resolved_at"] = _iso(updated)
            if status == 5:
                stats["closed_at"] = _iso(updated)
            ticket |= {
                "id": tid,
                "status": status,
                "created_at": _iso(created),
                "updated_at": _iso(updated),
                "stats": stats,
                "source": (1, 2, 3, 7, 10)[n % 5],
                "priority": 1 + n % 4,
                "subject": f"Question {tid}",
                "spam": n % 13 == 4,
                "requester_id": 5_000_000 + n % 9,
                "responder_id": AGENT,
            }
            account.tickets.append(ticket)
            for k, (incoming, private) in enumerate(((True, False), (False, False), (False, True))):
                cid += 1
                account.conversations.append(
                    {
                        "id": cid,
                        "ticket_id": tid,
                        "incoming": incoming,
                        "private": private,
                        "user_id": ticket["requester_id"] if incoming else AGENT,
                        "body_text": f"conversation {k} on {tid}",
                        "source": 0,
                        "created_at": _iso(created + timedelta(minutes=1 + k)),
                        "updated_at": _iso(created + timedelta(minutes=1 + k)),
                    }
                )
            if n % 3 == 0:
                account.time_entries.append(
                    {
                        "id": 80_000_000 + n,
                        "agent_id": AGENT,
                        "ticket_id": tid,
                        "time_spent_in_seconds": 300 + n,
                        "billable": True,
                        "start_time": _iso(created),
                        "executed_at": _iso(created),
                        "created_at": _iso(created),
                        "updated_at": _iso(created),
                    }
                )
            if n % 4 == 1:
                answer = (103, 100, -103)[n % 3]
                account.satisfaction_ratings.append(
                    {
                        "id": 70_000_000 + n,
                        "ticket_id": tid,
                        "ratings": {"default_question": answer},
                        "feedback": None,
                        "created_at": _iso(updated),
                        "updated_at": _iso(updated),
                    }
                )
        return account


TICKET_CONVERSATIONS = re.compile(r"^/api/v2/tickets/(\d+)/conversations$")
CATEGORY_FOLDERS = re.compile(r"^/api/v2/solutions/categories/(\d+)/folders$")
FOLDER_ARTICLES = re.compile(r"^/api/v2/solutions/folders/(\d+)/articles$")
TICKET = re.compile(r"^/api/v2/tickets/(\d+)(/notes)?$")
EXPORTS = "/exports/ticket-activities-"  # where the fake keeps the daily files
TYPES = ("Question", "Incident", "Problem", "Feature Request", "Refund")
WRITABLE = ("priority", "status", "type", "group_id", "responder_id", "tags", "custom_fields")


def activity_time(moment: datetime) -> str:
    """An instant as the activities export writes it: ``16-11-2022 16:03:25 +0000``."""
    return moment.astimezone(UTC).strftime("%d-%m-%Y %H:%M:%S %z")


def activities_of(tickets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The activities export's rows for what the tickets' snapshots tell: each ticket's creation
    (Open) and each status its ``stats`` dates (pending since, resolved, closed, reopened), by
    its requester for the creation and by the system otherwise."""
    marks = (("pending_since", "Pending"), ("resolved_at", "Resolved"))
    marks += (("closed_at", "Closed"), ("reopened_at", "Open"))
    out = []
    for ticket in tickets:
        out.append(
            {
                "ticket_id": ticket["id"],
                "performed_at": activity_time(_at(ticket["created_at"])),
                "performer_type": "user",
                "performer_id": ticket.get("requester_id"),
                "activity": {"new_ticket": True, "status": "Open", "priority": ticket["priority"]},
            }
        )
        for key, label in marks:
            if (ticket.get("stats") or {}).get(key):
                out.append(
                    {
                        "ticket_id": ticket["id"],
                        "performed_at": activity_time(_at(ticket["stats"][key])),
                        "performer_type": "system",
                        "performer_id": None,
                        "activity": {"status": label},
                    }
                )
    return out


def _error(field: str, message: str, code: str = "invalid_value") -> dict[str, str]:
    return {"field": field, "message": message, "code": code}


@dataclass
class FreshdeskFake:
    """The fake's routes; ``cap`` is the deepest page served."""

    account: FreshdeskAccount
    cap: int = 300
    api_key: str = API_KEY
    throttle: int = 0  # writes still to refuse with a 429 (Retry-After: 1)

    def __call__(self, seen: Seen, base: str) -> Answer:
        if seen.path.startswith(EXPORTS):  # the signed download: no other credentials
            return self._export_file(seen)
        expected = base64.b64encode(f"{self.api_key}:X".encode()).decode()
        if seen.headers.get("Authorization") != f"Basic {expected}":
            return Answer(
                401, {"code": "invalid_credentials", "message": "You have to be logged in"}
            )
        if seen.path == "/api/v2/agents/me":
            return Answer(200, self.account.agents[0])
        lists = {
            "/api/v2/agents": "agents",
            "/api/v2/groups": "groups",
            "/api/v2/ticket_fields": "ticket_fields",
            "/api/v2/time_entries": "time_entries",
            "/api/v2/surveys/satisfaction_ratings": "satisfaction_ratings",
            "/api/v2/business_hours": "business_hours",
            "/api/v2/sla_policies": "sla_policies",
            "/api/v2/companies": "companies",
        }
        if seen.path in lists:
            rows = getattr(self.account, lists[seen.path])
            if "created_since" in seen.query:
                since = _at(seen.query["created_since"])
                rows = [r for r in rows if _at(r["created_at"]) >= since]
            return self._page(rows, seen)
        if seen.path == "/api/v2/tickets":
            return self._tickets(seen)
        if seen.path == "/api/v2/export/ticket_activities":
            return self._export(seen, base)
        if match := TICKET.match(seen.path):
            return self._ticket(int(match.group(1)), bool(match.group(2)), seen)
        if seen.path == "/api/v2/solutions/categories":
            return self._page(self.account.solution_categories, seen)
        if match := CATEGORY_FOLDERS.match(seen.path):
            return self._folders(int(match.group(1)), seen)
        if match := FOLDER_ARTICLES.match(seen.path):
            fid = int(match.group(1))
            if not any(f["id"] == fid for f in self.account.solution_folders):
                return Answer(404, {"code": "not_found"})
            found = [a for a in self.account.solution_articles if a["folder_id"] == fid]
            return self._page(found, seen)
        if match := TICKET_CONVERSATIONS.match(seen.path):
            tid = int(match.group(1))
            return self._page(
                [c for c in self.account.conversations if c["ticket_id"] == tid], seen
            )
        return Answer(404, {"code": "not_found"})

    def _export(self, seen: Seen, base: str) -> Answer:
        """The day's export as Freshdesk answers it: a link to its file (``export.url``); 403
        when the scheduled export is off, 404 for a day it has no file for (not yet made)."""
        start = self.account.activities_from
        if start is None:
            return Answer(403, {"code": "access_denied", "message": "export not enabled"})
        day = date.fromisoformat(seen.query.get("created_at", ""))
        if day < start or day >= self.account.today:
            return Answer(404, {"code": "not_found", "message": "export not ready"})
        return Answer(200, {"export": {"url": f"{base}{EXPORTS}{day.isoformat()}.json?sig=x"}})

    def _export_file(self, seen: Seen) -> Answer:
        """The day's file, at its signed URL: S3 refuses a second means of authentication."""
        if "Authorization" in seen.headers:
            return Answer(400, {"Code": "InvalidArgument", "Message": "Only one auth mechanism"})
        day = seen.path.removeprefix(EXPORTS).removesuffix(".json")
        rows = [
            a
            for a in self.account.activities
            if datetime.strptime(a["performed_at"], "%d-%m-%Y %H:%M:%S %z").date().isoformat()
            == day
        ]
        return Answer(200, {"activities_data": rows})

    def _folders(self, cid: int, seen: Seen) -> Answer:
        if not any(c["id"] == cid for c in self.account.solution_categories):
            return Answer(404, {"code": "not_found"})
        belongs = self.account.folder_category
        return self._page(
            [f for f in self.account.solution_folders if belongs[f["id"]] == cid], seen
        )

    def _ticket(self, tid: int, note: bool, seen: Seen) -> Answer:
        ticket = next((t for t in self.account.tickets if t["id"] == tid), None)
        if ticket is None:
            return Answer(404, None)
        if seen.method == "GET" and not note:
            return Answer(200, ticket)
        if self.throttle > 0:
            self.throttle -= 1
            return Answer(429, {"message": "rate limit exceeded"}, {"Retry-After": "1"})
        body = seen.body if isinstance(seen.body, dict) else {}
        if errors := (self._note_errors(body) if note else self._errors(body)):
            return Answer(400, {"description": "Validation failed", "errors": errors})
        now = _iso(datetime.fromtimestamp(time.time(), UTC))
        if note:
            return Answer(201, self._note(ticket, body, now))
        if body.get("status", ticket["status"]) != ticket["status"] and ticket.get("stats"):
            ticket["stats"] = {**ticket["stats"], "status_updated_at": now}
        ticket |= {k: v for k, v in body.items()} | {"updated_at": now}
        return Answer(200, ticket)

    def _errors(self, body: dict[str, Any]) -> list[dict[str, str]]:
        groups = {g["id"] for g in self.account.groups}
        agents = {a["id"] for a in self.account.agents}
        checks = {
            "priority": (
                lambda v: v in (1, 2, 3, 4),
                "It should be one of these values: '1,2,3,4'",
            ),
            "status": (lambda v: isinstance(v, int) and v >= 2, "It should be a status code"),
            "type": (
                lambda v: v in TYPES,
                f"It should be one of these values: '{','.join(TYPES)}'",
            ),
            "group_id": (lambda v: v is None or v in groups, "There is no group matching the id"),
            "responder_id": (
                lambda v: v is None or v in agents,
                "There is no agent matching the id",
            ),
            "tags": (lambda v: isinstance(v, list), "It should be an Array"),
            "custom_fields": (lambda v: isinstance(v, dict), "It should be a key/value pair"),
        }
        errors = [_error(k, "Unexpected/invalid field in request", "invalid_field")
                  for k in body if k not in WRITABLE]  # fmt: skip
        errors += [
            _error(k, checks[k][1]) for k in body if k in checks and not checks[k][0](body[k])
        ]
        return errors

    def _note_errors(self, body: dict[str, Any]) -> list[dict[str, str]]:
        if not isinstance(body.get("body"), str) or not body["body"]:
            return [_error("body", "It should be a/an String", "missing_field")]
        return []

    def _note(self, ticket: dict[str, Any], body: dict[str, Any], now: str) -> dict[str, Any]:
        note = {
            "id": max((c["id"] for c in self.account.conversations), default=0) + 1,
            "ticket_id": ticket["id"],
            "incoming": False,
            "private": bool(body.get("private", True)),
            "user_id": AGENT,
            "body_text": body["body"],
            "source": 2,
            "created_at": now,
            "updated_at": now,
        }
        self.account.conversations.append(note)
        ticket["updated_at"] = now
        return note

    def _page(self, rows: list[dict[str, Any]], seen: Seen) -> Answer:
        page, size = int(seen.query.get("page", 1)), min(int(seen.query.get("per_page", 30)), 100)
        return Answer(200, rows[(page - 1) * size : page * size])

    def _tickets(self, seen: Seen) -> Answer:
        page = int(seen.query.get("page", 1))
        if page > self.cap:
            return Answer(
                400,
                {
                    "description": "Validation failed",
                    "errors": [
                        {"message": f"You cannot access tickets beyond the {self.cap}th page"}
                    ],
                },
            )
        since = (
            _at(seen.query["updated_since"])
            if "updated_since" in seen.query
            else NOW - timedelta(days=30)
        )
        rows = [t for t in self.account.tickets if _at(t["updated_at"]) >= since]
        rows.sort(key=lambda t: (t["updated_at"], t["id"]))
        if seen.query.get("include") != "stats":
            rows = [{k: v for k, v in t.items() if k != "stats"} for t in rows]
        return self._page(rows, seen)
