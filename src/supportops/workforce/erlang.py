"""Erlang B, C and A (Palm's M/M/N+M) queue metrics, vectorised over intervals.

All arrays broadcast together; one element is one interval. Times are in seconds.

* **Erlang C** (M/M/N): Poisson arrivals, exponential handle times, N identical agents, callers
  who never hang up. ``C = B / (1 − ρ(1 − B))`` with Erlang B from :mod:`.poisson`.
* **Erlang A** (M/M/N+M): the same with exponential patience of mean ``patience``. With
  ``x = N·patience/AHT`` and ``y = load·patience/AHT`` the stationary distribution gives

  - P(wait) = S·B / (1 + (S − 1)·B), where S = P(x, y) / Poisson(x; y) ≥ 1;
  - given a wait, ``U = e^(−V/patience)`` (V = the wait a caller would have if patient) has
    ``y·U ~ Gamma(x)`` truncated to (0, y), so P(V > t | wait) = P(x, y·e^(−t/patience)) / P(x, y),
    P(answered | wait) = (x/y)·P(x+1, y)/P(x, y) and P(answered within t | wait) =
    (x/y)·[P(x+1, y) − P(x+1, y·e^(−t/patience))] / P(x, y);
  - the mean wait of answered callers is a positive series over the queue position.

Service level with abandonment has several definitions (:data:`SL_DEFINITIONS`); the default
is answered within T over all offered. Chat concurrency K is modelled as N·K servers with the
handle time of one conversation (measured while agents work K at a time).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from supportops.workforce.poisson import log_lower_gamma, log_poisson_pmf, log_upper_gamma

__all__ = [
    "SL_DEFINITIONS",
    "Queue",
    "QueueMetrics",
    "SlDefinition",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "queue_metrics",
]

Array = NDArray[np.float64]
SlDefinition = Literal["offered", "answered", "offered_less_short_abandons", "short_abandons_met"]
SL_DEFINITIONS: dict[str, str] = {
    "offered": "answered within T / all offered (default)",
    "answered": "answered within T / answered",
    "offered_less_short_abandons": "answered within T / (offered − abandoned within T)",
    "short_abandons_met": "(answered within T + abandoned within T) / offered",
}


@dataclass(frozen=True)
class QueueMetrics:
    """Per-interval results; ``abandon_rate`` is ``None`` for Erlang C (nobody hangs up)."""

    probability_wait: Array
    service_level: Array
    asa: Array
    mean_wait: Array
    occupancy: Array
    abandon_rate: Array | None


@dataclass(frozen=True)
class Queue:
    """A contact queue per interval: ``volume`` offered per ``interval`` seconds, ``aht`` seconds.

    ``patience`` (mean seconds before a caller hangs up) selects Erlang A; ``None`` is Erlang C.
    ``concurrency`` is how many conversations one agent handles at once (chat).
    """

    volume: ArrayLike
    aht: ArrayLike
    interval: float = 1800.0
    patience: ArrayLike | None = None
    concurrency: int = 1

    @property
    def load(self) -> Array:
        """Offered load in Erlangs (busy servers needed on average)."""
        volume = np.asarray(self.volume, dtype=float)
        return np.asarray(volume * np.asarray(self.aht, dtype=float) / self.interval)


def erlang_b(servers: ArrayLike, load: ArrayLike) -> Array:
    """Blocking probability of N servers offered ``load`` Erlangs (no factorials)."""
    n, a = np.broadcast_arrays(np.asarray(servers, dtype=float), np.asarray(load, dtype=float))
    return np.exp(log_poisson_pmf(n, a) - log_upper_gamma(n + 1.0, a))


def erlang_c(servers: ArrayLike, load: ArrayLike) -> Array:
    """Probability of waiting in M/M/N; 1 when the queue is unstable (N ≤ load)."""
    n, a = np.broadcast_arrays(np.asarray(servers, dtype=float), np.asarray(load, dtype=float))
    stable = n > a
    out = np.ones(n.shape)
    b = erlang_b(n[stable], a[stable])
    out[stable] = b / (1.0 - a[stable] / n[stable] * (1.0 - b))
    return out


def _erlang_c_metrics(n: Array, a: Array, aht: Array, answer_time: Array) -> QueueMetrics:
    c = erlang_c(n, a)
    spare = n - a
    stable = spare > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        sl = np.where(stable, 1.0 - c * np.exp(-spare * answer_time / aht), 0.0)
        asa = np.where(stable, c * aht / spare, np.inf)
        occupancy = np.minimum(a / n, 1.0)
    return QueueMetrics(c, sl, asa, asa, occupancy, None)


def _answered_wait_given_wait(x: Array, y: Array) -> Array:
    """E[V·e^(−V/patience) | wait] · (1/patience) = Σ_j w_j · x/(x+j+1) · Σ_{m≤j+1} 1/(x+m)."""
    peak = np.floor(np.maximum(y - x, 0.0))
    j = np.maximum(peak - np.ceil(12.0 * np.sqrt(y + 1.0) + 10.0), 0.0)
    log_t = j * np.log(y) - (special.gammaln(x + j + 1.0) - special.gammaln(x + 1.0))
    harmonic = special.digamma(x + j + 2.0) - special.digamma(x + 1.0)
    top = log_t.copy()
    weight = np.zeros_like(x)
    moment = np.zeros_like(x)
    active = np.ones(x.shape, dtype=bool)
    while active.any():
        i = active
        new_top = np.maximum(top[i], log_t[i])
        scale, w = np.exp(top[i] - new_top), np.exp(log_t[i] - new_top)
        weight[i] = weight[i] * scale + w
        moment[i] = moment[i] * scale + w * x[i] / (x[i] + j[i] + 1.0) * harmonic[i]
        top[i] = new_top
        active[i] = (j[i] <= peak[i]) | (log_t[i] - top[i] > -42.0)
        j[i] += 1.0
        log_t[i] += np.log(y[i]) - np.log(x[i] + j[i])
        harmonic[i] += 1.0 / (x[i] + j[i] + 1.0)
    return moment / weight


def erlang_a(
    servers: ArrayLike,
    load: ArrayLike,
    aht: ArrayLike,
    patience: ArrayLike,
    answer_time: ArrayLike = 20.0,
    sl_definition: SlDefinition = "offered",
    with_asa: bool = True,
) -> QueueMetrics:
    """Metrics of M/M/N+M with exponential patience of mean ``patience`` seconds (N ≥ 1).

    ``with_asa=False`` skips the series behind the ASA of answered contacts (left as NaN).
    """
    arrays = np.broadcast_arrays(servers, load, aht, patience, answer_time)
    n, a, h, p, t = (np.asarray(v, dtype=float).ravel() for v in arrays)
    x, y, yu = n * p / h, a * p / h, a * p / h * np.exp(-t / p)
    log_b = log_poisson_pmf(n, a) - log_upper_gamma(n + 1.0, a)
    lp, lp1 = log_lower_gamma(x, y), log_lower_gamma(x + 1.0, y)
    log_s = lp - log_poisson_pmf(x, y)
    with np.errstate(divide="ignore"):
        log_r = np.log1p(-np.exp(log_b)) - log_s - log_b
    wait, no_wait = special.expit(-log_r), special.expit(log_r)
    served = x / y * np.exp(lp1 - lp)
    served_in_t = served * -np.expm1(log_lower_gamma(x + 1.0, yu) - lp1)
    tail = np.exp(log_lower_gamma(x, yu) - lp)
    abandon = wait * (1.0 - served)
    answered_in_t = no_wait + wait * served_in_t
    abandon_in_t = wait * np.maximum(1.0 - served_in_t - np.exp(-t / p) * tail, 0.0)
    levels = {
        "offered": answered_in_t,
        "answered": answered_in_t / (1.0 - abandon),
        "offered_less_short_abandons": answered_in_t / (1.0 - abandon_in_t),
        "short_abandons_met": answered_in_t + abandon_in_t,
    }
    asa = np.full(n.shape, np.nan)
    if with_asa:
        asa = wait * p * _answered_wait_given_wait(x, y) / (1.0 - abandon)
    occupancy = a * (1.0 - abandon) / n
    fields = (wait, levels[sl_definition], asa, abandon * p, occupancy, abandon)
    return QueueMetrics(*(f.reshape(arrays[0].shape) for f in fields))


def _fill(metrics: QueueMetrics, mask: NDArray[np.bool_], shape: tuple[int, ...]) -> QueueMetrics:
    """Spread metrics computed on ``mask`` over ``shape``; empty intervals are served at once."""

    def spread(values: Array | None, idle: float) -> Array:
        out = np.full(shape, idle)
        out[mask] = values if values is not None else idle
        return out

    return QueueMetrics(
        spread(metrics.probability_wait, 0.0),
        spread(metrics.service_level, 1.0),
        spread(metrics.asa, 0.0),
        spread(metrics.mean_wait, 0.0),
        spread(metrics.occupancy, 0.0),
        None if metrics.abandon_rate is None else spread(metrics.abandon_rate, 0.0),
    )


def queue_metrics(
    queue: Queue,
    agents: ArrayLike,
    answer_time: float = 20.0,
    sl_definition: SlDefinition = "offered",
    with_asa: bool = True,
) -> QueueMetrics:
    """Metrics of ``queue`` with ``agents`` per interval (Erlang A if it has a patience)."""
    load = queue.load
    shape = np.broadcast_shapes(load.shape, np.shape(agents), np.shape(queue.aht))
    servers = np.broadcast_to(np.asarray(agents, dtype=float) * queue.concurrency, shape)
    a, h = np.broadcast_to(load, shape), np.broadcast_to(np.asarray(queue.aht, dtype=float), shape)
    busy = a > 0
    if queue.patience is None:
        raw = _erlang_c_metrics(servers[busy], a[busy], h[busy], np.full(busy.sum(), answer_time))
        return _fill(raw, busy, shape)
    p = np.broadcast_to(np.asarray(queue.patience, dtype=float), shape)
    staffed = busy & (servers > 0)
    raw = erlang_a(
        servers[staffed], a[staffed], h[staffed], p[staffed], answer_time, sl_definition, with_asa
    )
    out = _fill(raw, staffed, shape)
    nobody = busy & ~staffed
    for field, value in (("probability_wait", 1.0), ("service_level", 0.0), ("asa", np.inf)):
        getattr(out, field)[nobody] = value
    out.mean_wait[nobody] = p[nobody]
    assert out.abandon_rate is not None
    out.abandon_rate[nobody] = 1.0
    return out
