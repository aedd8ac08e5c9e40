"""What-if: replay all history under other policies and show what would change.

The same tickets and events are evaluated twice, under the current policies and under the new
ones. :func:`compare` lines the two up: compliance before and after per target and dimension,
and every target instance whose status changes (``none`` where an instance exists under one set
of policies only, e.g. a target the new policy adds).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from supportops.config import TARGETS
from supportops.sla.report import summary

__all__ = ["Comparison", "compare"]

_KEEP = ["ticket_id", "source", "target", "instance", "policy", "status", "elapsed_seconds"]


@dataclass(frozen=True)
class Comparison:
    """Compliance before and after (``compliance``), and the instances that change status."""

    compliance: pd.DataFrame
    changes: pd.DataFrame


def _keyed(instances: pd.DataFrame) -> pd.DataFrame:
    """The instances with one int64 key per (ticket row, target, instance)."""
    target = instances["target"].cat.codes.to_numpy().astype(np.int64)
    rows = instances["ticket_row"].to_numpy().astype(np.int64)
    number = instances["instance"].to_numpy().astype(np.int64)
    frame = instances[_KEEP].copy()
    frame["key"] = (rows * len(TARGETS) + target) * 2**24 + number
    return frame.set_index("key")


def _either(joined: pd.DataFrame, name: str) -> pd.Series:
    """The column's value before, else after (for instances that exist on one side only)."""
    before = joined[f"{name}_before"].astype(object)
    return before.where(before.notna(), joined[f"{name}_after"].astype(object))


def _changes(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    joined = _keyed(before).join(_keyed(after), how="outer", lsuffix="_before", rsuffix="_after")
    for side in ("before", "after"):
        status = joined[f"status_{side}"].astype(object)
        joined[f"status_{side}"] = status.where(status.notna(), "none")
    changed = joined[joined["status_before"] != joined["status_after"]].sort_index()
    out = pd.DataFrame({name: _either(changed, name) for name in ("ticket_id", "source", "target")})
    out["instance"] = _either(changed, "instance").astype(np.int64)
    for name in ("policy", "status", "elapsed_seconds"):
        out[f"{name}_before"] = changed[f"{name}_before"]
        out[f"{name}_after"] = changed[f"{name}_after"]
    for side in ("before", "after"):
        out[f"elapsed_seconds_{side}"] = out[f"elapsed_seconds_{side}"].astype("Int64")
    return out.reset_index(drop=True)


def compare(
    before: pd.DataFrame,
    after: pd.DataFrame,
    tickets: pd.DataFrame | None = None,
    by: Sequence[str] = (),
    timezone: str = "UTC",
) -> Comparison:
    """Compare the instances of two evaluations of the same tickets (see the module docstring)."""
    keys = ["target", *by]
    old = summary(before, tickets, by, timezone)
    new = summary(after, tickets, by, timezone)
    columns = ["achieved", "breached", "compliance"]
    table = old[keys + columns].merge(
        new[keys + columns], on=keys, how="outer", suffixes=("_before", "_after")
    )
    for name in ("achieved", "breached"):
        for side in ("before", "after"):
            table[f"{name}_{side}"] = table[f"{name}_{side}"].astype("Int64")
    table["change"] = (table["compliance_after"] - table["compliance_before"]).round(4)
    order = {name: index for index, name in enumerate(TARGETS)}
    table = table.sort_values(keys, key=lambda col: col.map(order) if col.name == "target" else col)
    return Comparison(table.reset_index(drop=True), _changes(before, after))
