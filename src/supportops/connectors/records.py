"""Reading vendor records in mappings: a page's records, ids as text, and instants written as
unix seconds or ISO 8601 (``Z``, ``+0000``, ``+00:00``, or documented UTC without an offset),
all as aware UTC datetimes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from supportops.connectors.spec import Parts
from supportops.store.sync_log import unwrap

__all__ = ["Record", "created_event", "epoch", "iso", "records_of", "text_id", "unwrap"]

Record = dict[str, Any]


def records_of(parts: Parts) -> list[Record]:
    """Every record of a page's parts (a stream of one part: its records)."""
    return [record for records in parts.values() for record in records]


def epoch(value: object) -> datetime | None:
    """Unix seconds as an aware UTC instant (None for an empty value)."""
    if value is None or value == "":
        return None
    return datetime.fromtimestamp(float(str(value)), tz=UTC)


def text_id(value: object) -> str | None:
    """A vendor id as text (None for an empty value)."""
    return None if value is None or value == "" else str(value)


def iso(value: object) -> datetime | None:
    """An ISO 8601 instant (``Z``, ``+0000`` or ``+00:00``); one without an offset is read as UTC,
    for vendors that document their times as UTC. None for an empty value."""
    if value is None or value == "":
        return None
    text = str(value).replace("Z", "+00:00")
    if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":  # +0000 → +00:00
        text = f"{text[:-2]}:{text[-2:]}"
    when = datetime.fromisoformat(text)
    return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)


def created_event(ticket: Record, event_id: str) -> Record:
    """The ``created`` event of a mapped ``tickets`` row, what ``on: create`` rules listen to:
    at its creation, by its creator."""
    return {
        "ticket_id": ticket["ticket_id"],
        "source": ticket["source"],
        "kind": "created",
        "at": ticket["created_at"],
        "actor": ticket["created_by"],
        "event_id": event_id,
    }
