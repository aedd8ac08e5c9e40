"""Bot sessions counted in the store: how many started in a range ended in each outcome."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd

from supportops.metrics.compiler import run_sql
from supportops.store import Store

__all__ = ["sessions_by_outcome"]


def sessions_by_outcome(
    store: Store,
    low: datetime | None = None,
    high: datetime | None = None,
    channel: str | None = None,
    unmatchable: bool = False,
) -> pd.DataFrame:
    """Bot sessions started in ``[low, high)`` (on ``channel``), counted per ``outcome``; none
    when ``unmatchable`` (a filter sessions cannot meet: they have no group or priority, as in
    the metrics)."""
    conds: list[str] = ["TRUE"]
    params: dict[str, Any] = {}
    for name, value, cond in (
        ("low", low, "started_at >= $low"),
        ("high", high, "started_at < $high"),
        ("channel", channel, "channel = $channel"),
    ):
        if value is not None:
            conds.append(cond)
            params[name] = value.to_pydatetime() if isinstance(value, pd.Timestamp) else value
    if unmatchable:
        conds.append("FALSE")
    sql = (
        "SELECT outcome, count(*) AS sessions FROM bot_sessions "
        f"WHERE {' AND '.join(conds)} GROUP BY outcome"
    )
    return run_sql(store, sql, params)
