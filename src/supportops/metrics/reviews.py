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

__all__ = [
    "agent_messages",
    "check_facts",
    "review_rows",
    "reviewed_tickets",
    "sample_candidates",
]

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
    ticket: tuple[str, str] | None = None,
) -> pd.DataFrame:
    """Rating rows of reviews given in ``[low, high)``; ``calibration`` True keeps only
    calibration-session rows, False leaves them out, None keeps all; ``ticket`` (source,
    ticket_id) keeps one ticket's."""
    conds = ["TRUE"]
    params: dict[str, Any] = {}
    if low is not None:
        conds.append("r.at >= $low")
        params["low"] = low
    if high is not None:
        conds.append("r.at < $high")
        params["high"] = high
    if ticket is not None:
        conds.append("r.source = $source AND r.ticket_id = $ticket_id")
        params.update(source=ticket[0], ticket_id=ticket[1])
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


def check_facts(store: Store, escalation_groups: tuple[str, ...]) -> pd.DataFrame:
    """Per reviewed ticket, the instants the auto-QA rule checks read: created, first public
    agent reply, first solve, first move to an escalation group, first internal note, customer
    messages after the last public agent reply before the first solve, first reopen after it."""
    marks = ", ".join(f"$g{i}" for i in range(len(escalation_groups))) or "NULL"
    params: dict[str, Any] = {f"g{i}": g for i, g in enumerate(escalation_groups)}
    key = "source, ticket_id"
    agent_msg = "kind = 'message' AND actor = 'agent'"
    sql = (
        f"WITH solve AS (SELECT {key}, min(at) AS solved FROM events WHERE kind = 'status' "
        f"AND value IN ('solved', 'closed') GROUP BY {key}), "
        f"reply AS (SELECT {key}, min(at) AS replied FROM events WHERE {agent_msg} "
        f"AND coalesce(public, TRUE) GROUP BY {key}), "
        f"esc AS (SELECT {key}, min(at) AS escalated FROM events WHERE kind = 'group' "
        f"AND value IN ({marks}) GROUP BY {key}), "
        f"note AS (SELECT {key}, min(at) AS noted FROM events WHERE {agent_msg} "
        f"AND NOT coalesce(public, TRUE) GROUP BY {key}), "
        f"last_reply AS (SELECT e.source, e.ticket_id, max(e.at) AS last_agent FROM events e "
        f"JOIN solve s ON s.source = e.source AND s.ticket_id = e.ticket_id "
        f"WHERE e.{agent_msg.replace(' AND ', ' AND e.')} AND coalesce(e.public, TRUE) "
        "AND e.at <= s.solved GROUP BY e.source, e.ticket_id), "
        "confirm AS (SELECT e.source, e.ticket_id, count(*) AS confirmations FROM events e "
        "JOIN solve s ON s.source = e.source AND s.ticket_id = e.ticket_id "
        "JOIN last_reply l ON l.source = e.source AND l.ticket_id = e.ticket_id "
        "WHERE e.kind = 'message' AND e.actor = 'customer' AND e.at > l.last_agent "
        "AND e.at <= s.solved GROUP BY e.source, e.ticket_id), "
        "reopen AS (SELECT e.source, e.ticket_id, min(e.at) AS reopened FROM events e "
        "JOIN solve s ON s.source = e.source AND s.ticket_id = e.ticket_id "
        "WHERE e.kind = 'status' AND e.value IN ('new', 'open', 'pending', 'on_hold') "
        "AND e.at > s.solved GROUP BY e.source, e.ticket_id) "
        "SELECT t.source, t.ticket_id, t.created_at, r.replied, s.solved, x.escalated, "
        "n.noted, coalesce(c.confirmations, 0) AS confirmations, o.reopened FROM tickets t "
        + " ".join(
            f"LEFT JOIN {cte} {a} ON {a}.source = t.source AND {a}.ticket_id = t.ticket_id"
            for cte, a in (
                ("reply", "r"),
                ("solve", "s"),
                ("esc", "x"),
                ("note", "n"),
                ("confirm", "c"),
                ("reopen", "o"),
            )
        )
        + " WHERE EXISTS (SELECT 1 FROM reviews q WHERE q.source = t.source "
        "AND q.ticket_id = t.ticket_id)"
    )
    return run_sql(store, sql, params)


def agent_messages(store: Store) -> pd.DataFrame:
    """(source, ticket_id, body) of the public agent messages with text on tickets reviewed in
    a calibration session: what the auto-QA text checks read."""
    return run_sql(
        store,
        "SELECT e.source, e.ticket_id, e.body FROM events e WHERE e.kind = 'message' "
        "AND e.actor = 'agent' AND coalesce(e.public, TRUE) AND e.body IS NOT NULL "
        "AND EXISTS (SELECT 1 FROM reviews q WHERE q.source = e.source "
        "AND q.ticket_id = e.ticket_id AND q.calibration_session IS NOT NULL)",
    )
