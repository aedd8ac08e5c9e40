"""What the routing replay reads from the store, one query each.

- :func:`worked_tickets`: the tickets created in a range that a customer opened and an agent
  worked on, each with its handle seconds (the catalog's ``handle_time``: its ``work``
  stretches added up), in order of creation;
- :func:`agent_skills`: every agent with its team and skills;
- :func:`work_shifts`: the ``work`` stretches of ``shifts`` that overlap a range.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from supportops.metrics.compiler import run_sql

if TYPE_CHECKING:
    import pandas as pd

    from supportops.workspace import Workspace

__all__ = ["agent_skills", "work_shifts", "worked_tickets"]

_TICKETS = """
WITH handled AS (
  SELECT source, ticket_id, sum(seconds) AS handle_seconds FROM work
  WHERE ticket_id IS NOT NULL GROUP BY source, ticket_id)
SELECT t.*, h.handle_seconds FROM tickets t
JOIN handled h ON h.source = t.source AND h.ticket_id = t.ticket_id
WHERE t.created_at >= $low AND t.created_at < $high AND h.handle_seconds > 0
  AND coalesce(t.created_by, 'customer') <> 'agent'
ORDER BY t.created_at, t.source, t.ticket_id
"""
_AGENTS = "SELECT agent_id, team, skills FROM agents ORDER BY agent_id"
_SHIFTS = """
SELECT agent_id, starts_at, ends_at FROM shifts
WHERE coalesce(activity, 'work') = 'work' AND ends_at > $low AND starts_at < $high
ORDER BY starts_at, agent_id
"""


def worked_tickets(ws: Workspace, low: datetime, high: datetime) -> pd.DataFrame:
    """Tickets created in ``[low, high)`` that agents worked: every column, ``handle_seconds``."""
    return run_sql(ws.store, _TICKETS, {"low": low, "high": high})


def agent_skills(ws: Workspace) -> pd.DataFrame:
    """``agent_id``, ``team`` and ``skills`` of every agent, by id."""
    return run_sql(ws.store, _AGENTS)


def work_shifts(ws: Workspace, low: datetime, high: datetime) -> pd.DataFrame:
    """``agent_id``, ``starts_at``, ``ends_at`` of the work stretches overlapping the range."""
    return run_sql(ws.store, _SHIFTS, {"low": low, "high": high})
