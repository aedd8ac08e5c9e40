"""Which SLA policy applies to each ticket, and each target's length and calendar per policy.

Policies are ordered: the first whose ``when`` matches a ticket's current fields applies. Every
key of ``when`` must match; a list means any of its values; ``tags`` matches when the ticket has
any of the tags, ``tags_all`` when it has all of them. A ticket no policy matches has no targets.
Matching is one boolean mask per policy over the ticket columns, never a loop over tickets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from supportops.config import SlaPolicy, WorkspaceConfig
from supportops.sla.events import filled, source_column
from supportops.sla.grouped import Bools, Indices, Ints

__all__ = [
    "ALWAYS_OPEN",
    "TargetPlan",
    "TargetRule",
    "calendar_name",
    "match_policies",
    "target_rule",
]

ALWAYS_OPEN = "24x7"  # the name of the clock used when no calendar applies
_DEFAULTS = {"created_by": "customer"}


def match_policies(tickets: pd.DataFrame, policies: Sequence[SlaPolicy]) -> Ints:
    """The index of the first matching policy for each ticket row, or -1."""
    chosen = np.full(len(tickets), -1, dtype=np.int64)
    for index in reversed(range(len(policies))):
        chosen[_matches(tickets, policies[index].when)] = index
    return chosen


def _matches(tickets: pd.DataFrame, when: dict[str, str | list[str]]) -> Bools:
    mask = np.ones(len(tickets), dtype=bool)
    for key, value in when.items():
        values = [value] if isinstance(value, str) else list(value)
        if key == "tags":
            mask &= _has_any_tag(tickets, values)
        elif key == "tags_all":
            for tag in values:
                mask &= _has_any_tag(tickets, [tag])
        else:
            mask &= _column(tickets, key).isin(values).to_numpy(dtype=bool)
    return mask


def _column(tickets: pd.DataFrame, key: str) -> pd.Series:
    if key == "source":
        return source_column(tickets)
    if key in _DEFAULTS:
        return filled(tickets, key, _DEFAULTS[key])
    if key not in tickets:
        return pd.Series(None, index=tickets.index, dtype=object)
    return tickets[key]


def _tag_lists(tickets: pd.DataFrame) -> pa.Array:
    """The tags column as an Arrow list array (``;``-separated text is split)."""
    if "tags" not in tickets:
        return pa.nulls(len(tickets), pa.list_(pa.string()))
    column = tickets["tags"]
    if column.dtype == object and column.map(lambda v: isinstance(v, str)).any():
        column = column.map(lambda v: v.split(";") if isinstance(v, str) else v)
    values: Any = column.array if isinstance(column.dtype, pd.ArrowDtype) else column
    array = pa.array(values)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    wanted = pa.list_(pa.string())
    return array if array.type == wanted else array.cast(wanted)


def _has_any_tag(tickets: pd.DataFrame, tags: list[str]) -> Bools:
    lists = _tag_lists(tickets)
    hits = pc.is_in(pc.list_flatten(lists), value_set=pa.array(tags)).to_numpy(zero_copy_only=False)
    parents = pc.list_parent_indices(lists).to_numpy()
    return np.bincount(parents[hits], minlength=len(tickets)) > 0


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
