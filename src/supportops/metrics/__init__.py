"""The metric catalog and its query engine.

>>> from supportops.metrics import metrics          # doctest: +SKIP
>>> metrics(ws, ["first_reply_time:p90"], by=["channel"], grain="week")   # doctest: +SKIP
Each name is imported on first use: the catalog is data and needs no engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from supportops.lazy import lazy_exports

if TYPE_CHECKING:
    from supportops.metrics.catalog import Metric, catalog, get, render_markdown
    from supportops.metrics.headline import headline
    from supportops.metrics.profiles import PROFILES, Profile
    from supportops.metrics.query import metrics, metrics_sql
    from supportops.metrics.request import Query

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "supportops.metrics.catalog": ("Metric", "catalog", "get", "render_markdown"),
        "supportops.metrics.headline": ("headline",),
        "supportops.metrics.profiles": ("PROFILES", "Profile"),
        "supportops.metrics.query": ("metrics", "metrics_sql"),
        "supportops.metrics.request": ("Query",),
    },
)

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
