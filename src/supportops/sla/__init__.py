"""The SLA engine: policies, the seven targets, and every target instance of every ticket.

:func:`evaluate` is the pure core (tickets and events in, instances out, the clock injected);
:func:`evaluate_workspace` reads a workspace's store and :func:`store_instances` writes the
``sla_instances`` table. :func:`summary`, :func:`at_risk`, :func:`compare` and :func:`gaming`
answer an operations manager's questions; :func:`compliance_by_target` is what ``make demo``
prints. ``docs/sla.md`` explains every target's rules.
"""

from __future__ import annotations

from supportops.sla.engine import evaluate
from supportops.sla.events import EventArrays, encode_events
from supportops.sla.frame import COLUMNS
from supportops.sla.gaming import gaming
from supportops.sla.report import at_risk, summary
from supportops.sla.store import SlaInputs, load_inputs, store_instances
from supportops.sla.whatif import Comparison, compare
from supportops.sla.workspace import (
    compare_workspace,
    compliance_by_target,
    config_with_policies,
    evaluate_workspace,
    gaming_workspace,
)

__all__ = [
    "COLUMNS",
    "Comparison",
    "EventArrays",
    "SlaInputs",
    "at_risk",
    "compare",
    "compare_workspace",
    "compliance_by_target",
    "config_with_policies",
    "encode_events",
    "evaluate",
    "evaluate_workspace",
    "gaming",
    "gaming_workspace",
    "load_inputs",
    "store_instances",
    "summary",
]
