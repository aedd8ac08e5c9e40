"""The SLA engine's edge to the store: read its inputs, write ``sla_instances``.

The store does the heavy lifting it is good at: it numbers tickets by (source, ticket_id), keeps
only the events a clock listens to, encodes them as small integers and sorts them by ticket,
instant and code, so that Python receives three numeric columns instead of 80 million strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from supportops.sla.events import (
    AGENT_MESSAGE,
    CUSTOMER_MESSAGE,
    MERGED,
    STATUS_NAMES,
    EventArrays,
)
from supportops.sla.frame import COLUMNS
from supportops.sla.gaming import PendingChanges
from supportops.store import Store
from supportops.workspace import Workspace

__all__ = [
    "CATEGORICAL",
    "INSTANCE_COLUMNS",
    "SlaInputs",
    "append_instances",
    "events_sql",
    "load_inputs",
    "load_pending",
    "pending_sql",
    "store_instances",
    "ticket_frame",
    "tickets_sql",
]

CATEGORICAL = (
    "source",
    "channel",
    "priority",
    "type",
    "group",
    "organization_id",
    "created_by",
    "assignee_id",
    "requester_id",
    "status",
)
_TICKET_COLUMNS = (
    "ticket_id",
    *CATEGORICAL[:1],
    "created_at",
    *CATEGORICAL[1:],
    "tags",
    "solved_at",
    "custom",  # so that a policy's ``when`` may name any ticket column
)
_ORDER = "coalesce(source, 'csv'), ticket_id"


@dataclass(frozen=True)
class SlaInputs:
    """What the engine reads: tickets (one row each) and their encoded clock events."""

    tickets: pd.DataFrame
    events: EventArrays


def tickets_sql(table: str = "tickets") -> str:
    """The tickets, numbered by their order: (source, ticket_id)."""
    columns = ", ".join(f'"{name}"' for name in _TICKET_COLUMNS)
    return f'SELECT {columns} FROM "{table}" ORDER BY {_ORDER}'


def _code_sql() -> str:
    statuses = " ".join(f"WHEN '{name}' THEN {code}" for code, name in enumerate(STATUS_NAMES))
    shown = "kind = 'message' AND coalesce(public, true)"
    return (
        f"CASE WHEN kind = 'status' THEN CASE value {statuses} END "
        f"WHEN kind = 'merged' THEN {MERGED} "
        f"WHEN {shown} AND actor = 'customer' THEN {CUSTOMER_MESSAGE} "
        f"WHEN {shown} AND actor = 'agent' THEN {AGENT_MESSAGE} END"
    )


def events_sql(tickets: str = "tickets", events: str = "events") -> str:
    """The clock events as (ticket row, epoch second, code), sorted by ticket, instant, code."""
    return f"""
        WITH t AS ({_numbered(tickets)}), e AS (
            SELECT coalesce(source, 'csv') AS source, ticket_id,
                   CAST(floor(extract(epoch FROM "at")) AS BIGINT) AS "at", {_code_sql()} AS code
            FROM "{events}"
            WHERE kind IN ('status', 'merged', 'message') AND "at" IS NOT NULL
        )
        SELECT CAST(t.row AS INTEGER) AS ticket, e."at", CAST(e.code AS SMALLINT) AS code
        FROM e JOIN t ON t.source = e.source AND t.ticket_id = e.ticket_id
        WHERE e.code IS NOT NULL
        ORDER BY ticket, e."at", code
    """


def ticket_frame(table: pa.Table) -> pd.DataFrame:
    """Tickets as pandas without Python strings: enumerations as categoricals, the rest Arrow."""
    columns: dict[str, Any] = {}
    for name in table.column_names:
        column = table[name]
        if name in CATEGORICAL:
            columns[name] = column.dictionary_encode().to_pandas()
        elif pa.types.is_timestamp(column.type):
            columns[name] = column.to_pandas()
        else:
            columns[name] = pd.Series(pd.arrays.ArrowExtensionArray(column))
    return pd.DataFrame(columns)


def event_arrays(table: pa.Table) -> EventArrays:
    """Numpy arrays of the (ticket, at, code) table :func:`events_sql` returns."""

    def column(name: str, dtype: Any) -> Any:
        return np.asarray(table[name].to_numpy(), dtype=dtype)

    return EventArrays(column("ticket", np.int32), column("at", np.int64), column("code", np.int8))


def _numbered(tickets: str) -> str:
    return (
        f"SELECT coalesce(source, 'csv') AS source, ticket_id, "
        f'row_number() OVER (ORDER BY {_ORDER}) - 1 AS row FROM "{tickets}"'
    )


def pending_sql(tickets: str = "tickets", events: str = "events") -> str:
    """The agents' changes to pending as (ticket row, epoch second, agent id)."""
    return f"""
        WITH t AS ({_numbered(tickets)})
        SELECT CAST(t.row AS BIGINT) AS ticket,
               CAST(floor(extract(epoch FROM e."at")) AS BIGINT) AS "at", e.actor_id AS agent
        FROM "{events}" e JOIN t
          ON t.source = coalesce(e.source, 'csv') AND t.ticket_id = e.ticket_id
        WHERE e.kind = 'status' AND e.value = 'pending' AND e.actor = 'agent'
        ORDER BY ticket, "at"
    """


def load_pending(store: Store) -> PendingChanges:
    """The agents' changes to pending, numbered like :func:`load_inputs` numbers tickets."""
    table = store.arrow(pending_sql())
    return PendingChanges(
        np.asarray(table["ticket"].to_numpy(), dtype=np.int64),
        np.asarray(table["at"].to_numpy(), dtype=np.int64),
        np.asarray(table["agent"].to_pylist(), dtype=object),
    )


def load_inputs(store: Store, tickets: str = "tickets", events: str = "events") -> SlaInputs:
    """Read the tickets and their clock events from a store (from the tables ``tickets`` and
    ``events``: e.g. the incremental refresh's rows of the changed tickets)."""
    return SlaInputs(
        ticket_frame(store.arrow(tickets_sql(tickets))),
        event_arrays(store.arrow(events_sql(tickets, events))),
    )


_LOGICAL = {
    "instance": "number",
    "target_seconds": "number",
    "elapsed_seconds": "number",
    **dict.fromkeys(("started_at", "stopped_at", "breached_at", "due_at"), "timestamp"),
}


INSTANCE_COLUMNS = _NAMES = (*COLUMNS, "source")  # the columns of a stored instances table


def store_instances(
    ws: Workspace,
    instances: pd.DataFrame,
    table: str = "sla_instances",
    temporary: bool = False,
) -> int:
    """Replace the store table ``sla_instances`` (the spec's columns and ``source``) with
    ``instances``, so that SQL metrics can read them (``temporary``: a table of the session).
    Returns the rows written."""
    types = ws.store.capabilities.types
    body = ", ".join(f'"{name}" {types[_LOGICAL.get(name, "string")]}' for name in _NAMES)
    ws.store.execute(f'DROP TABLE IF EXISTS "{table}"')
    ws.store.execute(f'CREATE {"TEMP " if temporary else ""}TABLE "{table}" ({body})')
    return append_instances(ws, instances, table)


def append_instances(ws: Workspace, instances: pd.DataFrame, table: str = "sla_instances") -> int:
    """Add ``instances`` to the table :func:`store_instances` made; returns the rows added."""
    rows = pa.Table.from_pandas(instances[list(_NAMES)], preserve_index=False)
    plain = [
        field.with_type(field.type.value_type) if pa.types.is_dictionary(field.type) else field
        for field in rows.schema
    ]
    ws.store.append(table, rows.cast(pa.schema(plain)))
    return int(rows.num_rows)
