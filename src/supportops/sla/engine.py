"""SLA evaluation: every target instance of every ticket at an instant, as one table.

:func:`evaluate` is pure: tickets and events in, instances out, the clock (``as_of``) injected.
It matches policies once, then evaluates blocks of tickets side by side (see
:mod:`supportops.sla.block`); within a block everything is array arithmetic, nothing loops over
tickets.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import numpy as np
import pandas as pd

from supportops.calendar import BusinessCalendar
from supportops.config import TARGETS, CalendarConfig, SlaPolicy, WorkspaceConfig
from supportops.errors import ConfigError
from supportops.sla.block import Context, evaluate_block
from supportops.sla.clock import Clock, Clocks
from supportops.sla.events import NAT, EventArrays, encode_events, order_events, seconds
from supportops.sla.frame import Rows, instance_frame, release_memory
from supportops.sla.grouped import Bools, Indices, Ints
from supportops.sla.policy import ALWAYS_OPEN, calendar_name, match_policies, target_rule

__all__ = [
    "BLOCK_TICKETS",
    "as_of_seconds",
    "build_clocks",
    "calendar_of",
    "context_for",
    "evaluate",
]

BLOCK_TICKETS = 500_000  # tickets per block: bounds the memory of intermediate arrays
_DAY = 86_400


def as_of_seconds(as_of: datetime | pd.Timestamp | str) -> int:
    """Epoch seconds of ``as_of`` (naive means UTC)."""
    return int(seconds([as_of])[0])


def calendar_of(config: WorkspaceConfig, name: str) -> BusinessCalendar:
    """The business calendar ``name`` of ``config`` (24x7 when it names none of that name);
    an unknown calendar is a :class:`ConfigError`."""
    if name == ALWAYS_OPEN and name not in config.calendars:
        return BusinessCalendar.shared(CalendarConfig(always_open=True), name)
    if name not in config.calendars:
        raise ConfigError(f"sla_policies: unknown calendar {name!r}", key="sla_policies")
    return BusinessCalendar.shared(config.calendars[name], name)


def build_clocks(config: WorkspaceConfig, low: int, high: int) -> tuple[Clocks, dict[str, int]]:
    """A clock for each calendar the policies use, over ``[low, high]``, and their indices."""
    names: dict[str, int] = {}
    longest = 0
    for policy in config.sla_policies:
        for target, spec in policy.targets.items():
            names.setdefault(calendar_name(config, policy, target), len(names))
            longest = max(longest, spec.target)
    clocks = [Clock.build(calendar_of(config, name), low, high, longest) for name in names]
    return Clocks(clocks), names


def _agent_created(tickets: pd.DataFrame) -> Bools:
    if "created_by" not in tickets:
        return np.zeros(len(tickets), dtype=bool)
    return np.asarray(tickets["created_by"].eq("agent").to_numpy(dtype=bool, na_value=False))


def context_for(tickets: pd.DataFrame, config: WorkspaceConfig, now: int) -> tuple[Context, Ints]:
    """What every block shares, and the policy chosen per ticket row (-1: none)."""
    created = seconds(tickets["created_at"]) if len(tickets) else np.empty(0, dtype=np.int64)
    alive = (created != NAT) & (created <= now)
    created = np.where(alive, created, NAT)
    chosen = np.where(alive, match_policies(tickets, config.sla_policies), -1)
    low = int(created[alive].min()) - _DAY if alive.any() else now - _DAY
    clocks, index = build_clocks(config, low, now)
    rules = {target: target_rule(config, target, index) for target in TARGETS}
    small: Indices = chosen.astype(np.int16) if len(config.sla_policies) < 2**15 else chosen
    return Context(now, low, created, _agent_created(tickets), small, rules, clocks), chosen


def _workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


def _evaluate_blocks(context: Context, events: EventArrays, tickets: int) -> list[Rows]:
    """Evaluate blocks of tickets in a thread pool; rows by target, then block (ticket order)."""
    bounds = [(low, min(low + BLOCK_TICKETS, tickets)) for low in range(0, tickets, BLOCK_TICKETS)]
    with ThreadPoolExecutor(max_workers=min(_workers(), len(bounds) or 1)) as pool:
        blocks = list(pool.map(lambda b: evaluate_block(context, events, *b), bounds))
    rows = [row for block in blocks for row in block]
    return sorted(rows, key=lambda row: row.target)


def evaluate(
    tickets: pd.DataFrame,
    events: pd.DataFrame | EventArrays,
    config: WorkspaceConfig,
    as_of: datetime | pd.Timestamp | str,
    policies: Sequence[SlaPolicy] | None = None,
) -> pd.DataFrame:
    """Every SLA target instance of ``tickets`` at ``as_of`` (see :data:`COLUMNS`).

    ``events`` is the event log's ``events`` frame, or :class:`EventArrays` already encoded
    against the rows of ``tickets``. ``policies`` replaces the config's ``sla_policies``.
    """
    if policies is not None:
        config = config.model_copy(update={"sla_policies": list(policies)})
    context, chosen = context_for(tickets, config, as_of_seconds(as_of))
    encoded = events if isinstance(events, EventArrays) else encode_events(tickets, events)
    del events  # a caller that holds no reference lets the events go before the table is built
    ordered = order_events(encoded)
    del encoded
    rows = _evaluate_blocks(context, ordered, len(tickets))
    del ordered
    release_memory()
    return instance_frame(tickets, config, chosen, rows)
