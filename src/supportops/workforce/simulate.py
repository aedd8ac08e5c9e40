"""A discrete-event simulation of a staffing plan: what the Erlang formulas leave out.

Per interval, contacts arrive as a Poisson process at the forecast rate; handle times are drawn
from the history's distribution (a sample of observed handle times, rescaled to the interval's
AHT) or, without one, exponentially; each caller has an exponential patience; agents are those
scheduled. Nothing is assumed stationary: a queue built up in a peak interval is still there in
the next, and agents leaving at the end of an interval finish the contact in hand first (the queue
is drained with the last interval's staff). Callers are served first come, first served.

The event loop is a heap of agent departures merged with the sorted arrivals and the interval
boundaries; abandoned callers are skipped when an agent reaches them. Each replication draws
new arrivals, handle times and patience; results are means with 95% t-intervals over them.
"""

from __future__ import annotations

import heapq
from collections import deque
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import stats

__all__ = ["Contacts", "SimulationResult", "simulate", "simulate_once"]

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Contacts:
    """One replication's contacts: arrival interval, wait (seconds) and whether answered."""

    interval: NDArray[np.int64]
    wait: Array
    answered: NDArray[np.bool_]


@dataclass(frozen=True)
class SimulationResult:
    """``summary``: metric, mean, lo_95, hi_95 over replications; ``intervals``: per interval
    means of service_level, asa, abandon_rate and offered."""

    summary: pd.DataFrame
    intervals: pd.DataFrame


def _arrivals(
    rng: np.random.Generator, volume: Array, interval: float
) -> tuple[Array, NDArray[np.int64]]:
    counts = rng.poisson(volume)
    which = np.repeat(np.arange(len(volume)), counts)
    times = (which + rng.random(len(which))) * interval
    order = np.argsort(times, kind="stable")
    return times[order], which[order]


def _handle_times(
    rng: np.random.Generator, aht: Array, which: NDArray[np.int64], sample: Array | None
) -> Array:
    if sample is None:
        return np.asarray(rng.exponential(aht[which]), dtype=float)
    draws = rng.choice(sample, size=len(which))
    return np.asarray(draws / sample.mean() * aht[which], dtype=float)


class _Floor:
    """Agents on duty: departures of those on a contact, idle ones, and the queue of callers."""

    def __init__(self, times: Array, service: Array, patience: Array) -> None:
        self.times, self.service, self.deadline = times, service, times + patience
        self.wait = np.full(len(times), -1.0)  # −1: never answered (abandoned)
        self.busy: list[float] = []
        self.queue: deque[int] = deque()
        self.idle = self.leaving = 0

    def restaff(self, target: int, now: float) -> None:
        """Bring the agents on duty to ``target``; those leaving finish their contact first."""
        present = self.idle + len(self.busy) - self.leaving
        if target >= present:
            cancel = min(self.leaving, target - present)
            self.leaving -= cancel
            for _ in range(target - present - cancel):
                self.free(now)
        else:
            drop = min(self.idle, present - target)
            self.idle -= drop
            self.leaving += present - target - drop

    def free(self, now: float) -> None:
        """An agent is free at ``now``: take the oldest caller still waiting, else idle."""
        while self.queue:
            c = self.queue.popleft()
            if self.deadline[c] >= now:
                self.wait[c] = now - self.times[c]
                heapq.heappush(self.busy, now + self.service[c])
                return
        self.idle += 1

    def arrive(self, c: int) -> None:
        """Caller ``c`` arrives: answered at once by an idle agent, else queued."""
        if self.idle:
            self.idle -= 1
            self.wait[c] = 0.0
            heapq.heappush(self.busy, self.times[c] + self.service[c])
        else:
            self.queue.append(c)

    def depart(self) -> None:
        """The next agent finishes a contact; goes home if one is due to leave."""
        now = heapq.heappop(self.busy)
        if self.leaving:
            self.leaving -= 1
        else:
            self.free(now)


def _run(
    times: Array, service: Array, patience: Array, staff: NDArray[np.int64], interval: float
) -> Array:
    """Wait of each caller in arrival order; −1 marks an abandonment."""
    floor = _Floor(times, service, patience)
    k, n = 0, len(times)
    for b in range(len(staff) + 1):
        floor.restaff(int(staff[min(b, len(staff) - 1)]), b * interval)
        end = (b + 1) * interval if b < len(staff) else np.inf
        while True:
            t_arr = times[k] if k < n else np.inf
            t_dep = floor.busy[0] if floor.busy else np.inf
            if min(t_arr, t_dep) >= end or (t_arr == t_dep == np.inf):
                break
            if t_dep <= t_arr:
                floor.depart()
            else:
                floor.arrive(k)
                k += 1
    return floor.wait


def simulate_once(
    rng: np.random.Generator,
    volume: ArrayLike,
    aht: ArrayLike,
    staff: ArrayLike,
    interval: float,
    patience: float | None = None,
    handle_sample: ArrayLike | None = None,
) -> Contacts:
    """One replication of the plan: every contact's interval, wait and outcome."""
    vol = np.asarray(volume, dtype=float)
    aht_ = np.broadcast_to(np.asarray(aht, dtype=float), vol.shape)
    times, which = _arrivals(rng, vol, interval)
    sample = None if handle_sample is None else np.asarray(handle_sample, dtype=float)
    service = _handle_times(rng, aht_, which, sample)
    patient = np.full(len(times), np.inf)
    if patience is not None:
        patient = rng.exponential(patience, len(times))
    wait = _run(times, service, patient, np.asarray(staff, dtype=np.int64), interval)
    answered = wait >= 0
    return Contacts(which, np.where(answered, wait, patient), answered)


def _metrics(contacts: Contacts, answer_time: float, sl_definition: str) -> dict[str, float]:
    """Service level (by definition), ASA, abandonment and offered over ``contacts``."""
    quick = contacts.wait <= answer_time
    met = contacts.answered & quick
    offered = len(contacts.wait)
    answered = int(contacts.answered.sum())
    short_abandons = int((~contacts.answered & quick).sum())
    denominators = {
        "offered": offered,
        "answered": answered,
        "offered_less_short_abandons": offered - short_abandons,
        "short_abandons_met": offered,
    }
    numerator = met.sum() + (short_abandons if sl_definition == "short_abandons_met" else 0)
    denominator = denominators[sl_definition]
    return {
        "service_level": float(numerator / denominator) if denominator else np.nan,
        "asa": float(contacts.wait[contacts.answered].mean()) if answered else np.nan,
        "abandon_rate": float(1 - answered / offered) if offered else np.nan,
        "offered": float(offered),
    }


def _per_interval(contacts: Contacts, n: int, answer_time: float, sl: str) -> pd.DataFrame:
    rows = []
    order = np.argsort(contacts.interval, kind="stable")
    bounds = np.searchsorted(contacts.interval[order], np.arange(n + 1))
    for i in range(n):
        pick = order[bounds[i] : bounds[i + 1]]
        part = Contacts(contacts.interval[pick], contacts.wait[pick], contacts.answered[pick])
        rows.append(_metrics(part, answer_time, sl))
    return pd.DataFrame(rows)


def simulate(
    volume: ArrayLike,
    aht: ArrayLike,
    staff: ArrayLike,
    interval: float = 1800.0,
    patience: float | None = None,
    answer_time: float = 20.0,
    replications: int = 20,
    seed: int = 0,
    sl_definition: str = "offered",
    handle_sample: ArrayLike | None = None,
) -> SimulationResult:
    """Replicate the plan and summarise service level, ASA and abandonment with 95% intervals."""
    rng = np.random.default_rng(seed)
    n = len(np.asarray(volume))
    totals, frames = [], []
    for _ in range(replications):
        contacts = simulate_once(rng, volume, aht, staff, interval, patience, handle_sample)
        totals.append(_metrics(contacts, answer_time, sl_definition))
        frames.append(_per_interval(contacts, n, answer_time, sl_definition))
    table = pd.DataFrame(totals)
    rows = []
    for metric in ("service_level", "asa", "abandon_rate"):
        values = table[metric].dropna().to_numpy()
        mean = float(values.mean()) if len(values) else np.nan
        half = 0.0
        if len(values) > 1:
            half = float(
                stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
            )
        top = np.inf if metric == "asa" else 1.0  # a share stays in [0, 1], a wait ≥ 0
        low, high = max(mean - half, 0.0), min(mean + half, top)
        rows.append({"metric": metric, "mean": mean, "lo_95": low, "hi_95": high})
    stacked = pd.concat(frames, keys=range(replications), names=["replication", "interval"])
    intervals = stacked.groupby(level="interval").mean()
    return SimulationResult(pd.DataFrame(rows), intervals.reset_index(drop=True))
