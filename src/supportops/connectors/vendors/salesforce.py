"""Salesforce Service Cloud (REST API, SOQL), declared: streams, auth, request budget; the
mapping is :mod:`supportops.connectors.vendors.salesforce_mapping`.

Every stream is a SOQL query over REST, ordered by its change instant (``SystemModstamp``;
``CreatedDate`` for the immutable ``CaseHistory``), following the relative ``nextRecordsUrl``
until ``done``: ``CaseStatus`` and ``User`` (lookups), ``Case``, deleted cases through
``queryAll`` (tombstones and merges), ``CaseHistory``, ``CaseComment``, ``EmailMessage``.
OAuth2 (client credentials or a refresh token) at ``/services/oauth2/token``; the answer's
``instance_url`` is the base of every data request. There is no 429: the org has a daily
allowance, told on every answer as ``Sforce-Limit-Info: api-usage=N/M``; the sync stops while
some is left (``USAGE``), and a 403 ``REQUEST_LIMIT_EXCEEDED`` is terminal.
"""

from __future__ import annotations

from supportops.connectors.pagination import SoqlNext
from supportops.connectors.spec import PageRequest, Stream, UsageSignal, Vendor
from supportops.connectors.vendors.salesforce_mapping import (
    map_case_comments,
    map_case_history,
    map_cases,
    map_email_messages,
    map_users,
)
from supportops.http import RateLimit

__all__ = ["API", "FIELDS", "USAGE", "VENDOR"]

API = "/services/data/v59.0"
FIELDS = {
    "CaseStatus": "Id, MasterLabel, ApiName, IsDefault, IsClosed, SortOrder, SystemModstamp",
    "User": "Id, Name, Email, UserType, TimeZoneSidKey, IsActive, SystemModstamp",
    "Case": (
        "Id, CaseNumber, Subject, Status, Priority, Origin, Type, Reason, OwnerId, ContactId, "
        "AccountId, CreatedDate, CreatedById, ClosedDate, IsClosed, IsEscalated, IsDeleted, "
        "MasterRecordId, SystemModstamp"
    ),
    "CaseHistory": "Id, CaseId, Field, DataType, OldValue, NewValue, CreatedDate, CreatedById",
    "CaseComment": (
        "Id, ParentId, CommentBody, IsPublished, IsDeleted, CreatedDate, CreatedById, "
        "SystemModstamp"
    ),
    "EmailMessage": (
        "Id, ParentId, Incoming, Status, Subject, TextBody, FromAddress, ToAddress, "
        "MessageDate, CreatedDate, CreatedById, SystemModstamp"
    ),
}
USAGE = UsageSignal(header="Sforce-Limit-Info", pattern=r"api-usage=(\d+)/(\d+)", reserve=0.1)


def _soql(sobject: str, order: str = "SystemModstamp", where: str = "") -> SoqlNext:
    condition = f"{where} AND " if where else ""
    query = (
        f"SELECT {FIELDS[sobject]} FROM {sobject} "
        f"WHERE {condition}{order} > {{since}} ORDER BY {order}"
    )
    return SoqlNext(query=query, order_field=order)


VENDOR = Vendor(
    name="salesforce",
    streams=(
        Stream(
            "CaseStatus",
            f"{API}/query",
            _soql("CaseStatus"),
            records="records",
            id_field="Id",
            lookup=True,
        ),
        Stream(
            "User",
            f"{API}/query",
            _soql("User"),
            records="records",
            id_field="Id",
            map=map_users,
            lookup=True,
        ),
        Stream(
            "Case", f"{API}/query", _soql("Case"), records="records", id_field="Id", map=map_cases
        ),
        Stream(
            "DeletedCase",
            f"{API}/queryAll",
            _soql("Case", where="IsDeleted = true"),
            records="records",
            id_field="Id",
            map=map_cases,
        ),
        Stream(
            "CaseHistory",
            f"{API}/query",
            _soql("CaseHistory", order="CreatedDate"),
            records="records",
            id_field="Id",
            map=map_case_history,
        ),
        Stream(
            "CaseComment",
            f"{API}/query",
            _soql("CaseComment"),
            records="records",
            id_field="Id",
            map=map_case_comments,
        ),
        Stream(
            "EmailMessage",
            f"{API}/query",
            _soql("EmailMessage"),
            records="records",
            id_field="Id",
            map=map_email_messages,
        ),
    ),
    auth="oauth2_client_credentials",
    rate_limit=RateLimit(statuses=frozenset()),  # no 429: the daily allowance is USAGE's
    check=PageRequest(f"{API}/limits"),
    token_path="/services/oauth2/token",
    history="from CaseHistory (tracked fields only: Status, Owner, Priority, Type)",
    usage=USAGE,
)
