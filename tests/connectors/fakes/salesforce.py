"""A fake Salesforce (REST API, SOQL), from the documented shapes (no recording exists):

- A login server: ``POST /services/oauth2/token`` (client credentials or refresh token) gives a
  bearer token and the ``instance_url`` of a second server, the instance, which alone answers
  the data API.
- ``GET /services/data/v59.0/query?q=SOQL`` (live rows) and ``.../queryAll?q=`` (deleted rows
  too): ``SELECT fields FROM Object [WHERE [IsDeleted = true AND] SystemModstamp > instant]
  ORDER BY SystemModstamp`` (or another instant field, e.g.
  CaseHistory's ``CreatedDate``). ``records`` in batches (``Sforce-Query-Options: batchSize=N``,
  200-2000, default 2000); ``done`` false with a relative ``nextRecordsUrl`` until the last one.
- Every data answer carries ``Sforce-Limit-Info: api-usage=N/M``; once the daily allowance is
  spent, 403 ``REQUEST_LIMIT_EXCEEDED``. There is no 429.
- Writes, as the REST API documents them: ``GET`` and ``PATCH .../sobjects/Case/{Id}`` (204;
  a field the fake's Case does not have is 400 ``INVALID_FIELD``, a Priority outside the
  picklist 400 ``INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST``, an OwnerId of no User 400
  ``INVALID_CROSS_REFERENCE_KEY``; each error names its ``fields``), and
  ``POST .../sobjects/CaseComment`` (201 ``{"id", "success", "errors"}``). A change moves the
  Case's ``SystemModstamp`` and adds its ``CaseHistory`` row, so the next sync reads it back.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from tests.connectors.fakes.server import Answer, Seen
from tests.connectors.fakes.vendor import FakeVendor, header

VERSION = "v59.0"
SOQL = re.compile(
    r"^SELECT\s+(?P<fields>.+?)\s+FROM\s+(?P<object>\w+)"
    r"(?:\s+WHERE\s+(?P<where>.+?))?\s+ORDER\s+BY\s+(?P<order>\w+)(?:\s+ASC)?$",
    re.IGNORECASE | re.DOTALL,
)
SINCE = re.compile(r"(\w+)\s*>\s*(\S+)", re.IGNORECASE)
DELETED = re.compile(r"IsDeleted\s*=\s*true", re.IGNORECASE)


def _instant(text: str) -> datetime:
    text = text.replace("Z", "+00:00")
    if text[-5] in "+-" and text[-3] != ":":
        text = f"{text[:-2]}:{text[-2:]}"
    return datetime.fromisoformat(text)


def stamp(seconds: float) -> str:
    """A REST instant as Salesforce writes it: ``2024-03-04T10:00:00.000+0000``."""
    return datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


class _Login(FakeVendor):
    def __init__(self, instance: FakeSalesforce) -> None:
        super().__init__()
        self.instance = instance

    def answer(self, request: Seen) -> Answer:
        if request.path != "/services/oauth2/token":
            return Answer(404, [{"errorCode": "NOT_FOUND"}])
        form = {k: v[0] for k, v in parse_qs(str(request.body or "")).items()}
        sf = self.instance
        good = form.get("client_id") == sf.client_id and (
            (
                form.get("grant_type") == "client_credentials"
                and form.get("client_secret") == sf.client_secret
            )
            or (
                form.get("grant_type") == "refresh_token"
                and form.get("refresh_token") == sf.refresh_token
            )
        )
        if not good:
            return Answer(400, {"error": "invalid_client", "error_description": "bad credentials"})
        token = f"00D!token{len(sf.tokens) + 1}"
        sf.tokens.add(token)
        return Answer(
            body={
                "access_token": token,
                "instance_url": sf.base_url,
                "token_type": "Bearer",
                "issued_at": "1709546400000",
                "id": f"{self.base_url}/id/00D/005",
            }
        )


class FakeSalesforce(FakeVendor):
    """See the module's docstring; ``objects`` maps an sObject name to its rows."""

    def __init__(
        self,
        client_id: str = "app",
        client_secret: str = "secret",
        refresh_token: str = "refresh",
        daily_limit: int = 15000,
    ) -> None:
        super().__init__()
        self.client_id, self.client_secret, self.refresh_token = (
            client_id,
            client_secret,
            refresh_token,
        )
        self.daily_limit, self.used = daily_limit, 0
        self.objects: dict[str, list[dict[str, Any]]] = {}
        self.tokens: set[str] = set()
        self.cursors: dict[str, list[dict[str, Any]]] = {}
        self.login = _Login(self)
        self.default_batch = 2000  # the batch size without Sforce-Query-Options

    def headers(self, request: Seen) -> dict[str, str]:
        return {"Sforce-Limit-Info": f"api-usage={self.used}/{self.daily_limit}"}

    def answer(self, request: Seen) -> Answer:
        if (header(request, "authorization") or "").removeprefix("Bearer ") not in self.tokens:
            return Answer(
                401, [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
            )
        if self.used >= self.daily_limit:
            return Answer(
                403,
                [
                    {
                        "message": "TotalRequests Limit exceeded.",
                        "errorCode": "REQUEST_LIMIT_EXCEEDED",
                    }
                ],
            )
        self.used += 1
        prefix = f"/services/data/{VERSION}/"
        if request.path == f"{prefix}limits":
            return Answer(
                body={
                    "DailyApiRequests": {
                        "Max": self.daily_limit,
                        "Remaining": self.daily_limit - self.used,
                    }
                }
            )
        if request.path.startswith(f"{prefix}sobjects/"):
            return self._sobject(request, request.path.removeprefix(f"{prefix}sobjects/"))
        if request.path in (f"{prefix}query", f"{prefix}queryAll"):
            return self._query(request, deleted=request.path.endswith("queryAll"))
        if request.path.startswith(f"{prefix}query/") or request.path.startswith(
            f"{prefix}queryAll/"
        ):
            return self._more(request.path.rsplit("/", 1)[1], request.path.rsplit("/", 1)[0])
        return Answer(
            404, [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]
        )

    def _sobject(self, request: Seen, rest: str) -> Answer:
        kind, _, oid = rest.partition("/")
        body = request.body if isinstance(request.body, dict) else {}
        now = stamp(datetime.now(UTC).timestamp())
        if kind == "CaseComment" and request.method == "POST" and not oid:
            cases = {c["Id"] for c in self.objects.get("Case", [])}
            if body.get("ParentId") not in cases:
                return _error(
                    "INVALID_CROSS_REFERENCE_KEY", "ParentId", "invalid cross reference id"
                )
            comments = self.objects.setdefault("CaseComment", [])
            cid = f"00a{len(comments) + 10**9:012d}"
            comments.append(
                {
                    "Id": cid,
                    "ParentId": body["ParentId"],
                    "CommentBody": body.get("CommentBody"),
                    "IsPublished": bool(body.get("IsPublished", False)),
                    "IsDeleted": False,
                    "CreatedDate": now,
                    "CreatedById": self.objects["User"][0]["Id"],
                    "SystemModstamp": now,
                }
            )
            return Answer(201, {"id": cid, "success": True, "errors": []})
        case = next((c for c in self.objects.get("Case", []) if c["Id"] == oid), None)
        if kind != "Case" or case is None:
            missing = {"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}
            return Answer(404, [missing])
        if request.method == "GET":
            return Answer(body={"attributes": {"type": "Case"}, **case})
        if request.method != "PATCH":
            return Answer(405, [{"errorCode": "METHOD_NOT_ALLOWED", "message": request.method}])
        for key, value in body.items():
            if key not in case or key in ("Id", "CaseNumber", "CreatedDate", "SystemModstamp"):
                return _error("INVALID_FIELD", key, f"No such column '{key}' on sobject Case")
            if key == "Priority" and value not in PRIORITIES:
                return _error("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", key, f"bad value: {value}")
            if key == "OwnerId" and value not in {u["Id"] for u in self.objects["User"]}:
                return _error("INVALID_CROSS_REFERENCE_KEY", key, "invalid cross reference id")
        history = self.objects.setdefault("CaseHistory", [])
        for key, value in body.items():
            if case[key] != value:
                history.append(
                    {
                        "Id": f"017{len(history) + 10**9:010d}w",
                        "CaseId": oid,
                        "Field": "Owner" if key == "OwnerId" else key,
                        "OldValue": case[key],
                        "NewValue": value,
                        "DataType": "EntityId" if key == "OwnerId" else "Text",
                        "CreatedDate": now,
                        "CreatedById": self.objects["User"][0]["Id"],
                        "SystemModstamp": now,
                    }
                )
                case[key] = value
        case["SystemModstamp"] = now
        return Answer(204, None)

    def _batch(self, request: Seen) -> int:
        options = header(request, "sforce-query-options") or ""
        found = re.search(r"batchSize=(\d+)", options)
        return min(max(int(found.group(1)), 200), 2000) if found else self.default_batch

    def _query(self, request: Seen, deleted: bool) -> Answer:
        soql = " ".join((request.query.get("q") or "").split())
        parsed = SOQL.match(soql)
        if not parsed or parsed["object"] not in self.objects:
            return Answer(400, [{"errorCode": "MALFORMED_QUERY", "message": soql[:80]}])
        fields = [f.strip() for f in parsed["fields"].split(",")]
        where = parsed["where"] or ""
        since = SINCE.search(where)
        rows = [
            r
            for r in self.objects[parsed["object"]]
            if (deleted or not r.get("IsDeleted"))
            and (not DELETED.search(where) or r.get("IsDeleted"))
            and (since is None or _instant(r[since.group(1)]) > _instant(since.group(2)))
        ]
        rows.sort(key=lambda r: (_instant(r[parsed["order"]]), r["Id"]))
        selected = [
            {"attributes": {"type": parsed["object"]}, **{f: r.get(f) for f in fields}}
            for r in rows
        ]
        base = request.path
        return self._page(selected, self._batch(request), base)

    def _page(self, rows: list[dict[str, Any]], batch: int, base: str) -> Answer:
        head, rest = rows[:batch], rows[batch:]
        body: dict[str, Any] = {"totalSize": len(rows), "done": not rest, "records": head}
        if rest:
            cursor = f"01g{len(self.cursors):012d}-{batch}"
            self.cursors[cursor] = rest
            body["nextRecordsUrl"] = f"{base}/{cursor}"
        return Answer(body=body)

    def _more(self, cursor: str, base: str) -> Answer:
        rows = self.cursors.pop(cursor, None)
        if rows is None:
            return Answer(400, [{"errorCode": "INVALID_QUERY_LOCATOR"}])
        answer = self._page(rows, int(cursor.rsplit("-", 1)[1]), base)
        return answer


PRIORITIES = ("Low", "Medium", "High", "Critical")  # the fake org's Priority picklist


def _error(code: str, field: str, message: str) -> Answer:
    """Salesforce's error answer: a list of ``{message, errorCode, fields}``."""
    return Answer(400, [{"message": message, "errorCode": code, "fields": [field]}])


def generate(count: int, start: float = 1709546400.0) -> dict[str, list[dict[str, Any]]]:
    """``count`` cases a minute apart, each with its created history row, a status change, a
    published comment and an incoming e-mail, alternately of two Accounts; the org's CaseStatus
    and User rows."""
    users = [
        {
            "Id": "0055g000001AAAA",
            "Name": "Ana Agent",
            "Email": "ana@acme.com",
            "UserType": "Standard",
            "SystemModstamp": stamp(start),
        },
        {
            "Id": "0055g000002BBBB",
            "Name": "Automated Process",
            "Email": None,
            "UserType": "AutomatedProcess",
            "SystemModstamp": stamp(start),
        },
    ]
    statuses = [
        {
            "Id": f"01J{n}",
            "MasterLabel": label,
            "IsDefault": n == 1,
            "IsClosed": n == 3,
            "SystemModstamp": stamp(start),
        }
        for n, label in ((1, "New"), (2, "Working"), (3, "Closed"))
    ]
    accounts = [
        {
            "Id": "0015g00000AcmeAAA",
            "Name": "Acme",
            "Type": "Customer - Direct",
            "Industry": "Manufacturing",
            "AnnualRevenue": 250000000.0,
            "Rating": "Hot",
            "SystemModstamp": stamp(start),
        },
        {
            "Id": "0015g00000TinyAAA",
            "Name": "Tiny",
            "Type": "Customer - Channel",
            "Industry": None,
            "AnnualRevenue": None,
            "Rating": None,
            "SystemModstamp": stamp(start),
        },
    ]
    cases, history, comments, emails = [], [], [], []
    for n in range(count):
        t, cid = start + 60 * n, f"5005g{n:010d}"
        closed = n % 2 == 0
        cases.append(
            {
                "Id": cid,
                "CaseNumber": f"{n + 1:08d}",
                "Subject": f"Case {n}",
                "Status": "Closed" if closed else "Working",
                "Priority": "Medium",
                "Origin": "Email",
                "Type": "Question",
                "OwnerId": users[0]["Id"],
                "ContactId": f"0035g{n:010d}",
                "AccountId": accounts[n % 2]["Id"],
                "CreatedDate": stamp(t),
                "ClosedDate": stamp(t + 30) if closed else None,
                "IsClosed": closed,
                "IsDeleted": False,
                "MasterRecordId": None,
                "SystemModstamp": stamp(t + 30),
            }
        )
        history += [
            {
                "Id": f"017{n:010d}a",
                "CaseId": cid,
                "Field": "created",
                "OldValue": None,
                "NewValue": None,
                "DataType": "Text",
                "CreatedDate": stamp(t),
                "CreatedById": users[1]["Id"],
                "SystemModstamp": stamp(t),
            },
            {
                "Id": f"017{n:010d}b",
                "CaseId": cid,
                "Field": "Status",
                "OldValue": "New",
                "NewValue": "Closed" if closed else "Working",
                "DataType": "Text",
                "CreatedDate": stamp(t + 30),
                "CreatedById": users[0]["Id"],
                "SystemModstamp": stamp(t + 30),
            },
        ]
        comments.append(
            {
                "Id": f"00a{n:012d}",
                "ParentId": cid,
                "CommentBody": "on it",
                "IsPublished": True,
                "IsDeleted": False,
                "CreatedDate": stamp(t + 20),
                "CreatedById": users[0]["Id"],
                "SystemModstamp": stamp(t + 20),
            }
        )
        emails.append(
            {
                "Id": f"02s{n:012d}",
                "ParentId": cid,
                "Incoming": True,
                "Status": "0",
                "TextBody": "help",
                "MessageDate": stamp(t),
                "CreatedById": users[1]["Id"],
                "IsDeleted": False,
                "SystemModstamp": stamp(t),
            }
        )
    return {
        "Case": cases,
        "CaseHistory": history,
        "CaseComment": comments,
        "EmailMessage": emails,
        "CaseStatus": statuses,
        "User": users,
        "Account": accounts,
    }
