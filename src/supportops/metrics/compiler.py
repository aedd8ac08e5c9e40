"""Metric queries as one SQL tree, generated for each engine or warehouse dialect.

The SQL is written once in DuckDB's dialect with named placeholders (``$from_ts``) and parsed
by SQLGlot; :func:`render` generates it for a dialect with positional placeholders (and the list
of values in their order) or, for printing, with the values inlined as escaped literals. Each
relation a query reads is filtered and aggregated on its own (``r_*``/``a_*``); the aggregates
meet on their group keys, so metrics of different relations share one row per group.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from supportops import sql_cache
from supportops.conditions import Fields, fields_of
from supportops.errors import MetricError
from supportops.lazy import lazy_module
from supportops.metrics.catalog import Metric, catalog, parse_request
from supportops.metrics.facts import Cte, FactOptions, fact_ctes
from supportops.metrics.profiles import Profile
from supportops.metrics.relations import DIMS, Relation, relation
from supportops.metrics.request import Query, Setting
from supportops.sql_cache import Rendered
from supportops.store import Store

if TYPE_CHECKING:
    import pandas as pd
    import sqlglot
    from sqlglot import exp
else:  # loaded when a query is first parsed or rendered, not by importing the metric engine
    sqlglot = lazy_module("sqlglot")
    exp = lazy_module("sqlglot.expressions")

__all__ = ["FILTER_FIELDS", "GRAINS", "Compiled", "Item", "compile_metrics", "render"]

GRAINS = ("day", "week", "month", "quarter", "year")
# What a metric filter may name: the dimensions (`tag` and `tags`: the ticket's tags).
FILTER_FIELDS = Fields({**dict.fromkeys(DIMS, "text"), "tag": "tags", "tags": "tags"}, custom=False)
_REF = re.compile(r"\{(\w+)\}")
_MARKER = re.compile("\x00(\\d+)\x00")


@dataclass(frozen=True)
class Item:
    """One metric of a query: the label as asked, the metric and its aggregation."""

    label: str
    metric: Metric
    agg: str


@dataclass
class Compiled:
    """A compiled query: its tree, or its SQL text in DuckDB's dialect (parsed only when
    another dialect or inlined values need the tree), the values of its placeholders, its
    output columns."""

    query: exp.Expression | str
    params: dict[str, Any]
    columns: dict[str, str] = field(default_factory=dict)
    keys: list[str] = field(default_factory=list)

    @property
    def tree(self) -> exp.Expression:
        """The query as a SQLGlot tree."""
        return parse(self.query) if isinstance(self.query, str) else self.query


def render(compiled: Compiled, dialect: str, inline: bool = False) -> tuple[str, list[Any]]:
    """SQL for ``dialect`` and its positional parameter values (none when ``inline``). The
    text is always parsed and generated again, DuckDB's own included: SQLGlot quotes the names
    DuckDB reserves (``at``), which the queries leave bare. A query given as text is generated
    once and kept (:mod:`supportops.sql_cache`), so a later command need not import SQLGlot."""
    if inline or not isinstance(compiled.query, str):
        done = _generate(compiled.tree, dialect, inline, compiled.params)
    else:
        text = compiled.query
        done = sql_cache.rendered(text, dialect, lambda: _generate(parse(text), dialect, False))
    return done.sql, [compiled.params[n] for n in done.names]


def _generate(
    tree: exp.Expression, dialect: str, inline: bool, params: dict[str, Any] | None = None
) -> Rendered:
    """``tree`` generated for ``dialect``: its text and its placeholders' names in order
    (``params``' values inlined as literals when ``inline``)."""
    if inline:
        values = params or {}
        tree = tree.transform(
            lambda n: _literal(values[n.name]) if isinstance(n, exp.Placeholder) and n.name else n
        )
    from sqlglot.dialects.dialect import Dialect

    names: list[str] = []
    base = Dialect.get_or_raise(dialect)

    class Recording(base.generator_class):  # type: ignore[name-defined,misc]
        def placeholder_sql(self, expression: exp.Placeholder) -> str:
            names.append(expression.name)
            return f"\x00{len(names) - 1}\x00"  # a marker: generation order is not text order

    text = Recording(dialect=base, pretty=inline).generate(tree, copy=True)
    anonymous = str(base.generator_class(dialect=base).placeholder_sql(exp.Placeholder()))
    order = tuple(names[int(i)] for i in _MARKER.findall(text))
    return Rendered(_MARKER.sub(anonymous.replace("\\", "\\\\"), text), order)


def _literal(value: Any) -> exp.Expression:
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int | float):
        return exp.Literal.number(value)
    if isinstance(value, datetime):
        return exp.cast(exp.Literal.string(value.isoformat()), "TIMESTAMPTZ")
    return exp.Literal.string(str(value))


def items(query: Query, profile: Profile) -> list[Item]:
    """The query's metrics, parsed and checked."""
    out = []
    for text in query.metrics:
        metric, agg = parse_request(text, profile.default_aggs)
        if query.buckets and ":" not in text and metric.unit == "seconds":
            agg = "count"  # with --buckets, backlog_age counts the tickets in each band
        out.append(Item(text, metric, agg))
    if not out:
        raise MetricError("no metric asked for (see `supportops metrics --list`)")
    return out


def components(asked: list[Item]) -> dict[tuple[str, str], Item]:
    """Base metrics the query aggregates: those asked and the parts of derived ones."""
    found: dict[tuple[str, str], Item] = {}
    every = catalog()

    def add(item: Item) -> None:
        if item.metric.derived:
            for ref in _REF.findall(item.metric.derived):
                part = every[ref]
                add(Item(ref, part, part.default_agg))
        else:
            found.setdefault((item.metric.id, item.agg), item)

    for item in asked:
        add(item)
    return found


def check(query: Query) -> None:
    """Reject unknown dimensions, filters and grains before any SQL is built."""
    for dim in query.by:
        if dim not in DIMS:
            near = difflib.get_close_matches(dim, list(DIMS), n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            raise MetricError(
                f"unknown dimension {dim!r}{hint} (expected one of {', '.join(DIMS)})",
                key=dim,
                suggestion=near[0] if near else None,
            )
    for name in sorted(fields_of(query.filters)):
        if FILTER_FIELDS.kind(name) is None:
            close = FILTER_FIELDS.closest(name)
            hint = f" (did you mean {close!r}?)" if close else ""
            raise MetricError(
                f"unknown filter {name!r}{hint}; filters name a dimension: {', '.join(DIMS)}",
                key=name,
                suggestion=close,
            )
    if query.grain is not None and query.grain not in GRAINS:
        raise MetricError(f"unknown grain {query.grain!r} (expected one of {', '.join(GRAINS)})")
    if len(set(query.by)) != len(query.by):
        raise MetricError("a dimension is named twice in --by")


def fact_options(
    query: Query, setting: Setting, profile: Profile, parts: list[Item]
) -> FactOptions:
    """What the facts must hold for these metrics."""
    values = " ".join(p.metric.value or "" for p in parts)
    return FactOptions(
        as_of=query.as_of is not None,
        reply_from_customer=profile.rules.reply_from_customer,
        notes_reply=profile.rules.notes_reply,
        calendar=setting.calendar,
        business=any(p.metric.business for p in parts),
        business_waits=any(w in values for w in ("wait_time_business", "on_hold_time_business")),
        escalation_groups=setting.escalation_groups,
        sla_table=setting.sla_table,
        fcr="first_contact_resolved" in values,
        slots=setting.slots,
        qa_categories=setting.qa_categories,
        qa_silent=setting.qa_silent,
    )


def with_ctes(needed: set[str], library: dict[str, Cte]) -> list[Cte]:
    """The CTEs ``needed`` and those they read, in dependency order."""
    order: list[Cte] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        for dep in library[name].deps:
            visit(dep)
        order.append(library[name])

    for name in sorted(needed):
        visit(name)
    return order


def compile_metrics(query: Query, setting: Setting, profile: Profile) -> Compiled:
    """The SQL tree answering ``query`` (see :mod:`supportops.metrics.assemble`)."""
    from supportops.metrics.assemble import assemble

    check(query)
    asked = items(query, profile)
    parts = list(components(asked).values())
    options = fact_options(query, setting, profile, parts)
    if options.sla_table is None and any(p.metric.relation == "sla" for p in parts):
        raise MetricError("SLA metrics need SLA target instances: run `supportops sla` first")
    text, params, columns = assemble(query, setting, profile, asked, parts, options)
    return Compiled(text, params, columns, _keys(query))


def _keys(query: Query) -> list[str]:
    return [*query.by, *(["period"] if query.grain else [])]


def relation_for(name: str, options: FactOptions, agent_dim: bool) -> Relation:
    """The relation called ``name`` (a seam kept for the assembler)."""
    return relation(name, options, agent_dim)


def library(options: FactOptions, relations: list[Relation]) -> dict[str, Cte]:
    """Every CTE the facts and the relations offer."""
    found = fact_ctes(options)
    for rel in relations:
        found.update({c.name: c for c in rel.ctes})
    return found


def parse(text: str) -> exp.Expression:
    """SQL text in DuckDB's dialect as a SQLGlot tree."""
    tree: exp.Expression = sqlglot.parse_one(text, read="duckdb")  # type: ignore[assignment]
    return tree


def run_sql(store: Store, text: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """Run SQL written in DuckDB's dialect (``$name`` placeholders) on ``store``'s engine: the
    text is generated once per dialect (:mod:`supportops.sql_cache`), the values bound."""
    sql, values = render(Compiled(text, params or {}), store.capabilities.dialect)
    return store.query(sql, values)
