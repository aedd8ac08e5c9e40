"""The text of a metric query, in DuckDB's dialect with named placeholders.

For each relation read: ``r_<rel>`` projects the group keys and each metric's row value (after
the filters and the period range), ``a_<rel>`` aggregates them per group. Without keys every
aggregate is one row (cross-joined); with keys, the union of the groups left-joins each
aggregate NULL-safely. Derived metrics are computed from their parts in the final SELECT.
"""

from __future__ import annotations

import re
from typing import Any

from supportops.conditions import All, Columns, Condition, fields_of, to_sql
from supportops.errors import MetricError
from supportops.metrics.catalog import AGGREGATIONS, Metric
from supportops.metrics.compiler import Item, library, relation_for, with_ctes
from supportops.metrics.definitions import SERVICE_LEVEL
from supportops.metrics.facts import Cte, FactOptions
from supportops.metrics.profiles import Profile
from supportops.metrics.relations import Relation
from supportops.metrics.request import ABANDON, Query, Setting
from supportops.model.validate import quote_literal

__all__ = ["BUCKETS", "assemble", "conditions"]

_REF = re.compile(r"\{(\w+)\}")
_NULL = "CAST(NULL AS VARCHAR)"
_FAR = "1e18"
_QUARTER = 900  # every time zone's offset is a whole number of quarter-hours
BUCKETS = ((86_400, "0-1d"), (259_200, "1-3d"), (604_800, "3-7d"), (2_592_000, "7-30d"))


def _params(query: Query, setting: Setting) -> dict[str, Any]:
    window = query.window
    return {
        "as_of": query.as_of,
        "from_ts": setting.from_ts,
        "to_ts": setting.to_ts,
        "now_s": (query.as_of or setting.now).timestamp(),
        "at_s": setting.snapshot_s,
        "first_end_s": min((end for _, end in setting.periods), default=None),
        "last_end_s": max((end for _, end in setting.periods), default=None),
        "fcr_window": float(window if window is not None else 7 * 86_400),
        "bot_window": float(window if window is not None else 72 * 3_600),
        "threshold": float(query.threshold),
        "short": float(query.short),
        "overhead": float(setting.overhead),
        "default_hourly_cost": setting.default_hourly_cost,
    }


def _value(metric: Metric, query: Query, profile: Profile) -> str:
    override = profile.overrides.get(metric.id)
    if override is not None:
        return override.value
    if metric.id == "service_level":
        if query.abandon not in ABANDON:
            raise MetricError(
                f"unknown --abandon {query.abandon!r} (expected one of {', '.join(ABANDON)})"
            )
        return SERVICE_LEVEL[query.abandon]
    return metric.value or "NULL"


def _aggregate(item: Item, column: str) -> str:
    template = item.metric.aggregate or AGGREGATIONS[item.agg]
    return template.replace("{v}", column)


class _Block:
    """One relation's projection and aggregate."""

    def __init__(self, name: str, rel: Relation, parts: list[Item]) -> None:
        self.name, self.rel, self.parts = name, rel, parts
        self.aliases = {(p.metric.id, p.agg): f"c_{name}_{i}" for i, p in enumerate(parts)}


def _key_exprs(query: Query, setting: Setting, rel: Relation, snapshot: bool) -> list[str]:
    keys = []
    for dim in query.by:
        if dim == "tag":
            keys.append("u.tag" if "tag" in rel.dims else _NULL)
        else:
            keys.append(f'r."{rel.dims[dim]}"' if dim in rel.dims else _NULL)
    if query.grain:
        if snapshot:
            keys.append("p.period")
        else:  # the quarter-hour: periods are cut once per distinct quarter-hour, not per row
            keys.append(f'floor(epoch(r."{rel.period}") / {_QUARTER})')
    if query.buckets:
        keys.append(_bucket_sql())
    return keys


def _bucket_sql() -> str:
    cases = " ".join(f"WHEN age < {limit} THEN '{label}'" for limit, label in BUCKETS)
    return f"CASE {cases} ELSE '30d+' END"


def filter_columns(rel: Relation, filters: Condition) -> Columns:
    """Where the filters' dimensions are on a relation's row ``r`` (``tags``: its ``tag``)."""
    names = {**rel.dims, **({"tags": rel.dims["tag"]} if "tag" in rel.dims else {})}
    return Columns("r", names, absent=frozenset(fields_of(filters) - set(names)))


def conditions(query: Query, rel: Relation, params: dict[str, Any], snapshot: bool) -> list[str]:
    """The WHERE conditions of a relation: filters as bound parameters, the period range."""
    conds: list[str] = []
    if query.filters != All():
        conds.append(to_sql(query.filters, filter_columns(rel, query.filters), params, "f"))
    if not snapshot:
        if params.get("from_ts") is not None:
            conds.append(f'r."{rel.period}" >= $from_ts')
        if params.get("to_ts") is not None:
            conds.append(f'r."{rel.period}" < $to_ts')
    return conds


def _source(query: Query, block: _Block, setting: Setting) -> str:
    rel = block.rel
    if block.name != "backlog":
        src = f"({rel.sql}) r"
    elif query.grain:
        src = (
            f"(SELECT s.*, p.end_s - s.created_s AS age, p.period FROM ({rel.sql}) s "
            f"JOIN so_periods p ON s.start_s < p.end_s AND coalesce(s.end_s, {_FAR}) "
            ">= p.end_s WHERE s.start_s < $last_end_s "  # spans outside every period: skipped
            f"AND coalesce(s.end_s, {_FAR}) >= $first_end_s) r"
        )
    else:
        src = (
            f"(SELECT s.*, $at_s - s.created_s AS age FROM ({rel.sql}) s WHERE "
            f"s.start_s <= $at_s AND coalesce(s.end_s, {_FAR}) > $at_s) r"
        )
    if "tag" in query.by and "tag" in rel.dims:
        src += " CROSS JOIN UNNEST(r.tags) AS u(tag)"
    return src


def _block_sql(
    query: Query, setting: Setting, profile: Profile, block: _Block, params: dict[str, Any]
) -> tuple[str, str]:
    snapshot = block.name == "backlog"
    keys = _key_exprs(query, setting, block.rel, snapshot)
    keys = [k.replace("p.period", "r.period") for k in keys]
    cols = [f"{k} AS k{i}" for i, k in enumerate(keys)]
    cols += [f"{_value(p.metric, query, profile)} AS v{i}" for i, p in enumerate(block.parts)]
    conds = conditions(query, block.rel, params, snapshot)
    where = f" WHERE {' AND '.join(conds)}" if conds else ""
    proj = f"SELECT {', '.join(cols)} FROM {_source(query, block, setting)}{where}"
    exprs = [f"r_{block.name}.k{i}" for i in range(len(keys))]
    source = f"r_{block.name}"
    if query.grain and not snapshot:
        at = len(query.by)
        exprs[at] = "q.period"
        zone = quote_literal(setting.timezone)
        source += (
            f" JOIN (SELECT qh, CAST(date_trunc('{query.grain}', to_timestamp(qh * {_QUARTER}) "
            f"AT TIME ZONE {zone}) AS DATE) AS period FROM (SELECT DISTINCT k{at} AS qh FROM "
            f"r_{block.name}) d) q ON q.qh = r_{block.name}.k{at}"
        )
    aggs = [
        f"{_aggregate(p, f'v{i}')} AS {block.aliases[(p.metric.id, p.agg)]}"
        for i, p in enumerate(block.parts)
    ]
    selected = [f"{e} AS k{i}" for i, e in enumerate(exprs)]
    group = f" GROUP BY {', '.join(exprs)}" if exprs else ""
    agg = f"SELECT {', '.join([*selected, *aggs])} FROM {source}{group}"
    return proj, agg


def _periods(setting: Setting) -> str:
    rows = [
        f"SELECT CAST('{day.isoformat()}' AS DATE) AS period, CAST({end!r} AS DOUBLE) AS end_s"
        for day, end in setting.periods
    ]
    empty = "SELECT CAST(NULL AS DATE) AS period, CAST(NULL AS DOUBLE) AS end_s WHERE 1 = 0"
    return " UNION ALL ".join(rows) or empty


def _label_alias(label: str, taken: set[str]) -> str:
    alias = re.sub(r"[^0-9A-Za-z_]", "_", label)
    while alias in taken:
        alias += "_"
    taken.add(alias)
    return alias


def _expression(item: Item, found: dict[tuple[str, str], str]) -> str:
    metric = item.metric
    if metric.derived is None:
        column = found[(metric.id, item.agg)]
        return f"coalesce({column}, 0)" if metric.unit == "count" else column
    from supportops.metrics.catalog import catalog

    every = catalog()

    def part(match: re.Match[str]) -> str:
        ref = every[match.group(1)]
        return "(" + _expression(Item(ref.id, ref, ref.default_agg), found) + ")"

    return _REF.sub(part, metric.derived)


def _final(
    query: Query, asked: list[Item], blocks: list[_Block], nkeys: int
) -> tuple[str, dict[str, str]]:
    found = {key: f"a_{b.name}.{alias}" for b in blocks for key, alias in b.aliases.items()}
    names = [f"k{i}" for i in range(nkeys)]
    labels = [
        *query.by,
        *(["period"] if query.grain else []),
        *(["age_bucket"] if query.buckets else []),
    ]
    if not names:
        source, selected = " CROSS JOIN ".join(f"a_{b.name}" for b in blocks), []
    else:
        union = " UNION ".join(f"SELECT {', '.join(names)} FROM a_{b.name}" for b in blocks)
        source = f"({union}) g"
        for b in blocks:
            on = " AND ".join(f"g.{k} IS NOT DISTINCT FROM a_{b.name}.{k}" for k in names)
            source += f" LEFT JOIN a_{b.name} ON {on}"
        selected = [f'g.{k} AS "{label}"' for k, label in zip(names, labels, strict=True)]
    columns: dict[str, str] = {}
    taken = set(labels)
    for item in asked:
        if item.label in columns:
            continue
        alias = _label_alias(item.label, taken)
        kind = "BIGINT" if item.metric.unit == "count" else "DOUBLE"
        selected.append(f'CAST({_expression(item, found)} AS {kind}) AS "{alias}"')
        columns[item.label] = alias
    order = f" ORDER BY {', '.join(f'g.{k}' for k in names)}" if names else ""
    return f"SELECT {', '.join(selected)} FROM {source}{order}", columns


def assemble(
    query: Query,
    setting: Setting,
    profile: Profile,
    asked: list[Item],
    parts: list[Item],
    options: FactOptions,
) -> tuple[str, dict[str, Any], dict[str, str]]:
    """The query's SQL text, the values of its placeholders and its metric columns."""
    params = _params(query, setting)
    if query.buckets and any(p.metric.relation != "backlog" for p in parts):
        raise MetricError("--buckets applies to backlog and backlog_age only")
    agent_dim = "agent" in query.by or "agent" in fields_of(query.filters)
    by_rel: dict[str, list[Item]] = {}
    for part in parts:
        by_rel.setdefault(str(part.metric.relation), []).append(part)
    blocks = [
        _Block(name, relation_for(name, options, agent_dim or any(p.metric.agent for p in ps)), ps)
        for name, ps in by_rel.items()
    ]
    lib = library(options, [b.rel for b in blocks])
    lib.update({name: Cte(name, sql) for name, sql in setting.materialized})
    needed = {d for b in blocks for d in b.rel.deps}
    reads = {name for name, _ in setting.materialized}  # a stored table: never copy it
    ctes = [
        f"{c.name} AS {'NOT MATERIALIZED ' if c.name in reads else ''}({c.sql})"
        for c in with_ctes(needed, lib)
    ]
    if query.grain and "backlog" in by_rel:
        ctes.append(f"so_periods AS ({_periods(setting)})")
    for block in blocks:
        proj, agg = _block_sql(query, setting, profile, block, params)
        ctes += [f"r_{block.name} AS ({proj})", f"a_{block.name} AS ({agg})"]
    nkeys = len(query.by) + bool(query.grain) + bool(query.buckets)
    final, columns = _final(query, asked, blocks, nkeys)
    return "WITH " + ", ".join(ctes) + " " + final, params, columns
