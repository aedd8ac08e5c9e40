"""QA reviews read from the store with the reviewed ticket's columns (channel, group, tags),
so scores split by the same dimensions as every other metric."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from supportops.metrics.compiler import run_sql
from supportops.store import Store

if TYPE_CHECKING:
    from supportops.workspace import Workspace

__all__ = ["review_rows", "reviewed_tickets", "sample_candidates"]

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


def sample_candidates(ws: Workspace, low: datetime, high: datetime) -> pd.DataFrame:
    """Tickets solved in ``[low, high)`` with their facts and the QA risk flags: low CSAT (an
    answer of 1–2), reopened, SLA breached, escalated (moved to another group), and the
    full resolution time (long resolution is judged against the period's own spread)."""
    from supportops.metrics import drilldown

    where = (
        drilldown.Where()
        .and_("r.solved_at >= $q_low", q_low=low)
        .and_("r.solved_at < $q_high", q_high=high)
    )
    frame = drilldown.select(ws, where).to_pandas()
    unhappy = run_sql(
        ws.store,
        "SELECT DISTINCT source, ticket_id FROM surveys WHERE survey = 'csat' AND score <= 2",
    )
    keys = pd.MultiIndex.from_frame(frame[["source", "ticket_id"]].astype(str))
    bad = pd.MultiIndex.from_frame(unhappy[["source", "ticket_id"]].astype(str))
    out: pd.DataFrame = frame.assign(
        agent_id=frame["assignee_id"],
        low_csat=keys.isin(bad),
        reopened=frame["reopens"].fillna(0) > 0,
        sla_breached=frame["sla_breached"].fillna(False).astype(bool),
        escalated=frame["group_transfers"].fillna(0) > 0,
    )
    return out
