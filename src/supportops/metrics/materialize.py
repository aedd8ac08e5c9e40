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
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from supportops.metrics.compiler import Compiled, render, with_ctes
from supportops.metrics.facts import Cte, FactOptions, fact_ctes
from supportops.metrics.sla_source import STORED
from supportops.store.base import PENDING

if TYPE_CHECKING:
    from supportops.workspace import Workspace

__all__ = [
    "ANSWERS",
    "FACTS",
    "LAYOUT",
    "RELATIONS",
    "SPANS",
    "STATE",
    "TIMELINE",
    "Stages",
    "built_with",
    "fact_options",
    "is_fresh",
    "materialised",
    "refresh_facts",
    "refresh_sla",
    "relation_library",
    "select_sql",
    "signature",
    "snapshot_moment",
]

FACTS, TIMELINE, STATE = "metric_facts", "metric_timeline", "metric_facts_state"
SPANS, ANSWERS = "metric_spans", "metric_answers"
# so_row numbers the facts by creation (a range of days then reads the row groups that hold
# it), counted over the tickets' three columns and joined to the facts: a window over the wide
# facts rows sorted each of them (1.4 s more of 7 at 1M tickets)
_ORDER = Cte(
    "so_order",
    "SELECT source, ticket_id, row_number() OVER (ORDER BY created_at, source, ticket_id) "
    "AS so_row FROM so_tickets",
    ("so_tickets",),
)
_NUMBERED = (
    "SELECT f.*, o.so_row FROM so_facts f JOIN so_order o ON o.source IS NOT DISTINCT FROM "
    "f.source AND o.ticket_id = f.ticket_id"
)


@dataclass
class Stages:
    """Seconds spent in each stage of a refresh, in the order the stages ran."""

    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        """Time the block as stage ``name`` (added to it when it ran before)."""
        start = time.perf_counter()
        try:
            yield
        finally:
            spent = time.perf_counter() - start
            self.seconds[name] = self.seconds.get(name, 0.0) + spent


def signature(ws: Workspace, sla: bool = True) -> str:
    """What the facts depend on in the data, as text (``sla``: with the stored SLA instances)."""
    parts = [
        "SELECT count(*) AS n, CAST(max(created_at) AS VARCHAR) AS m FROM tickets",
        'SELECT count(*), CAST(max("at") AS VARCHAR) FROM events',
        'SELECT count(*), CAST(max("at") AS VARCHAR) FROM imports',
    ]
    if sla and ws.store.has_table(STORED):
        parts.append(f"SELECT count(*), CAST(NULL AS VARCHAR) FROM {STORED}")
    rows = ws.store.memo(("signature", sla), lambda: ws.store.rows(" UNION ALL ".join(parts)))
    return json.dumps([list(r) for r in rows.values])


def _options(ws: Workspace, base: FactOptions) -> FactOptions:
    return replace(
        base,
        as_of=False,
        business=True,
        business_waits=True,
        fcr=False,
        sla_table=STORED if ws.store.has_table(STORED) else None,
    )


def refresh_sla(ws: Workspace, stages: Stages | None = None) -> int:
    """Evaluate every SLA target instance now and store the snapshot SLA metrics and pages read
    (see :mod:`.sla_source`); returns the instances written (0 without SLA policies).

    "Now" is the current minute (pages ask as of the minute), or the newest event when that is
    later: a snapshot answers only instants at or after every event it has seen."""
    from supportops.metrics.sla_source import store_snapshot
    from supportops.sla.store import load_inputs
    from supportops.sla.workspace import evaluate_workspace

    if not ws.config.sla_policies:
        return 0
    stages = stages or Stages()
    moment = snapshot_moment(ws)
    with stages("sla inputs"):
        inputs = load_inputs(ws.store)
    with stages("sla engine"):
        instances = evaluate_workspace(ws, moment, inputs=inputs)
    del inputs
    with stages("sla store"):
        return store_snapshot(ws, instances, moment)


def snapshot_moment(ws: Workspace) -> datetime:
    """The instant a snapshot is taken at: the current minute, or the newest event when that is
    later."""
    from supportops.sla.workspace import now

    moment = now(ws).replace(second=0)
    newest = ws.store.scalar('SELECT max("at") FROM events')
    if newest is not None:
        newest = newest if newest.tzinfo else newest.replace(tzinfo=UTC)
        moment = max(moment, newest)
    return moment


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
    if not ws.store.has_table(STATE):
        return None
    sql = f"SELECT options, data FROM {STATE}"
    rows: list[dict[str, Any]] = ws.store.memo(("rows", STATE), lambda: ws.store.rows(sql).dicts())
    return rows[0] if rows else None


def fact_options(ws: Workspace) -> FactOptions:
    """The options the materialised facts are built with: the default profile's rules, every
    business clock, the stored SLA instances."""
    from supportops.metrics.profiles import DEFAULT
    from supportops.metrics.query import build_query, setting_for

    setting = setting_for(ws, build_query(["first_reply_time_business"], ws.config.report_timezone))
    rules = DEFAULT.rules
    return _options(
        ws,
        FactOptions(
            reply_from_customer=rules.reply_from_customer,
            notes_reply=rules.notes_reply,
            calendar=setting.calendar,
            escalation_groups=setting.escalation_groups,
            slots=setting.slots,
        ),
    )


def refresh_facts(ws: Workspace, sla: bool = True, stages: Stages | None = None) -> dict[str, Any]:
    """Build (or rebuild) the materialised facts — first the SLA snapshot (``sla``) they and
    the SLA metrics read; returns the rows written. ``stages`` records the seconds of each
    stage."""
    stages = stages or Stages()
    instances = refresh_sla(ws, stages) if sla else None
    with stages("options"):
        options = fact_options(ws)
    library = fact_ctes(options) | {"so_order": _ORDER}
    store = ws.store
    for table, ctes, select in (
        (TIMELINE, {"so_timeline"}, "SELECT * FROM so_timeline"),
        (FACTS, {"so_facts", "so_order"}, f"{_NUMBERED} ORDER BY so_row"),
    ):
        with stages(table):
            sql = select_sql(ws, ctes, library, select)
            store.execute(f"DROP TABLE IF EXISTS {table}")
            store.execute(f"CREATE TABLE {table} AS {sql}")
        library["so_timeline"] = Cte("so_timeline", f"SELECT * FROM {TIMELINE}")  # once
    _relations(ws, options, stages)
    with stages("state"):
        store.execute(f"DROP TABLE IF EXISTS {STATE}")
        store.execute(
            f"CREATE TABLE {STATE} (options {store.capabilities.types['string']}, "
            f"data {store.capabilities.types['string']})"
        )
        store.execute(f"INSERT INTO {STATE} VALUES (?, ?)", [built_with(options), signature(ws)])
        if store.has_table(PENDING):  # what imports noted is in the tables now
            store.execute(f"DELETE FROM {PENDING}")
    written = {FACTS: store.count(FACTS), TIMELINE: store.count(TIMELINE)}
    return written if instances is None else {STORED: instances, **written}


LAYOUT = 2  # the materialised tables' columns: tables of another layout are built again
# (2: the SLA snapshot's and the backlog spans' rows keep only the ticket columns they read)


def _stated(options: FactOptions) -> dict[str, Any]:
    return asdict(options) | {"layout": LAYOUT}


def built_with(options: FactOptions) -> str:
    """What the state records the tables were built with: the options and :data:`LAYOUT`
    (tables built with other options, or by a version of another layout, are not read, and
    are built again rather than brought up to date)."""
    return json.dumps(_stated(options))


def select_sql(ws: Workspace, needed: set[str], library: dict[str, Cte], select: str) -> str:
    """``select`` over the CTEs ``needed`` of ``library`` (and those they read), in the
    store's dialect."""
    ctes = ", ".join(f"{c.name} AS ({c.sql})" for c in with_ctes(needed, library))
    sql, _ = render(_compiled(f"WITH {ctes} {select}"), ws.store.capabilities.dialect)
    return sql


RELATIONS = (
    (SPANS, "backlog", "coalesce(end_s, 1e18), start_s"),
    (ANSWERS, "surveys", "answered_at"),
)


def relation_library(
    options: FactOptions,
    name: str,
    facts: str = FACTS,
    timeline: str = TIMELINE,
    tables: dict[str, str] | None = None,
) -> dict[str, Cte]:
    """The CTEs of the materialised relation ``name`` (``backlog``, ``surveys``) reading the
    facts and timeline from the tables ``facts`` and ``timeline`` (and ``tables``: see
    :func:`~.facts.fact_ctes`); its own CTE is the first."""
    from supportops.metrics.relations import relation

    cte = relation(name, options, False).ctes[0]
    return {
        cte.name: cte,
        **fact_ctes(options, tables),
        "so_facts": Cte("so_facts", f"SELECT * FROM {facts}"),
        "so_timeline": Cte("so_timeline", f"SELECT * FROM {timeline}"),
    }


def _relations(ws: Workspace, options: FactOptions, stages: Stages) -> None:
    """The backlog's spans (a ticket in an unsolved status, with the ticket's columns) and the
    survey answers (with their ticket's columns), from the tables just written. Spans are
    ordered by their end (still open last), answers by their instant: a query for an instant or
    a range then reads the few row groups that hold it."""
    for table, name, order in RELATIONS:
        with stages(table):
            library = relation_library(options, name)
            cte = next(iter(library))
            sql = select_sql(ws, {cte}, library, f"SELECT * FROM {cte} ORDER BY {order}")
            ws.store.execute(f"DROP TABLE IF EXISTS {table}")
            ws.store.execute(f"CREATE TABLE {table} AS {sql}")
            ws.store.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS so_row")


def _compiled(text: str) -> Compiled:
    return Compiled(text, {})


def materialised(ws: Workspace, wanted: FactOptions) -> tuple[tuple[str, str], ...]:
    """(CTE, SQL) pairs reading the materialised tables when they answer ``wanted``; else ()."""
    state = None if wanted.as_of or wanted.fcr else _state(ws)
    if state is None or state["data"] != signature(ws):
        return ()
    # The calendar's slots follow from its config (in ``calendar``) and the data's span (in the
    # data signature): a query may ask before counting them (the drill-down does).
    stored = {k: v for k, v in json.loads(state["options"]).items() if k != "slots"}
    asked = {k: v for k, v in _stated(_options(ws, wanted)).items() if k != "slots"}
    if stored != json.loads(json.dumps(asked)):
        return ()
    return (
        ("so_facts", f"SELECT * FROM {FACTS}"),
        ("so_timeline", f"SELECT * FROM {TIMELINE}"),
        ("so_spans", f"SELECT * FROM {SPANS}"),
        ("so_answers", f"SELECT * FROM {ANSWERS}"),
    )
