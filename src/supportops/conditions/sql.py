"""A condition as a SQL predicate for the stores, its values bound as parameters.

The predicate is written in DuckDB's dialect with named placeholders (``$c0``), as all SQL of
the package is, and generated for each engine by SQLGlot (see
:func:`supportops.metrics.compiler.render`); the constructs used (``->>`` on JSON, ``UNNEST`` in
a semi-join, ``regexp_matches``) have a translation on every engine, so no branch names one.
Every comparison is wrapped in ``coalesce(..., FALSE)``: two-valued logic, as the mask's.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from supportops.conditions.model import CUSTOM, All, AnyOf, Compare, Condition, Not, Tags
from supportops.model.schema import TICKETS

__all__ = ["NUMBER_TEXT", "TICKET_DEFAULTS", "Columns", "to_sql"]

_SIGNS = {"eq": "=", "ne": "<>", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}

# Defaults of the ticket columns (a missing value reads as its default) and the text read as a
# number (else empty): shared by this SQL and the mask (:mod:`.mask`).
TICKET_DEFAULTS: Mapping[str, str] = {c.name: c.default for c in TICKETS.columns if c.default}
NUMBER_TEXT = r"^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _literal(value: Any) -> str:
    if isinstance(value, datetime):
        return f"CAST({_quote(value.isoformat())} AS TIMESTAMPTZ)"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else "NULL"
    return _quote(str(value))


@dataclass(frozen=True)
class Columns:
    """Where a condition's fields are in a query: the row's ``alias``, a column name per field
    when it differs from the field's (``names``), the defaults of empty columns, and fields the
    rows do not have at all (``absent``: always empty)."""

    alias: str = "t"
    names: Mapping[str, str] = field(default_factory=dict)
    defaults: Mapping[str, str] = field(default_factory=lambda: dict(TICKET_DEFAULTS))
    absent: frozenset[str] = frozenset()

    def expr(self, name: str) -> str:
        """The SQL of field ``name`` on a row."""
        if name in self.absent:
            return "CAST(NULL AS VARCHAR)"
        if name.startswith(CUSTOM):
            key = _quote(name.removeprefix(CUSTOM))
            return f'(CAST({self.alias}."{self.names.get("custom", "custom")}" AS JSON) ->> {key})'
        column = f'{self.alias}."{self.names.get(name, name)}"'
        if name in self.defaults:
            return f"coalesce({column}, {_quote(self.defaults[name])})"
        return column


def to_sql(
    condition: Condition, columns: Columns, params: dict[str, Any] | None, prefix: str = "c"
) -> str:
    """The predicate of ``condition``; its values are added to ``params`` (names ``prefix``N),
    or written as escaped literals when ``params`` is None (SQL embedded in other SQL text)."""

    def bind(value: Any) -> str:
        if params is None:
            return _literal(value)
        n = len(params)
        while f"{prefix}{n}" in params:
            n += 1
        params[f"{prefix}{n}"] = value
        return f"${prefix}{n}"

    return _sql(condition, columns, bind)


def _sql(cond: Condition, columns: Columns, bind: Callable[[Any], str]) -> str:
    match cond:
        case All(items):
            return (
                "(" + " AND ".join(_sql(i, columns, bind) for i in items) + ")" if items else "TRUE"
            )
        case AnyOf(items):
            return (
                "(" + " OR ".join(_sql(i, columns, bind) for i in items) + ")" if items else "FALSE"
            )
        case Not(item):
            return f"(NOT {_sql(item, columns, bind)})"
        case Tags():
            return _tags(cond, columns, bind)
        case Compare():
            return _compare(cond, columns, bind)
    raise TypeError(f"not a condition: {cond!r}")


def _compare(cond: Compare, columns: Columns, bind: Callable[[Any], str]) -> str:
    x = columns.expr(cond.field)
    if cond.kind == "number" and cond.field.startswith(CUSTOM):
        x = f"CASE WHEN regexp_matches({x}, {_quote(NUMBER_TEXT)}) THEN CAST({x} AS DOUBLE) END"
    if cond.op == "null":
        return f"({x} IS {'' if cond.values[0] else 'NOT '}NULL)"
    marks = [bind(v) for v in cond.values]
    if cond.op in ("in", "not_in"):
        pred = f"{x} {'NOT ' if cond.op == 'not_in' else ''}IN ({', '.join(marks)})"
    elif cond.op == "contains":
        pred = f"strpos(lower({x}), lower({marks[0]})) > 0"
    elif cond.op == "regex":
        pred = f"regexp_matches({x}, {marks[0]})"
    elif cond.op == "between":
        pred = f"{x} BETWEEN {marks[0]} AND {marks[1]}"
    else:
        pred = f"{x} {_SIGNS[cond.op]} {marks[0]}"
    return f"coalesce({pred}, FALSE)"


def _tags(cond: Tags, columns: Columns, bind: Callable[[Any], str]) -> str:
    if cond.field in columns.absent:
        return "TRUE" if cond.op == "none_of" else "FALSE"
    column = f'{columns.alias}."{columns.names.get(cond.field, cond.field)}"'

    def has(tags: tuple[str, ...]) -> str:  # a semi-join: also valid in every warehouse dialect
        marks = ", ".join(bind(t) for t in tags)
        return f"EXISTS (SELECT 1 FROM UNNEST({column}) AS ct(tag) WHERE ct.tag IN ({marks}))"

    if cond.op == "all_of":
        return "(" + " AND ".join(has((t,)) for t in cond.tags) + ")"
    return has(cond.tags) if cond.op == "any_of" else f"(NOT {has(cond.tags)})"
