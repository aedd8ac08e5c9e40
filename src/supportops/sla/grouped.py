"""Arithmetic on arrays sorted by ticket: runs, ranks and look-ups without a per-ticket loop.

Every array of the SLA engine is sorted by ticket row (and by time within a ticket), so a
ticket's rows form one run. These functions answer "which run", "how far into it" and "where is
the next or last flagged row" for all rows at once with ``cumsum`` and running maxima/minima.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "Bools",
    "Indices",
    "Ints",
    "interleave_heads",
    "last_flagged",
    "locate",
    "rank_in_run",
]

Ints = NDArray[np.int64]
Bools = NDArray[np.bool_]
Indices = NDArray[np.integer[Any]]  # rows or codes of any integer width


def rank_in_run(keys: Indices, flags: Bools, groups: int | None = None) -> Ints:
    """How many flagged rows of its run come at or before each row (1 for the run's first).

    ``keys`` are group numbers (sorted, below ``groups``), so counting is one ``bincount``.
    """
    groups = int(keys[-1]) + 1 if groups is None and keys.size else groups or 0
    per_group = np.bincount(keys[flags], minlength=groups)
    before_group = np.cumsum(per_group) - per_group
    return np.cumsum(flags, dtype=np.int64) - before_group[keys]


def last_flagged(flags: Bools) -> Ints:
    """The largest flagged index at or before each row, or -1 when there is none."""
    index = np.where(flags, np.arange(flags.size), -1)
    return np.maximum.accumulate(index) if flags.size else index


def interleave_heads(head_keys: Indices, body_keys: Indices, groups: int) -> tuple[Ints, Ints]:
    """Positions that put one head row before the body rows of its group, all groups in order.

    ``head_keys`` (unique, sorted) and ``body_keys`` (sorted) are group numbers below
    ``groups``; the result gives each head row's and each body row's place in the merged array.
    """
    heads = np.bincount(head_keys, minlength=groups).astype(np.int64)
    bodies = np.bincount(body_keys, minlength=groups).astype(np.int64)
    heads_upto = np.cumsum(heads)
    bodies_before = np.cumsum(bodies) - bodies
    head_pos = bodies_before[head_keys] + heads_upto[head_keys] - 1
    body_pos = np.arange(body_keys.size, dtype=np.int64) + heads_upto[body_keys]
    return head_pos, body_pos


def locate(keys: Ints, times: Ints, key: Ints, time: Ints, strict: bool = False) -> Ints:
    """For each (key, time) query, the last row of the sorted (``keys``, ``times``) rows at or
    before it (strictly before when ``strict``), or -1; the row may belong to an earlier key."""
    if keys.size == 0:
        return np.full(key.size, -1, dtype=np.int64)
    low = min(int(times.min()), int(time.min()) if time.size else 0)
    span = max(int(times.max()), int(time.max()) if time.size else 0) - low + 1
    rows = keys * span + (times - low)
    wanted = key * span + (time - low)
    found: Ints = np.searchsorted(rows, wanted, side="left" if strict else "right") - 1
    return found
