"""Lint: what is wrong with a rule set before it runs, each finding with an example ticket.

Kinds (:data:`KINDS`) and their severity:

- ``loop`` (error): two rules undo each other (each one's action makes the other's condition
  hold again), or a time-based rule has no action that makes its condition false, so it fires
  on every check;
- ``conflict`` (error): two rules can hold on the same ticket and set one field to different
  values (not under first-match semantics, where only one fires);
- ``unknown_reference`` (error): a group, agent, tag, custom field, calendar, experiment or SLA
  target the workspace does not know;
- ``shadowed`` (warning): a rule that can never fire, because its condition cannot hold, or
  because under the semantics earlier rules always change what it tests (or match first);
- ``missing_scope`` (warning): a rule run on every update, tested neither on ``update`` nor on
  ``changed``, whose condition still holds after its own actions: it fires again on each update;
- ``unsupported`` (warning): a condition or action an import could not express.

Each finding is checked on example states (:mod:`supportops.rules.witness`) with the real mask
and engine, and carries the state that shows it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from supportops.conditions.mask import mask
from supportops.conditions.model import All, AnyOf, Compare, Condition, Not, Tags, fields_of
from supportops.rules.engine import Context, run
from supportops.rules.model import Rule, RuleSet
from supportops.rules.semantics import semantics_of
from supportops.rules.shapes import Shape, Shapes
from supportops.rules.witness import candidates, example, states

__all__ = ["KINDS", "Finding", "References", "lint"]

Severity = Literal["error", "warning"]
KINDS: dict[str, Severity] = {
    "loop": "error",
    "conflict": "error",
    "unknown_reference": "error",
    "shadowed": "warning",
    "missing_scope": "warning",
    "unsupported": "warning",
}


@dataclass(frozen=True)
class Finding:
    """One finding: its kind and severity, the rules involved, why, and an example state."""

    kind: str
    rules: tuple[str, ...]
    explanation: str
    example: dict[str, Any] = field(default_factory=dict)

    @property
    def severity(self) -> Severity:
        return KINDS[self.kind]

    def data(self) -> dict[str, Any]:
        """As one JSON object."""
        return {"severity": self.severity, **asdict(self), "rules": list(self.rules)}


@dataclass(frozen=True)
class References:
    """What the workspace knows, per kind of name; None: not known, not checked."""

    groups: frozenset[str] | None = None
    agents: frozenset[str] | None = None
    tags: frozenset[str] | None = None
    custom: frozenset[str] | None = None
    calendars: frozenset[str] | None = None
    experiments: frozenset[str] | None = None
    targets: frozenset[str] | None = None


def lint(
    ruleset: RuleSet, refs: References | None = None, context: Context | None = None
) -> list[Finding]:
    """Every finding of ``ruleset`` (see the module), in the order of :data:`KINDS`."""
    rules = ruleset.runnable()
    shapes = Shapes(rules, candidates(rules))
    found = [*_pairs(ruleset, rules, shapes), *_references(ruleset, refs or References())]
    found = [f for f in found if f is not _NONE]
    found += _shadowed(ruleset, rules, shapes, context)
    found += [f for r in rules if (f := _refires(r)) is not None]
    found += [f for r in ruleset.rules if (f := _unsupported(r)) is not None]
    order = list(KINDS)
    return sorted(found, key=lambda f: order.index(f.kind))


def _frame(rules: Iterable[Rule], base: Mapping[str, Any] | None = None) -> pd.DataFrame:
    options = candidates(rules)
    return states(options, {k: v for k, v in (base or {}).items() if k not in options})


def _holds(cond: Condition, frame: pd.DataFrame) -> np.ndarray:
    return mask(cond, frame)


def _after(rule: Rule, frame: pd.DataFrame) -> pd.DataFrame:
    """The states after ``rule``'s actions (run alone, on every row)."""
    alone = RuleSet(
        rules=[
            rule.model_copy(update={"when": All(), "scope": All(), "on": ["update"], "every": None})
        ]
    )
    return run(alone, frame.assign(update="update")).state


def _pins(rule: Rule) -> dict[str, set[str]]:
    """Fields the rule requires to be one of some values (top-level ``eq``/``in``)."""
    items = rule.condition.items if isinstance(rule.condition, All) else (rule.condition,)
    out: dict[str, set[str]] = {}
    stack = list(items)
    while stack:
        item = stack.pop()
        if isinstance(item, All):
            stack += list(item.items)
        elif isinstance(item, Compare) and item.op in ("eq", "in"):
            values = {str(v) for v in item.values}
            out[item.field] = out[item.field] & values if item.field in out else values
    return out


def _disjoint(a: dict[str, set[str]], b: dict[str, set[str]]) -> bool:
    return any(not (a[f] & b[f]) for f in a.keys() & b.keys())


def _sets(rule: Rule) -> dict[str, str]:
    return {a.field: str(a.value) for a in rule.actions if a.kind == "set" and a.field}


def _may_meet(
    a: Rule, b: Rule, pa: dict[str, set[str]], pb: dict[str, set[str]], name: str, sets: Any
) -> bool:
    """Whether ``a`` and ``b`` may conflict (both hold at once) or loop over ``name`` (each
    one's value lets the other hold), by their pinned values alone: a quick filter."""
    if not _disjoint(pa, pb):
        return True
    written = a.writes() | b.writes()
    if _disjoint(
        {f: v for f, v in pa.items() if f not in written},
        {f: v for f, v in pb.items() if f not in written},
    ):
        return False
    value_a, value_b = _sets(a)[name], _sets(b)[name]
    return value_a in pb.get(name, {value_a}) and value_b in pa.get(name, {value_b})


def _same_trigger(a: Rule, b: Rule) -> bool:
    return a.timed == b.timed and (a.timed or bool(set(a.on) & set(b.on)))


def _pairs(ruleset: RuleSet, rules: list[Rule], shapes: Shapes) -> list[Finding]:
    semantics = semantics_of(ruleset.semantics)
    first_match = semantics.first_match
    pins = [_pins(r) for r in rules]
    sets = [_sets(r) for r in rules]
    by_field: dict[str, list[int]] = {}
    for i, s in enumerate(sets):
        for name in s:
            by_field.setdefault(name, []).append(i)
    seen: set[tuple[int, int]] = set()
    out: list[Finding] = []
    for name, members in by_field.items():
        for x, i in enumerate(members):
            for j in members[x + 1 :]:
                if (i, j) in seen or sets[i][name] == sets[j][name]:
                    continue
                if not _same_trigger(rules[i], rules[j]) or not _may_meet(
                    rules[i], rules[j], pins[i], pins[j], name, sets
                ):
                    continue
                seen.add((i, j))
                found = (
                    _NONE
                    if first_match and shapes.of.get(rules[i].name) and shapes.of.get(rules[j].name)
                    else _quick_pair(rules[i], rules[j], name, shapes, semantics.sees_changes)
                )
                if found is None:
                    found = _pair(rules[i], rules[j], name, first_match, semantics.sees_changes)
                out += [found] if found else []
    return out


_NONE = Finding("conflict", (), "")  # "checked: nothing to report"


def _fields(shape: Shape) -> set[str]:
    return {"tags" if n.startswith("tag:") else n for n in shape.allowed}


def _quick_pair(a: Rule, b: Rule, name: str, shapes: Shapes, sees_changes: bool) -> Finding | None:
    """The pair checked by shapes (see :mod:`.shapes`): a conflict or nothing; None when a
    rule has no shape or the two may loop (each tests what the other writes)."""
    sa, sb = shapes.of.get(a.name), shapes.of.get(b.name)
    if sa is None or sb is None:
        return None
    b_after_a, a_after_b = shapes.after(a, sb), shapes.after(b, sa)
    mutual = a.writes() & _fields(sb) and b.writes() & _fields(sa)
    if mutual and b_after_a and a_after_b:
        return None  # they may undo each other: the example states decide
    if not sa.meets(sb) or (sees_changes and not b_after_a):
        return _NONE
    why = (
        f"both hold on this ticket and set {name} differently: {_sets(a)[name]!r} "
        f"({a.name!r}) and {_sets(b)[name]!r} ({b.name!r}); the later one wins"
    )
    return Finding("conflict", (a.name, b.name), why, shapes.example(sa, sb))


def _pair(a: Rule, b: Rule, name: str, first_match: bool, sees_changes: bool) -> Finding | None:
    frame = _frame([a, b])
    both = _holds(a.condition, frame) & _holds(b.condition, frame)
    after_a = _after(a, frame)
    holds_a, holds_b = _holds(a.condition, frame), _holds(b.condition, frame)
    enabled_b = ~holds_b & _holds(b.condition, after_a)  # a's action lets b hold
    undone_a = ~_holds(a.condition, after_a) & _holds(a.condition, _after(b, after_a))
    loop = holds_a & enabled_b & undone_a  # and b's action lets a hold again
    fields = fields_of(a.condition) | fields_of(b.condition)
    if loop.any():
        row = frame[loop].iloc[0].to_dict()
        why = (
            f"{a.name!r} sets {name} to {_sets(a)[name]!r}, after which {b.name!r} holds and "
            f"sets it to {_sets(b)[name]!r}, after which {a.name!r} holds again"
        )
        return Finding("loop", (a.name, b.name), why, example(row, fields | {name}))
    if sees_changes:
        both &= _holds(b.condition, after_a)  # b still holds once a ran
    if both.any() and not first_match:
        row = frame[both].iloc[0].to_dict()
        why = (
            f"both hold on this ticket and set {name} differently: {_sets(a)[name]!r} "
            f"({a.name!r}) and {_sets(b)[name]!r} ({b.name!r}); the later one wins"
        )
        return Finding("conflict", (a.name, b.name), why, example(row, fields))
    return None


def _refires(rule: Rule) -> Finding | None:
    scoped = {"update", "changed"} & fields_of(rule.condition) or "update" not in rule.on
    if not rule.timed and scoped:
        return None
    if (
        not rule.writes()
        and not rule.timed
        and not any(a.kind in ("note", "notify") for a in rule.actions)
    ):
        return None
    frame = _frame([rule])
    holds = _holds(rule.condition, frame)
    again = holds & _holds(rule.condition, _after(rule, frame))
    if not again.any():
        return None
    row = frame[again].iloc[0].to_dict()
    fields = fields_of(rule.condition)
    if rule.timed:
        why = (
            f"no action of {rule.name!r} makes its condition false: it fires again on every "
            f"check (every {rule.every:g} minutes)"
        )
        return Finding("loop", (rule.name,), why, example(row, fields))
    why = (
        f"{rule.name!r} runs on every update and its condition still holds after its actions; "
        "limit it to creation (on: [create]) or test what changed"
    )
    return Finding("missing_scope", (rule.name,), why, example(row, fields))


def _can_falsify(writer: Rule, reader: Rule, tested: set[str]) -> bool:
    """Whether ``writer``'s actions may make ``reader``'s condition false."""
    for action in writer.actions:
        target = action.target
        if target is None or target not in tested:
            continue
        if action.kind == "add_tags" and not _tag_ops(reader.condition) & {"none_of", "not"}:
            continue  # adding a tag cannot undo "has any of" / "has all of"
        return True
    return False


def _tag_ops(cond: Condition) -> set[str]:
    """The tag comparisons ``cond`` makes (``not`` when one is negated)."""
    match cond:
        case All(items) | AnyOf(items):
            return set().union(*(_tag_ops(i) for i in items))
        case Not(item):
            return {"not"} | _tag_ops(item) if _tag_ops(item) else set()
        case Tags(op, _, "tags"):
            return {op}
    return set()


def _covering(
    rule: Rule, mine: Shape | None, earlier: list[Rule], shapes: Shapes, first_match: bool
) -> Rule | None:
    """An earlier rule that holds wherever ``rule`` does and then pre-empts it (matches first,
    or makes it false), found by shapes; None when there is none that shapes can show."""
    if mine is None:
        return None
    for r in earlier:
        theirs = shapes.of.get(r.name)
        if (
            theirs is not None
            and theirs.covers(mine)
            and (first_match or not shapes.after(r, mine))
        ):
            return r
    return None


def _fires_plainly(mine: Shape, relevant: list[Rule], shapes: Shapes) -> bool:
    """Whether on the plainest state the rule allows no rule that could pre-empt it holds:
    then it fires there, and is not shadowed."""
    state = shapes.plain(mine)
    for r in relevant:
        theirs = shapes.of.get(r.name)
        if theirs is None or shapes.holds_on(theirs, state):
            return False
    return True


def _may_pre_empt(
    r: Rule, rule: Rule, tested: set[str], mine: Shape | None, shapes: Shapes, first_match: bool
) -> bool:
    """Whether ``r`` may keep ``rule`` from firing: it can hold with it, and either makes it
    false or (first match) matches first."""
    theirs = shapes.of.get(r.name)
    if mine is not None and theirs is not None and not mine.meets(theirs):
        return False  # a rule never holding with this one cannot pre-empt it
    return _can_falsify(r, rule, tested) or (first_match and not _disjoint(_pins(r), _pins(rule)))


def _shadowed(
    ruleset: RuleSet, rules: list[Rule], shapes: Shapes, context: Context | None
) -> list[Finding]:
    semantics = semantics_of(ruleset.semantics)
    out = []
    for k, rule in enumerate(rules):
        tested = fields_of(rule.condition)
        earlier = rules[:k] if semantics.max_passes == 1 else [r for r in rules if r is not rule]
        mine = shapes.of.get(rule.name)
        if mine is not None and not mine.satisfiable():
            out.append(
                Finding(
                    "shadowed", (rule.name,), f"the condition of {rule.name!r} can never hold", {}
                )
            )
            continue

        relevant = [
            r
            for r in earlier
            if _may_pre_empt(r, rule, tested, mine, shapes, semantics.first_match)
        ]
        if mine is not None and not relevant:
            continue
        if mine is not None and _fires_plainly(mine, relevant, shapes):
            continue
        blocker = _covering(
            rule, mine, [r for r in relevant if r in rules[:k]], shapes, semantics.first_match
        )
        if mine is not None and blocker is not None:
            verb = "matches first" if semantics.first_match else "always changes what it tests"
            why = (
                f"{rule.name!r} never fires: wherever its condition holds, the earlier rule "
                f"{blocker.name!r} holds too and {verb}"
            )
            example_state = shapes.example(mine)
            out.append(Finding("shadowed", (rule.name, blocker.name), why, example_state))
            continue
        trigger = "tick" if rule.timed else ("create" if "create" in rule.on else "update")
        frame = _frame(
            [rule, *relevant],
            {
                "update": trigger,
                "event.kind": "message",
                "event.actor": "customer" if "customer_message" in rule.on else "agent",
            },
        )
        holds = _holds(rule.condition, frame) & (frame["update"].to_numpy() == trigger)
        if not holds.any():
            why = f"the condition of {rule.name!r} can never hold"
            out.append(Finding("shadowed", (rule.name,), why, {}))
            continue
        if not relevant:
            continue
        subset = RuleSet(
            semantics=ruleset.semantics,
            rules=[r for r in ruleset.rules if r in relevant or r is rule],
        )
        outcome = run(subset, frame[holds].reset_index(drop=True), context)
        if (outcome.actions["rule"] == rule.name).any():
            continue
        blockers = tuple(dict.fromkeys(outcome.actions["rule"]))
        row = frame[holds].iloc[0].to_dict()
        verb = "match first" if semantics.first_match else "always change what it tests"
        why = (
            f"{rule.name!r} never fires: wherever its condition holds, earlier rules "
            f"{', '.join(repr(b) for b in blockers)} {verb}"
        )
        out.append(Finding("shadowed", (rule.name, *blockers), why, example(row, tested)))
    return out


def _unsupported(rule: Rule) -> Finding | None:
    parts = [f"condition {u.part}[{u.index}] {u.original}" for u in rule.unsupported]
    parts += [f"action {a.value}" for a in rule.actions if a.kind == "unsupported"]
    if not parts:
        return None
    effect = (
        " (its unsupported 'all' conditions stop it from firing)"
        if not rule.runnable and rule.active
        else ""
    )
    return Finding(
        "unsupported", (rule.name,), f"kept as written, not run: {'; '.join(parts)}{effect}"
    )


def _names(rule: Rule) -> Iterable[tuple[str, str]]:
    """(kind of name, name) of every reference in ``rule``."""
    stack: list[Condition] = [rule.condition]
    while stack:
        item = stack.pop()
        if isinstance(item, All | type(None)):
            stack += list(item.items) if item else []
        elif hasattr(item, "items"):
            stack += list(item.items)  # type: ignore[union-attr]
        elif hasattr(item, "item"):
            stack.append(item.item)  # type: ignore[union-attr]
        elif isinstance(item, Tags):
            kind = {"tags": "tags", "business_hours": "calendars", "sla.breached": "targets"}.get(
                item.field
            )
            yield from ((kind, t) for t in item.tags if kind)
        elif isinstance(item, Compare):
            yield from _field_names(item.field, item.values)
    for action in rule.actions:
        if action.kind == "set" and action.field:
            yield from _field_names(action.field, (action.value,))
        elif action.kind == "add_tags":
            pass  # adding a new tag is how a tag comes to be


def _field_names(name: str, values: Iterable[Any]) -> Iterable[tuple[str, str]]:
    if name in ("group", "previous.group"):
        yield from (("groups", str(v)) for v in values)
    elif name in ("assignee_id", "previous.assignee_id"):
        yield from (("agents", str(v)) for v in values)
    if name.startswith("custom."):
        yield "custom", name.removeprefix("custom.")
    elif name.startswith("experiment."):
        yield "experiments", name.removeprefix("experiment.")
    elif name.startswith("sla.") and name.endswith(".due_in"):
        yield "targets", name.removeprefix("sla.").removesuffix(".due_in")


def _references(ruleset: RuleSet, refs: References) -> list[Finding]:
    added = {t for r in ruleset.rules for a in r.actions if a.kind == "add_tags" for t in a.value}
    out = []
    for rule in ruleset.rules:
        missing: dict[str, list[str]] = {}
        for kind, name in _names(rule):
            known = getattr(refs, kind)
            if known is None or name in known or (kind == "tags" and name in added):
                continue
            if name not in missing.setdefault(kind, []):
                missing[kind].append(name)
        for kind, names in missing.items():
            why = f"{rule.name!r} names {kind} the workspace does not know: {', '.join(names)}"
            out.append(Finding("unknown_reference", (rule.name,), why, {kind: names}))
    return out
