"""Sets of tickets behind a number, as ``(source, ticket_id)`` frames, read from the store.

Each function answers "which tickets" for a number that is not a filter on one row's facts: the
backlog at an instant (the metrics' own status timeline), the tickets bot sessions led to, the
tickets whose csat answer fell in a range, the tickets failing a validity rule. Their SQL reuses
the metric engine's fact CTEs, so a count and its list agree.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from supportops.metrics.assemble import BUCKETS
from supportops.metrics.clock import calendar_sql
from supportops.metrics.compiler import run_sql, with_ctes
from supportops.metrics.facts import UNSOLVED, FactOptions, fact_ctes
from supportops.workspace import Workspace

__all__ = ["BANDS", "backlog_keys", "invalid_keys", "narrow", "session_keys", "survey_keys"]

KEY = ["source", "ticket_id"]
FAR = "1e18"
_LIMITS = [0, *(limit for limit, _ in BUCKETS)]
BANDS: dict[str, tuple[float, float]] = {
    label: (float(low), float(high)) for (high, label), low in zip(BUCKETS, _LIMITS, strict=False)
} | {"30d+": (float(BUCKETS[-1][0]), float("inf"))}


def _ctes(ws: Workspace, needed: set[str]) -> str:
    library = fact_ctes(FactOptions(calendar=calendar_sql(ws.config)))
    return ", ".join(f"{c.name} AS ({c.sql})" for c in with_ctes(needed, library))


def backlog_keys(
    ws: Workspace, at_s: float, band: str | None = None, period_end: bool = False
) -> pd.DataFrame:
    """Tickets unsolved at epoch second ``at_s``, optionally of age band ``band``.

    ``period_end`` reads the instant as the metrics do at the end of a period of a grain (a span
    ending exactly then still counts); otherwise as a snapshot without grain.
    """
    cover = (
        f"s.start_s < $at AND coalesce(s.end_s, {FAR}) >= $at"
        if period_end
        else f"s.start_s <= $at AND coalesce(s.end_s, {FAR}) > $at"
    )
    params: dict[str, Any] = {"at": float(at_s)}
    age = ""
    if band is not None:
        low, high = BANDS.get(band, (0.0, -1.0))  # an unknown band: no ticket
        age, params["low"] = " AND $at - s.created_s >= $low", low
        if high != float("inf"):
            age, params["high"] = age + " AND $at - s.created_s < $high", high
    sql = (
        f"WITH {_ctes(ws, {'so_timeline', 'so_tickets'})} SELECT DISTINCT s.source, s.ticket_id "
        "FROM (SELECT t.source, t.ticket_id, t.created_s, l.at_s AS start_s, l.next_s AS end_s "
        "FROM so_timeline l JOIN so_tickets t ON t.source = l.source "
        f"AND t.ticket_id = l.ticket_id WHERE l.status IN {UNSOLVED}) s WHERE {cover}{age}"
    )
    return run_sql(ws.store, sql, params)


def session_keys(
    ws: Workspace,
    low: pd.Timestamp | None,
    high: pd.Timestamp | None,
    channel: str | None = None,
    outcome: str | None = None,
    within_s: float | None = None,
) -> pd.DataFrame:
    """Tickets of the bot sessions started in ``[low, high)``: of one ``outcome``, on one
    ``channel``; with ``within_s``, only tickets created that soon after the session started
    (a false resolution, when the outcome is ``resolved``)."""
    conds = ["b.ticket_id IS NOT NULL"]
    params: dict[str, Any] = {}
    for name, value, cond in (
        ("low", low, "b.started_at >= $low"),
        ("high", high, "b.started_at < $high"),
        ("channel", channel, "b.channel = $channel"),
        ("outcome", outcome, "b.outcome = $outcome"),
    ):
        if value is not None:
            conds.append(cond)
            params[name] = value.to_pydatetime() if isinstance(value, pd.Timestamp) else value
    join = ""
    if within_s is not None:
        join = " JOIN tickets t ON t.source = b.source AND t.ticket_id = b.ticket_id"
        conds.append("epoch(t.created_at) - epoch(b.started_at) BETWEEN 0 AND $within")
        params["within"] = float(within_s)
    sql = (
        f"SELECT DISTINCT b.source, b.ticket_id FROM bot_sessions b{join} "
        f"WHERE {' AND '.join(conds)}"
    )
    return run_sql(ws.store, sql, params)


def survey_keys(
    ws: Workspace, low: pd.Timestamp | None, high: pd.Timestamp | None, survey: str = "csat"
) -> pd.DataFrame:
    """Tickets with a ``survey`` answer given in ``[low, high)``."""
    conds, params = ["s.survey = $survey"], dict[str, Any](survey=survey)
    if low is not None:
        conds.append("s.at >= $low")
        params["low"] = low.to_pydatetime()
    if high is not None:
        conds.append("s.at < $high")
        params["high"] = high.to_pydatetime()
    sql = f"SELECT DISTINCT s.source, s.ticket_id FROM surveys s WHERE {' AND '.join(conds)}"
    return run_sql(ws.store, sql, params)


def invalid_keys(ws: Workspace) -> pd.DataFrame:
    """Every ticket failing a data-quality validity rule: (rule, source, ticket_id)."""
    from supportops.metrics.quality import RULES

    joins = (
        "FROM so_tickets t LEFT JOIN so_start s ON s.source = t.source AND s.ticket_id = "
        "t.ticket_id LEFT JOIN so_status st ON st.source = t.source AND st.ticket_id = t.ticket_id"
    )
    flags = " UNION ALL ".join(
        f"SELECT DISTINCT '{rule}' AS rule, t.source, t.ticket_id {joins} WHERE {cond}"
        for rule, cond in RULES.items()
    )
    return run_sql(ws.store, f"WITH {_ctes(ws, {'so_tickets', 'so_start', 'so_status'})} {flags}")


def narrow(frame: pd.DataFrame, keys: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``frame`` whose (source, ticket_id) is among ``keys``, in ``frame``'s order."""
    if frame.empty:
        return frame
    mine = pd.MultiIndex.from_arrays([frame[c].astype(str) for c in KEY])
    wanted = pd.MultiIndex.from_arrays([keys[c].astype(str) for c in KEY])
    return frame[mine.isin(wanted)].reset_index(drop=True)
