"""The metric catalog and its query engine.

>>> from supportops.metrics import metrics          # doctest: +SKIP
>>> metrics(ws, ["first_reply_time:p90"], by=["channel"], grain="week")   # doctest: +SKIP
"""

from __future__ import annotations

from supportops.metrics.catalog import Metric, catalog, get, render_markdown
from supportops.metrics.headline import headline
from supportops.metrics.profiles import PROFILES, Profile
from supportops.metrics.query import metrics, metrics_sql
from supportops.metrics.request import Query

__all__ = [
    "PROFILES",
    "Metric",
    "Profile",
    "Query",
    "catalog",
    "get",
    "headline",
    "metrics",
    "metrics_sql",
    "render_markdown",
]
