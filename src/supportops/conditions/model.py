"""The condition model: which rows a rule, a policy or a filter is about.

A condition is a tree of :class:`All`, :class:`AnyOf`, :class:`Not`, :class:`Compare` (one field
against values) and :class:`Tags` (a row's tags against a set), over the fields of a
:class:`Fields` vocabulary. It is read from YAML by :mod:`.parse` and written back in its long
form by :func:`condition_data`; see ``docs/conditions.md`` for the written forms.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from supportops.model.schema import TICKETS

__all__ = [
    "COMBINATORS",
    "COMPARISONS",
    "CUSTOM",
    "ORDERED",
    "SHORT_TAG_KEYS",
    "TAG_OPS",
    "TEXT_OPS",
    "TICKET_FIELDS",
    "All",
    "AnyOf",
    "Compare",
    "Condition",
    "Fields",
    "Kind",
    "Not",
    "Tags",
    "condition_data",
    "describe",
    "fields_of",
]

Kind = Literal["text", "number", "instant", "tags", "custom"]
TEXT_OPS = ("contains", "regex")  # text: a substring (any case), a regular expression
COMPARISONS: tuple[str, ...] = ("eq", "ne", "in", "not_in", "lt", "le", "gt", "ge", "between")
COMPARISONS += ("null", *TEXT_OPS)
ORDERED = ("lt", "le", "gt", "ge", "between")
TAG_OPS = ("any_of", "all_of", "none_of")
CUSTOM = "custom."
SHORT_TAG_KEYS = {"tags": "any_of", "tags_all": "all_of", "tags_none": "none_of"}  # short forms
COMBINATORS = ("all", "any", "not")
_KINDS: dict[str, Kind] = {
    "timestamp": "instant",
    "number": "number",
    "duration": "number",
    "list": "tags",
    "json": "custom",
}


@dataclass(frozen=True)
class Compare:
    """``field`` compared with ``values`` by ``op`` (one of :data:`COMPARISONS`).

    ``eq``/``ne``/``lt``/``le``/``gt``/``ge`` hold one value, ``in``/``not_in`` any number,
    ``between`` two (both included), ``null`` one boolean (true: the field is empty)."""

    field: str
    op: str
    values: tuple[Any, ...]
    kind: Kind = "text"


@dataclass(frozen=True)
class Tags:
    """A row's tags against ``tags``: any of them, all of them, or none of them."""

    op: str
    tags: tuple[str, ...]
    field: str = "tags"


@dataclass(frozen=True)
class All:
    """Every item holds (no item: always true)."""

    items: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class AnyOf:
    """At least one item holds (no item: never true)."""

    items: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class Not:
    """The item does not hold."""

    item: Condition


Condition = Compare | Tags | All | AnyOf | Not


@dataclass(frozen=True)
class Fields:
    """The fields a condition may name, with their kind; ``custom`` allows ``custom.<key>``."""

    kinds: Mapping[str, Kind]
    custom: bool = True

    def kind(self, name: str) -> Kind | None:
        """The kind of field ``name``; None when it is not one."""
        if name.startswith(CUSTOM):
            return "custom" if self.custom else None
        found = self.kinds.get(name)
        return None if found == "custom" else found

    def closest(self, name: str) -> str | None:
        """The valid name closest to ``name`` (difflib), if any is close."""
        names = [*self.kinds, *SHORT_TAG_KEYS, *COMBINATORS]
        names += [f"{CUSTOM}{name}"] if self.custom and "." not in name else []
        found = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
        return found[0] if found else None


TICKET_FIELDS = Fields({c.name: _KINDS.get(c.type, "text") for c in TICKETS.columns})


def condition_data(cond: Condition) -> Any:
    """``cond`` in its long YAML form, as JSON data (instants as ISO text); it parses back to
    an equal condition."""
    match cond:
        case All(items) | AnyOf(items):
            return {"all" if isinstance(cond, All) else "any": [condition_data(i) for i in items]}
        case Not(item):
            return {"not": condition_data(item)}
        case Tags(op, tags, name):
            return {"field": name, op: list(tags)}
        case Compare(name, op, values):
            data = [v.isoformat() if isinstance(v, datetime) else v for v in values]
            one = op in ("eq", "ne", "lt", "le", "gt", "ge", "null", *TEXT_OPS)
            return {"field": name, op: data[0] if one else data}
    raise TypeError(f"not a condition: {cond!r}")


def fields_of(cond: Condition) -> set[str]:
    """The fields ``cond`` names."""
    match cond:
        case All(items) | AnyOf(items):
            return set().union(*(fields_of(i) for i in items))
        case Not(item):
            return fields_of(item)
        case Tags() | Compare():
            return {cond.field}
    raise TypeError(f"not a condition: {cond!r}")


_SIGNS = {"ne": "≠", "lt": "<", "le": "≤", "gt": ">", "ge": "≥", "not_in": "≠"}


def _text(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    return f"{value:g}" if isinstance(value, float) else str(value)


def describe(cond: Condition) -> str:
    """``cond`` in a short line for messages: ``channel=chat, priority=high,urgent``."""
    match cond:
        case All(items):
            return ", ".join(describe(i) for i in items)
        case AnyOf(items):
            return "any of (" + "; ".join(describe(i) for i in items) + ")"
        case Not(item):
            return f"not ({describe(item)})"
        case Tags(op, tags, name):
            return (
                f"{name}{'=' if op == 'any_of' else ' ' + op.replace('_', ' ') + ' '}"
                + ",".join(tags)
            )
        case Compare(name, op, values):
            texts = [_text(v) for v in values]
            if op == "null":
                return f"{name} {'empty' if values[0] else 'set'}"
            if op == "between":
                return f"{name} {texts[0]}..{texts[1]}"
            if op in TEXT_OPS:
                return f"{name} {op} {texts[0]!r}"
            return f"{name}{_SIGNS.get(op, '=')}{','.join(texts)}"
    raise TypeError(f"not a condition: {cond!r}")
