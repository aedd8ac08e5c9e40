"""Which SLA policy applies to each ticket, and each target's length and calendar per policy.

Policies are ordered: the first whose ``when`` matches a ticket's current fields applies.
``when`` is a condition of :mod:`supportops.conditions` (a mapping: all of its keys; a list
value: any of its values; ``tags`` any of the tags, ``tags_all`` all of them; ``any``, ``not``,
comparisons and custom fields as the language has them). A ticket no policy matches has no
targets. Matching is one boolean mask per policy over the ticket columns, never a loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from supportops.conditions import mask
from supportops.config import SlaPolicy, WorkspaceConfig
from supportops.sla.grouped import Indices, Ints

__all__ = [
    "ALWAYS_OPEN",
    "TargetPlan",
    "TargetRule",
    "calendar_name",
    "match_policies",
    "target_rule",
]

ALWAYS_OPEN = "24x7"  # the name of the clock used when no calendar applies


def match_policies(tickets: pd.DataFrame, policies: Sequence[SlaPolicy]) -> Ints:
    """The index of the first matching policy for each ticket row, or -1."""
    chosen = np.full(len(tickets), -1, dtype=np.int64)
    for index in reversed(range(len(policies))):
        chosen[mask(policies[index].when, tickets)] = index
    return chosen


def calendar_name(config: WorkspaceConfig, policy: SlaPolicy, target: str) -> str:
    """A target's calendar: its own, else its policy's, else ``default_calendar``, else 24x7."""
    spec = getattr(policy.targets, target)
    name = spec.calendar if spec is not None else None
    return name or policy.calendar or config.default_calendar or ALWAYS_OPEN


@dataclass(frozen=True)
class TargetPlan:
    """One target for some tickets: its length in seconds and its clock index per ticket (-1: the
    ticket's policy does not set the target). ``key`` holds the clock index per policy: targets
    with equal keys run on the same clocks."""

    seconds: Ints
    clock: Ints
    key: tuple[int, ...]


@dataclass(frozen=True)
class TargetRule:
    """One target per policy (and a last entry, -1, for tickets no policy matches)."""

    seconds: Ints
    clock: Ints

    def plan(self, chosen: Indices) -> TargetPlan:
        """The plan of tickets whose policies are ``chosen`` (-1: none)."""
        return TargetPlan(self.seconds[chosen], self.clock[chosen], tuple(self.clock.tolist()))


def target_rule(config: WorkspaceConfig, target: str, clock_index: dict[str, int]) -> TargetRule:
    """Length and clock of ``target`` under each policy."""
    policies = config.sla_policies
    seconds = np.full(len(policies) + 1, -1, dtype=np.int64)
    clocks = np.full(len(policies) + 1, -1, dtype=np.int64)
    for index, policy in enumerate(policies):
        spec = getattr(policy.targets, target)
        if spec is not None:
            seconds[index] = spec.target
            clocks[index] = clock_index[calendar_name(config, policy, target)]
    return TargetRule(seconds, clocks)
