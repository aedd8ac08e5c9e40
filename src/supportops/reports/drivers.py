"""What moved and why: each segment's contribution to the change of a number between periods.

The inputs are two metric frames by ``channel``, ``group`` and ``priority`` (one row per
combination) holding additive parts: ``tickets_created``, and ``first_reply_time:sum`` with
``first_reply_time:count``. Per dimension, a segment's contribution is

- to the change in volume: its tickets now − its tickets before (they add up to the total);
- to the change in mean first reply: its reply seconds now / all replies now − its reply seconds
  before / all replies before. These add up to the change of the *mean*; a median has no such
  split, so the report says which one it explains.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

__all__ = ["DIMENSIONS", "Driver", "reply_drivers", "top", "volume_drivers"]

DIMENSIONS = ("channel", "group", "priority")
VOLUME = "tickets_created"
REPLY_SUM, REPLY_COUNT = "first_reply_time:sum", "first_reply_time:count"


@dataclass(frozen=True)
class Driver:
    """A segment's share in a change: its values before and now, and its contribution."""

    dimension: str
    segment: str
    before: float | None
    now: float | None
    change: float
    share: float | None


def _sums(frame: pd.DataFrame, dim: str, columns: list[str]) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in columns})
    keyed = frame.assign(**{dim: frame[dim].fillna("(none)").astype(str)})
    return keyed.groupby(dim)[columns].sum(min_count=1).astype(float)


def _total(frame: pd.DataFrame, column: str) -> float:
    return float(frame[column].sum()) if column in frame and len(frame) else 0.0


def _share(change: float, total: float) -> float | None:
    return change / total if total and not math.isclose(total, 0.0) else None


def volume_drivers(now: pd.DataFrame, before: pd.DataFrame, dim: str) -> list[Driver]:
    """Per segment of ``dim``: tickets before and now, and the difference."""
    a, b = _sums(now, dim, [VOLUME]), _sums(before, dim, [VOLUME])
    joined = a.join(b, how="outer", lsuffix="_now", rsuffix="_before").fillna(0.0)
    total = _total(now, VOLUME) - _total(before, VOLUME)
    return [
        Driver(
            dim,
            str(segment),
            float(row[f"{VOLUME}_before"]),
            float(row[f"{VOLUME}_now"]),
            float(row[f"{VOLUME}_now"] - row[f"{VOLUME}_before"]),
            _share(float(row[f"{VOLUME}_now"] - row[f"{VOLUME}_before"]), total),
        )
        for segment, row in joined.iterrows()
    ]


def _mean(sums: pd.DataFrame, segment: str) -> float | None:
    if segment not in sums.index:
        return None
    count = float(sums[REPLY_COUNT].get(segment, 0.0))
    return float(sums[REPLY_SUM].get(segment, 0.0)) / count if count else None


def reply_drivers(now: pd.DataFrame, before: pd.DataFrame, dim: str) -> list[Driver]:
    """Per segment of ``dim``: its mean first reply before and now, and its contribution to
    the change of the overall mean (seconds)."""
    columns = [REPLY_SUM, REPLY_COUNT]
    a, b = _sums(now, dim, columns).fillna(0.0), _sums(before, dim, columns).fillna(0.0)
    n_now, n_before = _total(now, REPLY_COUNT), _total(before, REPLY_COUNT)
    mean_now = _total(now, REPLY_SUM) / n_now if n_now else 0.0
    mean_before = _total(before, REPLY_SUM) / n_before if n_before else 0.0
    out = []
    for segment in sorted(set(a.index) | set(b.index)):
        part_now = float(a[REPLY_SUM].get(segment, 0.0)) / n_now if n_now else 0.0
        part_before = float(b[REPLY_SUM].get(segment, 0.0)) / n_before if n_before else 0.0
        change = part_now - part_before
        out.append(
            Driver(
                dim,
                str(segment),
                _mean(b, segment),
                _mean(a, segment),
                change,
                _share(change, mean_now - mean_before),
            )
        )
    return out


def top(drivers: list[Driver], count: int = 3) -> list[Driver]:
    """The ``count`` drivers with the largest contribution, either way."""
    return sorted(drivers, key=lambda d: abs(d.change), reverse=True)[:count]
