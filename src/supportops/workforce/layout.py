"""How a volume series on the calendar maps onto the steps a forecasting model sees.

Support volume has hours when nobody calls (nights, weekends) and days when the centre is shut
(holidays). Forecast models should never see those as zeros to imitate, so:

* **closed slots** are the slots of the week (weekday × time of day) that are absent or zero in
  more than 80% of the history's weeks; they are forecast as exactly 0;
* **closed days** are open weekdays whose volume is under 10% of that weekday's median (or
  absent); their values are replaced by the same slot a week earlier (or later) for fitting, are
  never scored, and are forecast as 0 when the calendar says so;
* when every open day has the same number of open slots, the model sees only open slots
  (compressed), with a daily and a weekly season; otherwise it sees the whole grid with a daily
  season of one day and a weekly one of seven.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from numpy.typing import NDArray

__all__ = ["Layout", "ModelSeries", "after_closed", "future_grid", "model_series"]

_CLOSED_SLOT_SHARE = 0.8
_CLOSED_DAY_SHARE = 0.1


@dataclass(frozen=True)
class Layout:
    """The grain, which slots of the week are open, and the model's season lengths."""

    grain: pd.Timedelta
    open_slots: NDArray[np.bool_]
    compressed: bool
    daily: int | None
    weekly: int

    @property
    def slots_per_day(self) -> int:
        """Calendar slots in one day at this grain."""
        return int(pd.Timedelta(days=1) / self.grain)

    def slot_of_week(self, ds: pd.DatetimeIndex) -> NDArray[np.int64]:
        """Index 0 … 7·slots_per_day − 1 of each timestamp (Monday 00:00 is 0)."""
        minutes = (ds.hour * 60 + ds.minute).to_numpy()
        of_day = minutes // int(self.grain.total_seconds() // 60)
        return np.asarray(ds.dayofweek.to_numpy() * self.slots_per_day + of_day, dtype=np.int64)

    def is_model_step(self, ds: pd.DatetimeIndex) -> NDArray[np.bool_]:
        """Whether each timestamp is a step of the model's series."""
        if not self.compressed:
            return np.ones(len(ds), dtype=bool)
        return np.asarray(self.open_slots[self.slot_of_week(ds)])


@dataclass(frozen=True)
class ModelSeries:
    """The values a model is fitted on, their timestamps, and which were filled in."""

    layout: Layout
    ds: pd.DatetimeIndex
    y: NDArray[np.float64]
    filled: NDArray[np.bool_]
    closed_days: tuple[date, ...]
    after_closed: NDArray[np.bool_]
    end: pd.Timestamp


def _grid(ds: pd.Series, y: pd.Series, grain: pd.Timedelta) -> pd.Series:
    index = pd.date_range(ds.min().normalize(), ds.max(), freq=grain)
    return pd.Series(y.to_numpy(dtype=float), index=pd.DatetimeIndex(ds)).reindex(index)


def _layout(grid: pd.Series, grain: pd.Timedelta) -> Layout:
    probe = Layout(grain, np.zeros(0, dtype=bool), False, None, 0)
    spd = probe.slots_per_day
    slot = probe.slot_of_week(pd.DatetimeIndex(grid.index))
    active = (grid.fillna(0.0) > 0).to_numpy()
    share = np.bincount(slot, weights=active, minlength=7 * spd) / np.maximum(
        np.bincount(slot, minlength=7 * spd), 1
    )
    open_slots = share > 1.0 - _CLOSED_SLOT_SHARE
    per_day = open_slots.reshape(7, spd).sum(axis=1)
    counts = set(per_day[per_day > 0].tolist())
    if len(counts) == 1 and open_slots.sum() < 7 * spd:
        daily = counts.pop()
        return Layout(grain, open_slots, True, daily, int(open_slots.sum()))
    return Layout(grain, open_slots, False, spd, 7 * spd)


def _closed_days(grid: pd.Series, layout: Layout) -> list[date]:
    """Whole open weekdays of the history with (almost) no volume."""
    index = pd.DatetimeIndex(grid.index)
    is_open = layout.open_slots[layout.slot_of_week(index)]
    frame = pd.DataFrame({"y": grid.where(is_open, 0.0).fillna(0.0), "n": is_open})
    per_day = frame.groupby(index.normalize()).sum()
    days = pd.DatetimeIndex(per_day.index)
    expected = layout.open_slots.reshape(7, -1).sum(axis=1)[days.dayofweek]
    whole = (per_day["n"].to_numpy() == expected) & (expected > 0)
    median = per_day["y"].groupby(days.dayofweek).transform("median").to_numpy()
    low = per_day["y"].to_numpy() < _CLOSED_DAY_SHARE * median
    return [d.date() for d in days[whole & low]]


def _fill_weekly(values: NDArray[np.float64], gaps: NDArray[np.bool_], week: int) -> None:
    """Replace gaps in place by the same step a week earlier, else a week later."""
    for i in np.flatnonzero(gaps):
        for j in (*range(i - week, -1, -week), *range(i + week, len(values), week)):
            if not gaps[j] or j < i:
                values[i] = values[j]
                break
        else:
            values[i] = 0.0


def after_closed(
    days: pd.DatetimeIndex, layout: Layout, closed: Iterable[date]
) -> NDArray[np.bool_]:
    """Whether the open weekday before each day (skipping regular closed weekdays) was closed."""
    open_weekday: NDArray[np.bool_] = np.asarray(layout.open_slots.reshape(7, -1).any(axis=1))
    closed_set = set(closed)
    flags: dict[pd.Timestamp, bool] = {}
    if not open_weekday.any():  # never open: no day follows a closed open weekday
        return np.zeros(len(days), dtype=bool)
    for day in days.unique():
        prev = day - pd.Timedelta(days=1)
        while not open_weekday[prev.dayofweek]:
            prev -= pd.Timedelta(days=1)
        flags[day] = prev.date() in closed_set and day.date() not in closed_set
    return np.array([flags[d] for d in days], dtype=bool)


def model_series(ds: pd.Series, y: pd.Series, grain: pd.Timedelta) -> ModelSeries:
    """Lay ``y`` (at timestamps ``ds``) out on the calendar and keep the model's steps."""
    grid = _grid(ds, y, grain)
    layout = _layout(grid, grain)
    closed = _closed_days(grid, layout)
    index = pd.DatetimeIndex(grid.index)
    keep = layout.is_model_step(index)
    steps, values = index[keep], grid.to_numpy()[keep].copy()
    on_closed = np.isin(steps.normalize().date, np.array(closed, dtype=object))
    gaps = np.isnan(values) | on_closed
    _fill_weekly(values, gaps, layout.weekly)
    flags = after_closed(steps.normalize(), layout, closed)
    return ModelSeries(layout, steps, values, gaps, tuple(closed), flags, index[-1])


def future_grid(
    series: ModelSeries, horizon: pd.Timedelta, closed_dates: Iterable[date] = ()
) -> pd.DataFrame:
    """Calendar slots after the history: whether each is a model step and whether it is open."""
    layout = series.layout
    start = series.end + layout.grain
    index = pd.date_range(start, start + horizon - layout.grain, freq=layout.grain)
    closed = set(closed_dates)
    on_closed = np.isin(index.normalize().date, np.array(sorted(closed), dtype=object))
    is_open = layout.open_slots[layout.slot_of_week(index)] & ~on_closed
    known = closed | set(series.closed_days)
    after = after_closed(index.normalize(), layout, known) & is_open
    return pd.DataFrame(
        {"ds": index, "step": layout.is_model_step(index), "open": is_open, "after_closed": after}
    )
