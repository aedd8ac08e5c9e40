"""Help Scout (Mailbox API 2.0), declared: streams, auth, rate-limit signal; the mapping is
:mod:`supportops.connectors.vendors.helpscout_mapping`.

Streams: ``users`` (HAL pages), ``conversations`` (``status=all``, sorted by modification
ascending from ``modifiedSince``, ``embed=threads`` so one request brings a page of
conversations with all their threads; HAL ``_links.next``) and ``ratings`` (the happiness
ratings report from the last rating seen). OAuth2 client credentials at ``/v2/oauth2/token``;
a 429 names its wait in seconds in ``X-RateLimit-Retry-After``, not the standard header.
"""

from __future__ import annotations

from typing import Any

from supportops.connectors import spec
from supportops.connectors.pagination import HalNext, PageNumber
from supportops.connectors.spec import PageRequest, Stream, Vendor
from supportops.connectors.vendors.helpscout_mapping import (
    map_conversations,
    map_ratings,
    map_users,
)
from supportops.http import RateLimit, WaitHeader

__all__ = ["RETRY_AFTER", "VENDOR", "WRITE_BACKS"]

RETRY_AFTER = WaitHeader("X-RateLimit-Retry-After", "seconds")
REPORT_END = "2999-12-31T23:59:59Z"  # the report needs an end; "until now" is what is meant

CONVERSATION = "/v2/conversations/{id}"


def _patch(path: str, **options: Any) -> spec.Write:
    """A JSON Patch ``replace`` of ``path`` (``PATCH /v2/conversations/{id}``, 204)."""
    body = {"op": "replace", "path": path, "value": "$value"}
    return spec.Write("PATCH", CONVERSATION, body, **options)


WRITE_BACKS = spec.WriteBacks(  # Mailbox API 2.0
    ticket=CONVERSATION,
    writes={
        "status": _patch(
            "/status",
            codes={"open": "active", "pending": "pending", "solved": "closed", "closed": "closed"},
            read="status",
        ),
        "assignee_id": _patch("/assignTo", number=True, read="assignee.id"),
        "add_tags": spec.Write("PUT", CONVERSATION + "/tags", {"tags": "$value"}, value="tags"),
        "remove_tags": spec.Write("PUT", CONVERSATION + "/tags", {"tags": "$value"}, value="tags"),
        "note": spec.Write("POST", CONVERSATION + "/notes", {"text": "$value"}),
    },
    cannot={
        "priority": "Help Scout conversations have no priority",
        "type": "Help Scout conversations have no type",
        "group": "a Help Scout mailbox is not a group: moving one is left to the user",
        "custom": "Help Scout custom fields are written by field id, not mapped yet",
    },
)
VENDOR = Vendor(
    name="helpscout",
    write_backs=WRITE_BACKS,
    streams=(
        Stream(
            "users",
            "/v2/users",
            HalNext(order_field="updatedAt"),
            records="_embedded.users",
            map=map_users,
        ),
        Stream(
            "conversations",
            "/v2/conversations",
            HalNext(order_field="userUpdatedAt"),
            records="_embedded.conversations",
            params=(
                ("status", "all"),
                ("sortField", "modifiedAt"),
                ("sortOrder", "asc"),
                ("embed", "threads"),
            ),
            map=map_conversations,
        ),
        Stream(
            "ratings",
            "/v2/reports/happiness/ratings",
            PageNumber(size=50, cap=1_000_000, since_param="start", order_field="ratingCreatedAt"),
            records="results",
            params=(("end", REPORT_END), ("sortField", "modifiedAt"), ("sortOrder", "ASC")),
            id_field="threadid",  # a rating belongs to one thread; a conversation may have several
            map=map_ratings,
        ),
    ),
    auth="oauth2_client_credentials",
    rate_limit=RateLimit(headers=(RETRY_AFTER,)),
    check=PageRequest("/v2/users"),
    token_path="/v2/oauth2/token",
    history="from each thread's status and assignee (lineitems say who changed what)",
    accounts="none: the Mailbox API 2.0 documents customers, no organizations",
)
