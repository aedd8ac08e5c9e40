"""Materialised facts: the per-ticket facts and status timeline stored as tables, so a report on
ten million tickets aggregates them instead of re-reading every event.

``refresh_facts(ws)`` (``supportops metrics refresh``) writes ``metric_facts`` and
``metric_timeline`` with the default rules, every business clock and the stored SLA instances,
and records what they were built from in ``metric_facts_state``: the options and a signature of
the data (row counts and newest instants of tickets, events, imports and SLA instances). A query
reads them only when both still match and it needs nothing they lack (no ``--as-of``, a profile
with the default fact rules, no repeat-contact window); otherwise it computes the facts inline.
"""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from typing import TYPE_CHECKING, Any

from supportops.metrics.compiler import Compiled, parse, render, with_ctes
from supportops.metrics.facts import FactOptions, fact_ctes
from supportops.metrics.sla_source import STORED, table_exists

if TYPE_CHECKING:
    from supportops.workspace import Workspace

__all__ = ["FACTS", "STATE", "TIMELINE", "materialised", "refresh_facts", "signature"]

FACTS, TIMELINE, STATE = "metric_facts", "metric_timeline", "metric_facts_state"


def signature(ws: Workspace) -> str:
    """What the facts depend on in the data, as text."""
    parts = [
        "SELECT count(*) AS n, CAST(max(created_at) AS VARCHAR) AS m FROM tickets",
        'SELECT count(*), CAST(max("at") AS VARCHAR) FROM events',
        'SELECT count(*), CAST(max("at") AS VARCHAR) FROM imports',
    ]
    if table_exists(ws.store, STORED):
        parts.append(f"SELECT count(*), CAST(NULL AS VARCHAR) FROM {STORED}")
    rows = ws.store.arrow(" UNION ALL ".join(parts)).to_pylist()
    return json.dumps([[r["n"], r["m"]] for r in rows])


def _options(ws: Workspace, base: FactOptions) -> FactOptions:
    return replace(
        base,
        as_of=False,
        business=True,
        business_waits=True,
        fcr=False,
        sla_table=STORED if table_exists(ws.store, STORED) else None,
    )


def refresh_facts(ws: Workspace) -> dict[str, Any]:
    """Build (or rebuild) the materialised facts; returns the rows written."""
    from supportops.metrics.profiles import DEFAULT
    from supportops.metrics.query import build_query, setting_for

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
        (FACTS, "so_facts", ", row_number() OVER () AS so_row"),
        (TIMELINE, "so_timeline", ""),
    ):
        ctes = ", ".join(f"{c.name} AS ({c.sql})" for c in with_ctes({cte}, library))
        text = f"WITH {ctes} SELECT *{row} FROM {cte}"
        sql, _ = render(_compiled(text), store.capabilities.dialect)
        store.execute(f"DROP TABLE IF EXISTS {table}")
        store.execute(f"CREATE TABLE {table} AS {sql}")
    store.execute(f"DROP TABLE IF EXISTS {STATE}")
    store.execute(
        f"CREATE TABLE {STATE} (options {store.capabilities.types['string']}, "
        f"data {store.capabilities.types['string']})"
    )
    store.execute(
        f"INSERT INTO {STATE} VALUES (?, ?)", [json.dumps(asdict(options)), signature(ws)]
    )
    return {FACTS: store.count(FACTS), TIMELINE: store.count(TIMELINE)}


def _compiled(text: str) -> Compiled:
    return Compiled(parse(text), {})


def materialised(ws: Workspace, wanted: FactOptions) -> tuple[tuple[str, str], ...]:
    """(CTE, SQL) pairs reading the materialised tables when they answer ``wanted``; else ()."""
    if wanted.as_of or wanted.fcr or not table_exists(ws.store, STATE):
        return ()
    rows = ws.store.arrow(f"SELECT options, data FROM {STATE}").to_pylist()
    if not rows:
        return ()
    if rows[0]["options"] != json.dumps(asdict(_options(ws, wanted))) or (
        rows[0]["data"] != signature(ws)
    ):
        return ()
    return (("so_facts", f"SELECT * FROM {FACTS}"), ("so_timeline", f"SELECT * FROM {TIMELINE}"))
