"""The action ledger: one row per action a rule took, dry or live, appended and never changed.

A row holds the rule, the ticket (``source``, ``ticket_id``), the action and the field it
writes, the value before and after, the instant of the event it answered (``at``), when it was
recorded, its ``result`` (``dry_run``; ``written``, ``unchanged``, ``skipped`` or
``failed: ...`` when live), the ``mode``, and the ``context`` the rule's condition read (JSON:
the triage prediction and its confidence, an SLA's time left, ...; empty when it read none).
``action_id`` is a digest of the rule, the ticket, the event's instant and the action:
recording the same action twice keeps the first (what makes a write-back idempotent).
Experiments and the automation ROI ledger read it.

A live write-back is recorded ``pending`` before its request is sent and its result replaces
``pending`` once (:func:`resolve`); nothing else of a row ever changes (decision D90).
"""

from __future__ import annotations

import hashlib
from datetime import datetime

import pandas as pd
import pyarrow as pa

from supportops.store.base import BOOKKEEPING, Store

__all__ = [
    "COLUMNS",
    "TABLE",
    "action_ids",
    "known_ids",
    "pending",
    "read_ledger",
    "record",
    "resolve",
]

TABLE = "rule_actions"
COLUMNS = [name for name, _ in BOOKKEEPING[TABLE]]


def action_ids(actions: pd.DataFrame) -> pd.Series:
    """The idempotency key of each action (rule, source, ticket, instant, action, field, after)."""
    parts = ["rule", "source", "ticket_id", "at", "action", "field", "after"]
    text = actions[parts].astype(str).agg("\x1f".join, axis=1)
    return text.map(lambda t: hashlib.sha256(t.encode()).hexdigest()[:32])


def known_ids(store: Store, ids: list[str]) -> set[str]:
    """Which of ``ids`` the ledger holds already."""
    if not ids:
        return set()
    marks = ", ".join("?" for _ in ids)
    found = store.arrow(f'SELECT action_id FROM "{TABLE}" WHERE action_id IN ({marks})', ids)
    return set(found.column(0).to_pylist())


def record(store: Store, actions: pd.DataFrame, mode: str, now: datetime) -> pd.DataFrame:
    """Append ``actions`` (columns rule, source, ticket_id, action, field, before, after, at,
    result) not already in the ledger; returns the rows appended."""
    if actions.empty:
        return actions.assign(action_id=pd.Series(dtype=str))
    rows = actions.assign(action_id=action_ids(actions)).drop_duplicates("action_id")
    rows = rows[~rows["action_id"].isin(known_ids(store, rows["action_id"].tolist()))]
    rows = rows.assign(mode=mode, recorded_at=pd.Timestamp(now))
    if "context" not in rows:
        rows = rows.assign(context=None)
    table = pa.table(
        {
            c: pa.array(
                rows[c].tolist()
                if c not in ("at", "recorded_at")
                else pd.to_datetime(rows[c], utc=True),
                type=pa.timestamp("us", "UTC") if c in ("at", "recorded_at") else pa.string(),
            )
            for c in COLUMNS
        }
    )
    store.append(TABLE, table)
    return rows


def pending(store: Store, sources: list[str], excluding: list[str]) -> pd.DataFrame:
    """The live actions of ``sources`` still ``pending`` (an earlier run stopped between the
    request and its result), but those of ``excluding`` (action ids), oldest first."""
    if not sources:
        return pd.DataFrame(columns=COLUMNS)
    cols = ", ".join(f'"{c}"' for c in COLUMNS)
    marks = ", ".join("?" for _ in sources)
    sql = (
        f'SELECT {cols} FROM "{TABLE}" WHERE result = ? AND source IN ({marks}) '
        'ORDER BY recorded_at, "at"'
    )
    rows = store.query(sql, ["pending", *sources])
    return rows[~rows["action_id"].isin(excluding)].reset_index(drop=True)


def resolve(store: Store, results: dict[str, str]) -> None:
    """Write each action's result (by action id) over its ``pending``, once."""
    for action_id, result in results.items():
        if result != "pending":
            store.execute(
                f'UPDATE "{TABLE}" SET result = ? WHERE action_id = ? AND result = ?',
                [result, action_id, "pending"],
            )


def read_ledger(store: Store, limit: int = 50) -> pd.DataFrame:
    """The newest ``limit`` rows, newest first."""
    cols = ", ".join(f'"{c}"' for c in COLUMNS)
    sql = f'SELECT {cols} FROM "{TABLE}" ORDER BY recorded_at DESC, "at" DESC LIMIT {int(limit)}'
    return store.query(sql)
