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
from supportops.connectors.spec import Mapper, PageRequest, Stream, UsageSignal, Vendor, no_rows
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


def _stream(
    name: str, soql: SoqlNext, map: Mapper = no_rows, lookup: bool = False, all_rows: bool = False
) -> Stream:
    """A SOQL stream; ``all_rows`` reads through ``queryAll`` (deleted rows too)."""
    path = f"{API}/queryAll" if all_rows else f"{API}/query"
    return Stream(name, path, soql, records="records", id_field="Id", map=map, lookup=lookup)


VENDOR = Vendor(
    name="salesforce",
    streams=(
        _stream("CaseStatus", _soql("CaseStatus"), lookup=True),
        _stream("User", _soql("User"), map=map_users, lookup=True),
        _stream("Case", _soql("Case"), map=map_cases),
        _stream("DeletedCase", _soql("Case", where="IsDeleted = true"), map_cases, all_rows=True),
        _stream("CaseHistory", _soql("CaseHistory", order="CreatedDate"), map_case_history),
        _stream("CaseComment", _soql("CaseComment"), map_case_comments),
        _stream("EmailMessage", _soql("EmailMessage"), map_email_messages),
    ),
    auth="oauth2_client_credentials",
    rate_limit=RateLimit(statuses=frozenset()),  # no 429: the daily allowance is USAGE's
    check=PageRequest(f"{API}/limits"),
    token_path="/services/oauth2/token",
    history="from CaseHistory (tracked fields only: Status, Owner, Priority, Type)",
    usage=USAGE,
)
