"""What automation saved: bot-resolved sessions × average handle time of a human-solved ticket ×
agent hourly cost.

- **bot-resolved sessions**: bot sessions started in the period with outcome ``resolved`` and no
  ticket (the deflected sessions of ``deflection_rate``);
- **average handle time of a human-solved ticket**: the mean of the agents' ``work`` seconds on
  each ticket created in the period that is solved (or closed) and had a public agent reply;
- **agent hourly cost**: the agents' ``hourly_cost`` weighted by their work seconds in the
  period, else ``cost.default_hourly_cost`` of ``supportops.yaml``.

Each part is one SQL read; the report prints the formula with the three numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from supportops.metrics.compiler import run_sql
from supportops.workspace import Workspace

__all__ = ["FORMULA", "Savings", "savings"]

FORMULA = "bot-resolved sessions × average handle time of a human-solved ticket × agent hourly cost"
_SESSIONS = (
    "SELECT count(*) AS n FROM bot_sessions WHERE outcome = 'resolved' AND ticket_id IS NULL "
    "AND started_at >= $low AND started_at < $high"
)
_HANDLE = """
WITH handled AS (
  SELECT source, ticket_id, sum(seconds) AS seconds FROM work
  WHERE ticket_id IS NOT NULL GROUP BY source, ticket_id),
replied AS (
  SELECT DISTINCT source, ticket_id FROM events
  WHERE kind = 'message' AND actor = 'agent' AND coalesce(public, TRUE))
SELECT avg(h.seconds) AS seconds, count(*) AS n FROM tickets t
JOIN handled h ON h.source = t.source AND h.ticket_id = t.ticket_id
JOIN replied r ON r.source = t.source AND r.ticket_id = t.ticket_id
WHERE t.status IN ('solved', 'closed') AND t.created_at >= $low AND t.created_at < $high
"""
_COST = """
SELECT sum(a.hourly_cost * w.seconds) / nullif(sum(CASE WHEN a.hourly_cost IS NOT NULL
  THEN w.seconds END), 0) AS cost
FROM work w JOIN agents a ON a.agent_id = w.agent_id
WHERE w.started_at >= $low AND w.started_at < $high
"""


@dataclass(frozen=True)
class Savings:
    """The three parts of the formula and what they multiply to (None: a part is unknown)."""

    sessions: int
    handle_seconds: float | None
    hourly_cost: float | None

    @property
    def hours(self) -> float | None:
        """Agent hours the bot's resolutions saved."""
        if self.handle_seconds is None:
            return None
        return self.sessions * self.handle_seconds / 3600

    @property
    def money(self) -> float | None:
        """Those hours at the agent hourly cost."""
        hours = self.hours
        return None if hours is None or self.hourly_cost is None else hours * self.hourly_cost


def _number(ws: Workspace, sql: str, params: dict[str, Any], column: str) -> float | None:
    frame = run_sql(ws.store, sql, params)
    value = frame[column].iloc[0] if len(frame) else None
    return None if value is None or value != value else float(value)


def savings(
    ws: Workspace, low: datetime, high: datetime, default_hourly_cost: float | None = None
) -> Savings:
    """The savings of the period ``[low, high)`` (see the module docstring)."""
    params = {"low": low, "high": high}
    sessions = _number(ws, _SESSIONS, params, "n") or 0.0
    handle = _number(ws, _HANDLE, params, "seconds")
    cost = _number(ws, _COST, params, "cost")
    return Savings(int(sessions), handle, cost if cost is not None else default_hourly_cost)
