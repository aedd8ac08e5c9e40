"""Salesforce Service Cloud (REST API, SOQL), declared: streams, auth, request budget; the
mapping is :mod:`supportops.connectors.vendors.salesforce_mapping`.

Every stream is a SOQL query over REST, ordered by its change instant (``SystemModstamp``;
``CreatedDate`` for the immutable ``CaseHistory``), following the relative ``nextRecordsUrl``
until ``done``: ``CaseStatus`` and ``User`` (lookups), ``Case``, deleted cases through
``queryAll`` (tombstones and merges), ``CaseHistory``, ``CaseComment``, ``EmailMessage``,
``Account`` (as accounts).
OAuth2 (client credentials or a refresh token) at ``/services/oauth2/token``; the answer's
``instance_url`` is the base of every data request. There is no 429: the org has a daily
allowance, told on every answer as ``Sforce-Limit-Info: api-usage=N/M``; the sync stops while
some is left (``USAGE``), and a 403 ``REQUEST_LIMIT_EXCEEDED`` is terminal.
"""

from __future__ import annotations

import re
from typing import Any

from supportops.connectors import spec
from supportops.connectors.pagination import SoqlNext
from supportops.connectors.spec import Mapper, PageRequest, Stream, UsageSignal, Vendor, no_rows
from supportops.connectors.vendors.salesforce_mapping import (
    map_accounts,
    map_case_comments,
    map_case_history,
    map_cases,
    map_email_messages,
    map_users,
)
from supportops.http import RateLimit

__all__ = [
    "API",
    "CONFIG_FIELDS",
    "FIELDS",
    "USAGE",
    "VENDOR",
    "WRITE_BACKS",
    "calendar_of",
    "propose",
]

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
    "Account": "Id, Name, Type, Industry, AnnualRevenue, Rating, SystemModstamp",
}
DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
CONFIG_FIELDS = {  # what `connect --import-config` reads
    "BusinessHours": ", ".join(
        ["Id", "Name", "IsActive", "IsDefault", "TimeZoneSidKey"]
        + [f"{d}{edge}Time" for d in DAYS for edge in ("Start", "End")]
        + ["SystemModstamp"]
    ),
    "Holiday": "Id, Name, ActivityDate, IsAllDay, IsRecurrence, SystemModstamp",
}
USAGE = UsageSignal(header="Sforce-Limit-Info", pattern=r"api-usage=(\d+)/(\d+)", reserve=0.1)


def _soql(sobject: str, order: str = "SystemModstamp", where: str = "") -> SoqlNext:
    condition = f"{where} AND " if where else ""
    fields = FIELDS.get(sobject) or CONFIG_FIELDS[sobject]
    query = f"SELECT {fields} FROM {sobject} WHERE {condition}{order} > {{since}} ORDER BY {order}"
    return SoqlNext(query=query, order_field=order)


def _stream(
    name: str, soql: SoqlNext, map: Mapper = no_rows, lookup: bool = False, all_rows: bool = False
) -> Stream:
    """A SOQL stream; ``all_rows`` reads through ``queryAll`` (deleted rows too)."""
    path = f"{API}/queryAll" if all_rows else f"{API}/query"
    return Stream(name, path, soql, records="records", id_field="Id", map=map, lookup=lookup)


def _hhmm(value: Any) -> str:
    """A Salesforce time (``08:00:00.000Z``) as ``08:00``."""
    return str(value)[:5]


def calendar_of(
    hours: dict[str, Any], holidays: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Business hours (a start and end time per weekday, both empty on a closed day, both
    ``00:00`` on a day open around the clock; the zone an IANA name already) as a calendar;
    ``holidays`` (all-day, not recurring) as closed dates."""
    days: dict[str, list[str]] = {}
    for day in DAYS:
        start, end = hours.get(f"{day}StartTime"), hours.get(f"{day}EndTime")
        if start is None or end is None:
            continue
        first, last = _hhmm(start), _hhmm(end)
        days[day[:3].lower()] = [f"{first}-{'24:00' if last == '00:00' else last}"]
    zone = str(hours.get("TimeZoneSidKey") or "UTC")
    calendar: dict[str, Any] = {"timezone": zone, "hours": days}
    dates = sorted(
        str(h["ActivityDate"])[:10]
        for h in holidays or []
        if h.get("IsAllDay") and not h.get("IsRecurrence") and h.get("ActivityDate")
    )
    if dates:
        calendar["holidays"] = {"dates": dates}
    return calendar


def propose(records: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """The active business hours as calendars (the default one first, with the org's all-day
    holidays: the REST API does not tell which business hours a holiday belongs to), for the
    user to review. Entitlement processes (Salesforce's SLAs) are not read."""
    active = [h for h in records.get("BusinessHours", []) if h.get("IsActive", True)]
    active.sort(key=lambda h: not h.get("IsDefault"))
    holidays = records.get("Holiday", [])
    calendars = {
        f"salesforce-{_slug(str(h['Name']))}": calendar_of(h, holidays if n == 0 else [])
        for n, h in enumerate(active)
    }
    return {"calendars": calendars, "sla_policies": [], "status_map": {}}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "hours"


CASE = f"{API}/sobjects/Case/{{id}}"


def _case(key: str, **options: Any) -> spec.Write:
    """A Case update of ``key`` (``PATCH .../sobjects/Case/{id}``, 204)."""
    return spec.Write("PATCH", CASE, {key: "$value"}, **({"read": key} | options))


WRITE_BACKS = spec.WriteBacks(
    ticket=CASE,
    writes={
        "priority": _case(
            "Priority",
            codes={"low": "Low", "normal": "Medium", "high": "High", "urgent": "Critical"},
        ),
        "type": _case("Type"),
        "assignee_id": _case("OwnerId"),
        "note": spec.Write(
            "POST",
            f"{API}/sobjects/CaseComment",
            {"ParentId": "$id", "CommentBody": "$value", "IsPublished": False},
        ),
    },
    cannot={
        "status": "a Case's statuses are the org's own picklist, not mapped back yet",
        "group": "a Salesforce queue owns a Case through OwnerId: not mapped from a group yet",
        "add_tags": "Salesforce Cases have no tags",
        "remove_tags": "Salesforce Cases have no tags",
        "custom": "custom Case fields are the org's own API names, not mapped yet",
    },
)
VENDOR = Vendor(
    name="salesforce",
    write_backs=WRITE_BACKS,
    propose=propose,
    config_streams=(
        _stream("BusinessHours", _soql("BusinessHours")),
        _stream("Holiday", _soql("Holiday")),
    ),
    streams=(
        _stream("CaseStatus", _soql("CaseStatus"), lookup=True),
        _stream("User", _soql("User"), map=map_users, lookup=True),
        _stream("Case", _soql("Case"), map=map_cases),
        _stream("DeletedCase", _soql("Case", where="IsDeleted = true"), map_cases, all_rows=True),
        _stream("CaseHistory", _soql("CaseHistory", order="CreatedDate"), map_case_history),
        _stream("CaseComment", _soql("CaseComment"), map_case_comments),
        _stream("EmailMessage", _soql("EmailMessage"), map_email_messages),
        _stream("Account", _soql("Account"), map_accounts),
    ),
    accounts="Account (Type as segment; plan and ARR from queried fields named)",
    auth="oauth2_client_credentials",
    rate_limit=RateLimit(statuses=frozenset()),  # no 429: the daily allowance is USAGE's
    check=PageRequest(f"{API}/limits"),
    token_path="/services/oauth2/token",
    history="from CaseHistory (tracked fields only: Status, Owner, Priority, Type)",
    usage=USAGE,
)
