"""Freshdesk automation rules ⇄ rules, as data.

Freshdesk lists each kind of rule apart (``GET /api/v2/automations/{type}/rules``): ticket
creation (type 1, the "dispatcher": the first matching rule runs, then no other), time
triggers (3, the hourly "supervisor") and ticket updates (4, the "observer"). A rule has
``conditions``: condition sets, each ``match_type`` ``all`` or ``any`` of its ``properties``
(``resource_type``, ``field_name``, ``operator``, ``value``), joined by the rule's
``operator`` (``condition_set_1 and condition_set_2``); and ``actions`` (``field_name``,
``value``). Numbers stand for priority and status (:data:`VALUES`). What we cannot express is
kept as ``unsupported``: a condition property with its JSON (in set *i*, place *j* as index
``i * 1000 + j``), an action as an ``unsupported`` action.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from supportops.conditions.model import All, AnyOf, Compare, Condition, Not, Tags
from supportops.errors import RuleError
from supportops.rules.model import Action, Rule, RuleSet, Trigger, Unsupported

__all__ = ["FIELDS", "TYPES", "VALUES", "export_freshdesk", "import_freshdesk"]

FIELDS = {
    "priority": "priority",
    "status": "status",
    "ticket_type": "type",
    "group_id": "group",
    "responder_id": "assignee_id",
    "source": "channel",
    "subject": "subject",
    "description": "message",
    "subject_or_description": "message",
    "tag_names": "tags",
    "company_id": "organization_id",
}
VALUES: dict[str, dict[str, str]] = {
    "priority": {"1": "low", "2": "normal", "3": "high", "4": "urgent"},
    "status": {"2": "open", "3": "pending", "4": "solved", "5": "closed"},
    "channel": {"1": "email", "2": "web", "3": "phone", "7": "chat", "9": "web", "10": "email"},
}
TYPES: dict[int, tuple[Trigger, ...]] = {
    1: ("create",),
    3: (),
    4: ("update",),
}  # time triggers (3) are hourly
_LIST_OPS = {"in": "in", "not_in": "not_in", "is": "eq", "is_not": "ne"}
ACTION_FIELDS = {
    k: v
    for k, v in FIELDS.items()
    if k in ("priority", "status", "ticket_type", "group_id", "responder_id")
}


def _ours(name: str, value: Any) -> str:
    return VALUES.get(name, {}).get(str(value), str(value))


def _theirs(name: str, value: Any) -> Any:
    back = {v: k for k, v in VALUES.get(name, {}).items()}
    found = back.get(str(value))
    return int(found) if found is not None else value


def _condition(prop: Mapping[str, Any]) -> Condition | None:
    if prop.get("resource_type", "ticket") != "ticket":
        return None
    name = FIELDS.get(str(prop.get("field_name")))
    op, value = str(prop.get("operator")), prop.get("value")
    if name is None:
        return None
    values = value if isinstance(value, list) else [value]
    if name == "tags" and op in ("in", "not_in", "is", "is_not"):
        return Tags("any_of" if op in ("in", "is") else "none_of", tuple(str(v) for v in values))
    if (
        name in ("subject", "message")
        and op in ("contains", "does_not_contain")
        and isinstance(value, str)
    ):
        found = Compare(name, "contains", (value,), "text")
        return found if op == "contains" else Not(found)
    if op in _LIST_OPS:
        ours = tuple(_ours(name, v) for v in values)
        many = {"is": "in", "is_not": "not_in"}.get(op, op) if len(ours) > 1 else op
        return Compare(name, _LIST_OPS[many], ours, "text")
    return None


def _action(item: Mapping[str, Any]) -> Action:
    field, value = str(item.get("field_name")), item.get("value")
    if field in ACTION_FIELDS and item.get("resource_type", "ticket") == "ticket":
        name = ACTION_FIELDS[field]
        return Action(kind="set", field=name, value=_ours(name, value))
    if field == "add_tag" and isinstance(value, list):
        return Action(kind="add_tags", value=[str(v) for v in value])
    if field == "add_note" and isinstance(item.get("note_body"), str):
        return Action(kind="note", value=item["note_body"])
    return Action(kind="unsupported", value=dict(item))


def _rule(record: Mapping[str, Any], kind: int) -> Rule:
    sets: list[Condition] = []
    unsupported: list[Unsupported] = []
    for i, group in enumerate(record.get("conditions") or []):
        items: list[Condition] = []
        for j, prop in enumerate(group.get("properties") or []):
            found = _condition(prop)
            if found is None:
                every = group.get("match_type", "all") == "all"
                unsupported.append(
                    Unsupported(
                        part="all" if every else "any", index=i * 1000 + j, original=dict(prop)
                    )
                )
            else:
                items.append(found)
        sets.append(
            All(tuple(items)) if group.get("match_type", "all") == "all" else AnyOf(tuple(items))
        )
    joined = str(record.get("operator") or "").lower()
    when: Condition = AnyOf(tuple(sets)) if " or " in joined else All(tuple(sets))
    skip = {"name", "active", "conditions", "actions"}
    origin = {"automation_type": kind, **{k: v for k, v in record.items() if k not in skip}}
    return Rule(
        name=str(record.get("name") or record.get("id")),
        on=list(TYPES.get(kind, ("create", "update"))) or ["update"],
        every=60 if kind == 3 else None,
        when=when,
        actions=[_action(a) for a in record.get("actions") or []],
        active=bool(record.get("active", True)),
        unsupported=unsupported,
        origin=origin,
    )


def import_freshdesk(data: Any, kind: int = 1) -> RuleSet:
    """A rule set from Freshdesk's list of automation rules of one ``kind`` (1: ticket
    creation, first match; 3: time triggers; 4: ticket updates), a list or ``{"rules": [...]}``."""
    records = data.get("rules") if isinstance(data, dict) else data
    if not isinstance(records, list) or not records:
        raise RuleError("freshdesk: expected a list of automation rules", key="rules")
    if kind not in TYPES:
        raise RuleError(f"freshdesk: unknown automation type {kind} (1, 3 or 4)", key="type")
    ordered = sorted(records, key=lambda r: r.get("position") or 0)
    semantics = "freshdesk" if kind == 1 else "default"
    return RuleSet(semantics=semantics, rules=[_rule(r, kind) for r in ordered])


def _back(cond: Condition) -> dict[str, Any]:
    names = {v: k for k, v in FIELDS.items() if k not in ("description", "subject_or_description")}
    match cond:
        case Tags(op, tags, "tags"):
            return {
                "resource_type": "ticket",
                "field_name": "tag_names",
                "operator": "in" if op == "any_of" else "not_in",
                "value": list(tags),
            }
        case Compare(name, "contains", (value,), _) | Not(Compare(name, "contains", (value,), _)):
            op = "contains" if isinstance(cond, Compare) else "does_not_contain"
            field = names.get(name, "subject_or_description")
            return {"resource_type": "ticket", "field_name": field, "operator": op, "value": value}
        case Compare(name, op, values, _) if op in ("eq", "ne", "in", "not_in") and name in names:
            back = {v: k for k, v in _LIST_OPS.items()}[op]
            theirs = [_theirs(name, v) for v in values]
            return {
                "resource_type": "ticket",
                "field_name": names[name],
                "operator": back,
                "value": theirs if op in ("in", "not_in") else theirs[0],
            }
    raise RuleError(f"freshdesk has no condition like {cond!r}")


def export_freshdesk(rule: Rule) -> dict[str, Any]:
    """``rule`` as Freshdesk's automation rule JSON."""
    outer = rule.when
    sets = list(outer.items) if isinstance(outer, All | AnyOf) else [outer]
    conditions = []
    for i, group in enumerate(sets):
        items = list(group.items) if isinstance(group, All | AnyOf) else [group]
        props = [_back(c) for c in items]
        for u in sorted(
            (u for u in rule.unsupported if u.index // 1000 == i), key=lambda u: u.index
        ):
            props.insert(u.index % 1000, dict(u.original))
        match = "any" if isinstance(group, AnyOf) else "all"
        conditions.append(
            {"name": f"condition_set_{i + 1}", "match_type": match, "properties": props}
        )
    actions = []
    for a in rule.actions:
        if a.kind == "set" and a.field:
            field = {v: k for k, v in ACTION_FIELDS.items()}[a.field]
            actions.append(
                {"resource_type": "ticket", "field_name": field, "value": _theirs(a.field, a.value)}
            )
        elif a.kind == "add_tags":
            actions.append({"field_name": "add_tag", "value": a.value})
        elif a.kind == "note":
            actions.append({"field_name": "add_note", "note_body": a.value})
        elif a.kind == "unsupported":
            actions.append(dict(a.value))
        else:
            raise RuleError(f"freshdesk has no action {a.kind!r}", key=a.kind)
    origin = {k: v for k, v in rule.origin.items() if k != "automation_type"}
    return {
        **origin,
        "name": rule.name,
        "active": rule.active,
        "conditions": conditions,
        "actions": actions,
    }
