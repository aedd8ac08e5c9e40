"""What the automation ROI ledger and cost to serve read from the store, one query each.

- :func:`bot_sessions`: the sessions started in a range, with their customer;
- :func:`human_contacts`: tickets a customer opened (not outbound ones), the contacts that undo a
  bot's "resolution";
- :func:`ticket_costs`: per ticket created in a range, its handle seconds and labour cost (each
  stretch of work × its agent's ``hourly_cost``, else ``cost.default_hourly_cost``), whether a
  bot handed it off, and its account's segment and ARR.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import pandas as pd

from supportops.metrics.compiler import run_sql

if TYPE_CHECKING:
    from supportops.workspace import Workspace

__all__ = ["bot_sessions", "human_contacts", "ticket_costs"]

_SESSIONS = (
    "SELECT source, session_id, started_at, channel, outcome, ticket_id, requester_id, intent, "
    "resolution_confirmed FROM bot_sessions WHERE started_at >= $low AND started_at < $high"
)
_CONTACTS = (
    "SELECT requester_id, created_at AS at, channel, source, ticket_id FROM tickets "
    "WHERE coalesce(created_by, 'customer') <> 'agent' AND requester_id IS NOT NULL "
    "AND created_at >= $low AND created_at < $high"
)
_COSTS = """
WITH labour AS (
  SELECT w.source, w.ticket_id, sum(w.seconds) AS handle_seconds,
    sum(w.seconds * coalesce(a.hourly_cost, $hourly) / 3600.0) AS labour_cost
  FROM work w LEFT JOIN agents a ON a.agent_id = w.agent_id
  WHERE w.ticket_id IS NOT NULL GROUP BY w.source, w.ticket_id),
handed AS (
  SELECT DISTINCT source, ticket_id FROM bot_sessions
  WHERE outcome = 'handed_off' AND ticket_id IS NOT NULL)
SELECT t.source, t.ticket_id, t.created_at, t.channel, t."group", t.tags, t.organization_id,
  t.status, coalesce(l.handle_seconds, 0) AS handle_seconds, l.labour_cost,
  h.ticket_id IS NOT NULL AS bot_handoff, acc.name AS account, acc.segment, acc.plan, acc.arr
FROM tickets t
LEFT JOIN labour l ON l.source = t.source AND l.ticket_id = t.ticket_id
LEFT JOIN handed h ON h.source = t.source AND h.ticket_id = t.ticket_id
LEFT JOIN accounts acc ON acc.organization_id = t.organization_id
WHERE t.created_at >= $low AND t.created_at < $high
"""


def bot_sessions(ws: Workspace, low: datetime, high: datetime) -> pd.DataFrame:
    """Bot sessions started in ``[low, high)``."""
    return run_sql(ws.store, _SESSIONS, {"low": low, "high": high})


def human_contacts(ws: Workspace, low: datetime, high: datetime) -> pd.DataFrame:
    """Tickets customers opened in ``[low, high)``: requester, instant, channel."""
    return run_sql(ws.store, _CONTACTS, {"low": low, "high": high})


_RULE_ACTIONS = """
SELECT "rule", source, ticket_id, result, mode FROM rule_actions
WHERE "at" >= $low AND "at" < $high
"""


def rule_actions(ws: Workspace, low: datetime, high: datetime) -> pd.DataFrame:
    """The rules' actions (the action ledger) answering events of ``[low, high)``."""
    return run_sql(ws.store, _RULE_ACTIONS, {"low": low, "high": high})


def ticket_costs(ws: Workspace, low: datetime, high: datetime) -> pd.DataFrame:
    """Per ticket created in ``[low, high)``: handle seconds, labour cost and account."""
    hourly = ws.config.cost.default_hourly_cost
    return run_sql(ws.store, _COSTS, {"low": low, "high": high, "hourly": hourly})
