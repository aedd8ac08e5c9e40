"""Sets of tickets behind a number, as SQL conditions on the drill-down's facts row ``r``.

Each function answers "which tickets" for a number that is not a filter on one row's facts: the
backlog at an instant (the metrics' own status timeline), the tickets bot sessions led to, the
tickets whose csat answer fell in a range, the tickets with SLA target instances in a state. Each
is a semi-join (``EXISTS``) the store runs with the list's other conditions, so a list is
selected, counted and paged in SQL; the timeline is the metric engine's (the materialised one
when fresh), so a count and its list agree. Values are bound parameters, prefixed per set.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

import pandas as pd

from supportops.metrics.assemble import BUCKETS
from supportops.metrics.drilldown import Where
from supportops.metrics.facts import UNSOLVED
from supportops.metrics.sla_source import status_sql

__all__ = ["BANDS", "backlog", "sessions", "sla", "surveys"]

FAR = "1e18"
_LIMITS = [0, *(limit for limit, _ in BUCKETS)]
BANDS: dict[str, tuple[float, float]] = {
    label: (float(low), float(high)) for (high, label), low in zip(BUCKETS, _LIMITS, strict=False)
} | {"30d+": (float(BUCKETS[-1][0]), float("inf"))}
_SAME = "{a}.source = r.source AND {a}.ticket_id = r.ticket_id"


def _stamp(value: pd.Timestamp | str | None) -> Any:
    return value.to_pydatetime() if isinstance(value, pd.Timestamp) else value


def _exists(table: str, alias: str, conds: list[str], params: dict[str, Any]) -> Where:
    body = " AND ".join([_SAME.format(a=alias), *conds])
    return Where().and_(f"EXISTS (SELECT 1 FROM {table} {alias} WHERE {body})", **params)


def backlog(at_s: float, band: str | None = None, period_end: bool = False) -> Where:
    """Tickets unsolved at epoch second ``at_s``, optionally of age band ``band``.

    ``period_end`` reads the instant as the metrics do at the end of a period of a grain (a span
    ending exactly then still counts); otherwise as a snapshot without grain.
    """
    cover = (
        f"l.at_s < $b_at AND coalesce(l.next_s, {FAR}) >= $b_at"
        if period_end
        else f"l.at_s <= $b_at AND coalesce(l.next_s, {FAR}) > $b_at"
    )
    params: dict[str, Any] = {"b_at": float(at_s)}
    where = _exists("so_timeline", "l", [f"l.status IN {UNSOLVED}", cover], params)
    where = replace(where, ctes=frozenset({"so_timeline"}))
    if band is not None:
        low, high = BANDS.get(band, (0.0, -1.0))  # an unknown band: no ticket
        where = where.and_("$b_at - r.created_s >= $b_low", b_low=low)
        if high != float("inf"):
            where = where.and_("$b_at - r.created_s < $b_high", b_high=high)
    return where


def sessions(
    low: pd.Timestamp | None,
    high: pd.Timestamp | None,
    channel: str | None = None,
    outcome: str | None = None,
    within_s: float | None = None,
) -> Where:
    """Tickets of the bot sessions started in ``[low, high)``: of one ``outcome``, on one
    ``channel``; with ``within_s``, only tickets created that soon after the session started
    (a false resolution, when the outcome is ``resolved``)."""
    conds: list[str] = []
    params: dict[str, Any] = {}
    for name, value, cond in (
        ("s_low", low, "b.started_at >= $s_low"),
        ("s_high", high, "b.started_at < $s_high"),
        ("s_channel", channel, "b.channel = $s_channel"),
        ("s_outcome", outcome, "b.outcome = $s_outcome"),
    ):
        if value is not None:
            conds.append(cond)
            params[name] = _stamp(value)
    if within_s is not None:
        conds.append("epoch(r.created_at) - epoch(b.started_at) BETWEEN 0 AND $s_within")
        params["s_within"] = float(within_s)
    return _exists("bot_sessions", "b", conds, params)


def surveys(low: pd.Timestamp | None, high: pd.Timestamp | None, survey: str = "csat") -> Where:
    """Tickets with a ``survey`` answer given in ``[low, high)``."""
    conds, params = ["v.survey = $v_survey"], dict[str, Any](v_survey=survey)
    if low is not None:
        conds.append("v.at >= $v_low")
        params["v_low"] = _stamp(low)
    if high is not None:
        conds.append("v.at < $v_high")
        params["v_high"] = _stamp(high)
    return _exists("surveys", "v", conds, params)


def sla(
    moment: datetime,
    statuses: tuple[str, ...],
    target: str | None = None,
    policy: str | None = None,
    within_s: float | None = None,
) -> Where:
    """Tickets with an SLA target instance whose status at ``moment`` is one of ``statuses``
    (of one ``target``, one ``policy``; with ``within_s``, due at most that long after
    ``moment``). The instances are those the store answers ``moment`` with (``so_sla``)."""
    marks = ", ".join(f"$q_status{i}" for i in range(len(statuses)))
    conds = [f"{status_sql('i')} IN ({marks})" if statuses else "FALSE"]
    params: dict[str, Any] = {f"q_status{i}": s for i, s in enumerate(statuses)}
    for name, value in (("target", target), ("policy", policy)):
        if value is not None:
            conds.append(f"CAST(i.{name} AS VARCHAR) = $q_{name}")
            params[f"q_{name}"] = value
    if within_s is not None:
        conds.append("epoch(i.due_at) <= $now_s + $q_within")
        params["q_within"] = float(within_s)
    return replace(_exists("so_sla", "i", conds, params), sla_at=moment)
