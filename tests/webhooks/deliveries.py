"""Deliveries as each vendor sends them: a payload in the vendor's shape, signed with the
vendor's scheme (read from :data:`~supportops.webhooks.vendors.RECEIVERS`, so a test signs the
way the receiver verifies only when both read the same data correctly)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from supportops.webhooks.signatures import sign
from supportops.webhooks.vendors import RECEIVERS

ORG_ID = "00D5g000004XyZQEA0"
SECRETS = {
    "zendesk": "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==",
    "intercom": "intercom-client-secret",
    "helpscout": "helpscout-secret-key",
    "freshdesk": "freshdesk-shared-token",
    "salesforce": "salesforce-url-token",
}
WORKED_BODY = (
    b'{"type":"zen:event-type:ticket.created","account_id":88888888,"id":"01HNXXXX-CTEXAMPLE",'
    b'"time":"2024-04-17T17:18:10Z","zendesk_event_version":"2022-11-06",'
    b'"subject":"zen:ticket:35436","detail":{"id":"35436","status":"Open"},'
    b'"event":{"current":{"status":"Open"}}}'
)
WORKED_STAMP = "2024-04-17T17:18:10Z"
WORKED_SIGNATURE = "mLUuC0vXNhvGg52QpnW9J122Goor0O8y7APDs530Hbo="


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def body_of(vendor: str, number: int, ticket: str, at: datetime) -> bytes:
    """Delivery ``number`` about ``ticket`` at ``at``, in ``vendor``'s payload shape."""
    stamp = _iso(at)
    shapes = {
        "zendesk": {
            "type": "zen:event-type:ticket.comment_added",
            "account_id": 88888888,
            "id": f"01HZ-{number:08d}",
            "time": stamp,
            "subject": f"zen:ticket:{ticket}",
            "detail": {"id": ticket, "status": "OPEN"},
        },
        "intercom": {
            "type": "notification_event",
            "id": f"notif_{number:08d}",
            "topic": "conversation.user.replied",
            "created_at": int(at.timestamp()),
            "data": {"item": {"type": "conversation", "id": ticket}},
        },
        "helpscout": {"id": ticket, "number": number, "userUpdatedAt": stamp},
        "freshdesk": {"ticket_id": ticket, "event": f"update {number}", "updated_at": stamp},
    }
    if vendor in shapes:
        return json.dumps(shapes[vendor]).encode()
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">'
        '<soapenv:Body><notifications xmlns="http://soap.sforce.com/2005/09/outbound">'
        f"<OrganizationId>{ORG_ID}</OrganizationId><ActionId>04k5g000000001</ActionId>"
        f"<Notification><Id>04l{number:015d}</Id>"
        f'<sObject xsi:type="sf:Case" xmlns:sf="urn:sobject.enterprise.soap.sforce.com" '
        f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<sf:Id>{ticket}</sf:Id><sf:SystemModstamp>{stamp}</sf:SystemModstamp></sObject>"
        "</Notification></notifications></soapenv:Body></soapenv:Envelope>"
    ).encode()


@dataclass
class Signed:
    """A delivery ready to send: body, headers, query."""

    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)


def signed(vendor: str, body: bytes, at: datetime, secret: str | None = None) -> Signed:
    """``body`` signed as ``vendor`` signs it at ``at`` (with its test secret by default)."""
    receiver = RECEIVERS[vendor]
    scheme, key = receiver.signature, SECRETS[vendor] if secret is None else secret
    out = Signed(body)
    stamp = ""
    if scheme.timestamp_header:
        stamp = _iso(at)
        out.headers[scheme.timestamp_header] = stamp
    value = sign(scheme, key, body, stamp)
    (out.query if scheme.in_query else out.headers)[scheme.header] = value
    if receiver.payload.event_header:
        out.headers[receiver.payload.event_header] = "convo.customer.reply.created"
    out.headers["Content-Type"] = (
        "text/xml" if receiver.payload.format == "soap" else "application/json"
    )
    return out


def delivery(vendor: str, number: int, ticket: str, at: datetime) -> Signed:
    """Delivery ``number`` about ``ticket``, signed by ``vendor`` at ``at``."""
    return signed(vendor, body_of(vendor, number, ticket, at), at)
