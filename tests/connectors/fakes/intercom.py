"""A fake Intercom (REST API 2.11) seeded from the recorded records, as documented:

- ``POST /conversations/search`` on ``updated_at`` (operators ``>``, ``>=``, ``<``; ``AND`` of
  several), sorted ascending, ``pagination.per_page`` at most 150 (more is a 400), cursor
  ``pages.next.starting_after``. The search index is stale: a conversation is found only
  ``index_lag`` seconds after its ``updated_at`` has been indexed (``indexed_at``).
- ``GET /conversations/{id}`` with at most the 500 newest parts (``statistics`` counts them all).
- ``POST /tickets/search`` likewise; ``GET /admins``, ``GET /teams``.
- ``GET /companies/scroll``: ``scroll_page`` companies a page, the next under the answer's
  ``scroll_param``, an empty ``data`` at the end (the scroll then expires). No company is among
  the recorded records: :func:`company` builds one in the shape of the API 2.11 example.
- Bearer auth: a wrong token gets 401 with Intercom's error list.
- Rate limits: :func:`rate_limited` queues a 429 with ``X-RateLimit-Reset`` (unix seconds) and
  no ``Retry-After``.
- ``PUT /conversations/{id}`` takes ``custom_attributes`` (merged into the conversation's),
  ``read`` and ``title``, as documented; any other key is a 400 ``parameter_invalid``. The
  conversation's ``updated_at`` moves, so the next search finds it again.
"""

from __future__ import annotations

import base64
import json
import math
import time
from copy import deepcopy
from pathlib import Path
from typing import Any

from tests.connectors.fakes.server import Answer, Seen
from tests.connectors.fakes.vendor import FakeVendor, Fault, header

PART_LIMIT = 500
MAX_PER_PAGE = 150
OPERATORS = {
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "=": lambda a, b: a == b,
}


def recorded(shared_data: Path) -> dict[str, list[dict[str, Any]]]:
    """The recorded Airbyte records by stream."""
    path = shared_data / "api" / "intercom" / "airbyte_expected_records_subset"
    streams: dict[str, list[dict[str, Any]]] = {}
    for line in (path / "expected_records_subset.jsonl").read_text().splitlines():
        record = json.loads(line)
        streams.setdefault(record["stream"], []).append(record["data"])
    return streams


def rate_limited(seconds: int = 1, count: int = 1, prefix: str = "/") -> Fault:
    """``count`` 429s naming a reset ``seconds`` after the (whole) current second."""

    def reset(now: float) -> float:
        return float(math.floor(now) + seconds + 1)

    return Fault(
        429,
        count=count,
        prefix=prefix,
        headers=lambda now: {
            "X-RateLimit-Limit": "83",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": str(int(reset(now))),
        },
        until=reset,
        body={"type": "error.list", "errors": [{"code": "rate_limit_exceeded"}]},
    )


def company(cid: str, name: str, **fields: Any) -> dict[str, Any]:
    """A company in the shape of the API 2.11 example of ``GET /companies/scroll``; ``fields``
    replace its values (``plan``, ``monthly_spend``, ``segments``, ``custom_attributes``)."""
    base: dict[str, Any] = {
        "type": "company",
        "company_id": f"remote_{cid}",
        "id": cid,
        "app_id": "this_is_an_id158_that_should_be_at_least_",
        "name": name,
        "remote_created_at": 1719492746,
        "created_at": 1719492746,
        "updated_at": 1719492746,
        "monthly_spend": 0,
        "session_count": 0,
        "user_count": 4,
        "tags": {"type": "tag.list", "tags": []},
        "segments": {"type": "segment.list", "segments": []},
        "plan": {},
        "custom_attributes": {},
    }
    return {**base, **fields}


class FakeIntercom(FakeVendor):
    """See the module's docstring. ``conversations`` hold their parts under
    ``conversation_parts.conversation_parts`` (all of them; the answer keeps the 500 newest)."""

    def __init__(self, token: str = "secret") -> None:
        super().__init__()
        self.token = token
        self.conversations: dict[str, dict[str, Any]] = {}
        self.tickets: dict[str, dict[str, Any]] = {}
        self.admins: list[dict[str, Any]] = []
        self.teams: list[dict[str, Any]] = []
        self.index_lag = 0
        self.now = 0  # the fake's unix "now" for the search index (0: everything is indexed)
        self.search_page: int | None = None  # answer pages this small whatever per_page asks
        self.companies: list[dict[str, Any]] = []
        self.scroll_page = 2
        self.scrolls: dict[str, int] = {}  # open scroll_param → the next company's index

    def seed(self, streams: dict[str, list[dict[str, Any]]]) -> FakeIntercom:
        """Load recorded records: conversations get their recorded parts embedded."""
        parts: dict[str, list[dict[str, Any]]] = {}
        for part in streams.get("conversation_parts", []):
            parts.setdefault(str(part["conversation_id"]), []).append(part)
        for conversation in streams.get("conversations", []):
            self.put(conversation, parts.get(str(conversation["id"]), []))
        for ticket in streams.get("tickets", []):
            self.tickets[str(ticket["id"])] = deepcopy(ticket)
        self.admins = deepcopy(streams.get("admins", []))
        self.teams = deepcopy(streams.get("teams", []))
        return self

    def put(self, conversation: dict[str, Any], parts: list[dict[str, Any]] | None = None) -> None:
        """Add or replace a conversation (parts, when given, replace its parts)."""
        stored = deepcopy(conversation)
        if parts is not None:
            stored["conversation_parts"] = {
                "type": "conversation_part.list",
                "conversation_parts": deepcopy(parts),
                "total_count": len(parts),
            }
        stored.setdefault("indexed_at", stored["updated_at"] + self.index_lag)
        self.conversations[str(stored["id"])] = stored

    # -- answers -------------------------------------------------------------------------------
    def answer(self, request: Seen) -> Answer:
        if (header(request, "authorization") or "") != f"Bearer {self.token}":
            return Answer(
                401,
                {
                    "type": "error.list",
                    "errors": [{"code": "unauthorized", "message": "Access Token Invalid"}],
                },
            )
        path = request.path
        if request.method == "POST" and path == "/conversations/search":
            visible = [c for c in self.conversations.values() if self._indexed(c)]
            return self._search(request, visible, "conversations", "conversation.list")
        if request.method == "POST" and path == "/tickets/search":
            return self._search(request, list(self.tickets.values()), "tickets", "ticket.list")
        if request.method == "PUT" and path.startswith("/conversations/"):
            return self._update(path.rsplit("/", 1)[1], request.body)
        if path.startswith("/conversations/"):
            return self._conversation(path.rsplit("/", 1)[1])
        if path == "/me":
            return Answer(body={"type": "admin", "id": "4423433", "name": "Airbyte Team"})
        if path == "/admins":
            return Answer(body={"type": "admin.list", "admins": self.admins})
        if path == "/teams":
            return Answer(body={"type": "team.list", "teams": self.teams})
        if path == "/companies/scroll":
            return self._scroll(request.query.get("scroll_param"))
        return Answer(404, {"type": "error.list", "errors": [{"code": "not_found"}]})

    def _update(self, cid: str, body: Any) -> Answer:
        if cid not in self.conversations:
            return Answer(404, {"type": "error.list", "errors": [{"code": "not_found"}]})
        body = body if isinstance(body, dict) else {}
        unknown = [k for k in body if k not in ("custom_attributes", "read", "title")]
        if unknown or not isinstance(body.get("custom_attributes", {}), dict):
            bad = (unknown or ["custom_attributes"])[0]
            error = {"code": "parameter_invalid", "message": f"{bad} is invalid"}
            return Answer(400, {"type": "error.list", "errors": [error]})
        conversation = self.conversations[cid]
        attributes = conversation.get("custom_attributes") or {}
        conversation["custom_attributes"] = attributes | body.get("custom_attributes", {})
        if "title" in body:
            conversation["title"] = body["title"]
        conversation["updated_at"] = max(int(time.time()), conversation["updated_at"] + 1)
        conversation["indexed_at"] = conversation["updated_at"] + self.index_lag
        return self._conversation(cid)

    def _scroll(self, param: str | None) -> Answer:
        if param is not None and param not in self.scrolls:
            return Answer(404, {"type": "error.list", "errors": [{"code": "scroll_expired"}]})
        start = self.scrolls.pop(param, 0) if param else 0
        page = self.companies[start : start + self.scroll_page]
        token = f"scroll-{len(self.scrolls)}-{start + len(page)}"
        if page:
            self.scrolls[token] = start + len(page)
        body = {"type": "list", "data": deepcopy(page), "pages": None, "total_count": None}
        return Answer(body={**body, "scroll_param": token if page else None})

    def _indexed(self, conversation: dict[str, Any]) -> bool:
        return not self.now or conversation["indexed_at"] <= self.now

    def _conversation(self, cid: str) -> Answer:
        if cid not in self.conversations:
            return Answer(404, {"type": "error.list", "errors": [{"code": "not_found"}]})
        whole = deepcopy(self.conversations[cid])
        whole.pop("indexed_at", None)
        parts = whole.get("conversation_parts", {}).get("conversation_parts", [])
        newest = sorted(parts, key=lambda p: p["created_at"])[-PART_LIMIT:]
        whole["conversation_parts"] = {
            "type": "conversation_part.list",
            "conversation_parts": newest,
            "total_count": len(newest),
        }
        return Answer(body=whole)

    def _search(self, request: Seen, records: list[dict[str, Any]], key: str, kind: str) -> Answer:
        body = request.body or {}
        pagination = body.get("pagination") or {}
        per_page = int(pagination.get("per_page", 20))
        if per_page > MAX_PER_PAGE:
            return Answer(
                400,
                {
                    "type": "error.list",
                    "errors": [
                        {"code": "parameter_invalid", "message": "per_page must be at most 150"}
                    ],
                },
            )
        found = sorted(
            (r for r in records if _matches(r, body.get("query") or {})),
            key=lambda r: (r["updated_at"], int(r["id"])),
        )
        per_page = min(per_page, self.search_page or per_page)  # a test's smaller pages
        start = _offset(pagination.get("starting_after"))
        page = found[start : start + per_page]
        pages: dict[str, Any] = {
            "type": "pages",
            "page": start // per_page + 1,
            "per_page": per_page,
            "total_pages": max(math.ceil(len(found) / per_page), 1),
        }
        if start + per_page < len(found):
            pages["next"] = {"per_page": per_page, "starting_after": _cursor(start + per_page)}
        listed = []
        for record in page:
            listed.append(
                {k: v for k, v in record.items() if k not in ("indexed_at", "conversation_parts")}
            )
        return Answer(body={"type": kind, key: listed, "total_count": len(found), "pages": pages})


def _matches(record: dict[str, Any], query: dict[str, Any]) -> bool:
    if "value" in query and isinstance(query["value"], list):
        checks = [_matches(record, q) for q in query["value"]]
        return all(checks) if query.get("operator", "AND") == "AND" else any(checks)
    if not query:
        return True
    field, value = str(query["field"]), query["value"]
    return bool(OPERATORS[str(query["operator"])](record.get(field), int(value)))


def _cursor(offset: int) -> str:
    return base64.b64encode(json.dumps({"offset": offset}).encode()).decode()


def _offset(cursor: str | None) -> int:
    return int(json.loads(base64.b64decode(cursor))["offset"]) if cursor else 0


def generate(count: int, start: int = 1709546400, parts: int = 4) -> list[dict[str, Any]]:
    """``count`` conversations in the recorded shape, a minute apart, each with ``parts`` parts
    (a customer comment, an admin reply, a note, a close) and a rating on every fourth."""
    out = []
    for n in range(count):
        t, cid = start + 60 * n, str(100_000 + n)
        contact = f"65e5{n:020x}"
        kinds = [
            ("comment", "user", contact),
            ("comment", "admin", "4423433"),
            ("note", "admin", "4423433"),
            ("close", "admin", "4423433"),
        ][:parts]
        conversation_parts = [
            {
                "type": "conversation_part",
                "id": f"{cid}{i}",
                "part_type": kind,
                "body": "<p>x</p>",
                "created_at": t + 10 * (i + 1),
                "updated_at": t + 10 * (i + 1),
                "notified_at": t + 10 * (i + 1),
                "author": {"type": who, "id": author},
                "attachments": [],
                "redacted": False,
            }
            for i, (kind, who, author) in enumerate(kinds)
        ]
        closed = parts >= 4
        end = t + 10 * len(kinds)
        rating = {
            "rating": 1 + n % 5,
            "remark": "",
            "created_at": end + 5,
            "contact": {"id": contact},
            "teammate": {"id": "4423433"},
        }
        out.append(
            {
                "type": "conversation",
                "id": cid,
                "created_at": t,
                "updated_at": end,
                "state": "closed" if closed else "open",
                "open": not closed,
                "priority": "not_priority",
                "source": {
                    "type": "conversation",
                    "id": f"9{cid}",
                    "delivered_as": "customer_initiated",
                    "subject": "",
                    "body": "<p>help</p>",
                    "author": {"type": "user", "id": contact},
                },
                "contacts": {
                    "type": "contact.list",
                    "contacts": [{"type": "contact", "id": contact}],
                },
                "tags": {"type": "tag.list", "tags": []},
                "admin_assignee_id": 4423433,
                "team_assignee_id": 5077733,
                "statistics": {
                    "type": "conversation_statistics",
                    "time_to_admin_reply": 20,
                    "first_admin_reply_at": t + 20,
                    "last_close_at": end if closed else None,
                    "time_to_first_close": end - t if closed else None,
                    "time_to_last_close": end - t if closed else None,
                    "count_reopens": 0,
                    "count_conversation_parts": len(conversation_parts),
                },
                "conversation_rating": rating if n % 4 == 0 else None,
                "conversation_parts": {
                    "type": "conversation_part.list",
                    "conversation_parts": conversation_parts,
                    "total_count": len(conversation_parts),
                },
            }
        )
    return out
