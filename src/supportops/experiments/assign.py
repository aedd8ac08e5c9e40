"""Deterministic assignment of units to arms: a hash of the unit id with the salt, or a schedule
of time slots (switchback).

- A unit's arm is ``sha256("{salt}:{unit_id}")``: its first 8 bytes read as a fraction of 2⁶⁴,
  placed on the arms' cumulative weight shares. The same unit, salt and weights always give the
  same arm, on any machine, and in SQL engines that have ``sha256``; the rules engine asks
  :func:`arm_of` for a ticket's ``experiment.<name>`` condition value.
- A switchback cuts time into slots of ``slot`` seconds from the experiment's start; slot ``k``
  gets the arm of the unit id ``"slot-{k}"`` (so slots are randomised, not alternated). The
  ``carryover_slots`` slots after each change of arm are marked and left out of the analysis:
  tickets opened under the old arm are still being worked.

Hashing runs once per distinct unit, not per ticket.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["UNIT_COLUMNS", "arm_of", "arms_of", "carryover", "fraction", "slot_of"]

# Which ticket column holds each unit's id.
UNIT_COLUMNS = {
    "ticket": "ticket_id",
    "requester": "requester_id",
    "organization": "organization_id",
    "agent": "assignee_id",
}


def fraction(salt: str, unit_id: str) -> float:
    """The unit's place in [0, 1): the first 8 bytes of ``sha256(salt:unit_id)`` over 2⁶⁴."""
    digest = hashlib.sha256(f"{salt}:{unit_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


def _edges(weights: Sequence[float]) -> np.ndarray:
    shares = np.asarray(weights, float) / float(np.sum(weights))
    return np.cumsum(shares)[:-1]


def arm_of(salt: str, unit_id: str, arms: dict[str, float]) -> str:
    """The arm of one unit (what a rule's ``experiment.<name>`` condition reads)."""
    names = list(arms)
    return names[
        int(np.searchsorted(_edges(list(arms.values())), fraction(salt, unit_id), "right"))
    ]


def arms_of(salt: str, unit_ids: pd.Series, arms: dict[str, float]) -> pd.Series:
    """The arm of each unit id (hashing each distinct id once); empty ids get no arm (None)."""
    names = np.array(list(arms), dtype=object)
    known = unit_ids.notna() & (unit_ids.astype("string").fillna("") != "")
    codes, uniques = pd.factorize(unit_ids[known].astype(str))
    places = np.fromiter((fraction(salt, u) for u in uniques), float, len(uniques))
    chosen = names[np.searchsorted(_edges(list(arms.values())), places, "right")]
    out = pd.Series(None, index=unit_ids.index, dtype=object)
    out[known] = chosen[codes]
    return out


def slot_of(seconds: np.ndarray, start: float, slot: int) -> np.ndarray:
    """The slot number of each instant (epoch seconds) from ``start``."""
    return np.floor((seconds - start) / slot).astype(np.int64)


def carryover(slot_arms: pd.Series, slots_after: int) -> pd.Series:
    """For a schedule (slot number → arm, every slot present), whether each slot is within
    ``slots_after`` slots of a change of arm (the slot of the change included)."""
    ordered = slot_arms.sort_index()
    if slots_after == 0 or ordered.empty:
        return pd.Series(False, index=ordered.index)
    changed = (ordered != ordered.shift()).to_numpy()
    changed[0] = False  # the first slot follows no other arm
    steps = np.arange(len(ordered))
    latest = np.maximum.accumulate(np.where(changed, steps, -(10**9)))  # the last change so far
    return pd.Series(steps - latest < slots_after, index=ordered.index)
