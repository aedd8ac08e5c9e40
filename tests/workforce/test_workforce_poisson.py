"""Log-space Poisson terms and incomplete gamma functions against mpmath, deep into the tails."""

from __future__ import annotations

import mpmath as mp
import pytest

from supportops.workforce.poisson import log_lower_gamma, log_poisson_pmf, log_upper_gamma

mp.mp.dps = 50


def _lower(x: float, y: float) -> mp.mpf:
    x_, y_ = mp.mpf(x), mp.mpf(y)
    if y_ < x_:  # the series converges quickly below the peak
        total = term = mp.mpf(1)
        j = 0
        while term > total * mp.mpf(10) ** -45:
            j += 1
            term *= y_ / (x_ + j)
            total += term
        return mp.exp(x_ * mp.log(y_) - y_ - mp.loggamma(x_ + 1)) * total
    return 1 - mp.gammainc(x_, y_, mp.inf, regularized=True)


def _upper(x: float, y: float) -> mp.mpf:
    if y < x:
        return 1 - _lower(x, y)
    return mp.gammainc(mp.mpf(x), mp.mpf(y), mp.inf, regularized=True)


SIZES = [0.5, 3.0, 17.3, 100.0, 1_000.7, 30_000.0, 250_000.0]
RATIOS = [0.01, 0.3, 0.8, 0.95, 1.0, 1.05, 1.5, 3.0]


@pytest.mark.parametrize("x", SIZES)
def test_log_lower_gamma_to_1e_12_relative(x: float) -> None:
    for ratio in RATIOS:
        expected = float(mp.log(_lower(x, x * ratio)))
        assert float(log_lower_gamma(x, x * ratio)) == pytest.approx(expected, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("n", [0, 1, 5, 50, 1_000, 30_000, 250_000])
def test_log_poisson_cdf_and_pmf_to_1e_12_relative(n: int) -> None:
    for ratio in (0.01, 0.5, 0.9, 1.0, 1.1, 2.0, 10.0):
        a = max(n, 1) * ratio
        cdf = mp.log(_upper(n + 1, a))
        pmf = n * mp.log(a) - a - mp.loggamma(n + 1)
        assert float(log_upper_gamma(n + 1, a)) == pytest.approx(float(cdf), rel=1e-12, abs=1e-12)
        assert float(log_poisson_pmf(n, a)) == pytest.approx(float(pmf), rel=1e-13, abs=1e-13)


def test_no_underflow_far_below_the_peak() -> None:
    # P(X ≤ 100) for X ~ Poisson(10 000) is about e^-9 000: stored as its logarithm.
    expected = float(mp.log(_upper(101, 10_000)))
    assert expected < -8_000
    assert float(log_upper_gamma(101, 10_000.0)) == pytest.approx(expected, rel=1e-12)
