"""The public metric query: ``metrics(ws, [...], by=[...], ...)`` → DataFrame, and its SQL.

This is the edge where the workspace meets the pure compiler: it reads the data's time span,
builds the calendar table when a ``_business`` metric needs it, finds (or evaluates) the SLA
target instances, cuts the periods in the report time zone, and runs the SQL with its values
bound as parameters.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pandas as pd
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from supportops.conditions import All, Condition, parse_condition
from supportops.errors import ConditionError, MetricError
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
from supportops.metrics.periods import period_table
from supportops.metrics.profiles import profile as get_profile
from supportops.metrics.request import Query, Setting
from supportops.metrics.sla_source import sla_table

if TYPE_CHECKING:
    from supportops.workspace import Workspace

__all__ = ["build_query", "metrics", "metrics_sql", "parse_instant", "prepare", "setting_for"]

Filters = Condition | Mapping[str, Any] | Iterable[str | tuple[str, str] | Condition] | None


def parse_instant(value: datetime | str | None, zone: str) -> datetime | None:
    """An aware UTC instant; a naive one is read in ``zone`` (the report time zone)."""
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else _parse_datetime(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment.astimezone(UTC)


def _parse_datetime(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise MetricError(f"not an instant: {text!r} (expected e.g. 2026-03-01T09:00)") from exc


def _parse_date(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise MetricError(f"not a date: {value!r} (expected YYYY-MM-DD)") from exc


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


def build_query(metric_ids: Sequence[str] | str, zone: str = "UTC", **kw: Any) -> Query:
    """A :class:`Query` from loose arguments (strings for dates, instants and filters)."""
    ids = (metric_ids,) if isinstance(metric_ids, str) else tuple(metric_ids)
    by = kw.pop("by", None) or ()
    return Query(
        metrics=ids,
        by=(by,) if isinstance(by, str) else tuple(by),
        grain=kw.pop("grain", None),
        start=_parse_date(kw.pop("start", None)),
        end=_parse_date(kw.pop("end", None)),
        filters=_filters(kw.pop("filters", None)),
        as_of=parse_instant(kw.pop("as_of", None), zone),
        **kw,
    )


def _midnight(day: date, zone: str) -> datetime:
    return datetime.combine(day, datetime.min.time(), ZoneInfo(zone)).astimezone(UTC)


def _span(ws: Workspace) -> tuple[datetime | None, datetime | None]:
    """The earliest and latest instant of the data (tickets and events)."""
    sql = (
        "SELECT min(created_at) AS lo, max(created_at) AS hi FROM tickets "
        'UNION ALL SELECT min("at"), max("at") FROM events'
    )
    row = ws.store.memo(("span",), lambda: ws.store.arrow(sql).to_pylist())
    lows = [r["lo"] for r in row if r["lo"] is not None]
    highs = [r["hi"] for r in row if r["hi"] is not None]
    return (min(lows) if lows else None), (max(highs) if highs else None)


def setting_for(ws: Workspace, query: Query, execute: bool = True) -> Setting:
    """The workspace's side of ``query``: calendars, SLA table, range and periods."""
    config = ws.config
    zone = config.report_timezone
    prof = get_profile(query.profile)
    parts = list(components(items(query, prof)).values())
    now = datetime.now(UTC)
    from_ts = _midnight(query.start, zone) if query.start else None
    to_ts = _midnight(query.end + timedelta(days=1), zone) if query.end else None
    snapshot = query.as_of or (min(to_ts, now) if to_ts else now)
    low, high = _span(ws)
    slots = 1
    if any(p.metric.business for p in parts):
        bottom = low or now
        top = max(high or bottom, snapshot, now)
        slots = ensure_days(
            ws.store, config, int(bottom.timestamp()), int(top.timestamp()), load=execute
        )
    wants_sla = any(p.metric.relation == "sla" for p in parts)
    periods: tuple[tuple[date, float], ...] = ()
    if query.grain and any(p.metric.relation == "backlog" for p in parts):
        first = query.start or (low.astimezone(ZoneInfo(zone)).date() if low else None)
        latest = snapshot if query.as_of or high is None else max(snapshot, high)
        last = query.end or latest.astimezone(ZoneInfo(zone)).date()
        periods = period_table(query.grain, first, last, zone) if first else ()
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
    query = build_query(metric_ids, ws.config.report_timezone, **kw)
    compiled = prepare(ws, query)
    sql, params = render(compiled, ws.store.capabilities.dialect)
    frame = ws.store.query(sql, params)
    return frame.rename(columns={alias: label for label, alias in compiled.columns.items()})


def metrics_sql(ws: Workspace, metric_ids: Sequence[str] | str, dialect: str, **kw: Any) -> str:
    """The SQL of a metric query for a warehouse ``dialect``, values inlined as literals."""
    query = build_query(metric_ids, ws.config.report_timezone, **kw)
    sql, _ = render(prepare(ws, query, execute=False), dialect, inline=True)
    return sql
