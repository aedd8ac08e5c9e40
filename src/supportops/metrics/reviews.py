"""QA reviews read from the store with the reviewed ticket's columns (channel, group, tags),
so scores split by the same dimensions as every other metric."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd

from supportops.metrics.compiler import run_sql
from supportops.store import Store

__all__ = ["review_rows", "reviewed_tickets"]

_COLUMNS = (
    "r.review_id, r.source, r.ticket_id, r.agent_id, r.reviewer_id, r.at, r.scorecard, "
    "r.category, r.rating, r.na, r.comment, r.calibration_session, t.channel, "
    't."group", t.type, t.priority, t.tags, t.created_at, t.subject'
)


def review_rows(
    store: Store,
    low: datetime | None = None,
    high: datetime | None = None,
    calibration: bool | None = None,
) -> pd.DataFrame:
    """Rating rows of reviews given in ``[low, high)``; ``calibration`` True keeps only
    calibration-session rows, False leaves them out, None keeps all."""
    conds = ["TRUE"]
    params: dict[str, Any] = {}
    if low is not None:
        conds.append("r.at >= $low")
        params["low"] = low
    if high is not None:
        conds.append("r.at < $high")
        params["high"] = high
    if calibration is not None:
        conds.append(
            "r.calibration_session IS NOT NULL" if calibration else "r.calibration_session IS NULL"
        )
    sql = (
        f"SELECT {_COLUMNS} FROM reviews r LEFT JOIN tickets t "
        f"ON t.source = r.source AND t.ticket_id = r.ticket_id WHERE {' AND '.join(conds)} "
        "ORDER BY r.at, r.review_id, r.category"
    )
    return run_sql(store, sql, params)


def reviewed_tickets(store: Store) -> pd.DataFrame:
    """(source, ticket_id) of every ticket with a review outside calibration sessions."""
    return run_sql(
        store,
        "SELECT DISTINCT source, ticket_id FROM reviews WHERE calibration_session IS NULL",
    )
