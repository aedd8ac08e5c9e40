"""The SLA page's numbers, counted in the store (:mod:`supportops.metrics.sla_counts`): target
instances by status, target, policy, group and creation day, and the targets at risk.

Both read the instances joined to their tickets (:func:`supportops.metrics.sla_source.joined_sql`)
with each status as of the page's instant (:func:`~supportops.metrics.sla_source.advanced`): the
stored snapshot when it answers that instant (``supportops metrics refresh``), else the SLA
engine's instances at that instant, computed once per minute and data version and loaded into
the request's temporary table. Either way the counts are those of the engine at that instant.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from supportops.metrics.sla_counts import due_soon, instance_counts
from supportops.metrics.sla_source import JOINED, joined_sql, load_instances, snapshot_at
from supportops.web import data
from supportops.web.filters import Filters
from supportops.workspace import Workspace

__all__ = ["AT_RISK_ROWS", "at_risk", "counts", "prime", "source"]

AT_RISK_ROWS = 50


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


def counts(ws: Workspace, instances: str, filters: Filters, moment: datetime) -> pd.DataFrame:
    """Instances (of :func:`source`) of the tickets created in the range (with the filters),
    counted by target, policy, group, local creation day and status at ``moment``."""
    zone = ws.config.report_timezone
    low, high = data.bounds(filters, zone)
    return instance_counts(ws.store, instances, moment, zone, filters.dims(), low, high)


def at_risk(
    ws: Workspace, instances: str, filters: Filters, moment: datetime, within: int
) -> tuple[pd.DataFrame, int]:
    """Of the instances of :func:`source`, the first :data:`AT_RISK_ROWS` active targets due
    within ``within`` seconds of ``moment`` (tickets of any creation day, with the filters),
    soonest first; and how many there are in all."""
    return due_soon(ws.store, instances, moment, within, filters.dims(), AT_RISK_ROWS)
