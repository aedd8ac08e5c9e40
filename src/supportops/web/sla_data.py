"""The SLA page's numbers, counted in the store: target instances by status, target, policy,
group and creation day, and the targets at risk.

Both read the instances joined to their tickets (:func:`supportops.metrics.sla_source.joined_sql`)
with each status as of the page's instant (:func:`~supportops.metrics.sla_source.advanced`): the
stored snapshot when it answers that instant (``supportops metrics refresh``), else the SLA
engine's instances at that instant, computed once per minute and data version and loaded into
the request's temporary table. Either way the counts are those of the engine at that instant.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd

from supportops.metrics.compiler import run_sql
from supportops.metrics.sla_source import (
    JOINED,
    advanced,
    joined_sql,
    load_instances,
    snapshot_at,
)
from supportops.web import data
from supportops.web.filters import Filters
from supportops.workspace import Workspace

__all__ = ["AT_RISK_ROWS", "at_risk", "counts", "prime", "source"]

AT_RISK_ROWS = 50
STATUS = advanced("m.sla_snapshot_status", "m.due_s")


def prime(ws: Workspace, moment: datetime, memo: data.Memo = data.direct) -> str:
    """The table of SLA instances answering ``moment``: the stored snapshot joined to its
    tickets when it answers, else the engine's instances at that instant (cached by the app per
    minute and data version) loaded as this request's temporary table — which SQL reading the
    instances then uses instead of evaluating the engine again."""
    taken = snapshot_at(ws)
    if taken is not None and taken <= moment:
        return JOINED
    return load_instances(ws.store, data.sla_instances(ws, moment, memo), moment)


def source(ws: Workspace, moment: datetime, memo: data.Memo = data.direct) -> str:
    """SQL of the instances joined to their tickets, for statuses at ``moment`` (see
    :func:`prime`)."""
    return joined_sql(prime(ws, moment, memo))


def _where(filters: Filters, zone: str, dated: bool) -> tuple[list[str], dict[str, Any]]:
    conds, params = ["TRUE"], {}
    for n, (dim, value) in enumerate(sorted(filters.dims().items())):
        conds.append(f'm."{dim}" = $dim{n}')
        params[f"dim{n}"] = value
    low, high = data.bounds(filters, zone) if dated else (None, None)
    if low is not None:
        conds.append("m.created_at >= $low")
        params["low"] = low.to_pydatetime()
    if high is not None:
        conds.append("m.created_at < $high")
        params["high"] = high.to_pydatetime()
    return conds, params


def _zone(zone: str) -> str:
    return "'" + zone.replace("'", "''") + "'"


def counts(ws: Workspace, instances: str, filters: Filters, moment: datetime) -> pd.DataFrame:
    """Instances (of :func:`source`) of the tickets created in the range (with the filters),
    counted by target, policy, group, local creation day and status at ``moment``."""
    zone = ws.config.report_timezone
    conds, params = _where(filters, zone, dated=True)
    params["now_s"] = moment.timestamp()
    sql = (
        'SELECT m.sla_target AS target, m.sla_policy AS policy, m."group" AS "group", '
        f"CAST(m.created_at AT TIME ZONE {_zone(zone)} AS DATE) AS day, {STATUS} AS status, "
        f"count(*) AS n FROM ({instances}) m WHERE {' AND '.join(conds)} "
        "GROUP BY 1, 2, 3, 4, 5"
    )
    return run_sql(ws.store, sql, params)


def at_risk(
    ws: Workspace, instances: str, filters: Filters, moment: datetime, within: int
) -> tuple[pd.DataFrame, int]:
    """Of the instances of :func:`source`, the first :data:`AT_RISK_ROWS` active targets due
    within ``within`` seconds of ``moment`` (tickets of any creation day, with the filters),
    soonest first; and how many there are in all."""
    conds, params = _where(filters, ws.config.report_timezone, dated=False)
    conds += [f"{STATUS} = 'active'", "m.due_s <= $now_s + $within"]
    params.update(now_s=moment.timestamp(), within=float(within), rows=AT_RISK_ROWS)
    sql = (
        'SELECT m.ticket_id, m.sla_policy AS policy, m.sla_target AS target, m."group", '
        "m.priority, m.assignee_id, m.due_s, count(*) OVER () AS total "
        f"FROM ({instances}) m WHERE {' AND '.join(conds)} "
        "ORDER BY m.due_s, m.ticket_id LIMIT $rows"
    )
    frame = run_sql(ws.store, sql, params)
    total = int(frame["total"].iloc[0]) if len(frame) else 0
    return frame.drop(columns=["total"]), total
