"""What a vendor mapping receives and returns: pure functions from a page of vendor JSON to rows.

A mapping is ``(records, context) -> Rows``: it reads nothing but its arguments, so the same raw
records always give the same rows (a rebuild remaps them without one request). ``Rows`` holds
event-log rows by table name (``tickets``, ``events``, ``surveys``, ``agents``,
``vendor_metrics``); instants are aware UTC datetimes, ``custom`` a dict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

__all__ = ["MappingContext", "Parts", "Record", "Rows", "epoch", "iso", "records_of", "text_id"]

Record = dict[str, Any]
Parts = dict[str, list[Record]]  # a page's records by the JSON key they came under


def records_of(parts: Parts) -> list[Record]:
    """Every record of a page's parts (a stream of one part: its records)."""
    return [record for records in parts.values() for record in records]


@dataclass(frozen=True)
class MappingContext:
    """What a mapping may know besides the page: the source's name and settings, and reference
    records of other streams by stream and vendor id (e.g. Salesforce's CaseStatus rows)."""

    source: str
    status_map: Mapping[str, str] = field(default_factory=dict)
    automation_users: frozenset[str] = frozenset()
    lookups: Mapping[str, Mapping[str, Record]] = field(default_factory=dict)

    def lookup(self, stream: str, vendor_id: object) -> Record | None:
        """The reference record ``vendor_id`` of ``stream``, or None."""
        return self.lookups.get(stream, {}).get(str(vendor_id)) if vendor_id is not None else None


@dataclass
class Rows:
    """Event-log rows by table, in the order the mapping produced them."""

    tables: dict[str, list[Record]] = field(default_factory=dict)

    def add(self, table: str, *rows: Record | None) -> None:
        """Append ``rows`` (None rows are skipped) to ``table``."""
        self.tables.setdefault(table, []).extend(r for r in rows if r is not None)

    def extend(self, other: Rows) -> None:
        """Append every row of ``other``."""
        for name, rows in other.tables.items():
            self.tables.setdefault(name, []).extend(rows)

    def __getitem__(self, table: str) -> list[Record]:
        return self.tables.get(table, [])


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
