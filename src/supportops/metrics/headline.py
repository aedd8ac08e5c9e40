"""The headline KPI table: the catalog's standard metrics for a whole workspace, one row each."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from supportops.metrics.catalog import get
from supportops.metrics.query import metrics

if TYPE_CHECKING:
    from supportops.workspace import Workspace

__all__ = ["HEADLINE", "headline"]

HEADLINE = (
    "tickets_created",
    "tickets_solved",
    "backlog",
    "first_reply_time",
    "first_reply_time_business",
    "full_resolution_time",
    "sla_achieved_rate",
    "csat",
    "reopen_rate",
    "one_touch_rate",
    "cost_per_ticket",
)


def headline(ws: Workspace, **options: Any) -> pd.DataFrame:
    """One row per headline metric: id, value, unit and the first sentence of its definition.

    ``options`` are those of :func:`supportops.metrics.metrics` (``start``, ``end``, ``as_of``,
    ``profile``...). A metric with no data has the value None."""
    row = metrics(ws, list(HEADLINE), **options).iloc[0]
    out = []
    for metric_id in HEADLINE:
        metric = get(metric_id)
        value = row[metric_id]
        out.append(
            {
                "metric": metric_id,
                "value": None if pd.isna(value) else float(value),
                "unit": metric.unit,
                "definition": metric.definition.split(". ")[0],
            }
        )
    return pd.DataFrame(out)
