"""How a helpdesk runs its rules, as data: one :class:`Semantics` per name.

========== ========= ========== ============= ============== =====================
name       order     stop        sees changes  repeats        each rule per event
========== ========= ========== ============= ============== =====================
default    written   no          yes           until quiet,   once
                                               at most 10
zendesk    written   no          yes           until quiet,   once
                                               at most 100
freshdesk  written   first match yes           no             once
intercom   written   no          no            no             once (last write wins)
chatwoot   written   no          no            no             once (rules' changes
                                                              are not events)
zammad     by name   no          yes           no             once
========== ========= ========== ============= ============== =====================

"Sees changes": a later rule's condition is tested on the ticket as earlier rules left it
(else on the ticket as the event left it, and every matching rule's actions apply in order, so
the last write wins). "Repeats": after a pass in which a rule fired, the pass runs again over
the rules that have not fired, until a pass fires none or the bound is reached.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, TypeVar

from supportops.errors import RuleError

if TYPE_CHECKING:
    from supportops.rules.model import Rule

__all__ = ["SEMANTICS", "Semantics", "semantics_of"]

R = TypeVar("R", bound="Rule")


@dataclass(frozen=True)
class Semantics:
    """One helpdesk's way of running a rule set (see the module's table)."""

    name: str
    order: Literal["written", "name"] = "written"
    first_match: bool = False
    sees_changes: bool = True
    max_passes: int = 1
    doc: str = ""

    def ordered(self, rules: Sequence[R]) -> list[R]:
        """``rules`` in the order they run."""
        if self.order == "name":
            return sorted(rules, key=lambda r: r.name)
        return list(rules)


SEMANTICS = {
    s.name: s
    for s in (
        Semantics("default", max_passes=10, doc="ordered, once per event, bounded cycle"),
        Semantics("zendesk", max_passes=100, doc="triggers first to last, cycle repeats"),
        Semantics("freshdesk", first_match=True, doc="ticket-creation rules: first match"),
        Semantics("intercom", sees_changes=False, doc="every match runs; last write wins"),
        Semantics("chatwoot", sees_changes=False, doc="all matching; rules' changes ignored"),
        Semantics("zammad", order="name", doc="triggers alphabetically"),
    )
}


def semantics_of(name: str) -> Semantics:
    """The semantics called ``name`` (a :class:`RuleError` lists the known ones)."""
    try:
        return SEMANTICS[name]
    except KeyError:
        known = ", ".join(SEMANTICS)
        raise RuleError(f"unknown semantics {name!r}; known: {known}", key="semantics") from None
