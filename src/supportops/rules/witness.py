"""Example ticket states for a set of conditions: the states lint tests rules on.

A condition's truth depends only on which side of each of its literals a field's value lies
(equal to a value or not, below or above a threshold, holding a tag or a text or not, empty or
not). :func:`candidates` takes, per field, one value of each such region; :func:`states` is their
product (capped, deterministically), one row per state, so that a rule's condition or the
engine runs on all of them at once. A state found this way is a true example (it is checked
by the real mask); the cap is what can hide one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from supportops.conditions.model import CUSTOM, All, AnyOf, Compare, Condition, Not, Tags
from supportops.rules.model import Rule

__all__ = ["OTHER", "PLAIN", "candidates", "custom_json", "example", "plain_custom", "states"]

OTHER = "other-value"
PLAIN = "custom-text:"
CAP = 512


def _walk(cond: Condition) -> Iterable[Compare | Tags]:
    match cond:
        case All(items) | AnyOf(items):
            for item in items:
                yield from _walk(item)
        case Not(item):
            yield from _walk(item)
        case Compare() | Tags():
            yield cond


def _values(cond: Compare) -> list[Any]:
    if cond.op == "null":
        return [None, OTHER]
    if cond.op == "contains":
        return [f"… {cond.values[0]} …", OTHER, None]
    if cond.op == "regex":
        plain = re.sub(r"\(\?[a-z]+\)|[\\^$.*+?()\[\]{}]", "", cond.values[0])
        return [*plain.split("|"), OTHER, None]
    out: list[Any] = [None]
    for v in cond.values:
        if isinstance(v, float):
            out += [v, v - 1, v + 1]
        elif isinstance(v, datetime):
            out += [v, v - timedelta(days=1), v + timedelta(days=1)]
        else:
            out += [v]
    if cond.kind == "text":
        out.append(OTHER)
    return out


def candidates(rules: Iterable[Rule]) -> dict[str, list[Any]]:
    """Per field the rules test or write, one value of each region of its literals."""
    found: dict[str, list[Any]] = {}
    keys: dict[str, set[tuple[type, Any]]] = {}

    def add(name: str, values: Iterable[Any]) -> None:
        have, known = found.setdefault(name, []), keys.setdefault(name, set())
        new = [v for v in values if not _known(v, have, known)]
        have += new
        for v in new:
            if _hashable(v):
                known.add((type(v), v))

    for rule in rules:
        for atom in _walk(rule.condition):
            if isinstance(atom, Tags):
                add(atom.field, ["", *atom.tags, ";".join(atom.tags)])
            else:
                add(atom.field, _values(atom))
        for action in rule.actions:
            if action.kind == "set" and action.field is not None:
                add(action.field, [action.value])
            elif action.kind in ("add_tags", "remove_tags"):
                add("tags", ["", *action.value])
    tags = [t for t in found.get("tags", []) if t]
    if len(tags) > 1:
        add("tags", [";".join(sorted({x for t in tags for x in t.split(";")}))])
    return found


def _hashable(value: Any) -> bool:
    try:
        hash(value)
        return bool(value == value)  # NaN equals nothing, not even itself
    except (TypeError, ValueError):
        return False


def _known(value: Any, have: list[Any], known: set[tuple[type, Any]]) -> bool:
    """Whether ``value`` is among ``have`` (same type, equal), looked up in ``known`` (their
    hashable ones) when it can be."""
    if _hashable(value):
        return (type(value), value) in known
    return any(_same(value, h) for h in have)


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def states(options: Mapping[str, list[Any]], base: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Every combination of ``options`` (at most :data:`CAP`, an even spread when more), each
    with ``base``'s fields; a ``ticket_id`` per row."""
    names = list(options)
    sizes = [len(options[n]) for n in names]
    total = int(np.prod(sizes)) if sizes else 1
    picks = range(total) if total <= CAP else np.linspace(0, total - 1, CAP).astype(np.int64)
    rows = []
    for k in picks:
        row = dict(base or {})
        for name, size in zip(names, sizes, strict=True):
            k, i = divmod(int(k), size)
            row[name] = options[name][i]
        rows.append(row)
    frame = custom_json(pd.DataFrame(rows))
    frame["ticket_id"] = [f"example-{i}" for i in range(len(frame))]
    return frame


def custom_json(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its ``custom.<key>`` columns also written as the ``custom`` JSON the
    conditions read them from, and each column holding only text (or nothing) copied as
    ``custom-text:<key>`` (:data:`PLAIN`) for :func:`plain_custom`."""
    keys = [c for c in frame.columns if str(c).startswith(CUSTOM)]
    if not keys:
        return frame
    values = frame[keys].to_dict("records")
    text = [
        json.dumps({str(k).removeprefix(CUSTOM): v for k, v in row.items() if v is not None})
        for row in values
    ]
    plain = {
        PLAIN + str(k).removeprefix(CUSTOM): frame[k]
        for k in keys
        if all(v is None or isinstance(v, str) for v in frame[k].to_numpy(dtype=object))
    }
    return frame.assign(custom=text, **plain)


def plain_custom(cond: Condition, frame: pd.DataFrame) -> Condition:
    """``cond`` with each comparison of a custom field reading its text copy in ``frame``
    (from :func:`custom_json`) where there is one: the same answer on every row (the JSON
    holds that very text, or nothing), without reading the JSON. The copy is not written
    by actions, as the JSON is not."""
    match cond:
        case All(items):
            return All(tuple(plain_custom(i, frame) for i in items))
        case AnyOf(items):
            return AnyOf(tuple(plain_custom(i, frame) for i in items))
        case Not(item):
            return Not(plain_custom(item, frame))
        case Compare(field) if field.startswith(CUSTOM):
            copy = PLAIN + field.removeprefix(CUSTOM)
            return Compare(copy, cond.op, cond.values, cond.kind) if copy in frame else cond
    return cond


def example(row: Mapping[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """A state's fields that matter, empty ones left out, as plain JSON values."""
    out: dict[str, Any] = {}
    for name in sorted(set(fields)):
        value = row.get(name)
        if value is None or (isinstance(value, float) and np.isnan(value)) or value == "":
            continue
        out[name] = value.isoformat() if isinstance(value, datetime) else value
    return out


__all__ += ["product_size"]


def product_size(options: Mapping[str, list[Any]]) -> int:
    """How many states the full product holds."""
    return int(np.prod([len(v) for v in options.values()])) if options else 1
