"""Zendesk triggers and automations ⇄ rules, as data.

:func:`import_zendesk` reads the API's lists (``{"triggers": [...]}``, ``{"automations":
[...]}``, or one record) into a :class:`~supportops.rules.model.RuleSet` with the ``zendesk``
semantics; :func:`export_zendesk` writes a rule back as the API's JSON. Each Zendesk field and
operator we can express is a row of :data:`FIELDS`, :data:`OPERATORS` and :data:`ACTIONS`; a
condition or action without one is kept as ``unsupported`` with its JSON, in its place.
Automations run hourly (``every: 60``); their ``hours_since.*`` conditions are the
``NEW``/``OPEN``/``PENDING``/``SOLVED``/... hour fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from supportops.conditions.model import All, AnyOf, Compare, Condition, Not, Tags
from supportops.errors import RuleError
from supportops.rules.model import Action, Rule, RuleSet, Unsupported

__all__ = ["ACTIONS", "FIELDS", "HOURS", "export_zendesk", "import_zendesk"]

# Zendesk condition field → our field
FIELDS = {
    "status": "status",
    "priority": "priority",
    "type": "type",
    "ticket_type_id": "type",
    "group_id": "group",
    "assignee_id": "assignee_id",
    "requester_id": "requester_id",
    "organization_id": "organization_id",
    "update_type": "update",
    "role": "event.actor",
    "comment_is_public": "event.public",
    "subject_includes_word": "subject",
    "comment_includes_word": "message",
}
# Zendesk's words for values, per our field (ours ← theirs)
VALUES: dict[str, dict[str, str]] = {
    "status": {"hold": "on_hold"},
    "update": {"Create": "create", "Change": "update"},
    "event.actor": {"end_user": "customer", "agent": "agent"},
}
HOURS = {
    "NEW": "new",
    "OPEN": "open",
    "PENDING": "pending",
    "HOLD": "on_hold",
    "SOLVED": "solved",
    "CLOSED": "closed",
    "assigned_at": "assigned",
    "updated_at": "updated",
    "requester_updated_at": "requester_updated",
    "assignee_updated_at": "assignee_updated",
}
_HOUR_OPS = {"is": "eq", "less_than": "lt", "greater_than": "gt"}
_TEXT_FIELDS = ("subject", "message")
# action field → our settable field
ACTIONS = {
    "status": "status",
    "priority": "priority",
    "type": "type",
    "group_id": "group",
    "assignee_id": "assignee_id",
}
CUSTOM = "custom_fields_"
_NOTIFY = {"notification_user": "email", "notification_group": "email_group"}
_NOTIFY |= {"notification_target": "target", "notification_webhook": "webhook"}


def _ours(name: str, value: Any) -> str:
    return VALUES.get(name, {}).get(str(value), str(value))


def _theirs(name: str, value: Any) -> str:
    back = {v: k for k, v in VALUES.get(name, {}).items()}
    return back.get(str(value), str(value))


def _condition(item: Mapping[str, Any]) -> Condition | None:
    """One Zendesk condition as ours; None when we cannot express it."""
    field, op, value = str(item.get("field")), str(item.get("operator")), item.get("value")
    if field in HOURS and op in _HOUR_OPS:
        try:
            hours = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None
        return Compare(f"hours_since.{HOURS[field]}", _HOUR_OPS[op], (hours,), "number")
    if field == "current_tags" and op in ("includes", "not_includes"):
        tags = tuple(str(value or "").split())
        return Tags("any_of" if op == "includes" else "none_of", tags)
    name = FIELDS.get(field) or (f"custom.{field}" if field.startswith(CUSTOM) else None)
    if name is None:
        return None
    if name in _TEXT_FIELDS and op in ("includes", "is", "not_includes", "is_not"):
        found = Compare(name, "contains", (str(value),), "text")
        return found if op in ("includes", "is") else Not(found)
    is_value = Compare(name, "eq", (_ours(name, value),), "text")
    changed = Tags("any_of", (name,), "changed")
    was = Compare(f"previous.{name}", "eq", (_ours(name, value),), "text")
    by_op: dict[str, Condition] = {
        "is": is_value,
        "is_not": Not(is_value),
        "value": All((changed, is_value)),
        "value_previous": All((changed, was)),
        "changed": changed,
        "not_changed": Not(changed),
    }
    return by_op.get(op)


def _action(item: Mapping[str, Any]) -> Action:
    field, value = str(item.get("field")), item.get("value")
    if field in ACTIONS or field.startswith(CUSTOM):
        name = ACTIONS.get(field, f"custom.{field}")
        return Action(kind="set", field=name, value=_ours(name, value))
    if field in ("current_tags", "remove_tags") and isinstance(value, str):
        tags = value.split()
        if field == "current_tags":
            return Action(kind="add_tags", value=tags)
        return Action(kind="remove_tags", value=tags)
    if field == "comment_value" and isinstance(value, str):
        return Action(kind="note", value=value)
    if field in _NOTIFY and isinstance(value, list) and len(value) in (2, 3):
        to, *rest = value
        text = {"subject": rest[0], "text": rest[1]} if len(rest) == 2 else {"text": rest[0]}
        return Action(kind="notify", value={"channel": _NOTIFY[field], "to": str(to), **text})
    return Action(kind="unsupported", value=dict(item))


def _rule(record: Mapping[str, Any], timed: bool) -> Rule:
    conditions = record.get("conditions") or {}
    parts: dict[str, list[Condition]] = {"all": [], "any": []}
    unsupported: list[Unsupported] = []
    for part in ("all", "any"):
        for i, item in enumerate(conditions.get(part) or []):
            found = _condition(item)
            if found is None:
                unsupported.append(Unsupported(part=part, index=i, original=dict(item)))
            else:
                parts[part].append(found)
    any_written = bool(conditions.get("any"))
    when = All((*parts["all"], *([AnyOf(tuple(parts["any"]))] if any_written else [])))
    skip = {"title", "active", "conditions", "actions"}
    origin = {k: v for k, v in record.items() if k not in skip}
    origin["_any"] = any_written
    return Rule(
        name=str(record.get("title") or record.get("id")),
        every=60 if timed else None,
        when=when,
        actions=[_action(a) for a in record.get("actions") or []],
        active=bool(record.get("active", True)),
        unsupported=unsupported,
        origin={"kind": "automation" if timed else "trigger", **origin},
    )


def import_zendesk(data: Any) -> RuleSet:
    """A rule set from Zendesk's JSON: ``{"triggers": [...]}`` and/or ``{"automations":
    [...]}`` (in ``position`` order), a list of triggers, or one record."""
    if isinstance(data, list):
        data = {"triggers": data}
    if not isinstance(data, dict):
        raise RuleError('zendesk: expected {"triggers": [...]} or {"automations": [...]}')
    if "conditions" in data:
        data = {"automations" if _is_automation(data) else "triggers": [data]}
    rules: list[Rule] = []
    for key, timed in (("triggers", False), ("automations", True)):
        records = sorted(data.get(key) or [], key=lambda r: r.get("position") or 0)
        rules += [_rule(r, timed) for r in records]
    if not rules:
        raise RuleError("zendesk: no triggers or automations in the file", key="triggers")
    return RuleSet(semantics="zendesk", rules=_unique(rules))


def _is_automation(record: Mapping[str, Any]) -> bool:
    return "/automations/" in str(record.get("url", ""))


def _unique(rules: list[Rule]) -> list[Rule]:
    seen: dict[str, int] = {}
    out = []
    for rule in rules:
        n = seen.get(rule.name, 0)
        seen[rule.name] = n + 1
        out.append(rule if n == 0 else rule.model_copy(update={"name": f"{rule.name} ({n + 1})"}))
    return out


# ---- export -------------------------------------------------------------------------------


def _field_back(name: str) -> str:
    if name.startswith("custom."):
        return name.removeprefix("custom.")
    for theirs, ours in FIELDS.items():
        if ours == name:
            return theirs
    raise RuleError(f"zendesk has no condition on {name!r}", key=name)


def _condition_back(cond: Condition) -> dict[str, Any]:
    match cond:
        case Compare(name, op, (value,), _) if name.startswith("hours_since."):
            field = {v: k for k, v in HOURS.items()}[name.removeprefix("hours_since.")]
            back = {v: k for k, v in _HOUR_OPS.items()}[op]
            return {"field": field, "operator": back, "value": f"{value:g}"}
        case Tags(op, tags, "tags"):
            return {
                "field": "current_tags",
                "operator": "includes" if op == "any_of" else "not_includes",
                "value": " ".join(tags),
            }
        case Tags("any_of", (name,), "changed"):
            return {"field": _field_back(name), "operator": "changed", "value": None}
        case Not(Tags("any_of", (name,), "changed")):
            return {"field": _field_back(name), "operator": "not_changed", "value": None}
        case Compare(name, "contains", (value,), _):
            return {"field": _field_back(name), "operator": "includes", "value": value}
        case Not(Compare(name, "contains", (value,), _)):
            return {"field": _field_back(name), "operator": "not_includes", "value": value}
        case All((Tags("any_of", (_,), "changed"), Compare(name, "eq", (value,), _))):
            prev = name.startswith("previous.")
            name = name.removeprefix("previous.")
            op = "value_previous" if prev else "value"
            return {"field": _field_back(name), "operator": op, "value": _theirs(name, value)}
        case Compare(name, "eq", (value,), _):
            return {"field": _field_back(name), "operator": "is", "value": _theirs(name, value)}
        case Not(Compare(name, "eq", (value,), _)):
            return {"field": _field_back(name), "operator": "is_not", "value": _theirs(name, value)}
    raise RuleError(f"zendesk has no condition like {cond!r}")


def _action_back(action: Action) -> dict[str, Any]:
    if action.kind == "set" and action.field is not None:
        name = action.field
        field = (
            name.removeprefix("custom.")
            if name.startswith("custom.")
            else {v: k for k, v in ACTIONS.items()}[name]
        )
        return {"field": field, "value": _theirs(name, action.value)}
    if action.kind in ("add_tags", "remove_tags"):
        field = "current_tags" if action.kind == "add_tags" else "remove_tags"
        return {"field": field, "value": " ".join(action.value)}
    if action.kind == "note":
        return {"field": "comment_value", "value": action.value}
    if action.kind == "notify":
        v = action.value
        field = {c: f for f, c in _NOTIFY.items()}[v["channel"]]
        rest = [v["subject"], v["text"]] if "subject" in v else [v["text"]]
        return {"field": field, "value": [v["to"], *rest]}
    if action.kind == "unsupported":
        return dict(action.value)
    raise RuleError(f"zendesk has no action {action.kind!r}", key=action.kind)


def export_zendesk(rule: Rule) -> dict[str, Any]:
    """``rule`` as Zendesk's JSON (a trigger, or an automation when time-based)."""
    items = list(rule.when.items) if isinstance(rule.when, All) else [rule.when]
    origin = dict(rule.origin)
    has_any = bool(origin.pop("_any", False))
    origin.pop("kind", None)
    any_items: list[Condition] = []
    last = items[-1] if items else None
    if has_any and isinstance(last, AnyOf):
        any_items = list(last.items)
        items.pop()
    parts = {
        "all": [_condition_back(c) for c in items],
        "any": [_condition_back(c) for c in any_items],
    }
    for u in sorted(rule.unsupported, key=lambda u: u.index):
        parts[u.part].insert(u.index, dict(u.original))
    return {
        **origin,
        "title": rule.name,
        "active": rule.active,
        "conditions": parts,
        "actions": [_action_back(a) for a in rule.actions],
    }
