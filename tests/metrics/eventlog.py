"""Hand-built event logs for metric tests: rows as dicts, times absolute or relative.

A time may be ISO 8601 (``2026-03-02T09:00:00Z``) or, in any row that has a ``ticket_id``,
relative to that ticket's creation: ``+30m``, ``+1d2h``. Missing columns are NULL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow as pa

from supportops.durations import parse_duration
from supportops.model.schema import TABLES
from supportops.store import Store
from supportops.store.base import BOOKKEEPING

_TYPES = {
    "timestamp": pa.timestamp("us", "UTC"),
    "list": pa.list_(pa.string()),
    "bool": pa.bool_(),
    "number": pa.float64(),
    "duration": pa.float64(),
}
_DEFAULTS = {
    "tickets": {"source": "csv", "channel": "email", "created_by": "customer"},
    "events": {"source": "csv"},
    "surveys": {"source": "csv"},
    "contacts": {"source": "csv"},
    "bot_sessions": {"source": "csv"},
    "work": {"source": "csv", "kind": "handle"},
    "shifts": {"activity": "work"},
}


def instant(value: Any, base: datetime | None = None) -> datetime | None:
    """An aware instant from ISO text, a datetime, or ``+DURATION`` after ``base``."""
    if value is None or isinstance(value, datetime):
        return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)
    text = str(value)
    if text.startswith("+") or text.startswith("-"):
        if base is None:
            raise ValueError(f"relative time {text!r} without a ticket to start from")
        sign = -1 if text.startswith("-") else 1
        return base + sign * timedelta(seconds=parse_duration(text[1:]))
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def arrow_rows(name: str, rows: list[dict[str, Any]], created: dict[str, datetime]) -> pa.Table:
    """An Arrow table with every stored column of ``name`` (rows completed with defaults)."""
    table = TABLES[name]
    full = []
    for i, row in enumerate(rows):
        row = {**_DEFAULTS.get(name, {}), **row}
        base = created.get(str(row.get("ticket_id")))
        for col in table.columns:
            if col.type == "timestamp" and col.name in row:
                row[col.name] = instant(row[col.name], base)
        if name == "events":
            row.setdefault("event_id", f"e{i}")
        full.append(row)
    columns = {}
    for col_name in table.stored:
        kind = table.column(col_name).type if col_name in table.names else "string"
        values = [r.get(col_name) for r in full]
        if kind in ("string", "enum", "json"):
            values = [None if v is None else str(v) for v in values]
        columns[col_name] = pa.array(values, _TYPES.get(kind, pa.string()))
    return pa.table(columns)


def load(store: Store, log: dict[str, list[dict[str, Any]]]) -> None:
    """Write a hand-built log (``{"tickets": [...], "events": [...], ...}``) into ``store``."""
    created: dict[str, datetime] = {}
    for row in log.get("tickets", []):
        moment = instant(row["created_at"])
        assert moment is not None
        created[str(row["ticket_id"])] = moment
    for name in TABLES:
        if log.get(name):
            store.upsert(TABLES[name], arrow_rows(name, log[name], created))
    for name, columns in BOOKKEEPING.items():
        if log.get(name):
            store.append(name, bookkeeping_rows(log[name], columns))


def bookkeeping_rows(rows: list[dict[str, Any]], columns: list[tuple[str, str]]) -> pa.Table:
    """Rows of a bookkeeping table (``imports``, ``quarantine``) as Arrow."""
    return pa.table(
        {
            name: pa.array(
                [instant(r.get(name)) if kind == "timestamp" else r.get(name) for r in rows],
                _TYPES.get(kind, pa.string()),
            )
            for name, kind in columns
        }
    )
