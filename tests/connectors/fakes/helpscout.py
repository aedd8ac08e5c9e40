"""A fake Help Scout (Mailbox API 2.0), from the documented shapes (no recording exists):

- ``POST /v2/oauth2/token`` (client credentials) gives a bearer token; a wrong secret is 401.
- ``GET /v2/conversations?status=all&modifiedSince=&sortField=modifiedAt&sortOrder=asc
  &embed=threads&page=N``: HAL, ``_embedded.conversations`` with their ``_embedded.threads``,
  ``_links.next`` until the last page, ``page`` metadata; ``PAGE_SIZE`` per page.
- ``GET /v2/conversations/{id}``: a merged conversation's old id answers 301 to the survivor.
- ``GET /v2/users`` (HAL), ``GET /v2/ratings/{id}`` and the happiness ratings report
  ``GET /v2/reports/happiness/ratings?start=&end=&page=`` (``results``, ``pages``).
- Rate limits: :func:`rate_limited` queues a 429 with ``X-RateLimit-Retry-After`` (seconds),
  not the standard header.
- Writes, as the Mailbox API documents them: ``PATCH /v2/conversations/{id}`` with a JSON Patch
  ``{"op": "replace", "path": "/status"|"/assignTo", "value": ...}`` (204; a status other than
  active, pending, closed or spam, or another path, is a 400 with ``_embedded.errors``);
  ``PUT /v2/conversations/{id}/tags`` ``{"tags": [...]}`` replaces the tags (204);
  ``POST /v2/conversations/{id}/notes`` ``{"text": ...}`` adds a note thread (201, its id in
  ``Resource-ID``). Each write adds the lineitem or note thread Help Scout shows and moves
  ``userUpdatedAt``, so the next sync reads the change back.
"""

from __future__ import annotations

import math
from copy import deepcopy
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlencode

from tests.connectors.fakes.server import Answer, Seen
from tests.connectors.fakes.vendor import FakeVendor, Fault, header

PAGE_SIZE = 25
REPORT_SIZE = 50


def rate_limited(seconds: int = 1, count: int = 1, prefix: str = "/") -> Fault:
    """``count`` 429s asking to wait ``seconds`` through Help Scout's own header."""
    return Fault(
        429,
        count=count,
        prefix=prefix,
        headers=lambda now: {
            "X-RateLimit-Retry-After": str(seconds),
            "X-RateLimit-Limit-Minute": "200",
            "X-RateLimit-Remaining-Minute": "0",
        },
        until=lambda now: now + seconds,
        body={"error": "Too many requests"},
    )


def _bad(path: str, message: str) -> Answer:
    """Help Scout's validation error: a 400 with ``_embedded.errors``."""
    errors = [{"path": path, "message": message, "source": "JSON"}]
    return Answer(400, {"message": "Bad request", "_embedded": {"errors": errors}})


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class FakeHelpScout(FakeVendor):
    """See the module's docstring."""

    def __init__(self, client_id: str = "app", client_secret: str = "secret") -> None:
        super().__init__()
        self.client_id, self.client_secret = client_id, client_secret
        self.conversations: dict[str, dict[str, Any]] = {}
        self.users: list[dict[str, Any]] = []
        self.ratings: dict[str, dict[str, Any]] = {}
        self.moved: dict[str, str] = {}  # merged id → surviving id
        self.tokens: set[str] = set()

    def put(self, conversation: dict[str, Any]) -> None:
        self.conversations[str(conversation["id"])] = deepcopy(conversation)

    def merge(self, absorbed: str, into: str, at: str) -> None:
        """Merge conversation ``absorbed`` into ``into``: its threads move, a lineitem says so,
        and its old id answers 301 from now on."""
        gone = self.conversations.pop(absorbed)
        survivor = self.conversations[into]
        threads = survivor["_embedded"]["threads"] + gone["_embedded"]["threads"]
        next_id = max(int(t["id"]) for t in threads) + 1
        threads.append(
            {
                "id": next_id,
                "type": "lineitem",
                "status": "nochange",
                "actionType": "merged",
                "actionSourceId": int(absorbed),
                "createdBy": {"id": 1, "type": "user"},
                "createdAt": at,
            }
        )
        survivor["_embedded"]["threads"] = threads
        survivor["userUpdatedAt"] = at
        self.moved[absorbed] = into

    # -- answers -------------------------------------------------------------------------------
    def answer(self, request: Seen) -> Answer:
        if request.path == "/v2/oauth2/token":
            return self._token(request)
        auth = header(request, "authorization") or ""
        if auth.removeprefix("Bearer ") not in self.tokens:
            return Answer(401, {"error": "invalid_token"})
        if request.method != "GET" and request.path.startswith("/v2/conversations/"):
            return self._write(request)
        if request.path == "/v2/conversations":
            return self._list(request)
        if request.path.startswith("/v2/conversations/"):
            return self._one(request.path.rsplit("/", 1)[1])
        if request.path == "/v2/users":
            return Answer(
                body={
                    "_embedded": {"users": self.users},
                    "_links": {},
                    "page": {
                        "size": 50,
                        "totalElements": len(self.users),
                        "totalPages": 1,
                        "number": 1,
                    },
                }
            )
        if request.path == "/v2/reports/happiness/ratings":
            return self._ratings(request)
        if request.path.startswith("/v2/ratings/"):
            rating = self.ratings.get(request.path.rsplit("/", 1)[1])
            return Answer(body=rating) if rating else Answer(404, {"error": "not found"})
        return Answer(404, {"error": "not found"})

    def _write(self, request: Seen) -> Answer:
        parts = request.path.removeprefix("/v2/conversations/").split("/")
        conversation = self.conversations.get(parts[0])
        if conversation is None:
            return Answer(404, {"error": "not found"})
        body = request.body if isinstance(request.body, dict) else {}
        at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        threads = conversation.setdefault("_embedded", {}).setdefault("threads", [])
        next_id = max((int(t["id"]) for t in threads), default=int(parts[0]) * 10) + 1
        added: dict[str, Any] = {"id": next_id, "createdBy": {"id": 11, "type": "user"}}
        if request.method == "PATCH" and len(parts) == 1:
            op, path, value = body.get("op"), body.get("path"), body.get("value")
            if op != "replace" or path not in ("/status", "/assignTo"):
                return _bad("path", f"cannot {op} {path}")
            if path == "/status" and value not in ("active", "pending", "closed", "spam"):
                return _bad("value", f"invalid status {value!r}")
            if path == "/assignTo" and not isinstance(value, int):
                return _bad("value", "must be a user id")
            if path == "/status":
                conversation["status"] = value
                added |= {"type": "lineitem", "status": value, "action": {"type": "changed"}}
            else:
                conversation["assignee"] = {"id": value, "type": "user"}
                added |= {"type": "lineitem", "status": "nochange", "assignedTo": {"id": value}}
        elif request.method == "PUT" and parts[1:] == ["tags"]:
            if not isinstance(body.get("tags"), list):
                return _bad("tags", "must be an array")
            conversation["tags"] = [{"id": i + 1, "tag": t} for i, t in enumerate(body["tags"])]
            conversation["userUpdatedAt"] = at
            return Answer(204, None)
        elif request.method == "POST" and parts[1:] == ["notes"]:
            if not isinstance(body.get("text"), str) or not body["text"]:
                return _bad("text", "may not be empty")
            added |= {"type": "note", "status": "nochange", "body": body["text"]}
        else:
            return Answer(405, {"error": "method not allowed"})
        threads.append(added | {"createdAt": at})
        conversation["userUpdatedAt"] = at
        if request.method == "POST":
            return Answer(201, None, {"Resource-ID": str(next_id)})
        return Answer(204, None)

    def _token(self, request: Seen) -> Answer:
        form = {k: v[0] for k, v in parse_qs(str(request.body or "")).items()}
        good = (
            form.get("grant_type") == "client_credentials"
            and form.get("client_id") == self.client_id
            and form.get("client_secret") == self.client_secret
        )
        if not good:
            return Answer(401, {"error": "invalid_client"})
        token = f"token-{len(self.tokens) + 1}"
        self.tokens.add(token)
        return Answer(body={"token_type": "bearer", "access_token": token, "expires_in": 7200})

    def _modified(self, conversation: dict[str, Any]) -> datetime:
        return _instant(conversation.get("userUpdatedAt") or conversation["createdAt"])

    def _list(self, request: Seen) -> Answer:
        since = request.query.get("modifiedSince")
        found = [
            c
            for c in self.conversations.values()
            if since is None or self._modified(c) > _instant(since)
        ]
        found.sort(key=lambda c: (self._modified(c), int(c["id"])))
        page = int(request.query.get("page", "1") or 1)
        pages = max(math.ceil(len(found) / PAGE_SIZE), 1)
        embed = request.query.get("embed") == "threads"
        listed = []
        for conversation in found[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]:
            copy = deepcopy(conversation)
            if not embed:
                copy.pop("_embedded", None)
            listed.append(copy)
        query = urlencode({k: v for k, v in request.query.items() if k != "page"})
        links: dict[str, Any] = {
            "self": {"href": f"{self.base_url}/v2/conversations?{query}&page={page}"}
        }
        if page < pages:
            links["next"] = {"href": f"{self.base_url}/v2/conversations?{query}&page={page + 1}"}
        return Answer(
            body={
                "_embedded": {"conversations": listed},
                "_links": links,
                "page": {
                    "size": PAGE_SIZE,
                    "totalElements": len(found),
                    "totalPages": pages,
                    "number": page,
                },
            }
        )

    def _ratings(self, request: Seen) -> Answer:
        """The happiness ratings report: rows from ``start`` to ``end``, REPORT_SIZE a page."""
        start, end = (
            _instant(request.query.get("start") or ""),
            _instant(request.query.get("end") or ""),
        )
        rows = sorted(
            (r for r in self.ratings.values() if start <= _instant(r["ratingCreatedAt"]) < end),
            key=lambda r: (r["ratingCreatedAt"], r["number"]),
        )
        page = int(request.query.get("page", "1") or 1)
        return Answer(
            body={
                "results": rows[(page - 1) * REPORT_SIZE : page * REPORT_SIZE],
                "page": page,
                "count": len(rows),
                "pages": max(math.ceil(len(rows) / REPORT_SIZE), 1),
            }
        )

    def _one(self, cid: str) -> Answer:
        if cid in self.moved:
            where = f"{self.base_url}/v2/conversations/{self.moved[cid]}"
            return Answer(301, {}, {"Location": where})
        if cid not in self.conversations:
            return Answer(404, {"error": "not found"})
        return Answer(body=self.conversations[cid])


def generate(count: int, start: str = "2024-03-04T10:00:00Z") -> list[dict[str, Any]]:
    """``count`` documented-shape conversations, a minute apart, each with a customer thread,
    a reply and (every third) a note; statuses cycle active / pending / closed."""
    base = _instant(start).timestamp()
    out = []
    for n in range(count):
        at = datetime.fromtimestamp(base + 60 * n, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        status = ("active", "pending", "closed")[n % 3]
        threads = [
            {
                "id": 10 * n + 1,
                "type": "customer",
                "status": "active",
                "body": "help",
                "createdBy": {"id": 500 + n, "type": "customer"},
                "createdAt": at,
            },
            {
                "id": 10 * n + 2,
                "type": "reply",
                "status": status,
                "body": "done",
                "createdBy": {"id": 11, "type": "user"},
                "assignedTo": {"id": 11},
                "createdAt": at,
            },
        ]
        if n % 3 == 0:
            threads.append(
                {
                    "id": 10 * n + 3,
                    "type": "note",
                    "status": "nochange",
                    "body": "fyi",
                    "createdBy": {"id": 11, "type": "user"},
                    "createdAt": at,
                }
            )
        out.append(
            {
                "id": 1000 + n,
                "number": n + 1,
                "type": "email",
                "status": status,
                "state": "published",
                "subject": f"Question {n}",
                "mailboxId": 85,
                "createdBy": {"id": 500 + n, "type": "customer"},
                "createdAt": at,
                "userUpdatedAt": at,
                "source": {"type": "email", "via": "customer"},
                "primaryCustomer": {"id": 500 + n},
                "tags": [],
                "_embedded": {"threads": threads},
            }
        )
    return out
