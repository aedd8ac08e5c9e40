"""``supportops experiment assign``: the arm of every ticket of an experiment's window, stored in
the ``experiment_arms`` table (DuckDB or PostgreSQL alike), and the assignment's health.

:func:`assigned` is pure (tickets in, arms out); :func:`assign` reads the workspace's tickets and
writes their arms. Assigning again gives the same arms: the hash does not change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa

from supportops.experiments.assign import UNIT_COLUMNS, arms_of, carryover, slot_of
from supportops.experiments.design import checked, find
from supportops.experiments.settings import ExperimentConfig
from supportops.experiments.srm import SampleRatio, sample_ratio

if TYPE_CHECKING:
    from supportops.workspace import Workspace

__all__ = ["Assignment", "assign", "assigned", "health"]


@dataclass(frozen=True)
class Assignment:
    """What an assignment did: tickets per arm, those without a unit id, dropped carry-over
    tickets, units per arm and the sample-ratio check on them."""

    experiment: str
    tickets: dict[str, int]
    units: dict[str, int]
    unassigned: int
    carryover: int
    ratio: SampleRatio


def assigned(tickets: pd.DataFrame, config: ExperimentConfig, start: datetime) -> pd.DataFrame:
    """Per ticket (``source``, ``ticket_id``, ``created_at`` and the unit columns): its
    ``unit_id``, ``arm``, ``slot`` and ``carryover`` (no arm: no unit id, e.g. no requester)."""
    out = tickets[["source", "ticket_id"]].copy()
    if config.unit == "slot":
        created = pd.to_datetime(tickets["created_at"], utc=True)
        seconds = (created - pd.Timestamp(0, tz="UTC")).dt.total_seconds().to_numpy()
        slot = slot_of(seconds, start.timestamp(), config.slot)
        every = pd.Series(np.arange(slot.max() + 1 if slot.size else 0))
        names = "slot-" + every.astype(str)
        schedule = pd.Series(arms_of(config.salt, names, config.arms).to_numpy(), index=every)
        dropped = carryover(schedule, config.carryover_slots)
        out["unit_id"] = "slot-" + pd.Series(slot, index=out.index).astype(str)
        out["arm"] = schedule.reindex(slot).to_numpy()
        out["slot"] = slot.astype(float)
        out["carryover"] = dropped.reindex(slot).to_numpy(bool)
        return out
    ids = tickets[UNIT_COLUMNS[config.unit]]
    out["unit_id"] = ids.astype(object).where(ids.notna(), None)
    out["arm"] = arms_of(config.salt, ids, config.arms).to_numpy()
    out["slot"] = np.nan
    out["carryover"] = False
    return out


def health(frame: pd.DataFrame, config: ExperimentConfig) -> Assignment:
    """Tickets and units per arm, and the sample-ratio check on the units (carry-over slots
    count: they were assigned like the others)."""
    arms = list(config.arms)
    has = frame["arm"].notna()
    tickets = frame[has].groupby("arm").size().reindex(arms, fill_value=0)
    units = frame[has].groupby("arm")["unit_id"].nunique().reindex(arms, fill_value=0)
    return Assignment(
        config.name,
        {str(a): int(n) for a, n in tickets.items()},
        {str(a): int(n) for a, n in units.items()},
        int((~has).sum()),
        int(frame["carryover"].fillna(False).astype(bool).sum()),
        sample_ratio(units.to_numpy(), list(config.arms.values())),
    )


def _rows(frame: pd.DataFrame, name: str, at: datetime) -> pa.Table:
    keep = frame[frame["arm"].notna()]
    return pa.table(
        {
            "experiment": pa.array([name] * len(keep), pa.string()),
            "source": pa.array(keep["source"].astype(str).tolist(), pa.string()),
            "ticket_id": pa.array(keep["ticket_id"].astype(str).tolist(), pa.string()),
            "unit_id": pa.array(keep["unit_id"].astype(str).tolist(), pa.string()),
            "arm": pa.array(keep["arm"].astype(str).tolist(), pa.string()),
            "slot": pa.array(
                keep["slot"].to_numpy(float), pa.float64(), mask=keep["slot"].isna().to_numpy()
            ),
            "carryover": pa.array(keep["carryover"].astype(bool).tolist(), pa.bool_()),
            "assigned_at": pa.array([at] * len(keep), pa.timestamp("us", tz="UTC")),
        }
    )


def assign(ws: Workspace, name: str) -> Assignment:
    """Assign every ticket created in the experiment's window and store the arms."""
    from supportops.metrics.experiment_outcomes import ticket_units
    from supportops.model.schema import TABLES

    config = find(ws.config.experiments, name)
    design = checked(config, ws.config.report_timezone)
    frame = assigned(ticket_units(ws, design.low, design.high), config, design.low)
    ws.store.upsert(TABLES["experiment_arms"], _rows(frame, name, ws.clock.now()))
    return health(frame, config)
