"""Staffing for deferred work (e-mail, tickets): a share answered within a business-time window.

Nobody waits on the line, so queueing formulas do not apply; what matters is whether the work
that arrives is finished before its deadline. The model is a fluid FIFO queue over intervals:

* items of interval *i* bring ``volume·aht`` seconds of work and count as arriving at the start
  of *i* (conservative by up to one interval); their deadline is the end of the first interval at
  which ``window`` business seconds have passed, counting only open intervals;
* agents deliver ``interval·occupancy`` seconds of work each in open intervals, none in closed
  ones; work left over is carried to the next interval (the backlog);
* items are worked oldest first, so the share of interval *i*'s items done by its deadline follows
  from cumulative work arrived and done (Lindley's recursion, vectorised).

The period is taken to repeat (steady state). Staffing spreads each interval's work evenly over
the open intervals of its window (the shape of the demand), then finds the smallest multiple of
that shape, in whole agents (rounding the running total, so fractions are spread over time),
that meets the share. That is a level plan, not the least agent-hours
(work can often wait until just before its deadline); removing single agent-intervals may still
meet the share.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from supportops.workforce.staffing import gross_up

__all__ = ["BacklogOutcome", "BacklogPlan", "BacklogTargets", "run_backlog", "staff_backlog"]

Array = NDArray[np.float64]
Ints = NDArray[np.int64]


@dataclass(frozen=True)
class BacklogTargets:
    """``share`` of items answered within ``window`` business seconds; agents productive
    ``occupancy`` of each interval."""

    share: float = 0.9
    window: float = 4 * 3600.0
    occupancy: float = 0.85

    def __post_init__(self) -> None:
        if not 0.0 < self.share <= 1.0 or self.window <= 0 or not 0.0 < self.occupancy <= 1.0:
            raise ValueError("need 0 < share ≤ 1, window > 0 and 0 < occupancy ≤ 1")


@dataclass(frozen=True)
class BacklogOutcome:
    """Per interval: items waiting at its end and the share of its arrivals done on time."""

    backlog: Array
    on_time: Array
    share: float


@dataclass(frozen=True)
class BacklogPlan:
    """Agents per interval, heads to schedule after shrinkage, and what they achieve."""

    agents: Ints
    scheduled: Ints
    outcome: BacklogOutcome


def _deadlines(open_mask: NDArray[np.bool_], interval: float, window: float) -> Ints:
    """Index of the interval by whose end work arriving at the start of each interval is due."""
    opened = np.cumsum(open_mask * interval)
    before = np.concatenate([[0.0], opened[:-1]])
    return np.searchsorted(opened, before + window - 1e-6, side="left").astype(np.int64)


def _run(work: Array, vol: Array, capacity: Array, due: Ints) -> tuple[Array, Array]:
    """Work left at each interval's end and the share of each interval's items done by its due."""
    arrived = np.cumsum(work)
    drift = arrived - np.cumsum(capacity)
    done = arrived - (drift - np.minimum(np.minimum.accumulate(drift), 0.0))
    start = arrived - work
    with np.errstate(divide="ignore", invalid="ignore"):
        finished = (done[np.minimum(due, len(vol) - 1)] - start) / work
    on_time = np.where(work > 0, np.clip(finished, 0.0, 1.0), 1.0)
    return arrived - done, np.where(due < len(vol), on_time, np.nan)


def run_backlog(
    volume: ArrayLike,
    aht: ArrayLike,
    agents: ArrayLike,
    open_mask: ArrayLike,
    interval: float,
    targets: BacklogTargets,
) -> BacklogOutcome:
    """Work the arrivals oldest first with ``agents``, in steady state.

    The period is taken to repeat (three copies are run and the middle one is reported), so the
    backlog carried in at its start and the deadlines beyond its end are those of a period like it.
    Agents who cannot finish a period's work within the period fall further behind every period:
    in the long run they miss every deadline, so the share is 0.
    """
    vol = np.asarray(volume, dtype=float)
    n = len(vol)
    aht_ = np.broadcast_to(np.asarray(aht, dtype=float), vol.shape)
    mask = np.tile(np.asarray(open_mask, dtype=bool), 3)
    work = np.tile(vol * aht_, 3)
    capacity = np.tile(np.asarray(agents, dtype=float), 3) * interval * targets.occupancy * mask
    left, on_time = _run(
        work, np.tile(vol, 3), capacity, _deadlines(mask, interval, targets.window)
    )
    left, on_time = left[n : 2 * n], on_time[n : 2 * n]
    counted = np.where(np.isnan(on_time), 0.0, vol)
    share = float(np.nansum(on_time * counted) / counted.sum()) if counted.sum() else 1.0
    if capacity[:n].sum() < work[:n].sum() * (1 - 1e-12):
        share = 0.0
    mean_aht = float(np.average(aht_, weights=vol)) if vol.sum() else float(aht_.mean())
    return BacklogOutcome(left / mean_aht, on_time, share)


def _shape(work: Array, mask: NDArray[np.bool_], interval: float, window: float) -> Array:
    """Work per open interval if each interval's work is spread evenly over the open intervals
    of its window; the period repeats, so windows running past its end wrap to its start."""
    count = np.cumsum(mask)
    n_open, span = int(count[-1]), int(np.ceil(window / interval - 1e-9))
    laps, rest = divmod(span, n_open)
    lo = (count - mask) % n_open  # the first open interval at or after each interval
    rate = np.zeros(2 * n_open + 1)
    np.add.at(rate, lo, work / span)
    np.add.at(rate, lo + rest, -work / span)
    spread = np.cumsum(rate)[: 2 * n_open]
    out = np.zeros(len(work))
    out[mask] = spread[:n_open] + spread[n_open:] + work.sum() * laps / span
    return out


def staff_backlog(
    volume: ArrayLike,
    aht: ArrayLike,
    open_mask: ArrayLike,
    interval: float,
    targets: BacklogTargets,
    shrinkage: float = 0.0,
) -> BacklogPlan:
    """The smallest multiple of the demand shape, in whole agents, meeting ``targets.share``."""
    vol = np.asarray(volume, dtype=float)
    mask = np.asarray(open_mask, dtype=bool)
    if not mask.any():
        raise ValueError("no open interval to staff")
    work = vol * np.broadcast_to(np.asarray(aht, dtype=float), vol.shape)
    per_agent = interval * targets.occupancy
    shape = _shape(work, mask, interval, targets.window) / per_agent

    def agents_at(scale: float) -> Ints:
        # Round the running total, not each interval: 4.4 agents become 4, 5, 4, 4, 5, …
        total = np.ceil(np.cumsum(scale * shape) - 1e-9)
        return np.diff(total, prepend=0.0).astype(np.int64)

    def meets(scale: float) -> bool:
        return run_backlog(vol, aht, agents_at(scale), mask, interval, targets).share >= (
            targets.share - 1e-12
        )

    low, high = 0.0, 1.0
    while not meets(high):
        low, high = high, high * 2.0
        if high > 1e6:
            raise ValueError("the share cannot be met: is anything open?")
    while high - low > 1e-4 * high:
        mid = (low + high) / 2.0
        low, high = (low, mid) if meets(mid) else (mid, high)
    agents = agents_at(high)
    outcome = run_backlog(vol, aht, agents, mask, interval, targets)
    return BacklogPlan(agents, gross_up(agents, shrinkage), outcome)
