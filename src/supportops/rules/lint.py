"""Lint: what is wrong with a rule set before it runs, each finding with an example ticket.

Kinds (:data:`KINDS`) and their severity:

- ``loop`` (error): two rules undo each other (each one's action makes the other's condition
  hold again), or a time-based rule has no action that makes its condition false, so it fires
  on every check;
- ``conflict`` (error): two rules can hold on the same ticket and set one field to different
  values (not under first-match semantics, where only one fires);
- ``unknown_reference`` (error): a group, agent, tag, custom field, calendar, experiment or SLA
  target the workspace does not know, a triage target no saved model predicts, or a state
  ``hours_since`` does not count: a context field it could not fill, never a silent empty;
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
from supportops.rules.context import STATES
from supportops.rules.engine import Context, run
from supportops.rules.model import Rule, RuleSet
from supportops.rules.semantics import semantics_of
from supportops.rules.shapes import Shape, Shapes
from supportops.rules.witness import candidates, example, plain_custom, states

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
    triage: frozenset[str] | None = None  # targets of saved models (and ``confidence``)
    states: frozenset[str] | None = frozenset(STATES)


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
    return mask(plain_custom(cond, frame), frame)


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


class _Pins:
    """Every rule's pinned values (:func:`_pins`), its triggers and writes, as tables: which
    pairs :func:`_same_trigger` and :func:`_may_meet` may let through, for one rule against
    all at once."""

    def __init__(self, rules: list[Rule], pins: list[dict[str, set[str]]]) -> None:
        n = len(rules)
        self.rules, self.pins = rules, pins
        self.timed = np.array([r.timed for r in rules], dtype=bool)
        events = sorted({t for r in rules for t in r.on})
        self.on = np.array([[t in r.on for t in events] for r in rules], dtype=bool)
        self.events = {t: k for k, t in enumerate(events)}
        self.pinned: dict[str, np.ndarray] = {}
        self.values: dict[str, dict[str, np.ndarray]] = {}
        for j, p in enumerate(pins):
            for name, values in p.items():
                self.pinned.setdefault(name, np.zeros(n, dtype=bool))[j] = True
                table = self.values.setdefault(name, {})
                for v in values:
                    table.setdefault(v, np.zeros(n, dtype=bool))[j] = True
        self.writes = _by_field([r.writes() for r in rules])

    def same_trigger(self, i: int) -> np.ndarray:
        """Per rule, :func:`_same_trigger` of rule ``i`` and it."""
        rule = self.rules[i]
        if rule.timed:
            return self.timed.copy()
        shared = self.on[:, [self.events[t] for t in rule.on]].any(axis=1)
        return ~self.timed & shared

    def disjoint(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Per rule, whether its pins and rule ``i``'s are disjoint (:func:`_disjoint`): on
        all fields, and on the fields neither of the two writes."""
        n = len(self.rules)
        every, unwritten = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
        mine = self.rules[i].writes()
        for name, values in self.pins[i].items():
            table = self.values[name]
            meet = np.zeros(n, dtype=bool)
            for v in values:
                meet |= table[v]
            apart = self.pinned[name] & ~meet
            every |= apart
            if name not in mine:
                unwritten |= apart & ~self.writes.get(name, np.zeros(n, dtype=bool))
        return every, unwritten


def _by_field(names: list[set[str]]) -> dict[str, np.ndarray]:
    """Per field, which of the rules (``names``: the fields of each) have it."""
    out: dict[str, np.ndarray] = {}
    for j, have in enumerate(names):
        for name in have:
            out.setdefault(name, np.zeros(len(names), dtype=bool))[j] = True
    return out


def _any_of(table: dict[str, np.ndarray], names: set[str], n: int) -> np.ndarray:
    out = np.zeros(n, dtype=bool)
    for name in names & table.keys():
        out |= table[name]
    return out


def _pairs(ruleset: RuleSet, rules: list[Rule], shapes: Shapes) -> list[Finding]:
    """Every pair of rules setting one field to different values that may meet, checked by
    shapes (:func:`_quick_pair`) or example states (:func:`_pair`). Each rule is compared with
    all others at once by the tables of :class:`_Pins` and :class:`~.shapes.Grid`, which
    leave out exactly the pairs those two would find nothing on."""
    semantics = semantics_of(ruleset.semantics)
    first_match = semantics.first_match
    pins = [_pins(r) for r in rules]
    sets = [_sets(r) for r in rules]
    by_field: dict[str, list[int]] = {}
    for i, s in enumerate(sets):
        for name in s:
            by_field.setdefault(name, []).append(i)
    n, table, grid = len(rules), _Pins(rules, pins), shapes.grid
    tested = _by_field([_fields(s) if s is not None else set() for s in shapes.of.values()])
    writes = table.writes
    seen = np.zeros((n, n), dtype=bool)
    out: list[Finding] = []
    for name, members in by_field.items():
        codes = pd.factorize(pd.Series([sets[i][name] for i in members]))[0]
        at = np.asarray(members)
        for x, i in enumerate(members):
            js = at[x + 1 :]
            every, unwritten = table.disjoint(i)
            keep = (codes[x + 1 :] != codes[x]) & ~seen[i, js] & table.same_trigger(i)[js]
            keep &= ~unwritten[js]
            sa = shapes.of.get(rules[i].name)
            if sa is not None:
                after = grid.after(rules[i])
                mutual = _any_of(tested, rules[i].writes(), n) & _any_of(writes, _fields(sa), n)
                quiet = (~mutual | ~after) & (
                    ~grid.meeting(sa) | (~after if semantics.sees_changes else False)
                )
                quiet &= grid.has  # shapes find nothing on them
            for j in js[keep]:
                a, b = rules[i], rules[j]
                if every[j] and not _may_meet(a, b, pins[i], pins[j], name, sets):
                    continue
                seen[i, j] = True
                if sa is not None and grid.has[j] and (first_match or quiet[j]):
                    continue
                found = _quick_pair(a, b, name, shapes, semantics.sees_changes)
                if found is None:
                    found = _pair(a, b, name, first_match, semantics.sees_changes)
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
    k: int,
    mine: Shape,
    candidates: np.ndarray,
    rules: list[Rule],
    shapes: Shapes,
    first_match: bool,
) -> Rule | None:
    """The first of the earlier rules ``candidates`` (positions) that holds wherever rule ``k``
    does and then pre-empts it (matches first, or makes it false), found by shapes; None when
    there is none that shapes can show."""
    earlier = candidates[candidates < k]
    covers = shapes.grid.covering(mine)[earlier] & shapes.grid.has[earlier]
    for j in earlier[covers]:
        if first_match or not shapes.after(rules[int(j)], mine):
            return rules[int(j)]
    return None


def _fires_plainly(mine: Shape, relevant: np.ndarray, shapes: Shapes) -> bool:
    """Whether on the plainest state the rule allows no rule (of the positions ``relevant``)
    that could pre-empt it holds: then it fires there, and is not shadowed."""
    grid = shapes.grid
    if not grid.has[relevant].all():
        return False
    return not grid.holding(shapes.plain(mine))[relevant].any()


class _Writers:
    """Per field, which rules write it: a rule may make another's condition false when it
    writes a field that condition tests (adding a tag only when a tag is tested absent)."""

    def __init__(self, rules: list[Rule]) -> None:
        self.n = len(rules)
        self.sets: dict[str, np.ndarray] = {}  # any write but adding a tag
        self.adds: dict[str, np.ndarray] = {}
        for j, rule in enumerate(rules):
            for action in rule.actions:
                if action.target is not None:
                    table = self.adds if action.kind == "add_tags" else self.sets
                    table.setdefault(action.target, np.zeros(self.n, dtype=bool))[j] = True

    def falsifying(self, reader: Rule, tested: set[str]) -> np.ndarray:
        """Per rule, :func:`_can_falsify` of it and ``reader``."""
        out = np.zeros(self.n, dtype=bool)
        negated = bool(_tag_ops(reader.condition) & {"none_of", "not"})
        for name in tested:
            if name in self.sets:
                out |= self.sets[name]
            if negated and name in self.adds:
                out |= self.adds[name]
        return out


def _pre_empting(
    k: int,
    rules: list[Rule],
    pins: list[dict[str, set[str]]],
    writers: _Writers,
    shapes: Shapes,
    first_match: bool,
) -> np.ndarray:
    """Per rule, whether it may keep rule ``k`` from firing: it can hold with it, and either
    makes it false or (first match) matches first."""
    rule, mine = rules[k], shapes.of.get(rules[k].name)
    may = writers.falsifying(rule, fields_of(rule.condition))
    if first_match:
        may |= np.array([not _disjoint(p, pins[k]) for p in pins], dtype=bool)
    if mine is not None:  # a rule never holding with this one cannot pre-empt it
        may &= shapes.grid.meeting(mine) | ~shapes.grid.has
    return may


def _reading_plain(rule: Rule, frame: pd.DataFrame) -> Rule:
    """``rule`` reading the text copies of custom fields in ``frame`` (see
    :func:`~.witness.plain_custom`): the same rule on its rows."""
    scope, when = plain_custom(rule.scope, frame), plain_custom(rule.when, frame)
    return rule.model_copy(update={"scope": scope, "when": when})


def _may_fire(rule: Rule, at: np.ndarray, rows: pd.DataFrame, shapes: Shapes) -> set[str]:
    """The names of the rules (positions ``at``) that may fire on some of ``rows`` beside
    ``rule``: all but those whose shape holds on none of them, whatever the rules write (such
    a rule never fires, so leaving it out of the run changes no action)."""
    rules = [shapes.rules[j] for j in at]
    written = {
        f"tag:{t}" if a.target == "tags" else str(a.target)
        for r in (rule, *rules)
        for a in r.actions
        if a.target is not None
        for t in (a.value if a.target == "tags" else [None])
    }
    grid = shapes.grid
    may = grid.may_hold(at, rows, written) | ~grid.has[at]
    return {r.name for r, m in zip(rules, may, strict=True) if m}


def _shadowed(
    ruleset: RuleSet, rules: list[Rule], shapes: Shapes, context: Context | None
) -> list[Finding]:
    semantics = semantics_of(ruleset.semantics)
    pins, writers = [_pins(r) for r in rules], _Writers(rules)
    out = []
    for k, rule in enumerate(rules):
        tested = fields_of(rule.condition)
        place = np.arange(len(rules))
        earlier = place < k if semantics.max_passes == 1 else place != k
        mine = shapes.of.get(rule.name)
        if mine is not None and not mine.satisfiable():
            out.append(
                Finding(
                    "shadowed", (rule.name,), f"the condition of {rule.name!r} can never hold", {}
                )
            )
            continue
        may = _pre_empting(k, rules, pins, writers, shapes, semantics.first_match)
        at = np.flatnonzero(may & earlier)
        relevant = [rules[j] for j in at]
        if mine is not None and not relevant:
            continue
        if mine is not None and _fires_plainly(mine, at, shapes):
            continue
        blocker = (
            _covering(k, mine, at, rules, shapes, semantics.first_match)
            if mine is not None
            else None
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
        names = _may_fire(rule, at, frame[holds], shapes)
        rows = frame[holds].reset_index(drop=True)
        subset = RuleSet(
            semantics=ruleset.semantics,
            rules=[_reading_plain(r, rows) for r in ruleset.rules if r.name in names or r is rule],
        )
        outcome = run(subset, rows, context)
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
    elif name.startswith("triage."):
        yield "triage", name.removeprefix("triage.")
    elif name.startswith("hours_since."):
        yield "states", name.removeprefix("hours_since.")


def _references(ruleset: RuleSet, refs: References) -> list[Finding]:
    added = {t for r in ruleset.rules for a in r.actions if a.kind == "add_tags" for t in a.value}
    out = []
    for rule in ruleset.rules:
        missing: dict[str, list[str]] = {}
        named = list(_names(rule))
        if any(k == "triage" and n != "confidence" for k, n in named):
            # the confidence is that of the target the rule names: checked with it
            named = [pair for pair in named if pair != ("triage", "confidence")]
        for kind, name in named:
            known = getattr(refs, kind)
            if known is None or name in known or (kind == "tags" and name in added):
                continue
            if name not in missing.setdefault(kind, []):
                missing[kind].append(name)
        for kind, names in missing.items():
            why = f"{rule.name!r} names {kind} the workspace does not know: {', '.join(names)}"
            if kind == "triage":
                why = (
                    f"{rule.name!r} reads the triage prediction of {', '.join(names)}, but no "
                    "triage model is saved for it (`supportops triage train --target ...`)"
                )
            out.append(Finding("unknown_reference", (rule.name,), why, {kind: names}))
    return out
