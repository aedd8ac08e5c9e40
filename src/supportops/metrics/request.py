"""What a metric query asks (:class:`Query`) and what the workspace decides (:class:`Setting`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from supportops.conditions import All, Condition
from supportops.instants import SystemClock

__all__ = ["ABANDON", "Query", "Setting"]

ABANDON = ("exclude_abandoned", "abandoned_as_missed", "abandoned_as_met", "exclude_short_abandons")


@dataclass(frozen=True)
class Query:
    """A metric query: metrics as asked (``ID[:AGG]``), dimensions, grain, range, filters.

    ``start``/``end`` are days in the report time zone, both included, and ``as_of`` an aware
    instant, as :mod:`supportops.instants` reads them. ``filters`` is a condition of
    :mod:`supportops.conditions` on the dimensions (``tag`` or ``tags`` for the tags); a relation
    without one of its dimensions reads it as empty. ``window``
    (seconds) overrides the repeat-contact windows; ``threshold``, ``abandon`` and ``short``
    tune service_level; ``buckets`` splits backlog_age into age bands.
    """

    metrics: tuple[str, ...]
    by: tuple[str, ...] = ()
    grain: str | None = None
    start: date | None = None
    end: date | None = None
    filters: Condition = field(default_factory=All)
    as_of: datetime | None = None
    profile: str | None = None
    window: float | None = None
    threshold: float = 20.0
    abandon: str = "exclude_abandoned"
    short: float = 5.0
    buckets: bool = False


@dataclass(frozen=True)
class Setting:
    """The workspace's side of a query: time zone, calendars, groups, costs, the clock.

    ``calendar`` is the SQL choosing a ticket's calendar; ``sla_table`` names the table of SLA
    target instances (None: not available); ``periods`` lists (period start, end instant in
    epoch seconds) for snapshots by grain; ``snapshot_s`` is the instant of a snapshot without
    grain; ``from_ts``/``to_ts`` bound the period instants; ``slots`` is the number of interval
    slots per day of the ``calendar_days`` table; ``materialized`` replaces facts CTEs by reads
    of the materialised tables (name, SQL).
    """

    timezone: str = "UTC"
    calendar: str = "NULL"
    escalation_groups: tuple[str, ...] = ()
    sla_table: str | None = None
    overhead: float = 0.0
    default_hourly_cost: float | None = None
    now: datetime = field(default_factory=lambda: SystemClock().now())
    periods: tuple[tuple[date, float], ...] = ()
    snapshot_s: float | None = None
    from_ts: datetime | None = None
    to_ts: datetime | None = None
    slots: int = 1
    materialized: tuple[tuple[str, str], ...] = ()
    qa_categories: tuple[tuple[Any, ...], ...] = ()
    qa_silent: tuple[tuple[Any, ...], ...] = ()
