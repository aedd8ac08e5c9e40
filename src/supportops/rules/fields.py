"""The fields a rule's condition may test: the ticket's, and what a rule also knows.

Beyond every ticket column (:data:`supportops.conditions.TICKET_FIELDS`) a rule reads:

- ``update``: ``create`` on the event that opens a ticket, else ``update``;
- ``event.kind``, ``event.actor``: the event being applied (``message`` by a ``customer``);
- ``changed``: the fields this event changed, as tags (``{changed: [group]}``);
- ``previous.<field>``: a field's value before this event;
- ``message``: the text of the event's message (``contains``, ``regex``);
- ``business_hours``: the calendars open at the event's instant, as tags;
- ``sla.<target>.due_in``: seconds until the target is due (negative: breached);
  ``sla.breached``: the targets breached, as tags;
- ``hours_since.<state>``: hours since the ticket entered ``new``/``open``/``pending``/``solved``
  or was ``created``/``updated``/``assigned`` (time-based rules);
- ``triage.<target>``, ``triage.confidence``: the text model's prediction
  (:func:`supportops.triage.prediction.rule_fields`);
- ``experiment.<name>``: the ticket's arm (:func:`supportops.experiments.assign.arm_of`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from supportops.conditions.model import TICKET_FIELDS, Fields, Kind

__all__ = ["PREFIXES", "RULE_FIELDS", "SUFFIXES", "RuleFields"]

_EXTRA: dict[str, Kind] = {
    "update": "text",
    "event.kind": "text",
    "event.actor": "text",
    "event.public": "text",
    "changed": "tags",
    "message": "text",
    "business_hours": "tags",
    "sla.breached": "tags",
    "triage.confidence": "number",
}
PREFIXES: Mapping[str, Kind] = {
    "previous.": "text",
    "hours_since.": "number",
    "triage.": "text",
    "experiment.": "text",
    "sla.": "number",
}
SUFFIXES: Mapping[str, str] = {"sla.": ".due_in"}
"""A prefix's names must end so (``sla.<target>.due_in``: the one SLA number a rule is given)."""


@dataclass(frozen=True)
class RuleFields(Fields):
    """:class:`Fields` with the rule's own names and name prefixes (:data:`PREFIXES`)."""

    prefixes: Mapping[str, Kind] = field(default_factory=lambda: dict(PREFIXES))
    suffixes: Mapping[str, str] = field(default_factory=lambda: dict(SUFFIXES))

    def kind(self, name: str) -> Kind | None:
        found = super().kind(name)
        if found is not None:
            return found
        for prefix, kind in self.prefixes.items():
            middle = name.removeprefix(prefix)
            if not name.startswith(prefix) or not middle:
                continue
            suffix = self.suffixes.get(prefix, "")
            if suffix and not (middle.endswith(suffix) and len(middle) > len(suffix)):
                return None  # sla.first_reply.elapsed: nothing fills it
            return kind
        return None


RULE_FIELDS = RuleFields({**TICKET_FIELDS.kinds, **_EXTRA})
