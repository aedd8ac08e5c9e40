"""A fake Freshdesk account over real HTTP, seeded from the recorded records.

Numbered pages (``page``, ``per_page`` up to 100) ordered by ``updated_at``; ``updated_since``
inclusive, and without it only the last 30 days; beyond page ``cap`` the documented 400
("You cannot access tickets beyond the 300th page"). Basic auth with the API key and ``X``.
``generated`` adds tickets in the recorded shape: custom statuses, spam, private notes, agent
and customer conversations, time entries and survey answers.
"""

from __future__ import annotations

import base64
import copy
import json
import random
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
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

    @classmethod
    def from_recorded(cls) -> FreshdeskAccount:
        """The recorded records, with one custom status (6, "Waiting on vendor") added."""
        streams = recorded()
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


@dataclass
class FreshdeskFake:
    """The fake's routes; ``cap`` is the deepest page served."""

    account: FreshdeskAccount
    cap: int = 300
    api_key: str = API_KEY

    def __call__(self, seen: Seen, base: str) -> Answer:
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
        }
        if seen.path in lists:
            rows = getattr(self.account, lists[seen.path])
            if "created_since" in seen.query:
                since = _at(seen.query["created_since"])
                rows = [r for r in rows if _at(r["created_at"]) >= since]
            return self._page(rows, seen)
        if seen.path == "/api/v2/tickets":
            return self._tickets(seen)
        if match := TICKET_CONVERSATIONS.match(seen.path):
            tid = int(match.group(1))
            return self._page(
                [c for c in self.account.conversations if c["ticket_id"] == tid], seen
            )
        return Answer(404, {"code": "not_found"})

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
