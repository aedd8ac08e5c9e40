"""Each interval equals a reference computation written apart, with scipy and plain numpy, on
golden cases: the same numbers, not just the same shape."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from supportops.experiments.analysis import MetricSpec, Options, compare
from supportops.experiments.bootstrap import quantile_draws
from supportops.experiments.intervals import cuped_adjust, newcombe, welch, wilson
from supportops.experiments.ranks import hodges_lehmann
from supportops.experiments.srm import sample_ratio


def _wilson_reference(x: int, n: int) -> tuple[float, float]:
    # Wilson (1927): the roots of (p - p̂)² = z² p (1 - p) / n, solved as a quadratic in p.
    z = stats.norm.ppf(0.975)
    p_hat = x / n
    a = 1 + z**2 / n
    b = -(2 * p_hat + z**2 / n)
    c = p_hat**2
    roots = np.roots([a, b, c])
    return float(min(roots)), float(max(roots))


@pytest.mark.parametrize(("x", "n"), [(0, 20), (3, 40), (81, 263), (50, 50), (412, 1000)])
def test_wilson_is_the_root_of_the_score_equation(x: int, n: int) -> None:
    low, high = wilson(x, n)
    ref = _wilson_reference(x, n)
    assert (float(low), float(high)) == pytest.approx(ref, abs=1e-9)


def test_newcombe_matches_his_worked_example() -> None:
    # Newcombe (1998), Table II example (e): 56/70 against 48/80 → 0.2, interval 0.0524 to 0.3339
    d, low, high = newcombe(56, 70, 48, 80)
    assert (float(d), float(low), float(high)) == pytest.approx((0.2, 0.0524, 0.3339), abs=5e-4)


def test_welch_equals_scipy() -> None:
    rng = np.random.default_rng(3)
    treated, control = rng.lognormal(9, 1.2, 400), rng.lognormal(9.1, 1.0, 350)
    found = welch(treated, control)
    ref = stats.ttest_ind(treated, control, equal_var=False).confidence_interval(0.95)
    assert (found.low, found.high) == pytest.approx((ref.low, ref.high), rel=1e-9)
    assert found.estimate == pytest.approx(treated.mean() - control.mean())


def test_cuped_equals_the_regression_adjustment() -> None:
    rng = np.random.default_rng(4)
    pre = rng.normal(100, 20, 2000)
    values = 0.8 * pre + rng.normal(0, 10, 2000)
    adjusted = cuped_adjust(values, pre)
    slope = np.polyfit(pre, values, 1)[0]  # the least-squares slope is cov / var
    assert adjusted == pytest.approx(values - slope * (pre - pre.mean()), rel=1e-9)
    assert adjusted.var() < values.var() / 3


def test_hodges_lehmann_equals_the_brute_force_of_all_differences() -> None:
    rng = np.random.default_rng(5)
    treated, control = rng.lognormal(8, 1, 60) + 500, rng.lognormal(8, 1, 45)
    found = hodges_lehmann(treated, control)
    diffs = np.sort((treated[:, None] - control[None, :]).ravel())
    m, n = 60, 45
    k = int(np.floor(m * n / 2 - stats.norm.ppf(0.975) * np.sqrt(m * n * (m + n + 1) / 12)))
    assert found.estimate == pytest.approx(np.median(diffs))
    assert (found.low, found.high) == pytest.approx((diffs[k - 1], diffs[m * n - k]))


def test_the_exact_quantile_bootstrap_matches_a_plain_resampling_loop() -> None:
    rng = np.random.default_rng(6)
    values = rng.lognormal(9, 1.5, 301)
    fast = quantile_draws(values, 0.5, 20000, np.random.default_rng(1))
    loop = np.array([np.sort(rng.choice(values, values.size))[150] for _ in range(4000)])
    for q in (0.05, 0.25, 0.5, 0.75, 0.95):
        assert np.quantile(fast, q) == pytest.approx(np.quantile(loop, q), rel=0.03)


def test_the_median_interval_matches_scipys_percentile_bootstrap() -> None:
    rng = np.random.default_rng(8)
    treated, control = rng.lognormal(9.2, 1.3, 500), rng.lognormal(9.0, 1.3, 500)
    spec = MetricSpec("v", "quantile", 0.5)
    found = compare(
        (treated, np.arange(500)),
        (control, np.arange(500)),
        spec,
        "independent",
        Options(resamples=20000),
        np.random.default_rng(2),
    )

    def diff(t: np.ndarray, c: np.ndarray, axis: int) -> np.ndarray:
        return np.median(t, axis=axis) - np.median(c, axis=axis)

    ref = stats.bootstrap(
        (treated, control),
        diff,
        n_resamples=4000,
        method="percentile",
        random_state=np.random.default_rng(0),
        vectorized=True,
    ).confidence_interval
    width = ref.high - ref.low
    assert found.low == pytest.approx(ref.low, abs=0.06 * width)
    assert found.high == pytest.approx(ref.high, abs=0.06 * width)


def test_sample_ratio_equals_scipys_chi_square() -> None:
    found = sample_ratio([5200, 4800], [1, 1])
    ref = stats.chisquare([5200, 4800], [5000, 5000])
    assert found.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    assert found.failed
    assert not sample_ratio([5030, 4970], [1, 1]).failed
    assert sample_ratio([3000, 7000], [30, 70]).p_value == pytest.approx(1.0)


def test_joint_cluster_draws_equal_each_metrics_own_draws() -> None:
    """analyze resamples every metric of an arm from the same units: the draws of each metric
    are those of its own cluster bootstrap with the same random numbers."""
    from supportops.experiments.bootstrap import (
        cluster_mean_draws,
        cluster_quantile_draws,
        joint_cluster_draws,
    )

    rng = np.random.default_rng(9)
    units = rng.integers(0, 400, 1500)
    durations = rng.lognormal(9, 1.2, 1500)
    rates = (rng.random(1500) < 0.3).astype(float)
    every = np.ones(1500, bool)
    joint = joint_cluster_draws(
        [(durations, every, 0.5), (rates, every, None)], units, 300, np.random.default_rng(4)
    )
    own_median = cluster_quantile_draws(durations, units, 0.5, 300, np.random.default_rng(4))
    own_rate = cluster_mean_draws(rates, units, 300, np.random.default_rng(4))
    assert joint[0] == pytest.approx(own_median, rel=1e-5)
    assert joint[1] == pytest.approx(own_rate, rel=1e-5)
