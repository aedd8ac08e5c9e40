"""The rule engine: one pure function of (rule set, semantics, ticket states, event) → actions.

:func:`run` takes a frame of ticket states, one row per (ticket, event), each holding the ticket
as the event left it and the event's own fields (:mod:`supportops.rules.fields`), and runs the
rule set on every row at once under its :class:`~supportops.rules.semantics.Semantics`: each
rule's condition is one vectorised mask over the rows, each action one column assignment. The
answer is the rows as the rules left them and the actions in the order they were taken.
:func:`evaluate` is the same function for one ticket and one event.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

from supportops.conditions.mask import mask
from supportops.conditions.model import fields_of
from supportops.rules.model import Action, Rule, RuleSet
from supportops.rules.semantics import Semantics, semantics_of

__all__ = ["ACTION_COLUMNS", "Context", "Outcome", "evaluate", "run", "trigger_mask"]

Mask = npt.NDArray[np.bool_]
CUSTOM = "custom."
ACTION_COLUMNS = ["row", "rule", "step", "kind", "field", "before", "after"]


@dataclass(frozen=True)
class Context:
    """What actions need beyond the ticket: each group's tier (``groups:`` in the config) and
    the agents of each skill, in the order ``assign_by_skill`` deals tickets to them."""

    tiers: Mapping[str, int] = field(default_factory=dict)
    skills: Mapping[str, Sequence[str]] = field(default_factory=dict)

    def escalation(self) -> dict[str, str]:
        """Each group's next group one tier up (the first by name among them)."""
        by_tier: dict[int, list[str]] = {}
        for name, tier in sorted(self.tiers.items()):
            by_tier.setdefault(tier, []).append(name)
        return {
            name: by_tier[tier + 1][0] for name, tier in self.tiers.items() if by_tier.get(tier + 1)
        }

    def tier_of_unknown(self) -> str | None:
        """Where a group the config does not name (tier 1) escalates to."""
        return (
            sorted(n for n, t in self.tiers.items() if t == 2)[0]
            if 2 in self.tiers.values()
            else None
        )


@dataclass(frozen=True)
class Outcome:
    """The rows as the rules left them, and the actions taken (:data:`ACTION_COLUMNS`: the
    row's position, the rule, the step, the action's kind and field, the value before and
    after), in the order they were taken."""

    state: pd.DataFrame
    actions: pd.DataFrame

    def fires(self) -> pd.DataFrame:
        """Per rule: how many times it fired and on how many distinct rows."""
        once = self.actions.drop_duplicates(["row", "rule", "step"])
        return once.groupby("rule", sort=False).agg(fires=("row", "size"))


def trigger_mask(rule: Rule, frame: pd.DataFrame) -> Mask:
    """Rows of ``frame`` whose event the rule listens to (``update`` = create, update or
    tick; a message's actor from ``event.actor``)."""
    return _Triggers(frame).of(rule)


class _Triggers:
    """The event columns read once, each rule's trigger mask computed from them."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.update = _text(frame, "update")
        self.frame = frame
        kind, actor = _text(frame, "event.kind"), _text(frame, "event.actor")
        message = kind == "message"
        self.wanted = {
            "create": self.update == "create",
            "update": self.update == "update",
            "customer_message": message & (actor == "customer"),
            "agent_message": message & (actor == "agent"),
        }
        self.cache: dict[tuple[str, ...], Mask] = {}

    def of(self, rule: Rule) -> Mask:
        if rule.timed:
            return self._ticks(rule)
        key = tuple(sorted(rule.on))
        if key not in self.cache:
            out = np.zeros(len(self.update), dtype=bool)
            for name in key:
                out |= self.wanted[name]
            self.cache[key] = out
        return self.cache[key]

    def _ticks(self, rule: Rule) -> Mask:
        """The tick rows at a multiple of the rule's period, of tickets not closed (a helpdesk
        runs no automation on a closed ticket)."""
        ticks = self.update == "tick"
        if not ticks.any():
            return np.asarray(ticks, dtype=bool)
        if "status" in self.frame:
            ticks &= _text(self.frame, "status") != "closed"
        if "at" in self.frame and rule.every is not None:
            at = pd.DatetimeIndex(pd.to_datetime(self.frame["at"], utc=True)).tz_convert(None)
            minutes = np.asarray(at.as_unit("ns").asi8) // (60 * 10**9)
            ticks &= minutes % max(1, round(rule.every)) == 0
        return np.asarray(ticks, dtype=bool)


def _text(frame: pd.DataFrame, name: str) -> npt.NDArray[Any]:
    if name not in frame:
        return np.full(len(frame), None, dtype=object)
    return np.asarray(frame[name].astype(object), dtype=object)


def _arrow_column(values: pd.Series) -> pd.Series:
    """A column as Arrow-backed, so that every mask over it reads it without converting."""
    if isinstance(values.dtype, pd.ArrowDtype):
        return values
    try:
        array = pa.array(values.to_numpy(dtype=object), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return values
    return pd.Series(pd.arrays.ArrowExtensionArray(array), index=values.index, name=values.name)


class _View:
    """What the conditions read: the fields the rules test, Arrow-backed, kept in step with
    the writes of the actions."""

    def __init__(self, state: pd.DataFrame, reads: set[str]) -> None:
        self.custom = any(n.startswith(CUSTOM) for n in reads)
        self.names = {n for n in reads if n in state} | (
            {"custom"} if self.custom and "custom" in state else set()
        )
        self.frame = pd.DataFrame(
            {n: _arrow_column(state[n]) for n in sorted(self.names)}, index=state.index
        )

    def wrote(self, state: pd.DataFrame, name: str) -> None:
        if name.startswith(CUSTOM):  # custom fields live in the JSON, read from there
            name = "custom"
        if name in self.names or name == "changed" or (name == "custom" and self.custom):
            self.names.add(name)
            self.frame[name] = _arrow_column(state[name])


def run(
    ruleset: RuleSet, frame: pd.DataFrame, context: Context | None = None, copy: bool = True
) -> Outcome:
    """Run ``ruleset`` on every row of ``frame`` (see the module); ``copy=False`` lets the run
    write into ``frame`` itself (a frame made for it, with a range index)."""
    semantics = semantics_of(ruleset.semantics)
    rules = ruleset.runnable()
    state = frame.reset_index(drop=True).copy() if copy else frame
    if "changed" not in state:
        state["changed"] = ""
    reads = set().union(*(fields_of(r.condition) for r in rules)) if rules else set()
    view = _View(state, reads)
    base = view.frame.copy() if not semantics.sees_changes else None
    triggers = _Triggers(state)
    masks = [triggers.of(r) for r in rules]
    fired = np.zeros((len(rules), len(state)), dtype=bool)
    matched = np.zeros(len(state), dtype=bool)
    taken: list[pd.DataFrame] = []
    todo = np.ones(len(state), dtype=bool)
    step = 0
    for _ in range(semantics.max_passes):
        touched = np.zeros(len(state), dtype=bool)
        if base is not None:  # every rule tested on the rows as the event left them
            hits = [
                _hit(r, base, masks[i], fired[i], matched, semantics, todo)
                for i, r in enumerate(rules)
            ]
        for i, rule in enumerate(rules):
            if base is not None:
                hit = hits[i]
            else:
                hit = _hit(rule, view.frame, masks[i], fired[i], matched, semantics, todo)
            if not hit.any():
                continue
            fired[i] |= hit
            matched |= hit
            touched |= hit
            taken += _apply(rule, state, view, hit, step, context or Context())
            step += 1
        if not touched.any():
            break
        todo = touched
    actions = pd.concat(taken, ignore_index=True) if taken else pd.DataFrame(columns=ACTION_COLUMNS)
    order = np.lexsort((actions["step"].to_numpy(), actions["row"].to_numpy()))
    actions = actions.iloc[order].reset_index(drop=True)
    return Outcome(state, actions)


def _hit(
    rule: Rule,
    view: pd.DataFrame,
    trigger: Mask,
    fired: Mask,
    matched: Mask,
    semantics: Semantics,
    todo: Mask,
) -> Mask:
    eligible = trigger & ~fired & todo
    if semantics.first_match:
        eligible &= ~matched
    if not eligible.any():
        return eligible
    if eligible.all():
        return mask(rule.condition, view)
    out = np.zeros(len(view), dtype=bool)
    out[eligible] = mask(rule.condition, view[_read_by(rule, view)][eligible])
    return out


def _read_by(rule: Rule, view: pd.DataFrame) -> list[str]:
    """The columns of ``view`` the rule's condition reads (the rest need not be cut)."""
    names = fields_of(rule.condition)
    if any(n.startswith("custom.") for n in names):
        names = names | {"custom"}
    return [c for c in view.columns if c in names]


def _apply(
    rule: Rule, state: pd.DataFrame, view: _View, hit: Mask, step: int, context: Context
) -> list[pd.DataFrame]:
    rows = np.flatnonzero(hit)
    out = []
    for action in rule.actions:
        before, after = _write(action, state, rows, context)
        if action.target is not None:
            view.wrote(state, action.target)
            view.wrote(state, "changed")
        out.append(
            pd.DataFrame(
                {
                    "row": rows,
                    "rule": rule.name,
                    "step": step,
                    "kind": action.kind,
                    "field": action.target,
                    "before": before,
                    "after": after,
                }
            )
        )
    return out


def _column(state: pd.DataFrame, name: str, rows: npt.NDArray[np.intp]) -> pd.Series:
    if name not in state:
        state[name] = pd.Series(None, index=state.index, dtype=object)
    return state[name].iloc[rows].astype(object)


def _write(
    action: Action, state: pd.DataFrame, rows: npt.NDArray[np.intp], context: Context
) -> tuple[Any, Any]:
    target = action.target
    if target is None:  # note, notify, unsupported: recorded, the ticket unchanged
        text = action.value if isinstance(action.value, str) else repr(action.value)
        return None, text
    if target.startswith(CUSTOM):
        return _write_custom(target.removeprefix(CUSTOM), action.value, state, rows)
    before = _column(state, target, rows)
    if action.kind == "set":
        after = pd.Series([action.value] * len(rows), index=before.index, dtype=object)
    elif action.kind == "escalate":
        up = context.escalation()
        unknown = context.tier_of_unknown()
        after = before.map(lambda g: up.get(g, unknown if g not in context.tiers else g))
        after = after.where(after.notna(), before)
    elif action.kind == "assign_by_skill":
        agents = list(context.skills.get(str(action.value), ()))
        if not agents:
            return before.to_numpy(), before.to_numpy()
        ids = state["ticket_id"].iloc[rows] if "ticket_id" in state else pd.Series(rows)
        slot = pd.util.hash_pandas_object(ids.astype(str), index=False).to_numpy() % len(agents)
        after = pd.Series(np.asarray(agents, dtype=object)[slot], index=before.index)
    else:
        after = _tags(before, action.value, add=action.kind == "add_tags")
    changed = ~_same(before, after)
    values = state[target].astype(object).to_numpy(copy=True)
    values[rows] = after.to_numpy()
    state[target] = values
    if changed.any():
        _mark_changed(state, rows[changed.to_numpy()], target)
    return before.to_numpy(), after.to_numpy()


def _write_custom(
    key: str, value: Any, state: pd.DataFrame, rows: npt.NDArray[np.intp]
) -> tuple[Any, Any]:
    """``set custom.<key>`` written into the rows' ``custom`` JSON (as text), where every
    condition reads custom fields: later rules of the same event see it."""
    if "custom" not in state:
        state["custom"] = pd.Series(None, index=state.index, dtype=object)
    values = state["custom"].astype(object).to_numpy(copy=True)
    if any(v is not None and not isinstance(v, str | float) for v in values[rows]):
        values = np.array([_json_text(v) for v in values], dtype=object)  # one kind per column
    fields = [_json_fields(v) for v in values[rows]]
    before = np.array([f.get(key) for f in fields], dtype=object)
    after = np.full(len(rows), value, dtype=object)
    values[rows] = [json.dumps({**f, key: value}) for f in fields]
    state["custom"] = values
    changed = ~_same(pd.Series(before), pd.Series(after)).to_numpy()
    if changed.any():
        _mark_changed(state, rows[changed], CUSTOM + key)
    return before, after


def _json_fields(value: Any) -> dict[str, Any]:
    if isinstance(value, str) and value:
        loaded = json.loads(value)
        return dict(loaded) if isinstance(loaded, dict) else {}
    return dict(value) if isinstance(value, Mapping) else {}


def _json_text(value: Any) -> Any:
    return json.dumps(value) if isinstance(value, Mapping) else value


def _same(before: pd.Series, after: pd.Series) -> pd.Series:
    both_empty = before.isna() & after.isna()
    return both_empty | (before.astype(str) == after.astype(str))


def _tags(before: pd.Series, tags: list[str], add: bool) -> pd.Series:
    """Tag lists (``;``-separated text or lists) with ``tags`` added or removed, sorted text."""

    def one(value: Any) -> str:
        have = set(_tag_list(value))
        have = have | set(tags) if add else have - set(tags)
        return ";".join(sorted(have))

    return before.map(one)  # one small set per row: tags are a handful per ticket


def _tag_list(value: Any) -> list[str]:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    if isinstance(value, str):
        return [t for t in value.split(";") if t]
    return [str(t) for t in value]


def _mark_changed(state: pd.DataFrame, rows: npt.NDArray[np.intp], name: str) -> None:
    values = state["changed"].astype(object).to_numpy(copy=True)
    values[rows] = [";".join(sorted(set(_tag_list(v)) | {name})) for v in values[rows]]
    state["changed"] = values


def evaluate(
    ruleset: RuleSet,
    state: Mapping[str, Any],
    event: Mapping[str, Any],
    context: Context | None = None,
) -> list[dict[str, Any]]:
    """The actions ``ruleset`` takes on one ticket (``state``, as the event left it) for one
    event (``update``, ``event.kind``, ``event.actor``, ``changed``, ``message``, ...), in
    order: each a mapping of rule, kind, field, before and after."""
    frame = pd.DataFrame([{**state, **event}])
    outcome = run(ruleset, frame, context)
    return [
        {str(k): _plain(v) for k, v in row.items() if k != "row"}
        for row in outcome.actions.to_dict("records")
    ]


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value
