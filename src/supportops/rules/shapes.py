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
from supportops.rules.witness import custom_json, plain_custom

__all__ = ["Grid", "Shape", "Shapes"]

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
        self.rules = rules
        self.values = {k: v for k, v in values.items() if k != "tags"}
        self._atoms: dict[Condition, dict[str, Allowed]] = {}
        self._frames: dict[str, pd.DataFrame] = {}
        self._where: dict[str, dict[tuple[type, Any], int]] = {}
        self.of: dict[str, Shape | None] = {r.name: self._shape(r) for r in rules}
        self.grid = Grid(self, [self.of[r.name] for r in rules])

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
            frame = self._frame(atom.field)
            ok = mask(plain_custom(atom, frame), frame)
            out = {atom.field: ~ok if isinstance(item, Not) else ok}
        self._atoms[item] = out
        return out

    def _frame(self, name: str) -> pd.DataFrame:
        """The example values of field ``name`` as a one-column frame (built once)."""
        if name not in self._frames:
            column = pd.Series(self.values[name], dtype=object)
            self._frames[name] = custom_json(pd.DataFrame({name: column}))
        return self._frames[name]

    def index(self, name: str, value: Any) -> int | None:
        """Where ``value`` is among the example values of field ``name``."""
        if name not in self._where:
            where: dict[tuple[type, Any], int] = {}
            for i, v in enumerate(self.values.get(name, [])):
                try:
                    where.setdefault((type(v), v), i)
                except TypeError:  # an unhashable value: found by the scan below
                    continue
            self._where[name] = where
        try:
            at = self._where[name].get((type(value), value))
        except TypeError:
            return self._scan(name, value)
        if at is not None and self.values[name][at] == value:
            return at
        return None if at is None else self._scan(name, value)

    def _scan(self, name: str, value: Any) -> int | None:
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


class Grid:
    """Every rule's shape as one row of a boolean table: a column per example value of each
    field some shape tests (a field a rule leaves out allows every value), so that one rule's
    shape is compared with all the others' at once. Each method answers exactly what the
    :class:`Shape` and :class:`Shapes` method it names answers, for every rule (a rule without
    a shape: :attr:`has` is False there, and its answers mean nothing)."""

    def __init__(self, shapes: Shapes, rows: list[Shape | None]) -> None:
        self.shapes = shapes
        names = sorted({name for s in rows if s is not None for name in s.allowed})
        sizes = [2 if n.startswith("tag:") else len(shapes.values[n]) for n in names]
        self.field = {name: k for k, name in enumerate(names)}
        self.start = dict(zip(names, np.cumsum([0, *sizes[:-1]]).tolist(), strict=True))
        self.has = np.array([s is not None for s in rows], dtype=bool)
        self.allowed = np.ones((len(rows), int(sum(sizes))), dtype=bool)
        self.tests = np.zeros((len(rows), len(names)), dtype=bool)
        for r, shape in enumerate(rows):
            for name, ok in (shape.allowed if shape is not None else {}).items():
                self.allowed[r, self._slots(name)] = ok
                self.tests[r, self.field[name]] = True

    def _slots(self, name: str) -> slice:
        start = self.start[name]
        size = 2 if name.startswith("tag:") else len(self.shapes.values[name])
        return slice(start, start + size)

    def meeting(self, shape: Shape) -> Allowed:
        """Per rule, :meth:`Shape.meets` of ``shape`` and its shape: every field both test
        allows a value both allow."""
        out = np.ones(len(self.has), dtype=bool)
        for name, ok in shape.allowed.items():
            if name not in self.field:
                continue
            both = (self.allowed[:, self._slots(name)] & ok).any(axis=1)
            out &= both | ~self.tests[:, self.field[name]]
        return out

    def covering(self, shape: Shape) -> Allowed:
        """Per rule, whether its shape covers ``shape`` (:meth:`Shape.covers`)."""
        wanted = np.ones(self.allowed.shape[1], dtype=bool)
        for name, ok in shape.allowed.items():
            if name in self.field:
                wanted[self._slots(name)] = ok
        return np.asarray(self.allowed[:, wanted].all(axis=1))

    def holding(self, state: Mapping[str, int]) -> Allowed:
        """Per rule, :meth:`Shapes.holds_on` of its shape on ``state``."""
        out = np.ones(len(self.has), dtype=bool)
        for name, k in self.field.items():
            at = state.get(name)
            if at is None:
                at = 0 if name.startswith("tag:") else self.shapes.index(name, None)
            if at is None:
                out &= ~self.tests[:, k]
            else:
                out &= self.allowed[:, self.start[name] + at]
        return out

    def after(self, writer: Rule) -> Allowed:
        """Per rule, :meth:`Shapes.after` of ``writer`` and its shape: its shape may still hold
        once ``writer``'s actions ran."""
        out = np.ones(len(self.has), dtype=bool)
        for action in writer.actions:
            name = action.field or ""
            if action.kind == "set" and name in self.field:
                at = self.shapes.index(name, action.value)
                if at is not None:
                    out &= self.allowed[:, self.start[name] + at]
            elif action.kind in ("add_tags", "remove_tags"):
                present = int(action.kind == "add_tags")
                for tag in action.value:
                    if f"tag:{tag}" in self.field:
                        out &= self.allowed[:, self.start[f"tag:{tag}"] + present]
        return out

    def may_hold(
        self, among: npt.NDArray[np.intp], frame: pd.DataFrame, written: set[str]
    ) -> Allowed:
        """Per rule of ``among`` (positions), whether its shape may hold on some row of
        ``frame`` once rules writing ``written`` ran (field names, ``tag:<tag>`` for a tag
        added or removed): false only when on every row a field it tests and nothing writes
        holds a value it does not allow. A value that is not one of the example values counts
        as allowed."""
        blocked = np.zeros((len(among), len(frame)), dtype=bool)
        tags = _tag_sets(frame)
        for name, k in self.field.items():
            testing = self.tests[among, k]
            if not testing.any() or name in written or (name == "changed" and written):
                continue
            if name.startswith("tag:"):
                at = np.array([int(name[4:] in t) for t in tags], dtype=np.int64)
            else:
                column = frame[name] if name in frame else pd.Series(None, index=frame.index)
                found = [self.shapes.index(name, v) for v in column.to_numpy(dtype=object)]
                at = np.array([-1 if f is None else f for f in found], dtype=np.int64)
            rows = np.flatnonzero(testing)
            known = at >= 0
            ok = np.ones((len(rows), len(frame)), dtype=bool)
            ok[:, known] = self.allowed[among[rows]][:, self.start[name] + at[known]]
            blocked[rows] |= ~ok
        return np.asarray((~blocked).any(axis=1))


def _tag_sets(frame: pd.DataFrame) -> list[set[str]]:
    """Each row's tags (``;``-separated text or a list), as the conditions read them."""
    if "tags" not in frame:
        return [set() for _ in range(len(frame))]
    out = []
    for value in frame["tags"].to_numpy(dtype=object):
        if isinstance(value, str):
            out.append(set(value.split(";")))
        elif isinstance(value, list | tuple | np.ndarray):
            out.append({str(v) for v in value})
        else:
            out.append(set())
    return out
