"""Incremental refresh: the materialised tables brought up to date for the changed tickets only.

``refresh_tickets(ws, keys)`` takes the ``(source, ticket_id)`` of every ticket whose rows
changed since the last refresh — a ticket, its events or its survey answers added, replaced or
deleted: what an import (:attr:`~supportops.model.importer.ImportReport.changed`), a sync page
or an applied webhook delivery knows — and, in one store transaction, deletes those tickets'
rows from every materialised table and recomputes them from their own rows alone:

- the SLA snapshot (``sla_instances``, ``metric_sla`` and its state), evaluated at the new
  snapshot instant (:func:`~.materialize.snapshot_moment`). When the minute moved on since the
  last snapshot, an instance whose clock had not stopped has run on, so its ticket is evaluated
  again too, as is a ticket created after the last snapshot. Of those evaluated again only
  because the minute moved on, ``metric_sla`` (which keeps an instance's status and due
  instant, not its elapsed time) gets new rows just for the tickets with an instance whose
  due instant passed: by the snapshot's own rule (:func:`~.sla_source.advanced`) only those
  statuses change, from active to breached;
- the facts, timeline, backlog spans and survey answers of the changed tickets and of the
  tickets whose ``sla_breached`` flag the new snapshot changed (answers without a ticket are
  recomputed every time: they cannot be found by their ticket);
- the signatures (``metric_facts_state``), so that queries read the tables again.

The result equals a full refresh (:func:`~.materialize.refresh_facts`) at the same instant, row
for row, except ``so_row``: the facts' creation order, used for range reads, keeps a ticket's
old number, and a new ticket gets the next ones. The caller owes the complete set of changed
tickets (imports note theirs themselves); nothing can check it. :func:`refresh_changed` (what
``supportops metrics refresh`` and the import command run) refreshes what imports noted.
The full refresh runs instead when the tables were never built,
were built with other options or SLA policies, or the new instant is before the last snapshot.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from supportops.metrics.facts import Cte, FactOptions, fact_ctes
from supportops.metrics.materialize import (
    ANSWERS,
    FACTS,
    RELATIONS,
    SPANS,
    STATE,
    TIMELINE,
    Stages,
    built_with,
    fact_options,
    refresh_facts,
    relation_library,
    select_sql,
    signature,
    snapshot_moment,
)
from supportops.metrics.sla_source import (
    JOINED,
    STORED,
    join_instances,
    sla_signature,
    stored_state,
    write_state,
)
from supportops.store.base import PENDING

if TYPE_CHECKING:
    from supportops.workspace import Workspace

__all__ = ["FULL_SHARE", "Refreshed", "refresh_changed", "refresh_tickets"]

FULL_SHARE = 0.2  # changes to more than this share of the tickets: rebuild them all

_P = "so_refresh_"  # the session's temporary tables of a refresh
KEYS, SLA_KEYS, FACT_KEYS = f"{_P}keys", f"{_P}sla_keys", f"{_P}fact_keys"
NEW_INSTANCES = f"{_P}new_instances"  # the instances of SLA_KEYS evaluated again
JOINED_KEYS = f"{_P}joined_keys"  # the tickets of SLA_KEYS whose rows of metric_sla change
_ON = "x.source = k.source AND x.ticket_id = k.ticket_id"


@dataclass(frozen=True)
class Refreshed:
    """What a refresh did: ``full`` (everything rebuilt) or not, the changed tickets given,
    and the rows written per table."""

    full: bool
    tickets: int
    rows: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        """One line: what was refreshed and the rows written per table."""
        what = "every ticket" if self.full else f"{self.tickets:,} changed tickets"
        rows = ", ".join(f"{name}: {n:,} rows" for name, n in self.rows.items())
        return f"refreshed {what}" + (f" ({rows})" if rows else "")


def refresh_tickets(
    ws: Workspace,
    keys: pa.Table | Iterable[tuple[str, str]],
    stages: Stages | None = None,
) -> Refreshed:
    """Bring the materialised tables up to date for the tickets ``keys`` (an Arrow table with
    ``source`` and ``ticket_id``, or pairs) — see the module docstring."""
    stages = stages or Stages()
    store = ws.store
    with stages("keys"):
        count = _load_keys(ws, _table(keys))
        options = fact_options(ws)
        moment = snapshot_moment(ws)
        since = _since(ws, options, moment)
    if since is False:
        _drop(ws)
        rows = refresh_facts(ws, stages=stages)
        return Refreshed(True, count, {k: int(v) for k, v in rows.items()})
    written: dict[str, int] = {}
    sla = isinstance(since, datetime)
    with store.transaction():
        if isinstance(since, datetime):
            written |= _refresh_sla(ws, since, moment, stages)
        with stages("fact keys"):
            _fact_keys(ws, sla)
        written |= _refresh_facts(ws, options, stages, sla)
        store.execute(f"UPDATE {STATE} SET data = ?", [signature(ws)])
        if _noted(ws):
            store.execute(f"DELETE FROM {PENDING}")
    _drop(ws)
    return Refreshed(False, count, written)


def refresh_changed(ws: Workspace, full: bool = False, stages: Stages | None = None) -> Refreshed:
    """``supportops metrics refresh``: the tickets the imports since the last refresh changed
    (noted in ``PENDING``), refreshed incrementally; everything when ``full``, when the
    tables do not match the data and no import noted why, or when the changes are more than
    :data:`FULL_SHARE` of the tickets (one rebuild is then quicker)."""
    from supportops.metrics.materialize import is_fresh

    noted = int(ws.store.scalar(f"SELECT count(*) FROM {PENDING}")) if _noted(ws) else 0
    tickets = ws.store.count("tickets")
    if full or (noted == 0 and not is_fresh(ws)) or noted > FULL_SHARE * max(tickets, 1):
        rows = refresh_facts(ws, stages=stages)
        return Refreshed(True, noted, {k: int(v) for k, v in rows.items()})
    return refresh_tickets(ws, [], stages)


def _noted(ws: Workspace) -> bool:
    return ws.store.has_table(PENDING)


def _table(keys: pa.Table | Iterable[tuple[str, str]]) -> pa.Table:
    if isinstance(keys, pa.Table):
        return keys.select(["source", "ticket_id"])
    pairs = list(keys)
    return pa.table(
        {
            "source": pa.array([p[0] for p in pairs], pa.string()),
            "ticket_id": pa.array([p[1] for p in pairs], pa.string()),
        }
    )


def _load_keys(ws: Workspace, keys: pa.Table) -> int:
    """The distinct keys into the session's table ``KEYS``; how many."""
    store = ws.store
    string = store.capabilities.types["string"]
    _drop(ws)
    store.execute(f"CREATE TEMP TABLE {_P}given (source {string}, ticket_id {string})")
    store.append(
        f"{_P}given", keys.cast(pa.schema([("source", pa.string()), ("ticket_id", pa.string())]))
    )
    noted = f" UNION SELECT source, ticket_id FROM {PENDING}" if _noted(ws) else ""
    store.execute(f"CREATE TEMP TABLE {KEYS} AS SELECT source, ticket_id FROM {_P}given{noted}")
    store.execute(f"DELETE FROM {KEYS} WHERE ticket_id IS NULL")
    return int(store.scalar(f"SELECT count(*) FROM {KEYS}"))


def _since(ws: Workspace, options: FactOptions, moment: datetime) -> datetime | bool:
    """The last snapshot's instant (True: no SLA policies, facts only), or False when only a
    full refresh brings the tables up to date."""
    store = ws.store
    if not all(store.has_table(t) for t in (FACTS, TIMELINE, SPANS, ANSWERS, STATE)):
        return False
    built = store.arrow(f"SELECT options FROM {STATE}").to_pylist()
    if not built or built[0]["options"] != built_with(options):
        return False
    if not ws.config.sla_policies:
        return True
    stored = stored_state(ws)
    if stored is None or stored[0] > moment:
        return False
    configured = json.loads(sla_signature(ws))[1:]  # the policies and calendars, not the data
    return stored[0] if json.loads(stored[1])[1:] == configured else False


def _in(keys: str, source: str = "x.source") -> str:
    """SQL: the row ``x`` belongs to a ticket of the table ``keys`` (a semi-join: the engine
    reads the key columns of a large table first)."""
    return f"({source}, x.ticket_id) IN (SELECT source, ticket_id FROM {keys})"


def _of(ws: Workspace, table: str, keys: str, source: str = "x.source") -> str:
    """SQL: the row ``x`` of ``table`` belongs to a ticket of ``keys`` — found by the key
    columns alone first where the engine names rows (see ``Capabilities.row_id``)."""
    row = ws.store.capabilities.row_id
    if row is None:
        return _in(keys, source)
    return f"x.{row} IN (SELECT x.{row} FROM {table} x WHERE {_in(keys, source)})"


def _rows_of(ws: Workspace, table: str, keys: str, name: str, columns: str = "x.*") -> None:
    """``name``: the ``columns`` of the rows of ``table`` whose ticket is in ``keys`` (a row
    without a source belongs to the default one, as the SLA engine reads it)."""
    where = _of(ws, table, keys, "coalesce(x.source, 'csv')")
    ws.store.execute(f"CREATE TEMP TABLE {name} AS SELECT {columns} FROM {table} x WHERE {where}")


def _event_columns() -> str:
    """Every column of ``events`` the SLA engine and the facts read: all but the message
    bodies, the widest column, which the changed tickets' rows scattered over the table would
    have read from nearly every row group."""
    from supportops.model.schema import EVENTS

    return ", ".join(f'x."{c}"' for c in EVENTS.stored if c != "body")


def _refresh_sla(
    ws: Workspace, since: datetime, moment: datetime, stages: Stages
) -> dict[str, int]:
    """The SLA snapshot at ``moment`` for the changed tickets and, when time moved on since
    the snapshot at ``since``, for those whose clocks ran on or that were created since."""
    from supportops.sla.store import INSTANCE_COLUMNS, load_inputs, store_instances
    from supportops.sla.workspace import evaluate_workspace

    store = ws.store
    with stages("sla keys"):
        ran, flipped, born = "", "", ""
        params: list[Any] = []
        if moment > since:
            ran = f" UNION SELECT source, ticket_id FROM {STORED} WHERE stopped_at IS NULL"
            flipped = (
                f" UNION SELECT source, ticket_id FROM {STORED} WHERE status = 'active' "
                "AND due_at < ?"
            )
            born = (
                " UNION SELECT source, ticket_id FROM tickets WHERE created_at > ? "
                "AND created_at <= ?"
            )
            params = [since, moment]
        keys = f"SELECT source, ticket_id FROM {KEYS}"
        store.execute(f"CREATE TEMP TABLE {SLA_KEYS} AS {keys}{ran}{born}", params)
        store.execute(
            f"CREATE TEMP TABLE {JOINED_KEYS} AS {keys}{flipped}{born}",
            [moment, *params] if params else [],
        )
        _rows_of(ws, "tickets", SLA_KEYS, f"{_P}sla_tickets")
        _rows_of(ws, "events", SLA_KEYS, f"{_P}sla_events", _event_columns())
    with stages("sla inputs"):
        inputs = load_inputs(store, f"{_P}sla_tickets", f"{_P}sla_events")
    with stages("sla engine"):
        instances = evaluate_workspace(ws, moment, inputs=inputs)
    with stages("sla store"):
        rows = store_instances(ws, instances, NEW_INSTANCES, temporary=True)
        store.execute(f"DELETE FROM {STORED} x WHERE {_of(ws, STORED, SLA_KEYS)}")
        store.execute(f"DELETE FROM {JOINED} x WHERE {_of(ws, JOINED, JOINED_KEYS)}")
        names = ", ".join(f'"{c}"' for c in INSTANCE_COLUMNS)
        store.execute(f"INSERT INTO {STORED} ({names}) SELECT {names} FROM {NEW_INSTANCES}")
        _rows_of(ws, f"{_P}sla_tickets", JOINED_KEYS, f"{_P}joined_tickets")
        join_instances(ws, NEW_INSTANCES, f"{_P}joined_tickets")  # theirs only: not every ticket
        joined = int(
            store.scalar(f"SELECT count(*) FROM {NEW_INSTANCES} x WHERE {_in(JOINED_KEYS)}")
        )
        write_state(ws, moment)
    return {STORED: rows, JOINED: joined}


def _fact_keys(ws: Workspace, sla: bool) -> None:
    """``FACT_KEYS``: the changed tickets, and (``sla``) those evaluated again whose
    ``sla_breached`` flag changed."""
    flagged = ""
    if sla:
        flag = (
            "SELECT x.source, x.ticket_id, max(CASE WHEN x.status = 'breached' THEN 1 ELSE 0 "
            f"END) AS breached FROM {NEW_INSTANCES} x GROUP BY x.source, x.ticket_id"
        )
        flagged = (
            f" UNION SELECT x.source, x.ticket_id FROM {FACTS} x JOIN {SLA_KEYS} k ON {_ON} "
            f"LEFT JOIN ({flag}) b ON b.source = x.source AND b.ticket_id = x.ticket_id "
            "WHERE x.sla_breached IS DISTINCT FROM b.breached"
        )
    ws.store.execute(
        f"CREATE TEMP TABLE {FACT_KEYS} AS SELECT source, ticket_id FROM {KEYS}{flagged}"
    )


def _refresh_facts(
    ws: Workspace, options: FactOptions, stages: Stages, sla: bool
) -> dict[str, int]:
    """The facts, timeline, spans and answers of ``FACT_KEYS``, recomputed and replaced."""
    store = ws.store
    with stages("fact inputs"):
        tables = _fact_inputs(ws, sla)
    library = fact_ctes(options, tables)
    new = {FACTS: f"{_P}facts", TIMELINE: f"{_P}timeline"}
    for table, cte in ((TIMELINE, "so_timeline"), (FACTS, "so_facts")):
        with stages(table):
            sql = select_sql(ws, {cte}, library, f"SELECT * FROM {cte}")
            store.execute(f"CREATE TEMP TABLE {new[table]} AS {sql}")
        library["so_timeline"] = Cte("so_timeline", f"SELECT * FROM {new[TIMELINE]}")
    for table, name, _ in RELATIONS:
        with stages(table):
            lib = relation_library(options, name, new[FACTS], new[TIMELINE], tables)
            cte = next(iter(lib))
            new[table] = f"{_P}rel_{name}"
            sql = select_sql(ws, {cte}, lib, f"SELECT * FROM {cte}")
            store.execute(f"CREATE TEMP TABLE {new[table]} AS {sql}")
    with stages("replace rows"):
        return _replace(ws, new)


def _fact_inputs(ws: Workspace, sla: bool) -> dict[str, str]:
    """The rows the facts of ``FACT_KEYS`` read, as tables standing in for the event log's:
    their tickets, events and SLA instances, their surveys and every survey without a
    ticket. With ``sla`` the tickets and events are those copied for the SLA engine (a
    superset), so the large tables are read once."""
    store = ws.store
    tickets, events, surveys = f"{_P}tickets", f"{_P}events", f"{_P}surveys"
    base = (f"{_P}sla_tickets", f"{_P}sla_events") if sla else ("tickets", "events")
    pairs = [(base[0], tickets), (base[1], events)]
    if sla:  # FACT_KEYS are among SLA_KEYS: their instances are those just evaluated
        pairs.append((NEW_INSTANCES, f"{_P}instances"))
    elif store.has_table(STORED):
        pairs.append((STORED, f"{_P}instances"))
    for table, name in pairs:
        store.execute(
            f"CREATE TEMP TABLE {name} AS SELECT x.* FROM {table} x "
            f"WHERE {_of(ws, table, FACT_KEYS)}"
        )
    store.execute(
        f"CREATE TEMP TABLE {surveys} AS SELECT x.* FROM surveys x JOIN {tickets} k ON {_ON} "
        "UNION ALL SELECT x.* FROM surveys x WHERE NOT EXISTS (SELECT 1 FROM tickets k "
        f"WHERE {_ON})"
    )
    read = {"tickets": tickets, "events": events, "surveys": surveys}
    return read | ({STORED: f"{_P}instances"} if len(pairs) > 2 else {})


def _replace(ws: Workspace, new: dict[str, str]) -> dict[str, int]:
    """Delete the rows of ``FACT_KEYS`` (and the answers without a ticket) from each
    materialised table and insert the new ones; the facts keep their ``so_row``."""
    store = ws.store
    top = int(store.scalar(f"SELECT coalesce(max(so_row), 0) FROM {FACTS}"))
    store.execute(
        f"CREATE TEMP TABLE {_P}rows AS SELECT x.source, x.ticket_id, x.so_row FROM {FACTS} x "
        f"JOIN {FACT_KEYS} k ON {_ON}"
    )
    for table in (FACTS, TIMELINE, SPANS, ANSWERS):
        store.execute(f"DELETE FROM {table} x WHERE {_of(ws, table, FACT_KEYS)}")
    store.execute(f"DELETE FROM {ANSWERS} WHERE ticket_id IS NULL")
    order = "o.so_row IS NOT NULL, n.created_at, n.source, n.ticket_id"
    store.execute(
        f"INSERT INTO {FACTS} SELECT n.*, coalesce(o.so_row, {top} + row_number() OVER "
        f"(ORDER BY {order})) AS so_row FROM {new[FACTS]} n LEFT JOIN {_P}rows o "
        "ON o.source = n.source AND o.ticket_id = n.ticket_id"
    )
    for table in (TIMELINE, SPANS, ANSWERS):
        store.execute(f"INSERT INTO {table} SELECT * FROM {new[table]}")
    return {table: int(store.scalar(f"SELECT count(*) FROM {name}")) for table, name in new.items()}


_TEMPS = (
    "given",
    "keys",
    "sla_keys",
    "sla_tickets",
    "sla_events",
    "fact_keys",
    "tickets",
    "events",
    "surveys",
    "facts",
    "timeline",
    "instances",
    "new_instances",
    "joined_keys",
    "joined_tickets",
    "rel_backlog",
    "rel_surveys",
    "rows",
)


def _drop(ws: Workspace) -> None:
    for name in _TEMPS:
        ws.store.execute(f"DROP TABLE IF EXISTS {_P}{name}")
