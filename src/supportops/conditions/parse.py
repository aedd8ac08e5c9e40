"""Reading a condition from YAML (or plain mappings): the short and the long forms.

An unknown field or comparison is a :class:`~supportops.errors.ConditionError` naming the key's
path, its YAML line (ruamel's, when the node has one) and the closest valid name (difflib).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import PlainSerializer, PlainValidator

from supportops import instants
from supportops.conditions.model import (
    COMPARISONS,
    CUSTOM,
    ORDERED,
    SHORT_TAG_KEYS,
    TAG_OPS,
    TEXT_OPS,
    TICKET_FIELDS,
    All,
    AnyOf,
    Compare,
    Condition,
    Fields,
    Kind,
    Not,
    Tags,
    condition_data,
)
from supportops.errors import ConditionError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ConditionSetting", "parse_condition", "parse_instant"]

_CUSTOM_KEY = re.compile(r"^[A-Za-z0-9_]+$")
_ABSOLUTE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def parse_instant(value: Any, zone: str = "UTC") -> pd.Timestamp:
    """An instant in UTC from YAML (a date, a datetime) or text, read by the project's one
    instant reader (:func:`supportops.instants.parse_instant`); a naive one is read in ``zone``.
    Relative forms (``-7d``, ``today``) are refused here: a stored condition must not change
    meaning with the day it is read."""
    if isinstance(value, str) and not _ABSOLUTE.match(value.strip()):
        raise ValueError(f"not an instant: {value!r} (expected e.g. 2026-03-01T09:00Z)")
    if not isinstance(value, (str, date)):
        raise ValueError(f"not an instant: {value!r} (expected e.g. 2026-03-01T09:00Z)")
    moment = instants.parse_instant(value, zone, instants.SystemClock(), key="condition")
    if moment is None:
        raise ValueError(f"not an instant: {value!r}")
    import pandas as pd  # on first use: reading the config needs no pandas

    return pd.Timestamp(moment).tz_convert("UTC")


@dataclass(frozen=True)
class _At:
    """Where a node is: its path of keys and the YAML line the parser knows."""

    path: tuple[str, ...]
    line: int | None
    zone: str = "UTC"

    def child(self, node: Any, part: str | int) -> _At:
        lc = getattr(node, "lc", None)
        line = self.line
        try:
            if lc is not None and isinstance(part, int):
                line = lc.item(part)[0] + 1
            elif lc is not None:
                line = lc.key(part)[0] + 1
        except (KeyError, IndexError, TypeError):
            pass
        return _At((*self.path, str(part)), line, self.zone)

    def fail(self, reason: str, suggestion: str | None = None) -> ConditionError:
        key = ".".join(self.path) or "(condition)"
        where = f"line {self.line}: " if self.line else ""
        hint = f" (did you mean {suggestion!r}?)" if suggestion else ""
        return ConditionError(
            f"{where}{key}: {reason}{hint}",
            key=key,
            line=self.line,
            suggestion=suggestion,
            reason=reason + hint,
        )


def _read(value: Any) -> Condition:
    return value if isinstance(value, Condition) else parse_condition(value)


# A condition as a field of a config model: read by parse_condition (unless already read),
# written back as its long form (condition_data).
ConditionSetting = Annotated[Condition, PlainValidator(_read), PlainSerializer(condition_data)]


def parse_condition(
    raw: Any,
    fields: Fields = TICKET_FIELDS,
    key: str = "",
    line: int | None = None,
    zone: str = "UTC",
) -> Condition:
    """The condition written as ``raw``: a mapping (all of its entries) or a list (all of its
    items). ``key`` and ``line`` say where ``raw`` is, for errors; a naive instant in it is read
    in ``zone`` (the workspace's report time zone)."""
    at = _At(tuple(key.split(".")) if key else (), line, zone)
    return _node(raw, fields, at)


def _node(raw: Any, fields: Fields, at: _At) -> Condition:
    if isinstance(raw, Condition):
        return raw
    if raw is None:
        return All()
    if isinstance(raw, Sequence) and not isinstance(raw, str):
        return All(tuple(_node(item, fields, at.child(raw, i)) for i, item in enumerate(raw)))
    if not isinstance(raw, Mapping):
        raise at.fail(f"expected a mapping or a list of conditions, got {raw!r}")
    if "field" in raw:
        return _long(raw, fields, at)
    items = tuple(_entry(str(k), v, raw, fields, at.child(raw, str(k))) for k, v in raw.items())
    return items[0] if len(items) == 1 else All(items)


def _entry(name: str, value: Any, parent: Any, fields: Fields, at: _At) -> Condition:
    if name in ("all", "any"):
        if not isinstance(value, Sequence) or isinstance(value, str):
            raise at.fail(f"{name} takes a list of conditions")
        items = tuple(_node(v, fields, at.child(value, i)) for i, v in enumerate(value))
        return All(items) if name == "all" else AnyOf(items)
    if name == "not":
        return Not(_node(value, fields, at))
    if name in SHORT_TAG_KEYS and fields.kind("tags") == "tags":
        return _tags(SHORT_TAG_KEYS[name], value, at)
    if name in SHORT_TAG_KEYS and fields.kind("tag") == "tags":  # the metrics' dimension `tag`
        return _tags(SHORT_TAG_KEYS[name], value, at, "tag")
    if isinstance(value, Mapping):  # `created_at: {ge: ..., lt: ...}`
        return _long({"field": name, **value}, fields, at, value)
    kind = _kind(name, fields, at)
    if kind == "tags":
        return _tags("any_of", value, at, name)
    if value is None:
        return Compare(name, "null", (True,), kind)
    if isinstance(value, Sequence) and not isinstance(value, str):
        return _compare(name, "in", value, kind, at)
    return _compare(name, "eq", value, kind, at)


def _long(raw: Mapping[str, Any], fields: Fields, at: _At, ops_node: Any = None) -> Condition:
    """``{field: F, OP: V, ...}`` (``ops_node``: the YAML node of the ops, when not ``raw``)."""
    name = str(raw["field"])
    kind = _kind(name, fields, at if ops_node is not None else at.child(raw, "field"))
    node = raw if ops_node is None else ops_node
    ops = [k for k in raw if k != "field"]
    if not ops:
        raise at.fail(f"no comparison for {name!r} (one of {', '.join(COMPARISONS)})")
    items: list[Condition] = []
    for written in ops:
        here = at.child(node, written)
        op = "null" if written is None else str(written)  # YAML reads `null:` as an empty key
        op = {"in": "any_of", "eq": "any_of"}.get(op, op) if kind == "tags" else op
        if kind == "tags":
            if op not in TAG_OPS:
                raise here.fail(f"tags take one of {', '.join(TAG_OPS)}", _close(op, TAG_OPS))
            items.append(_tags(op, raw[written], here, name))
        elif op not in COMPARISONS:
            raise here.fail(
                f"unknown comparison (one of {', '.join(COMPARISONS)})", _close(op, COMPARISONS)
            )
        else:
            items.append(_compare(name, op, raw[written], kind, here))
    return items[0] if len(items) == 1 else All(tuple(items))


def _close(name: str, names: Sequence[str]) -> str | None:
    found = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    return found[0] if found else None


def _kind(name: str, fields: Fields, at: _At) -> Kind:
    kind = fields.kind(name)
    if kind is None:
        raise at.fail("unknown field", fields.closest(name))
    if kind == "custom" and not _CUSTOM_KEY.match(name.removeprefix(CUSTOM)):
        raise at.fail("a custom field is custom.<key>, the key made of letters, digits and _")
    return kind


def _tags(op: str, value: Any, at: _At, name: str = "tags") -> Tags:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, Sequence) or not all(isinstance(v, str) for v in values):
        raise at.fail("expected a tag or a list of tags")
    return Tags(op, tuple(values), name)


def _compare(name: str, op: str, value: Any, kind: Kind, at: _At) -> Compare:
    if op == "null":
        if not isinstance(value, bool):
            raise at.fail("null takes true (the field is empty) or false")
        return Compare(name, op, (value,), kind)
    many = isinstance(value, Sequence) and not isinstance(value, str)
    values = list(value) if many else [value]
    if op in ("in", "not_in") and not values:
        raise at.fail(f"{op} takes at least one value")
    if op == "between" and len(values) != 2:
        raise at.fail("between takes two values: [low, high]")
    if op not in ("in", "not_in", "between") and len(values) != 1:
        raise at.fail(f"{op} takes one value")
    if kind == "tags":
        raise at.fail("tags take any_of, all_of or none_of")
    if kind == "custom":
        kind = _custom_kind(values, op, at)
    if op in ORDERED and kind == "text":
        raise at.fail(f"{op} compares numbers and instants; {name} is text")
    if op in TEXT_OPS:
        return _text_op(name, op, values[0], kind, at)
    return Compare(name, op, tuple(_value(v, kind, at) for v in values), kind)


def _text_op(name: str, op: str, value: Any, kind: Kind, at: _At) -> Compare:
    if kind not in ("text", "custom") or not isinstance(value, str):
        raise at.fail(f"{op} takes one text and a text field")
    if op == "regex":
        try:
            re.compile(value)
        except re.error as exc:
            raise at.fail(f"not a regular expression: {exc}") from exc
    return Compare(name, op, (value,), "text")


def _custom_kind(values: list[Any], op: str, at: _At) -> Kind:
    """A custom field's kind: that of its values (numbers, else text)."""
    numbers = [isinstance(v, int | float) and not isinstance(v, bool) for v in values]
    if any(numbers) and not all(numbers):
        raise at.fail("mixes numbers and text")
    return "number" if all(numbers) else "text"


def _value(value: Any, kind: Kind, at: _At) -> Any:
    if value is None:
        raise at.fail("a value is empty (write null: true to ask for an empty field)")
    try:
        if kind == "instant":
            return parse_instant(value, at.zone).to_pydatetime()
        if kind == "number":
            if isinstance(value, bool):
                raise ValueError(f"not a number: {value!r}")
            return float(value)
    except (ValueError, TypeError) as exc:
        raise at.fail(str(exc)) from exc
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
