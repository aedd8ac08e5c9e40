"""A rule's condition as per-field allowed values, when it is a plain conjunction.

Most rules are an ``all`` of comparisons of distinct fields (``update: create``, ``channel:
chat``, ``tags: [vip]``). For them, which example values of each field satisfy the rule
(:class:`Shape`) decides at once whether two rules can hold on one ticket and whether one
rule's writes keep another holding, without building example states: what lets lint check a
thousand rules in seconds. A tag is a field of its own (``tag:vip``: absent or present). A
condition that is not such a conjunction (an ``any``, a ``not`` of an ``all``) has no shape;
lint then uses example states (:mod:`supportops.rules.witness`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from supportops.conditions.mask import mask
from supportops.conditions.model import All, Compare, Condition, Not, Tags
from supportops.rules.model import Rule
from supportops.rules.witness import custom_json

__all__ = ["Shape", "Shapes"]

Allowed = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Shape:
    """Per field, which of its example values the rule allows."""

    allowed: Mapping[str, Allowed]

    def meets(self, other: Shape) -> bool:
        """Some ticket satisfies both (each alone is satisfiable: every field allows a value)."""
        return all(
            np.any(self.allowed[f] & other.allowed[f])
            for f in self.allowed.keys() & other.allowed.keys()
        )

    def covers(self, other: Shape) -> bool:
        """Whether this holds wherever ``other`` holds (field by field)."""
        for name, ok in self.allowed.items():
            theirs = other.allowed.get(name)
            if theirs is None and not ok.all():
                return False
            if theirs is not None and np.any(theirs & ~ok):
                return False
        return True

    def satisfiable(self) -> bool:
        return all(np.any(a) for a in self.allowed.values())


class Shapes:
    """The shapes of a rule set's rules over the example values of all of them."""

    def __init__(self, rules: list[Rule], values: Mapping[str, list[Any]]) -> None:
        self.values = {k: v for k, v in values.items() if k != "tags"}
        self._atoms: dict[Condition, dict[str, Allowed]] = {}
        self.of: dict[str, Shape | None] = {r.name: self._shape(r) for r in rules}

    def _shape(self, rule: Rule) -> Shape | None:
        items = _flat(rule.condition)
        if items is None:
            return None
        allowed: dict[str, Allowed] = {}
        for item in items:
            found = self._atom(item)
            if found is None:
                return None
            for name, ok in found.items():
                allowed[name] = allowed[name] & ok if name in allowed else ok
        return Shape(allowed)

    def _atom(self, item: Condition) -> dict[str, Allowed] | None:
        if item in self._atoms:
            return self._atoms[item]
        out: dict[str, Allowed] | None
        if isinstance(item, Tags) and item.field == "tags":
            if item.op == "any_of" and len(item.tags) > 1:
                return None
            present = item.op != "none_of"
            out = {f"tag:{t}": np.array([not present, present]) for t in item.tags}
        else:
            atom = item.item if isinstance(item, Not) else item
            if not isinstance(atom, Compare | Tags) or atom.field not in self.values:
                return None
            frame = custom_json(
                pd.DataFrame({atom.field: pd.Series(self.values[atom.field], dtype=object)})
            )
            ok = mask(atom, frame)
            out = {atom.field: ~ok if isinstance(item, Not) else ok}
        self._atoms[item] = out
        return out

    def index(self, name: str, value: Any) -> int | None:
        """Where ``value`` is among the example values of field ``name``."""
        for i, v in enumerate(self.values.get(name, [])):
            if type(v) is type(value) and v == value:
                return i
        return None

    def after(self, writer: Rule, reader: Shape) -> bool:
        """Whether ``reader`` may still hold once ``writer``'s actions ran (its set values and
        added or removed tags are allowed by it)."""
        for action in writer.actions:
            name = action.field or ""
            if action.kind == "set" and name in reader.allowed:
                at = self.index(name, action.value)
                if at is not None and not reader.allowed[name][at]:
                    return False
            elif action.kind in ("add_tags", "remove_tags"):
                present = action.kind == "add_tags"
                for tag in action.value:
                    ok = reader.allowed.get(f"tag:{tag}")
                    if ok is not None and not ok[int(present)]:
                        return False
        return True

    def plain(self, shape: Shape) -> dict[str, int]:
        """The plainest state ``shape`` allows, as a value index per field: its first allowed
        value where it tests the field, else empty (and a tag absent)."""
        out = {name: int(np.argmax(ok)) for name, ok in shape.allowed.items()}
        return out

    def holds_on(self, shape: Shape, state: Mapping[str, int]) -> bool:
        """Whether ``shape`` holds on ``state`` (from :meth:`plain`; a field it leaves out is
        empty there)."""
        for name, ok in shape.allowed.items():
            at = state.get(name)
            if at is None:
                at = 0 if name.startswith("tag:") else self.index(name, None)
            if at is None or not ok[at]:
                return False
        return True

    def example(self, *shapes: Shape) -> dict[str, Any]:
        """A state all ``shapes`` allow: per field the first value they all allow."""
        out: dict[str, Any] = {}
        tags: list[str] = []
        for name in sorted(set().union(*(s.allowed for s in shapes))):
            ok = np.logical_and.reduce([s.allowed[name] for s in shapes if name in s.allowed])
            if name.startswith("tag:"):
                if ok[1] and not ok[0]:
                    tags.append(name.removeprefix("tag:"))
                continue
            value = self.values[name][int(np.argmax(ok))]
            if value is not None and value != "":
                out[name] = value
        if tags:
            out["tags"] = ";".join(sorted(tags))
        return out


def _flat(cond: Condition) -> list[Condition] | None:
    """The items of a nested ``all`` of atoms (and ``not`` of one atom); None otherwise."""
    if isinstance(cond, All):
        out: list[Condition] = []
        for item in cond.items:
            found = _flat(item)
            if found is None:
                return None
            out += found
        return out
    if isinstance(cond, Not):
        return [cond] if isinstance(cond.item, Compare) else None
    if isinstance(cond, Compare | Tags):
        return [cond]
    return None
