"""What the time-to-proficiency curves read from the store: each agent's start, and their
handle-time units.

The ``agents`` table has no start or hire date, so an agent's start is their **first activity
in the log**: the earliest of their own events (``actor = 'agent'``, ``actor_id`` the agent)
and their ``work`` stretches. The log's first instant comes with it, so an agent active from
the log's first days can be told apart (their real start is before the log).

Handle time is the catalog's ``handle_time`` metric split by agent: its ``work`` relation, one
unit per ticket or contact and agent (seconds added up), placed at the unit's first stretch.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from supportops.metrics.catalog import get
from supportops.metrics.compiler import run_sql
from supportops.metrics.facts import FactOptions
from supportops.metrics.relations import relation
from supportops.store import Store

__all__ = ["agent_starts", "handle_units"]

_ACTIVITY = (
    "SELECT actor_id AS agent_id, at FROM events WHERE actor = 'agent' AND actor_id IS NOT NULL "
    "UNION ALL SELECT agent_id, started_at AS at FROM work"
)


def agent_starts(store: Store) -> tuple[pd.DataFrame, datetime | None]:
    """(agent_id, start) of every agent with activity, and the log's first event instant."""
    starts = run_sql(
        store, f"SELECT agent_id, min(at) AS start FROM ({_ACTIVITY}) a GROUP BY agent_id"
    )
    first = pd.to_datetime(run_sql(store, "SELECT min(at) AS t FROM events")["t"], utc=True)
    starts["start"] = pd.to_datetime(starts["start"], utc=True)
    found = first.iloc[0] if len(first) else pd.NaT
    return starts, (None if pd.isna(found) else found.to_pydatetime())


def handle_units(store: Store) -> pd.DataFrame:
    """(agent_id, at, seconds): the ``handle_time`` metric's units split by agent."""
    metric = get("handle_time")
    rows = relation(str(metric.relation), FactOptions(), True)
    sql = f"SELECT agent_id, started_at AS at, {metric.value} AS seconds FROM ({rows.sql}) w"
    frame = run_sql(store, sql)
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    frame["seconds"] = frame["seconds"].astype(float)
    return frame
