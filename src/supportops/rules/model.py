"""A rule as written in YAML: a name, a trigger, a condition, actions and a scope::

    semantics: default           # how the set runs: see supportops.rules.semantics
    rules:
      - name: vip-to-tier2
        on: [create]             # create, update, customer_message, agent_message
        when: {tags: [vip], priority: [high, urgent]}
        actions:
          - set: {group: tier2-escalations}
          - add_tags: [routed]
        scope: {source: zendesk} # which tickets the rule is about (a condition too)
      - name: nudge-pending
        every: 60m               # time-based: checked every N minutes
        when: {status: pending, hours_since.pending: {gt: 48}}
        actions: [{set: {status: solved}}]

Conditions are the project's one condition language over :data:`~supportops.rules.fields.
RULE_FIELDS`. An action is one of :data:`ACTION_KINDS`; a part an import could not express is
kept as :class:`Unsupported` with the vendor's JSON.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    model_validator,
)

from supportops.conditions.model import All, Condition, condition_data
from supportops.conditions.parse import parse_condition
from supportops.instants import parse_duration
from supportops.rules.fields import RULE_FIELDS

__all__ = [
    "ACTION_KINDS",
    "EVENT_TRIGGERS",
    "SETTABLE",
    "Action",
    "ActionKind",
    "Rule",
    "RuleCondition",
    "RuleSet",
    "Trigger",
    "Unsupported",
]

Trigger = Literal["create", "update", "customer_message", "agent_message"]
ActionKind = Literal[
    "set", "add_tags", "remove_tags", "note", "notify", "escalate", "assign_by_skill", "unsupported"
]
EVENT_TRIGGERS: tuple[Trigger, ...] = ("create", "update", "customer_message", "agent_message")
ACTION_KINDS = (
    "set",
    "add_tags",
    "remove_tags",
    "note",
    "notify",
    "escalate",
    "assign_by_skill",
    "unsupported",
)
SETTABLE = ("group", "assignee_id", "priority", "type", "status")  # and custom.<key>


def _condition(raw: Any) -> Condition:
    return raw if isinstance(raw, Condition) else parse_condition(raw, RULE_FIELDS)


RuleCondition = Annotated[Condition, PlainValidator(_condition), PlainSerializer(condition_data)]


def _minutes(raw: Any) -> Any:
    if isinstance(raw, str):
        return parse_duration(raw, key="every") / 60
    return raw


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Action(_Model):
    """One action: ``kind``, the ``field`` it sets (``set``) and its ``value``.

    Written short: ``{set: {group: tier2}}`` (one action per field), ``{add_tags: [a, b]}``,
    ``{remove_tags: [a]}``, ``{note: text}``, ``{notify: {channel: slack, to: '#ops', text:
    ...}}``, ``{escalate: true}`` (the group one tier up), ``{assign_by_skill: billing}``,
    ``{unsupported: <vendor JSON>}``."""

    kind: ActionKind
    field: str | None = None
    value: Any = None

    @model_validator(mode="before")
    @classmethod
    def _short(cls, raw: Any) -> Any:
        if not isinstance(raw, dict) or "kind" in raw or len(raw) != 1:
            return raw
        ((kind, value),) = raw.items()
        if kind == "set" and isinstance(value, dict) and len(value) == 1:
            ((name, new),) = value.items()
            return {"kind": "set", "field": str(name), "value": new}
        if kind in ("add_tags", "remove_tags") and isinstance(value, str):
            value = [value]
        return {"kind": kind, "value": value}

    @model_validator(mode="after")
    def _check(self) -> Action:
        if self.kind == "set":
            name = self.field or ""
            if name not in SETTABLE and not name.startswith("custom."):
                raise ValueError(
                    f"set: {name!r} is not settable ({', '.join(SETTABLE)}, custom.KEY)"
                )
        if self.kind in ("add_tags", "remove_tags") and not isinstance(self.value, list):
            raise ValueError(f"{self.kind} takes a list of tags")
        return self

    @property
    def target(self) -> str | None:
        """The ticket field this action writes, if any (``tags`` for tag actions)."""
        if self.kind == "set":
            return self.field
        if self.kind in ("add_tags", "remove_tags"):
            return "tags"
        return {"escalate": "group", "assign_by_skill": "assignee_id"}.get(self.kind)

    def data(self) -> dict[str, Any]:
        """The short YAML form."""
        if self.kind == "set":
            return {"set": {self.field: self.value}}
        return {self.kind: self.value}


class Unsupported(_Model):
    """A vendor condition an import could not express: where it was and its JSON."""

    part: Literal["all", "any"]
    index: int
    original: dict[str, Any]


class Rule(_Model):
    """One rule (see the module's example)."""

    name: str
    on: list[Trigger] = Field(default_factory=lambda: list(EVENT_TRIGGERS[:2]))
    every: Annotated[Annotated[float, Field(gt=0)] | None, BeforeValidator(_minutes)] = None
    when: RuleCondition = Field(default_factory=All)
    actions: list[Action] = Field(min_length=1)
    scope: RuleCondition = Field(default_factory=All)
    active: bool = True
    unsupported: list[Unsupported] = Field(default_factory=list)
    origin: dict[str, Any] = Field(default_factory=dict)  # the vendor's other keys (id, title)

    @property
    def timed(self) -> bool:
        """A time-based rule (an automation)."""
        return self.every is not None

    @property
    def runnable(self) -> bool:
        """False when an unsupported part must hold (an ``all`` one): the rule cannot fire."""
        return self.active and not any(u.part == "all" for u in self.unsupported)

    @property
    def condition(self) -> Condition:
        """What must hold for the rule to fire: its scope and its ``when``."""
        return All((self.scope, self.when))

    def writes(self) -> set[str]:
        """The ticket fields its actions write."""
        return {a.target for a in self.actions if a.target is not None}


class RuleSet(_Model):
    """Rules in order, and the semantics they run under."""

    semantics: str = "default"
    rules: list[Rule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _names(self) -> RuleSet:
        from supportops.rules.semantics import semantics_of

        semantics_of(self.semantics)
        names = [r.name for r in self.rules]
        for name in names:
            if names.count(name) > 1:
                raise ValueError(f"two rules are named {name!r}")
        return self

    def runnable(self) -> list[Rule]:
        """The rules that can fire, in the semantics' order."""
        from supportops.rules.semantics import semantics_of

        return semantics_of(self.semantics).ordered([r for r in self.rules if r.runnable])
