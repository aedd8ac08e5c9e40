"""The one condition language: SLA ``when``, alert filters, metric and ticket filters, drill-downs.

A condition (:mod:`.model`) is read from YAML or text (:mod:`.parse`), evaluated as one
vectorised mask over a table (:mod:`.mask`) or compiled to a SQL predicate with bound
parameters for the stores (:mod:`.sql`); both give the same rows. ``docs/conditions.md``
describes the written forms.

Each name is imported on first use: the model alone needs neither pandas nor DuckDB.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from supportops.lazy import lazy_exports

if TYPE_CHECKING:
    from supportops.conditions.mask import mask, tag_lists
    from supportops.conditions.model import (
        COMPARISONS,
        TAG_OPS,
        TICKET_FIELDS,
        All,
        AnyOf,
        Compare,
        Condition,
        Fields,
        Not,
        Tags,
        condition_data,
        describe,
        fields_of,
    )
    from supportops.conditions.parse import ConditionSetting, parse_condition, parse_instant
    from supportops.conditions.sql import TICKET_DEFAULTS, Columns, to_sql

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "supportops.conditions.mask": ("mask", "tag_lists"),
        "supportops.conditions.model": (
            "COMPARISONS",
            "TAG_OPS",
            "TICKET_FIELDS",
            "All",
            "AnyOf",
            "Compare",
            "Condition",
            "Fields",
            "Not",
            "Tags",
            "condition_data",
            "describe",
            "fields_of",
        ),
        "supportops.conditions.parse": ("ConditionSetting", "parse_condition", "parse_instant"),
        "supportops.conditions.sql": ("TICKET_DEFAULTS", "Columns", "to_sql"),
    },
)

__all__ = [
    "COMPARISONS",
    "TAG_OPS",
    "TICKET_DEFAULTS",
    "TICKET_FIELDS",
    "All",
    "AnyOf",
    "Columns",
    "Compare",
    "Condition",
    "ConditionSetting",
    "Fields",
    "Not",
    "Tags",
    "condition_data",
    "describe",
    "fields_of",
    "mask",
    "parse_condition",
    "parse_instant",
    "tag_lists",
    "to_sql",
]
