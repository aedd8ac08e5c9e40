"""Closed-form 95% intervals for the difference between an arm and the control.

- **Rates** (each ticket 0 or 1): Wilson's score interval for each arm and Newcombe's hybrid score
  interval (his method 10) for the difference — well behaved for small counts and rates near 0 or 1.
- **Means**: Welch's t interval (unequal variances), optionally on CUPED-adjusted values: each
  value minus θ·(its pre-period value − the pre-period mean), θ = cov(y, x) / var(x) pooled over
  the arms, which removes the variance the pre-period explains without moving the difference.
- **Always-valid** widening: the normal-mixture confidence sequence (mSPRT), whose interval may be
  read every day without inflating the false-alarm rate.

Each function takes numpy arrays and returns an :class:`Interval`; the edges call them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

__all__ = [
    "Interval",
    "always_valid",
    "cuped_adjust",
    "newcombe",
    "welch",
    "wilson",
    "z_of",
]


@dataclass(frozen=True)
class Interval:
    """An estimate of ``treatment − control`` and its interval, with the method's name."""

    estimate: float
    low: float
    high: float
    method: str

    @property
    def excludes_zero(self) -> bool:
        """Whether the interval lies wholly on one side of no difference."""
        return bool(self.low > 0 or self.high < 0)

    def covers(self, value: float) -> bool:
        """Whether ``value`` lies in the interval."""
        return bool(self.low <= value <= self.high)


def z_of(alpha: float) -> float:
    """The two-sided normal quantile for level ``1 − alpha`` (1.96 for 0.05)."""
    return float(stats.norm.ppf(1 - alpha / 2))


def wilson(
    successes: ArrayLike, n: ArrayLike, alpha: float = 0.05
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson's score interval of a proportion (vectorised over arrays of counts)."""
    x, m = np.asarray(successes, float), np.asarray(n, float)
    z = z_of(alpha)
    p = np.divide(x, m, out=np.zeros_like(m), where=m > 0)
    centre = (p + z * z / (2 * m)) / (1 + z * z / m)
    half = z * np.sqrt(p * (1 - p) / m + z * z / (4 * m * m)) / (1 + z * z / m)
    return centre - half, centre + half


def newcombe(
    x1: ArrayLike, n1: ArrayLike, x0: ArrayLike, n0: ArrayLike, alpha: float = 0.05
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Newcombe's hybrid score interval of ``p1 − p0`` (arm 1 minus control 0): the difference
    and its low and high ends, vectorised over arrays of counts."""
    a1, m1 = np.asarray(x1, float), np.asarray(n1, float)
    a0, m0 = np.asarray(x0, float), np.asarray(n0, float)
    p1, p0 = a1 / m1, a0 / m0
    l1, u1 = wilson(a1, m1, alpha)
    l0, u0 = wilson(a0, m0, alpha)
    d = p1 - p0
    low = d - np.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2)
    high = d + np.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)
    return d, low, high


def rate_interval(treated: np.ndarray, control: np.ndarray, alpha: float = 0.05) -> Interval:
    """Newcombe's interval of the difference of two rates given their 0/1 values."""
    d, low, high = newcombe(treated.sum(), treated.size, control.sum(), control.size, alpha)
    return Interval(float(d), float(low), float(high), "newcombe-wilson")


def welch_parts(treated: np.ndarray, control: np.ndarray) -> tuple[float, float, float]:
    """The difference of means, its standard error and Welch–Satterthwaite's degrees of freedom."""
    v1, v0 = treated.var(ddof=1) / treated.size, control.var(ddof=1) / control.size
    se = float(np.sqrt(v1 + v0))
    dof = (v1 + v0) ** 2 / (v1**2 / (treated.size - 1) + v0**2 / (control.size - 1))
    return float(treated.mean() - control.mean()), se, float(dof)


def welch(treated: np.ndarray, control: np.ndarray, alpha: float = 0.05) -> Interval:
    """Welch's t interval of the difference of means."""
    d, se, dof = welch_parts(treated, control)
    half = float(stats.t.ppf(1 - alpha / 2, dof)) * se
    return Interval(d, d - half, d + half, "welch")


def cuped_adjust(values: np.ndarray, pre: np.ndarray) -> np.ndarray:
    """``values − θ·(pre − mean(pre))`` with θ = cov(values, pre) / var(pre), pooled; a missing
    pre-period value counts as the mean (no adjustment for that unit)."""
    known = ~np.isnan(pre)
    if known.sum() < 3:
        return values
    x = np.where(known, pre, pre[known].mean())
    var = x.var(ddof=1)
    if var == 0:
        return values
    theta = np.cov(values, x, ddof=1)[0, 1] / var
    adjusted: np.ndarray = values - theta * (x - x.mean())
    return adjusted


def always_valid(interval: Interval, se: float, unit_sd: float, tuning: float = 5000) -> Interval:
    """The interval widened to a normal-mixture confidence sequence (mSPRT, mixing variance
    ``unit_sd² / tuning``): valid however often it is looked at."""
    alpha = 0.05
    v = se * se
    tau2 = unit_sd * unit_sd / tuning
    if v <= 0 or tau2 <= 0:
        return interval
    half = float(np.sqrt(v * (v + tau2) / tau2 * (2 * np.log(1 / alpha) + np.log((v + tau2) / v))))
    half = max(half, (interval.high - interval.low) / 2)
    mid = interval.estimate
    return Interval(mid, mid - half, mid + half, interval.method + "+always-valid")
