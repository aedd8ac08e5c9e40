"""Where SLA metrics read their target instances.

The table ``sla_instances`` that ``supportops sla`` stores is read as it is; with ``--as-of``, or
when it was never stored, the SLA engine evaluates the workspace at that instant and the
instances metrics need go into the session's temporary table ``so_sla_instances``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa

from supportops.store import Store

if TYPE_CHECKING:
    from supportops.workspace import Workspace

__all__ = ["STORED", "TEMP", "sla_table", "table_exists"]

STORED = "sla_instances"
TEMP = "so_sla_instances"
_COLUMNS = {
    "source": "string",
    "ticket_id": "string",
    "target": "string",
    "status": "string",
    "due_at": "timestamp",
}


def table_exists(store: Store, name: str) -> bool:
    """Whether the store's current schema has a table called ``name``."""
    found = store.scalar(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ? "
        "AND table_schema = current_schema()",
        [name],
    )
    return bool(found)


def _load(store: Store, frame: pd.DataFrame) -> None:
    types = store.capabilities.types
    body = ", ".join(f'"{c}" {types[kind]}' for c, kind in _COLUMNS.items())
    store.execute(f"DROP TABLE IF EXISTS {TEMP}")
    store.execute(f"CREATE TEMP TABLE {TEMP} ({body})")
    columns = {}
    for name, kind in _COLUMNS.items():
        values = frame[name] if name in frame else pd.Series([None] * len(frame))
        if kind == "string":
            columns[name] = pa.array(
                values.astype("object").where(values.notna(), None), pa.string()
            )
        else:
            columns[name] = pa.array(pd.to_datetime(values, utc=True), pa.timestamp("us", "UTC"))
    store.append(TEMP, pa.table(columns))


def sla_table(ws: Workspace, as_of: datetime | None, evaluate: bool) -> str:
    """The table of SLA target instances for a query as of ``as_of`` (None: now)."""
    if as_of is None and table_exists(ws.store, STORED):
        return STORED
    if not evaluate:
        return STORED
    from supportops.sla import evaluate_workspace

    _load(ws.store, evaluate_workspace(ws, as_of))
    return TEMP
