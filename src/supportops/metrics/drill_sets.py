"""The tickets behind a number, as SQL on the drill-down's facts row ``r``.

Each metric of the catalog declares its drill (:class:`~supportops.metrics.catalog.DrillSpec`):
a set of tickets and a condition on their facts (``tickets_solved``: created in the range, with
a ``solved_at``). The sets are the ones a condition on one row cannot say: tickets created in
the range; the backlog at an instant (the metrics' own status timeline); tickets with SLA
target instances in a state; tickets of bot sessions; tickets whose survey answer fell in the
range; the data-quality checks. Each is a :class:`~supportops.metrics.drilldown.Where` (a
semi-join, ``EXISTS``, for the sets of other tables) the store runs with the list's other
conditions, so a list is selected, counted and paged in SQL; the timeline is the metric
engine's (the materialised one when fresh), so a count and its list agree. Values are bound
parameters, prefixed per set.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

import pandas as pd

from supportops.conditions import Columns, to_sql
from supportops.metrics.assemble import BUCKETS
from supportops.metrics.catalog import DrillSpec, catalog
from supportops.metrics.drilldown import Where
from supportops.metrics.facts import UNSOLVED
from supportops.metrics.periods import period_table
from supportops.metrics.quality import RULES
from supportops.metrics.sla_source import status_sql
from supportops.model.schema import TABLES

__all__ = [
    "BANDS",
    "EXTRA",
    "Ask",
    "backlog",
    "missing_sql",
    "reviews",
    "sessions",
    "sla",
    "spec",
    "surveys",
    "where",
]

FAR = "1e18"
GRAINS = ("day", "week", "month", "quarter", "year")
_LIMITS = [0, *(limit for limit, _ in BUCKETS)]
BANDS: dict[str, tuple[float, float]] = {
    label: (float(low), float(high)) for (high, label), low in zip(BUCKETS, _LIMITS, strict=False)
} | {"30d+": (float(BUCKETS[-1][0]), float("inf"))}
EXTRA = {"bot_sessions": DrillSpec("sessions")}  # drills of a number that is not a metric
_SAME = "{a}.source = r.source AND {a}.ticket_id = r.ticket_id"


def spec(kind: str) -> DrillSpec:
    """The drill of the metric ``kind`` (unknown: tickets created in the range)."""
    metric = catalog().get(kind)
    return metric.drill if metric is not None else EXTRA.get(kind, DrillSpec())


@dataclass(frozen=True)
class Ask:
    """A drill with its values read: the metric ``kind``, what narrows it, the date range as
    instants (``low`` included, ``high`` excluded), the page's ``channel``, the instant of an
    SLA drill (``as_of``) and the present (``now``), the report time zone."""

    kind: str
    now: datetime
    as_of: datetime | None = None
    low: datetime | None = None
    high: datetime | None = None
    zone: str = "UTC"
    channel: str | None = None
    target: str | None = None
    policy: str | None = None
    period: date | None = None
    grain: str | None = None
    bucket: str | None = None
    within: int | None = None
    outcome: str | None = None
    rule: str | None = None
    column: str | None = None
    source: str | None = None

    def created(self) -> Where:
        """Created in the date range."""
        found = Where()
        if self.low is not None:
            found = found.and_("r.created_at >= $d_low", d_low=self.low)
        if self.high is not None:
            found = found.and_("r.created_at < $d_high", d_high=self.high)
        return found


def where(ask: Ask) -> Where:
    """The tickets behind ``ask`` (the dimension filters apart), as the catalog declares them."""
    drill = spec(ask.kind)
    found = _SETS[drill.set](ask, drill)
    if drill.facts is not None:
        params: dict[str, Any] = {}
        found = found.and_(to_sql(drill.facts, Columns("r"), params, "k_"), **params)
    if ask.source is not None:
        found = found.and_("r.source = $d_source", d_source=ask.source)
    return found


def _created(ask: Ask, drill: DrillSpec) -> Where:
    return ask.created()


def _backlog(ask: Ask, drill: DrillSpec) -> Where:
    if drill.by_period and ask.period is not None:
        grain = ask.grain if ask.grain in GRAINS else "day"
        at_s = period_table(grain, ask.period, ask.period, ask.zone)[0][1]
        return backlog(at_s, ask.bucket, period_end=True)
    at = min(ask.high, ask.now) if ask.high else ask.now
    return backlog(at.timestamp(), ask.bucket)


def _sla(ask: Ask, drill: DrillSpec) -> Where:
    moment = ask.as_of or ask.now
    if drill.scope == "snapshot":
        within = ask.within if ask.within is not None else drill.within
        return sla(moment, drill.statuses, ask.target, ask.policy, within)
    return ask.created() & sla(moment, drill.statuses, ask.target, ask.policy)


def _sessions(ask: Ask, drill: DrillSpec) -> Where:
    outcome = drill.outcome or ask.outcome
    within = ask.within if drill.within is not None and ask.within is not None else drill.within
    low = pd.Timestamp(ask.low) if ask.low else None
    high = pd.Timestamp(ask.high) if ask.high else None
    return sessions(low, high, ask.channel, outcome, within)


def _surveys(ask: Ask, drill: DrillSpec) -> Where:
    low = pd.Timestamp(ask.low) if ask.low else None
    high = pd.Timestamp(ask.high) if ask.high else None
    return surveys(low, high)


def _reviews(ask: Ask, drill: DrillSpec) -> Where:
    low = pd.Timestamp(ask.low) if ask.low else None
    high = pd.Timestamp(ask.high) if ask.high else None
    return reviews(low, high)


def _validity(ask: Ask, drill: DrillSpec) -> Where:
    if ask.rule is None:
        return ask.created()
    return ask.created().and_(f"({RULES[ask.rule]})" if ask.rule in RULES else "FALSE")


def _completeness(ask: Ask, drill: DrillSpec) -> Where:
    if ask.column is None:
        return ask.created()
    known = ask.column in TABLES["tickets"].names
    return ask.created().and_(missing_sql(ask.column) if known else "FALSE")


_SETS: dict[str, Callable[[Ask, DrillSpec], Where]] = {
    "created": _created,
    "backlog": _backlog,
    "sla": _sla,
    "sessions": _sessions,
    "surveys": _surveys,
    "reviews": _reviews,
    "validity": _validity,
    "completeness": _completeness,
}


def missing_sql(column: str) -> str:
    """SQL on the facts row ``r``: whether the ticket's ``column`` is empty, as data quality
    counts it (an empty string, enum or json is missing too)."""
    kind = TABLES["tickets"].column(column).type
    if kind in ("string", "enum", "json"):
        return f'(r."{column}" IS NULL OR CAST(r."{column}" AS VARCHAR) = \'\')'
    return f'r."{column}" IS NULL'


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
    found = _exists("so_timeline", "l", [f"l.status IN {UNSOLVED}", cover], params)
    found = replace(found, ctes=frozenset({"so_timeline"}))
    if band is not None:
        low, high = BANDS.get(band, (0.0, -1.0))  # an unknown band: no ticket
        found = found.and_("$b_at - r.created_s >= $b_low", b_low=low)
        if high != float("inf"):
            found = found.and_("$b_at - r.created_s < $b_high", b_high=high)
    return found


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


def reviews(low: pd.Timestamp | None, high: pd.Timestamp | None) -> Where:
    """Tickets with a QA review (outside calibration sessions) given in ``[low, high)``."""
    conds, params = ["q.calibration_session IS NULL"], dict[str, Any]()
    if low is not None:
        conds.append("q.at >= $q_low")
        params["q_low"] = _stamp(low)
    if high is not None:
        conds.append("q.at < $q_high")
        params["q_high"] = _stamp(high)
    return _exists("reviews", "q", conds, params)


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
