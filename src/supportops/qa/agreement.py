"""Grader agreement: Krippendorff's alpha, its bootstrap interval, and each grader's bias.

A rating matrix has one row per rater and one column per unit (a conversation), NaN where a
rater did not rate. Each unit with at least two ratings contributes its pairs to the
coincidence matrix ``o``; alpha is ``1 - D_observed / D_expected``::

    o[c, k] = Σ_u (n_uc · n_uk − [c = k] · n_uc) / (m_u − 1)
    alpha   = 1 − (n − 1) · Σ o[c, k] δ²(c, k) / Σ n_c · n_k · δ²(c, k)

with δ² per level of measurement: nominal (c ≠ k), ordinal (the marginal counts between c and
k), interval ((c − k)²), ratio (((c − k) / (c + k))²). Everything is array arithmetic: the
per-unit contributions are one (units × values × values) array, so a bootstrap over units is
a matrix product of resampling counts with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

__all__ = [
    "RELIABLE",
    "Agreement",
    "Level",
    "agreement",
    "alpha",
    "bootstrap_alpha",
    "grader_bias",
    "units_needed",
]

Level = Literal["nominal", "ordinal", "interval", "ratio"]
RELIABLE = 0.667  # Krippendorff's lowest alpha for tentative conclusions


def _counts(ratings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(values, n[u, v]): how many raters gave value v to unit u."""
    data = np.asarray(ratings, dtype=float)
    values = np.unique(data[~np.isnan(data)])
    index = np.searchsorted(values, np.nan_to_num(data, nan=values[0] if len(values) else 0))
    present = ~np.isnan(data)
    units = np.broadcast_to(np.arange(data.shape[1]), data.shape)
    flat = units[present] * len(values) + index[present]
    counts = np.bincount(flat, minlength=data.shape[1] * len(values)).astype(float)
    return values, counts.reshape(data.shape[1], len(values))


def _contributions(counts: np.ndarray) -> np.ndarray:
    """Per pairable unit, its (values × values) share of the coincidence matrix."""
    m = counts.sum(axis=1)
    keep = m >= 2
    c, m = counts[keep], m[keep]
    pairs = c[:, :, None] * c[:, None, :] - c[:, :, None] * np.eye(c.shape[1])[None]
    return np.asarray(pairs / (m - 1)[:, None, None], dtype=float)


def _distance(values: np.ndarray, marginals: np.ndarray, level: Level) -> np.ndarray:
    """δ²(c, k) for every pair of values; ``marginals`` (…, values) for the ordinal level."""
    c, k = values[:, None], values[None, :]
    if level == "nominal":
        return np.asarray((c != k).astype(float), dtype=float)
    if level == "interval":
        return np.asarray((c - k) ** 2, dtype=float)
    if level == "ratio":
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray(np.nan_to_num(((c - k) / (c + k)) ** 2), dtype=float)
    cum = np.cumsum(marginals, axis=-1)
    i, j = np.arange(len(values))[:, None], np.arange(len(values))[None, :]
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    below = np.where(lo > 0, np.take(cum, np.maximum(lo - 1, 0), axis=-1), 0.0)
    between = np.take(cum, hi, axis=-1) - below
    half = (marginals[..., lo] + marginals[..., hi]) / 2
    return np.asarray((between - half) ** 2, dtype=float)


def _alpha_of(o: np.ndarray, values: np.ndarray, level: Level) -> np.ndarray:
    """Alpha from coincidence matrices ``o`` (…, values, values)."""
    nc = o.sum(axis=-1)
    n = nc.sum(axis=-1)
    d = _distance(values, nc, level)
    observed = (o * d).sum(axis=(-2, -1))
    expected = (nc[..., :, None] * nc[..., None, :] * d).sum(axis=(-2, -1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(1 - (n - 1) * observed / expected, dtype=float)


def alpha(ratings: np.ndarray, level: Level = "interval") -> float:
    """Krippendorff's alpha of a (raters × units) matrix with NaN for missing ratings."""
    values, counts = _counts(ratings)
    if len(values) < 2:
        return float("nan")
    m = counts.sum(axis=1)
    pairable = counts[m >= 2]
    scaled = pairable / (m[m >= 2] - 1)[:, None]
    o = scaled.T @ pairable - np.diag(scaled.sum(axis=0))  # Σ_u the units' shares, at once
    return float(_alpha_of(o, values, level))


def bootstrap_alpha(
    ratings: np.ndarray,
    level: Level = "interval",
    draws: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> tuple[float, float, float]:
    """(alpha, low, high): the percentile interval of alpha over units resampled with
    replacement (conversations, not single ratings, are the sampled things)."""
    values, counts = _counts(ratings)
    parts = _contributions(counts)
    if len(values) < 2 or len(parts) < 2:
        return float("nan"), float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    units = len(parts)
    picks = rng.integers(0, units, (draws, units)) + units * np.arange(draws)[:, None]
    weights = np.bincount(picks.ravel(), minlength=draws * units).reshape(draws, units)
    flat = parts.reshape(len(parts), -1)
    o = (weights @ flat).reshape(draws, len(values), len(values))
    sample = _alpha_of(o, values, level)
    tail = (1 - confidence) / 2 * 100
    low, high = np.nanpercentile(sample, [tail, 100 - tail])
    return float(_alpha_of(parts.sum(axis=0), values, level)), float(low), float(high)


def units_needed(units: int, half_width: float, target: float) -> int:
    """Units (conversations) for an interval of ± ``target``, from one of ± ``half_width``
    on ``units``: the width shrinks as 1 / √units."""
    if not np.isfinite(half_width) or half_width <= 0 or units <= 0:
        return units
    return int(np.ceil(units * (half_width / target) ** 2))


def grader_bias(frame: pd.DataFrame) -> pd.DataFrame:
    """Per reviewer: mean of (their pct − the other reviewers' mean pct) on the same unit and
    category, and how many ratings that covers. Negative = stricter than the consensus."""
    keys = ["unit", "category"]
    data = frame.dropna(subset=["pct"])
    sums = data.groupby(keys)["pct"].agg(total="sum", count="count").reset_index()
    data = data.merge(sums, on=keys)
    data = data[data["count"] >= 2]
    others = (data["total"] - data["pct"]) / (data["count"] - 1)
    data = data.assign(bias=data["pct"] - others)
    out = data.groupby("reviewer_id")["bias"].agg(bias="mean", ratings="count").reset_index()
    return out.sort_values("bias").reset_index(drop=True)


@dataclass(frozen=True)
class Agreement:
    """Alpha of one category with its interval, how many units it rests on, and the units
    an interval of ± ``target`` would need."""

    category: str
    level: Level
    alpha: float
    low: float
    high: float
    units: int
    needed: int

    @property
    def reliable(self) -> bool:
        """At least :data:`RELIABLE`; below it the category is flagged as unreliable."""
        return bool(self.alpha >= RELIABLE)


def agreement(
    matrix: np.ndarray, category: str, level: Level, target: float = 0.12, draws: int = 1000
) -> Agreement:
    """The :class:`Agreement` of one category's (raters × units) matrix."""
    value, low, high = bootstrap_alpha(matrix, level, draws)
    pairable = int((np.sum(~np.isnan(matrix), axis=0) >= 2).sum())
    needed = units_needed(pairable, (high - low) / 2, target)
    return Agreement(category, level, value, low, high, pairable, needed)
