"""The fewest agents per interval that meet every target, and the gross-up for shrinkage.

Every target is monotone in the number of agents (service level rises; ASA, occupancy and
abandonment fall), so the minimum is found for all intervals at once: a galloping search brackets
it between a count known to fail and one known to pass, then bisection closes the bracket. The
result is the true minimum — N passes and N − 1 fails — for every interval.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from supportops.workforce.erlang import Queue, QueueMetrics, SlDefinition, queue_metrics
from supportops.workforce.poisson import log_poisson_pmf, log_upper_gamma

__all__ = ["Staffing", "StaffingTargets", "gross_up", "required_agents", "staff"]

Ints = NDArray[np.int64]
Passes = Callable[[Ints, NDArray[np.bool_]], NDArray[np.bool_]]


@dataclass(frozen=True)
class StaffingTargets:
    """What each interval must achieve; ``None`` switches a target off.

    ``service_level`` of contacts answered within ``answer_time`` seconds (by ``sl_definition``),
    ``asa`` in seconds, ``max_occupancy`` and ``max_abandon`` as fractions.
    """

    service_level: float | None = 0.8
    answer_time: float = 20.0
    asa: float | None = None
    max_occupancy: float | None = None
    max_abandon: float | None = None
    sl_definition: SlDefinition = "offered"

    def __post_init__(self) -> None:
        checks: tuple[tuple[float | None, float, float, str], ...] = (
            (self.service_level, 0.0, 1.0 - 1e-15, "in [0, 1)"),
            (self.asa, 1e-300, np.inf, "positive"),
            (self.max_occupancy, 1e-300, 1.0, "in (0, 1]"),
            (self.max_abandon, 1e-300, 1.0, "in (0, 1]"),
        )
        for value, low, high, expected in checks:
            if value is not None and not low <= value <= high:
                raise ValueError(f"target {value!r} must be {expected}")
        if self.answer_time < 0:
            raise ValueError("answer_time cannot be negative")


@dataclass(frozen=True)
class Staffing:
    """Agents needed on the queue, heads to schedule after shrinkage, and the metrics at N."""

    agents: Ints
    scheduled: Ints
    metrics: QueueMetrics


def _meets(metrics: QueueMetrics, targets: StaffingTargets) -> NDArray[np.bool_]:
    ok = np.ones(metrics.service_level.shape, dtype=bool)
    if targets.service_level is not None:
        ok &= metrics.service_level >= targets.service_level
    if targets.asa is not None:
        ok &= metrics.asa <= targets.asa
    if targets.max_occupancy is not None:
        ok &= metrics.occupancy <= targets.max_occupancy
    if targets.max_abandon is not None and metrics.abandon_rate is not None:
        ok &= metrics.abandon_rate <= targets.max_abandon
    return ok


def _subset(queue: Queue, mask: NDArray[np.bool_]) -> Queue:
    def pick(values: object) -> NDArray[np.float64]:
        return np.broadcast_to(np.asarray(values, dtype=float), mask.shape)[mask]

    patience = None if queue.patience is None else pick(queue.patience)
    return Queue(pick(queue.volume), pick(queue.aht), queue.interval, patience, queue.concurrency)


def _search(passes: Passes, low: Ints, step: Ints) -> Ints:
    """Smallest n > low with passes(n); ``low`` must fail. Gallop up by ``step``, then bisect."""
    low, step = low.copy(), step.copy()
    high = low + step
    todo = np.ones(low.shape, dtype=bool)
    while todo.any():
        ok = passes(high[todo], todo)
        failed = np.flatnonzero(todo)[~ok]
        low[failed] = high[failed]
        step[failed] *= 2
        high[failed] = low[failed] + step[failed]
        todo[:] = False
        todo[failed] = True
    todo = high - low > 1
    while todo.any():
        mid = (low[todo] + high[todo]) // 2
        ok = passes(mid, todo)
        idx = np.flatnonzero(todo)
        high[idx[ok]], low[idx[~ok]] = mid[ok], mid[~ok]
        todo = high - low > 1
    return high


def _erlang_c_scan(sub: Queue, targets: StaffingTargets, low: Ints) -> Ints:
    """Erlang C fast path: step N up from ``low`` with the stable recurrence of Erlang B.

    B(n) = A·B(n−1) / (n + A·B(n−1)) is a contraction for n > A, so one incomplete-gamma
    evaluation at the start and a few cheap vector steps replace the bisection.
    """
    k, a = sub.concurrency, sub.load
    aht = np.broadcast_to(np.asarray(sub.aht, dtype=float), a.shape)
    n = low.astype(float)
    b = np.exp(log_poisson_pmf(n * k, a) - log_upper_gamma(n * k + 1.0, a))
    out = np.zeros(a.shape, dtype=np.int64)
    todo = np.arange(a.size)
    while todo.size:
        n[todo] += 1.0
        bt, at, servers = b[todo], a[todo], n[todo] * k
        for step in range(k - 1, -1, -1):
            bt = at * bt / (servers - step + at * bt)
        b[todo] = bt
        spare = servers - at
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            c = bt / (1.0 - at / servers * (1.0 - bt))
            sl = 1.0 - c * np.exp(-spare * targets.answer_time / aht[todo])
            asa = c * aht[todo] / spare
        metrics = QueueMetrics(c, sl, asa, asa, at / servers, None)
        ok = _meets(metrics, targets) & (spare > 0)
        out[todo[ok]] = n[todo[ok]].astype(np.int64)
        todo = todo[~ok]
    return out


def _erlang_c_floor(load: NDArray[np.float64], k: int, targets: StaffingTargets) -> Ints:
    """A count that surely fails under Erlang C: N·K ≤ load, or occupancy above the maximum."""
    low = np.floor(load / k)
    if targets.max_occupancy is not None:
        low = np.maximum(low, np.ceil(load / (k * targets.max_occupancy) * (1 - 1e-9)) - 1)
    return low.astype(np.int64)


def _erlang_a_floor(load: NDArray[np.float64], k: int, targets: StaffingTargets) -> Ints:
    """A count that surely fails under Erlang A: N·K agents answer at most N·K/load of all."""
    answered = 0.0
    if targets.service_level is not None and targets.sl_definition == "offered":
        answered = targets.service_level
    if targets.max_abandon is not None:
        answered = max(answered, 1.0 - targets.max_abandon)
    floor = np.ceil(load * answered / k * (1 - 1e-9)) - 1
    return np.asarray(np.maximum(floor, 0), dtype=np.int64)


def _erlang_a_search(sub: Queue, targets: StaffingTargets) -> Ints:
    def passes(agents: Ints, mask: NDArray[np.bool_]) -> NDArray[np.bool_]:
        part = _subset(sub, mask)
        with_asa = targets.asa is not None
        metrics = queue_metrics(part, agents, targets.answer_time, targets.sl_definition, with_asa)
        return _meets(metrics, targets)

    step = np.maximum(np.ceil(np.sqrt(sub.load) / 2), 1).astype(np.int64)
    return _search(passes, _erlang_a_floor(sub.load, sub.concurrency, targets), step)


def required_agents(queue: Queue, targets: StaffingTargets) -> Ints:
    """The minimum agents per interval meeting every target (0 where nothing is offered)."""
    load = queue.load
    busy = load > 0
    out = np.zeros(load.shape, dtype=np.int64)
    if busy.any():
        sub = _subset(queue, busy)
        if queue.patience is None:
            low = _erlang_c_floor(sub.load, queue.concurrency, targets)
            out[busy] = _erlang_c_scan(sub, targets, low)
        else:
            out[busy] = _erlang_a_search(sub, targets)
    return out


def gross_up(agents: NDArray[np.int64], shrinkage: float) -> Ints:
    """Heads to schedule so that ``agents`` remain after ``shrinkage`` (breaks, training, …)."""
    if not 0.0 <= shrinkage < 1.0:
        raise ValueError("shrinkage must be in [0, 1)")
    return np.ceil(np.asarray(agents) / (1.0 - shrinkage) - 1e-9).astype(np.int64)


def staff(queue: Queue, targets: StaffingTargets, shrinkage: float = 0.0) -> Staffing:
    """Required agents, scheduled heads and the metrics those agents achieve."""
    agents = required_agents(queue, targets)
    metrics = queue_metrics(queue, agents, targets.answer_time, targets.sl_definition)
    return Staffing(agents, gross_up(agents, shrinkage), metrics)
