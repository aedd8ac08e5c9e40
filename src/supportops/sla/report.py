"""What an operations manager asks of the instances: compliance, and what is about to breach.

Compliance is achieved / (achieved + breached) target instances; active and paused instances are
counted but are not yet a result. A dimension is a column of the instances (``policy``,
``source``), a ticket field (``channel``, ``priority``, ``group``, ``assignee_id``, ...) or a
period of ``started_at`` (``day``, ``week``, ``month``) in the report time zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from supportops.errors import MetricError
from supportops.instants import local_midnight
from supportops.sla.engine import as_of_seconds
from supportops.sla.track import STATES

__all__ = ["PERIODS", "at_risk", "dimension", "started_within", "summary"]

PERIODS = {"day": "D", "week": "W-SUN", "month": "M"}


def started_within(
    instances: pd.DataFrame, first: date | None, last: date | None, timezone: str = "UTC"
) -> pd.DataFrame:
    """The instances whose target started on the days ``first``..``last`` (both included, either
    open) in ``timezone``: the period of ``sla --from/--to/--period``."""
    keep = np.ones(len(instances), dtype=bool)
    started = instances["started_at"]
    if first is not None:
        keep &= (started >= pd.Timestamp(local_midnight(first, timezone))).to_numpy()
    if last is not None:
        after = pd.Timestamp(local_midnight(last + timedelta(days=1), timezone))
        keep &= (started < after).to_numpy()
    return instances[keep].reset_index(drop=True)


def dimension(
    instances: pd.DataFrame, tickets: pd.DataFrame | None, name: str, timezone: str = "UTC"
) -> pd.Series:
    """The value of dimension ``name`` for each instance (see the module docstring)."""
    if name in instances.columns:
        column: pd.Series = instances[name].reset_index(drop=True)
        return column
    if name in PERIODS:
        local = instances["started_at"].dt.tz_convert(timezone).dt.tz_localize(None)
        periods: pd.Series = local.dt.to_period(PERIODS[name]).astype(str)
        return periods.reset_index(drop=True)
    if tickets is not None and name in tickets.columns:
        rows = instances["ticket_row"].to_numpy()
        return tickets[name].iloc[rows].reset_index(drop=True)
    known = ", ".join(
        ["policy", "source", *PERIODS, *(tickets.columns if tickets is not None else [])]
    )
    raise MetricError(f"unknown dimension {name!r} (expected one of {known})", key=name)


def summary(
    instances: pd.DataFrame,
    tickets: pd.DataFrame | None = None,
    by: Sequence[str] = (),
    timezone: str = "UTC",
) -> pd.DataFrame:
    """Instances per status and compliance per target and dimension values."""
    keys = ["target", *by]
    frame = pd.DataFrame({"target": instances["target"].reset_index(drop=True)})
    for name in by:
        frame[name] = dimension(instances, tickets, name, timezone)
    frame["status"] = instances["status"].reset_index(drop=True)
    counts = frame.groupby([*keys, "status"], observed=True, dropna=False).size()
    table = counts.unstack("status", fill_value=0).reindex(columns=list(STATES), fill_value=0)
    table.columns = list(STATES)
    table["instances"] = table[list(STATES)].sum(axis=1)
    decided = table["achieved"] + table["breached"]
    table["compliance"] = (table["achieved"] / decided.where(decided > 0)).round(4)
    return table.reset_index()


def at_risk(
    instances: pd.DataFrame, within_seconds: float, as_of: datetime | pd.Timestamp | str
) -> pd.DataFrame:
    """Active instances due within ``within_seconds`` of ``as_of``, soonest first, with the
    seconds left (``due_in_seconds``)."""
    now = pd.Timestamp(as_of_seconds(as_of), unit="s", tz="UTC")
    horizon = now + pd.Timedelta(seconds=within_seconds)
    active = instances[(instances["status"] == "active") & (instances["due_at"] <= horizon)]
    out = active.sort_values(["due_at", "ticket_id"], kind="stable").copy()
    left = (out["due_at"] - now).dt.total_seconds().to_numpy()
    out["due_in_seconds"] = np.asarray(left, dtype=np.int64) if len(out) else left
    return out.reset_index(drop=True)
