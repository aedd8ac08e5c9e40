"""Power and sample size by simulation on the team's own history — pure.

Many experiments are simulated at a reference size: tickets resampled from history for each arm,
the effect injected into the treated arm (durations and means multiplied by ``1 + effect``, so
the median moves by exactly that share; a rate's tickets turned from 0 to 1 until the rate moves
by that share). The spread of the estimated differences is the standard error there; it shrinks
as one over the square root of the tickets per arm, which gives the tickets (and so the days)
needed for 80% power, or the smallest effect those days can detect.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from supportops.experiments.analysis import MetricSpec
from supportops.experiments.intervals import z_of

__all__ = [
    "PowerPlan",
    "baseline_of",
    "detectable_effect",
    "estimates",
    "inject",
    "required_per_arm",
    "standard_error",
]

REFERENCE = 2000
SIMULATIONS = 4000


@dataclass(frozen=True)
class PowerPlan:
    """Tickets per arm, days, and the relative effect they detect with ``power``."""

    per_arm: int
    days: float
    effect: float
    baseline: float
    power: float
    simulations: int


def inject(
    values: np.ndarray, spec: MetricSpec, effect: float, rng: np.random.Generator, rate: float
) -> np.ndarray:
    """``values`` (rows of simulated arms) with the relative ``effect`` injected; ``rate`` is
    the history's rate, which a rate's effect is relative to."""
    if spec.kind != "rate":
        return values * (1 + effect)
    if effect >= 0:
        share = min(rate * effect / max(1 - rate, 1e-12), 1.0)
        turned = (values == 0) & (rng.random(values.shape) < share)
        return np.where(turned, 1.0, values)
    turned = (values == 1) & (rng.random(values.shape) < -effect)
    return np.where(turned, 0.0, values)


def _statistic(rows: np.ndarray, spec: MetricSpec) -> np.ndarray:
    if spec.kind != "quantile":
        means: np.ndarray = rows.mean(axis=1)
        return means
    n = rows.shape[1]
    k = int(min(max(np.ceil(spec.q * n), 1), n)) - 1
    return np.partition(rows, k, axis=1)[:, k]


def estimates(
    history: np.ndarray,
    spec: MetricSpec,
    per_arm: int,
    effect: float,
    sims: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """The estimated differences of ``sims`` simulated experiments of ``per_arm`` tickets."""
    control = rng.choice(history, (sims, per_arm))
    treated = inject(rng.choice(history, (sims, per_arm)), spec, effect, rng, history.mean())
    found: np.ndarray = _statistic(treated, spec) - _statistic(control, spec)
    return found


def baseline_of(history: np.ndarray, spec: MetricSpec) -> float:
    """The metric's value on the history (the control's expected value)."""
    return float(_statistic(history[None, :], spec)[0])


def standard_error(
    history: np.ndarray,
    spec: MetricSpec,
    effect: float,
    rng: np.random.Generator,
    sims: int = SIMULATIONS,
    reference: int = REFERENCE,
) -> float:
    """The simulated standard error of the difference at ``reference`` tickets per arm."""
    chunks = [estimates(history, spec, reference, effect, 500, rng) for _ in range(sims // 500)]
    return float(np.concatenate(chunks).std(ddof=1))


def required_per_arm(
    history: np.ndarray,
    spec: MetricSpec,
    effect: float,
    rng: np.random.Generator,
    power: float = 0.8,
    alpha: float = 0.05,
) -> int:
    """Tickets per arm for ``power`` to detect the relative ``effect`` (two-sided ``alpha``)."""
    delta = abs(effect * baseline_of(history, spec))
    se = standard_error(history, spec, effect, rng)
    z = z_of(alpha) + float(stats.norm.ppf(power))
    return int(np.ceil(REFERENCE * (se * z / delta) ** 2))


def detectable_effect(
    history: np.ndarray,
    spec: MetricSpec,
    per_arm: int,
    rng: np.random.Generator,
    power: float = 0.8,
    alpha: float = 0.05,
    guess: float = 0.1,
) -> float:
    """The smallest relative effect ``per_arm`` tickets per arm detect with ``power``."""
    z = z_of(alpha) + float(stats.norm.ppf(power))
    base = abs(baseline_of(history, spec))
    effect = guess
    for _ in range(3):  # the error depends a little on the effect injected: settle it
        se = standard_error(history, spec, -effect, rng) * np.sqrt(REFERENCE / per_arm)
        effect = float(z * se / base)
    return effect
