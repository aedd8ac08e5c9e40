"""Every metric of the spec, declared as data (see :mod:`supportops.metrics.catalog`), one
module per part of the catalog.

``value`` is SQL over the relation's columns (DuckDB dialect; NULL leaves a row out); ``$name``
is a bound query parameter (``$fcr_window``, ``$threshold``, ...). Each definition choice is
written in the definition text, which ``docs/metrics.md`` shows.

    common      sections, shared phrases, define()
    flow        volume and flow, speed
    outcomes    SLA, quality of resolution, customer
    qa          QA reviews: IQS, scores by category
    people      people and cost
    automation  automation and self-service
    data        data quality
    drills      the tickets behind each number
"""

from __future__ import annotations

from dataclasses import replace

from supportops.metrics.catalog import Metric
from supportops.metrics.definitions.automation import automation_metrics
from supportops.metrics.definitions.data import data_metrics
from supportops.metrics.definitions.drills import DRILLS
from supportops.metrics.definitions.flow import flow_metrics
from supportops.metrics.definitions.outcomes import SERVICE_LEVEL, outcome_metrics
from supportops.metrics.definitions.people import people_metrics
from supportops.metrics.definitions.qa import qa_metrics

__all__ = ["METRICS", "SERVICE_LEVEL"]

METRICS: tuple[Metric, ...] = tuple(
    replace(metric, drill=DRILLS[metric.id]) if metric.id in DRILLS else metric
    for metric in (
        *flow_metrics(),
        *outcome_metrics(),
        *qa_metrics(),
        *people_metrics(),
        *automation_metrics(),
        *data_metrics(),
    )
)
