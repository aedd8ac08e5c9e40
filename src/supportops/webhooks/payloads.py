"""What a verified delivery says, read as data: its delivery id, ticket, instant and event.

A :class:`Payload` names dotted paths into the body (JSON, or a SOAP envelope read as nested
mappings by element name, namespaces dropped). Without an id path the delivery id is the
SHA-256 of the raw body, so the vendor's retry of the same body is the same delivery. Without
an instant, the delivery's instant is when it was received. Reading never raises on a missing
field: a payload is a hint, the connector's sync is the source of truth.
"""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from supportops.connectors.spec import dig
from supportops.errors import InputError, InstantError
from supportops.instants import SystemClock, parse_instant

__all__ = ["Delivery", "Payload", "read_body"]


@dataclass(frozen=True)
class Delivery:
    """One verified delivery as the inbox keeps it."""

    source: str
    delivery_id: str
    ticket_id: str | None
    event: str | None
    instant: datetime
    received_at: datetime
    body: bytes


@dataclass(frozen=True)
class Payload:
    """Where a vendor's payload keeps what the inbox needs (dotted paths; None: absent)."""

    format: Literal["json", "soap"] = "json"
    id: str | None = None
    ticket: str | None = None
    instant: str | None = None
    event: str | None = None
    event_header: str | None = None
    org_id: str | None = None

    def read(
        self, source: str, body: bytes, headers: Mapping[str, str], received_at: datetime
    ) -> Delivery:
        """The delivery ``body`` is (an :class:`~supportops.errors.InputError` when the body is
        not JSON or XML at all)."""
        data = read_body(self.format, body, source)
        lowered = {k.lower(): v for k, v in headers.items()}
        named = _text(dig(data, self.id)) if self.id else None
        event = _text(dig(data, self.event)) if self.event else None
        if self.event_header:
            event = lowered.get(self.event_header.lower(), event)
        return Delivery(
            source=source,
            delivery_id=named or "sha256:" + hashlib.sha256(body).hexdigest(),
            ticket_id=_text(dig(data, self.ticket)) if self.ticket else None,
            event=event,
            instant=_instant(dig(data, self.instant) if self.instant else None) or received_at,
            received_at=received_at,
            body=body,
        )

    def organisation(self, body: bytes) -> Any:
        """The organisation id the payload names (None when it names none or is unreadable)."""
        try:
            return dig(read_body(self.format, body, ""), self.org_id) if self.org_id else None
        except InputError:
            return None


def _text(value: Any) -> str | None:
    return None if value is None or isinstance(value, (dict, list)) else str(value)


def _instant(value: Any) -> datetime | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    if not isinstance(value, str) or not value:
        return None
    try:
        return parse_instant(value, "UTC", SystemClock(), key="instant")
    except InstantError:
        return None


def _element(node: ET.Element) -> Any:
    children = list(node)
    if not children:
        return (node.text or "").strip()
    out: dict[str, Any] = {}
    for child in children:  # a repeated element keeps its first occurrence
        out.setdefault(child.tag.rpartition("}")[2], _element(child))
    return out


def read_body(format: str, body: bytes, source: str) -> Any:
    """The body as nested data: JSON, or a SOAP envelope as mappings by local element name
    (``Body.notifications.OrganizationId``). A document type declaration is refused."""
    try:
        if format == "json":
            return json.loads(body)
        if b"<!DOCTYPE" in body.upper():
            raise InputError(f"webhook for {source}: a DOCTYPE is not accepted", file=source)
        root = ET.fromstring(body)
        return {root.tag.rpartition("}")[2]: _element(root)}
    except (ValueError, ET.ParseError) as exc:
        raise InputError(
            f"webhook for {source}: the body is not {format.upper()}: {exc}", file=source
        ) from exc
