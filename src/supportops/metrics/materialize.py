"""Materialised facts: the per-ticket facts and status timeline stored as tables, so a report on
ten million tickets aggregates them instead of re-reading every event.

``refresh_facts(ws)`` (``supportops metrics refresh``) first stores the SLA snapshot (see
:mod:`.sla_source`), then writes ``metric_facts`` (ordered by creation), ``metric_timeline``,
the backlog's spans ``metric_spans`` and the survey answers ``metric_answers`` with the default
rules, every business clock and the stored SLA instances, and records what they were built from
in ``metric_facts_state``: the options and a signature of the data (row counts and newest
instants of tickets, events, imports and SLA instances). A query reads them only when both still
match and it needs nothing they lack (no ``--as-of``, a profile with the default fact rules, no
repeat-contact window); otherwise it computes the facts inline.
"""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from typing import TYPE_CHECKING, Any

from supportops.metrics.compiler import Compiled, parse, render, with_ctes
from supportops.metrics.facts import Cte, FactOptions, fact_ctes
from supportops.metrics.sla_source import STORED, table_exists

if TYPE_CHECKING:
    from supportops.workspace import Workspace

__all__ = [
    "ANSWERS",
    "FACTS",
    "SPANS",
    "STATE",
    "TIMELINE",
    "is_fresh",
    "materialised",
    "refresh_facts",
    "refresh_sla",
    "signature",
]

FACTS, TIMELINE, STATE = "metric_facts", "metric_timeline", "metric_facts_state"
SPANS, ANSWERS = "metric_spans", "metric_answers"
_ROW = ", row_number() OVER (ORDER BY created_at, source, ticket_id) AS so_row"  # by creation:
# a range of days reads the row groups that hold it


def signature(ws: Workspace, sla: bool = True) -> str:
    """What the facts depend on in the data, as text (``sla``: with the stored SLA instances)."""
    parts = [
        "SELECT count(*) AS n, CAST(max(created_at) AS VARCHAR) AS m FROM tickets",
        'SELECT count(*), CAST(max("at") AS VARCHAR) FROM events',
        'SELECT count(*), CAST(max("at") AS VARCHAR) FROM imports',
    ]
    if sla and table_exists(ws.store, STORED):
        parts.append(f"SELECT count(*), CAST(NULL AS VARCHAR) FROM {STORED}")
    rows = ws.store.memo(("signature", sla), lambda: ws.store.arrow(" UNION ALL ".join(parts)))
    return json.dumps([[r["n"], r["m"]] for r in rows.to_pylist()])


def _options(ws: Workspace, base: FactOptions) -> FactOptions:
    return replace(
        base,
        as_of=False,
        business=True,
        business_waits=True,
        fcr=False,
        sla_table=STORED if table_exists(ws.store, STORED) else None,
    )


def refresh_sla(ws: Workspace) -> int:
    """Evaluate every SLA target instance now and store the snapshot SLA metrics and pages read
    (see :mod:`.sla_source`); returns the instances written (0 without SLA policies).

    "Now" is the current minute (pages ask as of the minute), or the newest event when that is
    later: a snapshot answers only instants at or after every event it has seen."""
    from supportops.metrics.sla_source import store_snapshot
    from supportops.sla.workspace import evaluate_workspace, now

    if not ws.config.sla_policies:
        return 0
    moment = now(ws).replace(second=0)
    newest = ws.store.scalar('SELECT max("at") FROM events')
    if newest is not None and newest > moment:
        moment = newest
    return store_snapshot(ws, evaluate_workspace(ws, moment), moment)


def is_fresh(ws: Workspace) -> bool:
    """Whether the materialised facts and (with SLA policies) the SLA snapshot match the data
    and the configuration."""
    from supportops.metrics.sla_source import snapshot_at

    if ws.config.sla_policies and snapshot_at(ws) is None:
        return False
    state = _state(ws)
    return state is not None and state["data"] == signature(ws)


def _state(ws: Workspace) -> dict[str, Any] | None:
    """What the materialised tables were built from (options, data), if they were built."""
    if not table_exists(ws.store, STATE):
        return None
    sql = f"SELECT options, data FROM {STATE}"
    rows: list[dict[str, Any]] = ws.store.memo(
        ("rows", STATE), lambda: ws.store.arrow(sql).to_pylist()
    )
    return rows[0] if rows else None


def refresh_facts(ws: Workspace, sla: bool = True) -> dict[str, Any]:
    """Build (or rebuild) the materialised facts — first the SLA snapshot (``sla``) they and
    the SLA metrics read; returns the rows written."""
    from supportops.metrics.profiles import DEFAULT
    from supportops.metrics.query import build_query, setting_for

    instances = refresh_sla(ws) if sla else None

    setting = setting_for(ws, build_query(["first_reply_time_business"], ws.config.report_timezone))
    rules = DEFAULT.rules
    options = _options(
        ws,
        FactOptions(
            reply_from_customer=rules.reply_from_customer,
            notes_reply=rules.notes_reply,
            calendar=setting.calendar,
            escalation_groups=setting.escalation_groups,
            slots=setting.slots,
        ),
    )
    library = fact_ctes(options)
    store = ws.store
    for table, cte, row in (
        (FACTS, "so_facts", _ROW),
        (TIMELINE, "so_timeline", ""),
    ):
        ctes = ", ".join(f"{c.name} AS ({c.sql})" for c in with_ctes({cte}, library))
        text = f"WITH {ctes} SELECT *{row} FROM {cte}" + (" ORDER BY so_row" if row else "")
        sql, _ = render(_compiled(text), store.capabilities.dialect)
        store.execute(f"DROP TABLE IF EXISTS {table}")
        store.execute(f"CREATE TABLE {table} AS {sql}")
    _relations(ws, options)
    store.execute(f"DROP TABLE IF EXISTS {STATE}")
    store.execute(
        f"CREATE TABLE {STATE} (options {store.capabilities.types['string']}, "
        f"data {store.capabilities.types['string']})"
    )
    store.execute(
        f"INSERT INTO {STATE} VALUES (?, ?)", [json.dumps(asdict(options)), signature(ws)]
    )
    written = {FACTS: store.count(FACTS), TIMELINE: store.count(TIMELINE)}
    return written if instances is None else {STORED: instances, **written}


def _relations(ws: Workspace, options: FactOptions) -> None:
    """The backlog's spans (a ticket in an unsolved status, with the ticket's columns) and the
    survey answers (with their ticket's columns), from the tables just written. Spans are
    ordered by their end (still open last), answers by their instant: a query for an instant or
    a range then reads the few row groups that hold it."""
    from supportops.metrics.relations import relation

    for table, name, order in (
        (SPANS, "backlog", "coalesce(end_s, 1e18), start_s"),
        (ANSWERS, "surveys", "answered_at"),
    ):
        cte = relation(name, options, False).ctes[0]
        library = {
            **fact_ctes(options),
            cte.name: cte,
            "so_facts": Cte("so_facts", f"SELECT * FROM {FACTS}"),
            "so_timeline": Cte("so_timeline", f"SELECT * FROM {TIMELINE}"),
        }
        ctes = ", ".join(f"{c.name} AS ({c.sql})" for c in with_ctes({cte.name}, library))
        text = f"WITH {ctes} SELECT * FROM {cte.name} ORDER BY {order}"
        sql, _ = render(_compiled(text), ws.store.capabilities.dialect)
        ws.store.execute(f"DROP TABLE IF EXISTS {table}")
        ws.store.execute(f"CREATE TABLE {table} AS {sql}")
        ws.store.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS so_row")


def _compiled(text: str) -> Compiled:
    return Compiled(parse(text), {})


def materialised(ws: Workspace, wanted: FactOptions) -> tuple[tuple[str, str], ...]:
    """(CTE, SQL) pairs reading the materialised tables when they answer ``wanted``; else ()."""
    state = None if wanted.as_of or wanted.fcr else _state(ws)
    if state is None or state["data"] != signature(ws):
        return ()
    # The calendar's slots follow from its config (in ``calendar``) and the data's span (in the
    # data signature): a query may ask before counting them (the drill-down does).
    stored = {k: v for k, v in json.loads(state["options"]).items() if k != "slots"}
    asked = {k: v for k, v in asdict(_options(ws, wanted)).items() if k != "slots"}
    if stored != json.loads(json.dumps(asked)):
        return ()
    return (
        ("so_facts", f"SELECT * FROM {FACTS}"),
        ("so_timeline", f"SELECT * FROM {TIMELINE}"),
        ("so_spans", f"SELECT * FROM {SPANS}"),
        ("so_answers", f"SELECT * FROM {ANSWERS}"),
    )
