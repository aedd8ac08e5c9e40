"""SLA target instances counted in the store: by target, policy, group, local creation day and
status at an instant, and the active targets falling due soon.

Both read a relation of instances joined to their tickets (``instances``: SQL such as
:func:`supportops.metrics.sla_source.joined_sql` gives) with each status as of the instant asked
(:func:`~supportops.metrics.sla_source.advanced`). Filters arrive as plain values: the dimension
filters (``dims``, column → value) and the UTC bounds of the creation range (``low`` included,
``high`` excluded).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd

from supportops.metrics.compiler import run_sql
from supportops.metrics.sla_source import advanced
from supportops.store import Store

__all__ = ["due_soon", "instance_counts"]

STATUS = advanced("m.sla_snapshot_status", "m.due_s")


def _where(
    dims: dict[str, Any], low: pd.Timestamp | None = None, high: pd.Timestamp | None = None
) -> tuple[list[str], dict[str, Any]]:
    conds, params = ["TRUE"], {}
    for n, (dim, value) in enumerate(sorted(dims.items())):
        conds.append(f'm."{dim}" = $dim{n}')
        params[f"dim{n}"] = value
    if low is not None:
        conds.append("m.created_at >= $low")
        params["low"] = low.to_pydatetime()
    if high is not None:
        conds.append("m.created_at < $high")
        params["high"] = high.to_pydatetime()
    return conds, params


def _zone(zone: str) -> str:
    return "'" + zone.replace("'", "''") + "'"


def instance_counts(
    store: Store,
    instances: str,
    moment: datetime,
    zone: str,
    dims: dict[str, Any],
    low: pd.Timestamp | None = None,
    high: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Instances of the tickets created in ``[low, high)`` (with ``dims``), counted by target,
    policy, group, creation day in ``zone`` and status at ``moment``."""
    conds, params = _where(dims, low, high)
    params["now_s"] = moment.timestamp()
    sql = (
        'SELECT m.sla_target AS target, m.sla_policy AS policy, m."group" AS "group", '
        f"CAST(m.created_at AT TIME ZONE {_zone(zone)} AS DATE) AS day, {STATUS} AS status, "
        f"count(*) AS n FROM ({instances}) m WHERE {' AND '.join(conds)} "
        "GROUP BY 1, 2, 3, 4, 5"
    )
    return run_sql(store, sql, params)


def due_soon(
    store: Store,
    instances: str,
    moment: datetime,
    within: int,
    dims: dict[str, Any],
    rows: int,
) -> tuple[pd.DataFrame, int]:
    """The first ``rows`` active targets due within ``within`` seconds of ``moment`` (tickets
    of any creation day, with ``dims``), soonest first; and how many there are in all."""
    conds, params = _where(dims)
    conds += [f"{STATUS} = 'active'", "m.due_s <= $now_s + $within"]
    params.update(now_s=moment.timestamp(), within=float(within), rows=rows)
    sql = (
        'SELECT m.source, m.ticket_id, m.sla_policy AS policy, m.sla_target AS target, m."group", '
        "m.priority, m.assignee_id, m.due_s, count(*) OVER () AS total "
        f"FROM ({instances}) m WHERE {' AND '.join(conds)} "
        "ORDER BY m.due_s, m.ticket_id LIMIT $rows"
    )
    frame = run_sql(store, sql, params)
    total = int(frame["total"].iloc[0]) if len(frame) else 0
    return frame.drop(columns=["total"]), total
