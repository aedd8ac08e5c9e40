"""Intercom (REST API 2.11), declared: streams, auth, rate-limit signal; the mapping is
:mod:`supportops.connectors.vendors.intercom_mapping`.

Streams, in order: ``teams`` and ``admins`` (lookups: one request each per run),
``conversations`` (``POST /conversations/search`` on ``updated_at >``, ascending, 150 a page,
cursor ``pages.next.starting_after``; every start overlaps a lookback of ten minutes because the
search index can be stale), and per conversation found new or changed ``conversation``
(``GET /conversations/{id}``: the parts, at most the 500 newest), then ``tickets``
(``POST /tickets/search`` likewise), then ``companies`` (``GET /companies/scroll``, from the
start every run: a scroll expires) as accounts. Bearer token; a 429 names its reset as unix
seconds in ``X-RateLimit-Reset`` (no ``Retry-After``). ``statistics`` reconcile against our metrics
(``METRIC_PAIRS``): Intercom leaves office hours out, so on the business clock.
"""

from __future__ import annotations

from supportops.connectors import spec
from supportops.connectors.pagination import Scroll, SearchAfter, Single
from supportops.connectors.spec import PageRequest, Stream, Vendor
from supportops.connectors.vendors.intercom_mapping import (
    map_admins,
    map_companies,
    map_conversations,
    map_tickets,
)
from supportops.http import RATE_LIMIT_RESET, RateLimit

__all__ = ["LOOKBACK", "METRIC_PAIRS", "VENDOR", "WRITE_BACKS"]

LOOKBACK = 600.0  # seconds every search start reaches back: the search index lags behind
METRIC_PAIRS = (  # our metric, Intercom's statistic, its clock: for reconcile (seconds)
    ("first_reply_time", "time_to_admin_reply", ("business",)),
    ("first_resolution_time", "time_to_first_close", ("business",)),
    ("full_resolution_time", "time_to_last_close", ("business",)),
    ("reopens", "count_reopens", ("count",)),
)
SEARCH = SearchAfter(size=150, order_field="updated_at", lookback=LOOKBACK)

NEEDS_ADMIN = "Intercom takes it only from an admin (admin_id), which a source does not name yet"
WRITE_BACKS = spec.WriteBacks(  # PUT /conversations/{id}; the rest goes through an admin's reply
    ticket="/conversations/{id}",
    writes={
        "custom": spec.Write(
            "PUT", "/conversations/{id}", {"custom_attributes": {"$key": "$value"}}
        ),
    },
    cannot={
        "priority": "Intercom marks a conversation priority or not, with no levels",
        "type": "Intercom conversations have no type",
        "group": NEEDS_ADMIN,
        "assignee_id": NEEDS_ADMIN,
        "status": NEEDS_ADMIN,
        "note": NEEDS_ADMIN,
        "add_tags": NEEDS_ADMIN,
        "remove_tags": NEEDS_ADMIN,
    },
)

VENDOR = Vendor(
    name="intercom",
    write_backs=WRITE_BACKS,
    streams=(
        Stream("teams", "/teams", Single(), records="teams", lookup=True),
        Stream("admins", "/admins", Single(), records="admins", map=map_admins, lookup=True),
        Stream("conversations", "/conversations/search", SEARCH, records="conversations"),
        Stream(
            "conversation",
            "/conversations/{parent}",
            Single(),
            records="",
            map=map_conversations,
            for_each="conversations",
        ),
        Stream("tickets", "/tickets/search", SEARCH, records="tickets", map=map_tickets),
        Stream("companies", "/companies/scroll", Scroll(), records="data", map=map_companies),
    ),
    accounts="companies (plan name, 12 × monthly spend as ARR, segment names)",
    auth="bearer",
    rate_limit=RateLimit(headers=(RATE_LIMIT_RESET,)),
    check=PageRequest("/me"),
    metric_pairs=METRIC_PAIRS,
    history="from conversation parts (the 500 newest per conversation; a truncation is flagged)",
)
