"""Log-space Poisson probabilities and regularised incomplete gamma functions.

Every Erlang formula in :mod:`supportops.workforce.erlang` reduces to three quantities, computed
here without factorials and without overflow for any number of agents:

* ``log_poisson_pmf(k, a)`` = log(aᵏ e⁻ᵃ / Γ(k+1)), for real ``k`` ≥ 0, by Loader's saddle-point
  split (Stirling error plus a deviance term) so that the cancellation between ``k log a``, ``a``
  and ``log Γ(k+1)`` never happens;
* ``log_lower_gamma(x, y)`` = log P(x, y), the regularised lower incomplete gamma function;
* ``log_upper_gamma(x, y)`` = log Q(x, y), its complement.

SciPy's ``gammainc``/``gammaincc`` are accurate to about 1e-14 relative while the result is a
normal number; deep in the tail, where they would underflow, the value is the Poisson term times
a positive series whose terms only shrink, summed directly.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

__all__ = ["log_lower_gamma", "log_poisson_pmf", "log_upper_gamma"]

Array = NDArray[np.float64]

_HALF_LOG_2PI = 0.5 * np.log(2.0 * np.pi)
_TAIL_LOG = -600.0  # below e^-600 SciPy's result is replaced by the series
_MAX_TERMS = 1_000_000


def _stirling_error(k: Array) -> Array:
    """log Γ(k+1) − [(k + ½) log k − k + ½ log 2π], the error of Stirling's formula."""
    out = np.empty_like(k)
    big = k > 15.0
    kb = k[big]
    inv2 = 1.0 / (kb * kb)
    out[big] = (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 / 1680))) / kb
    ks = k[~big]
    out[~big] = special.gammaln(ks + 1.0) - (ks + 0.5) * np.log(ks) + ks - _HALF_LOG_2PI
    return out


def _deviance(k: Array, a: Array) -> Array:
    """k log(k/a) + a − k, written as a·h(d) with d = (k − a)/a so it stays exact near k = a."""
    d = (k - a) / a
    return a * ((1.0 + d) * np.log1p(d) - d)


def _flat(u: ArrayLike, v: ArrayLike) -> tuple[Array, Array, tuple[int, ...]]:
    uu, vv = np.broadcast_arrays(np.asarray(u, dtype=float), np.asarray(v, dtype=float))
    return uu.ravel(), vv.ravel(), uu.shape


def log_poisson_pmf(k: ArrayLike, a: ArrayLike) -> Array:
    """log P(X = k) for X ~ Poisson(a); ``k`` may be any real ≥ 0, ``a`` > 0."""
    kk, aa, shape = _flat(k, a)
    out = -aa.copy()
    pos = kk > 0
    kp, ap = kk[pos], aa[pos]
    out[pos] = -_stirling_error(kp) - _deviance(kp, ap) - 0.5 * np.log(2.0 * np.pi * kp)
    return out.reshape(shape)


def _positive_series(step: Callable[[int, NDArray[np.bool_]], Array], size: int) -> Array:
    """1 + t₁ + t₂ + … where t_{j+1} = t_j · step(j, active); every ratio is in (0, 1)."""
    total = np.ones(size)
    term = np.ones(size)
    active = np.ones(size, dtype=bool)
    for j in range(_MAX_TERMS):
        term[active] *= step(j, active)
        total[active] += term[active]
        active &= term > 1e-17 * total
        if not active.any():
            break
    return total


def log_lower_gamma(x: ArrayLike, y: ArrayLike) -> Array:
    """log P(x, y) = log γ(x, y)/Γ(x) for x > 0, y ≥ 0 (−inf at y = 0)."""
    xx, yy, shape = _flat(x, y)
    with np.errstate(divide="ignore"):
        out = np.log(special.gammainc(xx, yy))
    deep = (out < _TAIL_LOG) & (yy > 0)
    if deep.any():
        xd, yd = xx[deep], yy[deep]

        def ratio(j: int, active: NDArray[np.bool_]) -> Array:
            return np.asarray(yd[active] / (xd[active] + j + 1.0))

        series = _positive_series(ratio, int(deep.sum()))
        out[deep] = log_poisson_pmf(xd, yd) + np.log(series)
    return np.asarray(out.reshape(shape), dtype=float)


def log_upper_gamma(x: ArrayLike, y: ArrayLike) -> Array:
    """log Q(x, y) = log Γ(x, y)/Γ(x) for integer x ≥ 1 (the Poisson CDF at x − 1), y > 0."""
    xx, yy, shape = _flat(x, y)
    with np.errstate(divide="ignore"):
        out = np.log(special.gammaincc(xx, yy))
    deep = out < _TAIL_LOG
    if deep.any():
        nd, yd = xx[deep] - 1.0, yy[deep]

        def ratio(j: int, active: NDArray[np.bool_]) -> Array:
            return np.asarray(np.maximum(nd[active] - j, 0.0) / yd[active])

        series = _positive_series(ratio, int(deep.sum()))
        out[deep] = log_poisson_pmf(nd, yd) + np.log(series)
    return np.asarray(out.reshape(shape), dtype=float)
