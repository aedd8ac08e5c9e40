"""``experiment plan``'s sample size is within 5% of brute force: many whole experiments simulated
on the demo history at sizes around it, each analysed by the real method, counting how often the
interval excludes zero; the size where that reaches 80% is read off a probit fit."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from supportops.experiments.analysis import MetricSpec, Options, compare
from supportops.experiments.power import detectable_effect, inject, required_per_arm

from .conftest import History

pytestmark = pytest.mark.slow


def brute_force_power(
    history: np.ndarray, spec: MetricSpec, effect: float, per_arm: int, sims: int, seed: int
) -> float:
    rng = np.random.default_rng(seed)
    options = Options(resamples=300)
    ids = np.arange(per_arm)
    hits = 0
    for _ in range(sims):
        control = rng.choice(history, per_arm)
        treated = inject(rng.choice(history, per_arm), spec, effect, rng, history.mean())
        hits += compare(
            (treated, ids), (control, ids), spec, "independent", options, rng
        ).excludes_zero
    return hits / sims


def brute_force_size(history: np.ndarray, spec: MetricSpec, effect: float, guess: int) -> float:
    sizes = (guess * np.array([0.7, 0.85, 1.0, 1.15, 1.3])).astype(int)
    powers = [
        brute_force_power(history, spec, effect, int(n), 1500, i) for i, n in enumerate(sizes)
    ]
    slope, intercept = np.polyfit(np.log(sizes), stats.norm.ppf(np.clip(powers, 1e-3, 1 - 1e-3)), 1)
    return float(np.exp((stats.norm.ppf(0.8) - intercept) / slope))


@pytest.mark.parametrize(
    ("kind", "effect"), [("quantile", -0.15), ("rate", 0.08)], ids=["median", "rate"]
)
def test_plan_size_is_within_five_percent_of_brute_force(
    history: History, kind: str, effect: float
) -> None:
    spec = MetricSpec("v", kind)  # type: ignore[arg-type]
    values = history.resolution if kind == "quantile" else history.solved_within_day
    planned = required_per_arm(values, spec, effect, np.random.default_rng(0))
    brute = brute_force_size(values, spec, effect, planned)
    assert abs(planned - brute) / brute < 0.05


def test_detectable_effect_inverts_the_size(history: History) -> None:
    spec = MetricSpec("v", "quantile")
    planned = required_per_arm(history.resolution, spec, -0.15, np.random.default_rng(0))
    found = detectable_effect(history.resolution, spec, planned, np.random.default_rng(1))
    assert found == pytest.approx(0.15, rel=0.05)
