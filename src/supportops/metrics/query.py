"""The public metric query: ``metrics(ws, [...], by=[...], ...)`` → DataFrame, and its SQL.

This is the edge where the workspace meets the pure compiler: it reads the data's time span,
builds the calendar table when a ``_business`` metric needs it, finds (or evaluates) the SLA
target instances, cuts the periods in the report time zone, and runs the SQL with its values
bound as parameters.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from supportops.conditions import All, Condition, parse_condition
from supportops.errors import ConditionError, MetricError
from supportops.instants import (
    EARLIEST,
    LATEST,
    Clock,
    SystemClock,
    local_midnight,
    parse_instant,
    resolve_range,
)
from supportops.metrics.clock import calendar_sql, ensure_days
from supportops.metrics.compiler import (
    FILTER_FIELDS,
    Compiled,
    compile_metrics,
    components,
    fact_options,
    items,
    render,
)
from supportops.metrics.periods import check_count, period_table
from supportops.metrics.profiles import profile as get_profile
from supportops.metrics.request import Query, Setting
from supportops.metrics.sla_source import sla_table

if TYPE_CHECKING:
    import pandas as pd

    from supportops.workspace import Workspace

__all__ = ["build_query", "metrics", "metrics_sql", "prepare", "setting_for"]

Filters = Condition | Mapping[str, Any] | Iterable[str | tuple[str, str] | Condition] | None


def _filters(filters: Filters) -> Condition:
    """The filters as one condition on the dimensions: a condition, a mapping (its YAML form),
    or entries ``DIM=VALUE`` (several values of one dimension: any of them; several dimensions:
    all), pairs, or a condition written in YAML (``{any: [...]}``)."""
    if filters is None:
        return All()
    if isinstance(filters, Condition):
        return filters
    if isinstance(filters, Mapping):
        return _condition(dict(filters))
    grouped: dict[str, list[str]] = {}
    written: list[Condition] = []
    for entry in filters:
        if isinstance(entry, Condition):
            written.append(entry)
            continue
        if isinstance(entry, str) and entry.lstrip().startswith(("{", "[")):
            written.append(_condition(_yaml(entry)))
            continue
        if isinstance(entry, tuple):
            dim, value = entry[0], str(entry[1])
        else:
            dim, sep, value = entry.partition("=")
            if not sep:
                raise MetricError(f"not a filter: {entry!r} (expected DIM=VALUE)")
        grouped.setdefault(dim.strip(), []).append(value)
    parsed = [_condition(grouped)] if grouped else []
    items = (*parsed, *written)
    return items[0] if len(items) == 1 else All(items)


def _yaml(text: str) -> Any:
    try:
        return YAML(typ="safe").load(text)
    except YAMLError as exc:
        raise MetricError(f"not a filter: {text!r} (not valid YAML: {exc})") from exc


def _condition(raw: Any) -> Condition:
    try:
        return parse_condition(raw, FILTER_FIELDS, key="filter")
    except ConditionError as exc:
        raise MetricError(str(exc), key=exc.key, suggestion=exc.suggestion) from exc


def build_query(
    metric_ids: Sequence[str] | str, zone: str = "UTC", clock: Clock | None = None, **kw: Any
) -> Query:
    """A :class:`Query` from loose arguments: ``start``/``end`` (or ``period``) and ``as_of``
    as :mod:`supportops.instants` reads them (strings in ``zone``, relative to ``clock``)."""
    ids = (metric_ids,) if isinstance(metric_ids, str) else tuple(metric_ids)
    by = kw.pop("by", None) or ()
    clock = clock or SystemClock()
    start, end = resolve_range(
        kw.pop("start", None), kw.pop("end", None), kw.pop("period", None), zone, clock
    )
    return Query(
        metrics=ids,
        by=(by,) if isinstance(by, str) else tuple(by),
        grain=kw.pop("grain", None),
        start=start,
        end=end,
        filters=_filters(kw.pop("filters", None)),
        as_of=parse_instant(kw.pop("as_of", None), zone, clock),
        **kw,
    )


def _span(ws: Workspace) -> tuple[datetime | None, datetime | None]:
    """The earliest and latest instant of the data (tickets and events)."""
    sql = (
        "SELECT min(created_at) AS lo, max(created_at) AS hi FROM tickets "
        'UNION ALL SELECT min("at"), max("at") FROM events'
    )
    row = ws.store.memo(("span",), lambda: ws.store.rows(sql).dicts())
    lows = [r["lo"] for r in row if r["lo"] is not None]
    highs = [r["hi"] for r in row if r["hi"] is not None]
    return (min(lows) if lows else None), (max(highs) if highs else None)


_EARLIEST_S, _LATEST_S = local_midnight(EARLIEST, "UTC"), local_midnight(LATEST, "UTC")


def _day(moment: datetime, zone: str) -> date:
    return min(max(moment.astimezone(ZoneInfo(zone)).date(), EARLIEST), LATEST)


def _clamped(
    query: Query, low: datetime | None, latest: datetime, zone: str
) -> tuple[date | None, date]:
    """The query's days, clamped to the data's span (first event .. ``latest``)."""
    first = query.start
    if low is not None:
        first = max(first or EARLIEST, _day(low, zone))
    last = min(query.end or LATEST, _day(latest, zone))
    return first, last


def setting_for(
    ws: Workspace, query: Query, execute: bool = True, count_slots: bool = True
) -> Setting:
    """The workspace's side of ``query``: calendars, SLA table, range and periods (without
    ``count_slots``, no calendar days are built and ``slots`` is 1: for a query the materialised
    facts answer)."""
    config = ws.config
    zone = config.report_timezone
    prof = get_profile(query.profile)
    parts = list(components(items(query, prof)).values())
    now = ws.clock.now()
    from_ts = local_midnight(query.start, zone) if query.start else None
    to_ts = local_midnight(query.end + timedelta(days=1), zone) if query.end else None
    snapshot = query.as_of or (min(to_ts, now) if to_ts else now)
    low, high = _span(ws)
    slots = 1
    if count_slots and any(p.metric.business for p in parts):
        bottom = max(low or now, _EARLIEST_S)  # implausible stored instants stay out
        top = min(max(high or bottom, snapshot, now), _LATEST_S)
        slots = ensure_days(
            ws.store, config, int(bottom.timestamp()), int(top.timestamp()), load=execute
        )
    wants_sla = any(p.metric.relation == "sla" for p in parts)
    periods: tuple[tuple[date, float], ...] = ()
    if query.grain and any(p.metric.relation == "backlog" for p in parts):
        latest = snapshot if query.as_of or high is None else max(snapshot, high)
        first, last = _clamped(query, low, latest, zone)
        if first is not None and first <= last:
            check_count(query.grain, first, last, config.max_periods)
            periods = period_table(query.grain, first, last, zone)
    return Setting(
        timezone=zone,
        calendar=calendar_sql(config),
        escalation_groups=tuple(n for n, g in config.groups.items() if g.tier >= 2),
        sla_table=sla_table(ws, query.as_of, wants_sla and execute) if wants_sla else None,
        overhead=config.cost.overhead_per_ticket,
        default_hourly_cost=config.cost.default_hourly_cost,
        now=now,
        periods=periods,
        snapshot_s=snapshot.timestamp(),
        from_ts=from_ts,
        to_ts=to_ts,
        slots=slots,
        qa_categories=config.qa.category_rows(),
        qa_silent=config.qa.silent_rows(),
    )


def prepare(ws: Workspace, query: Query, execute: bool = True) -> Compiled:
    """Compile ``query`` for ``ws`` (building the session tables it reads when executing);
    the materialised facts are read when they answer it (see :mod:`.materialize`)."""
    from supportops.metrics.materialize import materialised

    setting = setting_for(ws, query, execute)
    prof = get_profile(query.profile)
    if execute:
        parts = list(components(items(query, prof)).values())
        found = materialised(ws, fact_options(query, setting, prof, parts))
        setting = replace(setting, materialized=found)
    return compile_metrics(query, setting, prof)


def metrics(ws: Workspace, metric_ids: Sequence[str] | str, **kw: Any) -> pd.DataFrame:
    """The metrics asked (``"first_reply_time:p90"``), one row per group; see :class:`Query`.

    Keyword arguments: ``by``, ``grain``, ``start``, ``end``, ``filters``, ``as_of``,
    ``profile``, ``window``, ``threshold``, ``abandon``, ``short``, ``buckets``.
    """
    query = build_query(metric_ids, ws.config.report_timezone, ws.clock, **kw)
    compiled = prepare(ws, query)
    sql, params = render(compiled, ws.store.capabilities.dialect)
    frame = ws.store.query(sql, params)
    return frame.rename(columns={alias: label for label, alias in compiled.columns.items()})


def metrics_sql(ws: Workspace, metric_ids: Sequence[str] | str, dialect: str, **kw: Any) -> str:
    """The SQL of a metric query for a warehouse ``dialect``, values inlined as literals."""
    query = build_query(metric_ids, ws.config.report_timezone, ws.clock, **kw)
    sql, _ = render(prepare(ws, query, execute=False), dialect, inline=True)
    return sql
