"""Where SLA metrics and pages read their target instances.

``supportops metrics refresh`` (and ``supportops sla --store``) evaluates every target instance
at an instant and stores it as the table ``sla_instances``, with what it was built from in
``sla_instances_state``: that instant, a signature of the data and of the SLA configuration.
A stored snapshot answers any later instant exactly, as long as no event was added since and
the policies did not change: with no new event a clock can only run on, so an instance ``active``
at the snapshot is ``breached`` at ``t`` when ``t`` is past its ``due_at`` (the last instant the
elapsed time still equals the target) and keeps its status otherwise; achieved, breached and
paused instances keep theirs (:func:`status_sql` is that rule in SQL). The snapshot is also
stored joined to its tickets (``metric_sla``), which is what metric queries read. Otherwise —
no snapshot, new data, other policies, or an instant before the snapshot — the SLA engine
evaluates the workspace at the instant asked and the instances go into the session's temporary
table ``so_sla_instances``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from supportops.lazy import lazy_module
from supportops.store import Store

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from supportops.workspace import Workspace
else:  # loaded on first use (a command reading a few rows needs neither Arrow nor numpy)
    pa = lazy_module("pyarrow")

__all__ = [
    "JOINED",
    "SNAPSHOT_STATE",
    "STORED",
    "TEMP",
    "TICKET_COLUMNS",
    "advanced",
    "instances_table",
    "join_instances",
    "joined_sql",
    "load_instances",
    "sla_signature",
    "sla_table",
    "snapshot_at",
    "status_sql",
    "store_snapshot",
    "stored_state",
    "write_state",
]

STORED = "sla_instances"
TEMP = "so_sla_instances"
SNAPSHOT_STATE = "sla_instances_state"
JOINED = "metric_sla"
_LOADED = ("sla", "temporary table evaluated at")  # a remembering store's note
_COLUMNS = {
    "source": "string",
    "ticket_id": "string",
    "policy": "string",
    "target": "string",
    "status": "string",
    "due_at": "timestamp",
}


def load_instances(store: Store, frame: pd.DataFrame, moment: datetime | None = None) -> str:
    """Put SLA instances (the engine's frame, evaluated at ``moment``) into the session's
    temporary table; its name. A store that remembers (a web request's) notes the instant, so
    that :func:`sla_table` reads them instead of evaluating that instant again."""
    _load(store, frame)
    if store.remembered is not None:
        store.remembered[_LOADED] = moment
    return TEMP


def _load(store: Store, frame: pd.DataFrame) -> None:
    import pandas as pd

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


def advanced(status: str, due_s: str, now: str = "$now_s") -> str:
    """SQL: the status at epoch second ``now`` of an instance whose snapshot status is
    ``status`` and due instant ``due_s`` (epoch seconds), taken at or before ``now`` with no
    event since (see the module docstring)."""
    return f"CASE WHEN {status} = 'active' AND {due_s} < {now} THEN 'breached' ELSE {status} END"


def status_sql(alias: str, now: str = "$now_s") -> str:
    """SQL: the status at ``now`` of the row ``alias`` of an instances table."""
    return advanced(f"{alias}.status", f"epoch({alias}.due_at)", now)


def instances_table(name: str) -> str:
    """The table of one row per instance behind ``name`` (the stored one for ``JOINED``)."""
    return STORED if name == JOINED else name


TICKET_COLUMNS = (  # what SLA metrics, counts and lists read of a ticket: its key, creation
    # and every dimension a filter or a breakdown names (not its subject, custom fields, raw
    # codes: half the width of the joined table, and of the time to write it)
    "source",
    "ticket_id",
    "created_at",
    "channel",
    "priority",
    "group",
    "type",
    "status",
    "created_by",
    "assignee_id",
    "requester_id",
    "organization_id",
    "tags",
)


_SLA_COLUMNS = ("sla_target", "sla_policy", "sla_snapshot_status", "due_s")


def joined_sql(table: str, tickets: str = "tickets") -> str:
    """SQL: the instances of ``table`` (``JOINED`` itself, or a table of instances) joined to
    their tickets (in the table ``tickets``, or one holding at least theirs) — the ticket's
    :data:`TICKET_COLUMNS`, ``sla_target``, ``sla_policy``, ``sla_snapshot_status`` and
    ``due_s`` (read the status through :func:`advanced`)."""
    if table == JOINED:
        return f"SELECT * FROM {JOINED}"
    ticket = ", ".join(f't."{c}"' for c in TICKET_COLUMNS)
    return (
        f"SELECT {ticket}, i.target AS sla_target, i.policy AS sla_policy, "
        f"i.status AS sla_snapshot_status, epoch(i.due_at) AS due_s FROM {table} i "
        f"JOIN {tickets} t ON t.source = i.source AND t.ticket_id = i.ticket_id"
    )


def _join(ws: Workspace) -> None:
    from supportops.metrics.compiler import Compiled, render

    text = f"CREATE TABLE {JOINED} AS {joined_sql(STORED)} ORDER BY t.created_at"
    sql, _ = render(Compiled(text, {}), ws.store.capabilities.dialect)
    ws.store.execute(sql)


def join_instances(ws: Workspace, instances: str, tickets: str = "tickets") -> None:
    """Add to ``JOINED`` the instances of the table ``instances`` (a few tickets' instances,
    with the columns of ``STORED``) joined to their tickets (in ``tickets``: a table holding
    at least theirs, such as a copy of those few, is read instead of every ticket)."""
    from supportops.metrics.compiler import Compiled, render

    # the columns named: a table of an older layout is wider
    names = ", ".join(f'"{c}"' for c in (*TICKET_COLUMNS, *_SLA_COLUMNS))
    text = f"INSERT INTO {JOINED} ({names}) {joined_sql(instances, tickets)}"
    sql, _ = render(Compiled(text, {}), ws.store.capabilities.dialect)
    ws.store.execute(sql)


def write_state(ws: Workspace, as_of: datetime) -> None:
    """Record that the snapshot was taken at ``as_of`` from the data as it is now."""
    string, stamp = (ws.store.capabilities.types[k] for k in ("string", "timestamp"))
    ws.store.execute(f"DROP TABLE IF EXISTS {SNAPSHOT_STATE}")
    ws.store.execute(f"CREATE TABLE {SNAPSHOT_STATE} (as_of {stamp}, data {string})")
    ws.store.execute(
        f"INSERT INTO {SNAPSHOT_STATE} VALUES (?, ?)", [_utc(as_of), sla_signature(ws)]
    )


def stored_state(ws: Workspace) -> tuple[datetime, str] | None:
    """The instant and signature the stored snapshot was taken at and from, if it was."""
    if not all(ws.store.has_table(t) for t in (SNAPSHOT_STATE, STORED, JOINED)):
        return None
    rows = ws.store.memo(
        ("rows", SNAPSHOT_STATE),
        lambda: ws.store.rows(f"SELECT as_of, data FROM {SNAPSHOT_STATE}").dicts(),
    )
    return (_utc(rows[0]["as_of"]), str(rows[0]["data"])) if rows else None


def sla_signature(ws: Workspace) -> str:
    """What a snapshot depends on: the event log's counts and newest instants, the SLA
    configuration (policies and calendars)."""
    from supportops.metrics.materialize import signature

    config = ws.config.model_dump(mode="json", include={"sla_policies", "calendars"})
    extra = ws.config.default_calendar
    return json.dumps([signature(ws, sla=False), config, extra], sort_keys=True)


def store_snapshot(ws: Workspace, instances: pd.DataFrame, as_of: datetime) -> int:
    """Store ``instances`` (evaluated at ``as_of`` with the workspace's policies) as the
    snapshot later queries read; returns the rows written."""
    from supportops.sla.store import store_instances

    rows = store_instances(ws, instances, STORED)
    for table in (SNAPSHOT_STATE, JOINED):
        ws.store.execute(f"DROP TABLE IF EXISTS {table}")
    newest = ws.store.scalar('SELECT max("at") FROM events')
    if newest is not None and _utc(newest) > _utc(as_of):
        return rows  # events after the instant: a table for SQL, not a snapshot to advance
    _join(ws)
    write_state(ws, as_of)
    return rows


def snapshot_at(ws: Workspace) -> datetime | None:
    """The instant of the stored snapshot when it still matches the data and the policies."""
    stored = stored_state(ws)
    if stored is None or stored[1] != sla_signature(ws):
        return None
    return stored[0]


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def sla_table(ws: Workspace, as_of: datetime | None, evaluate: bool) -> str:
    """The table of SLA target instances for a query as of ``as_of`` (None: now): the stored
    snapshot joined to its tickets (``JOINED``) when it answers that instant, else (when
    ``evaluate``) the engine's, evaluated now into the session's temporary table; the stored
    table when only writing SQL. Read statuses through :func:`status_sql` / :func:`advanced`."""
    if not evaluate:
        return STORED
    moment = _utc(as_of) if as_of is not None else ws.clock.now()
    taken = snapshot_at(ws)
    if taken is not None and taken <= moment:
        return JOINED
    if ws.store.remembered is not None and ws.store.remembered.get(_LOADED) == moment:
        return TEMP
    from supportops.sla import evaluate_workspace

    return load_instances(ws.store, evaluate_workspace(ws, moment), moment)
