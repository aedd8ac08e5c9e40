"""What an experiment reads from the store: one row per ticket created in a window, with the
units it may be assigned by, its stored arm, and its value of each metric asked.

A metric can be read per ticket when its rows belong to one ticket: a ticket metric (its row
value, e.g. ``full_resolution_time`` or ``reopen_rate``'s 0/1), a survey metric (the mean of the
ticket's answers' values, e.g. ``csat``'s 0/1) or ``handle_time`` (the ticket's work seconds).
Any other metric is refused with a :class:`~supportops.errors.MetricError` naming it.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import pandas as pd

from supportops.errors import MetricError
from supportops.metrics.compiler import fact_options, items, library, run_sql, with_ctes
from supportops.metrics.profiles import profile as get_profile
from supportops.metrics.query import build_query, setting_for
from supportops.metrics.relations import relation

if TYPE_CHECKING:
    from supportops.workspace import Workspace

__all__ = ["PER_TICKET", "stored_arms", "ticket_outcomes", "ticket_units"]

# How each relation's rows become one value per ticket.
PER_TICKET = {"tickets": "row", "surveys": "avg", "work": "sum"}
_UNITS = (
    "SELECT source, ticket_id, created_at, requester_id, organization_id, assignee_id "
    "FROM tickets WHERE created_at >= $low AND created_at < $high"
)
_ARMS = (
    "SELECT source, ticket_id, unit_id, arm, slot, carryover FROM experiment_arms "
    "WHERE experiment = $name"
)


def ticket_units(ws: Workspace, low: datetime, high: datetime) -> pd.DataFrame:
    """The tickets created in ``[low, high)`` with the ids they may be assigned by."""
    return run_sql(ws.store, _UNITS, {"low": low, "high": high})


def stored_arms(ws: Workspace, experiment: str) -> pd.DataFrame:
    """The arms stored for ``experiment`` by ``supportops experiment assign``."""
    return run_sql(ws.store, _ARMS, {"name": experiment})


def _column(i: int) -> str:
    return f"so_m{i}"


def ticket_outcomes(
    ws: Workspace, metric_ids: list[str], low: datetime, high: datetime
) -> pd.DataFrame:
    """Per ticket created in ``[low, high)``: its keys, units and one column per metric asked
    (in the order asked; NULL where the ticket has no value)."""
    query = build_query(metric_ids, ws.config.report_timezone, ws.clock)
    setting = setting_for(ws, query)
    asked = items(query, get_profile(None))
    for item in asked:
        if item.metric.relation not in PER_TICKET or item.metric.options:
            raise MetricError(
                f"{item.metric.id}: not a per-ticket metric, so an experiment cannot compare it "
                f"(use a ticket, survey or handle-time metric)"
            )
    options = fact_options(query, setting, get_profile(None), asked)
    relations = {i.metric.relation: relation(str(i.metric.relation), options, False) for i in asked}
    lib = library(options, list(relations.values()))
    needed = {"so_facts"} | {
        d for name, r in relations.items() if name == "surveys" for d in r.deps
    }
    ctes = ", ".join(f"{c.name} AS ({c.sql})" for c in with_ctes(needed, lib))
    own = [
        f"{i.metric.value} AS {_column(n)}"
        for n, i in enumerate(asked)
        if i.metric.relation == "tickets"
    ]
    inner = ", ".join(["source", "ticket_id", *own])
    joins, cols = [], []
    for n, item in enumerate(asked):
        col = _column(n)
        kind = PER_TICKET[str(item.metric.relation)]
        if kind == "row":
            cols.append(f"f.{col}")
            continue
        rows = relations["surveys"].sql if kind == "avg" else "SELECT * FROM work"
        joins.append(
            f"LEFT JOIN (SELECT source, ticket_id, {kind}({item.metric.value}) AS v "
            f"FROM ({rows}) r WHERE ticket_id IS NOT NULL GROUP BY source, ticket_id) j{n} "
            f"ON j{n}.source = f.source AND j{n}.ticket_id = f.ticket_id"
        )
        cols.append(f"j{n}.v AS {col}")
    text = (
        f"WITH {ctes}, so_window AS (SELECT {inner} FROM so_facts "
        "WHERE created_at >= $low AND created_at < $high) "
        f"SELECT f.source, f.ticket_id, {', '.join(cols)} FROM so_window f {' '.join(joins)}"
    )
    frame = run_sql(ws.store, text, {"low": low, "high": high, **_params(setting)})
    return frame.rename(columns={_column(n): i.label for n, i in enumerate(asked)})


def _params(setting: object) -> dict[str, object]:
    return {"now_s": getattr(setting, "snapshot_s", None)}
