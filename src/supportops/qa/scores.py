"""IQS and scores by category, per agent, group, channel or period, each with its interval.

The interval is Student's t over review scores: mean ± t(0.975, n−1) · s / √n. Review scores
are bounded and lumpy (many 100s), but their mean over a dozen or more reviews is close to
normal, the t interval needs no resampling (so every row of a page is one vectorised pass),
and with few reviews it widens as it should. One review has no interval; reviews that all
score the same get a zero-width one, which the count beside it puts in proportion.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["category_scores", "iqs", "mean_interval", "reviews_needed", "scores_by"]


def iqs(scores: np.ndarray) -> float:
    """The mean of the review scores that exist (NaN when none)."""
    values = scores[~np.isnan(scores)]
    return float(values.mean()) if len(values) else float("nan")


def mean_interval(frame: pd.DataFrame, by: Sequence[str], value: str) -> pd.DataFrame:
    """Per group of ``by``: ``n``, ``score`` (mean of ``value``), ``sd``, ``low``, ``high``
    (the 95% t interval), in one grouped pass."""
    data = frame.dropna(subset=[value])
    keys = list(by)
    if keys:
        grouped = data.groupby(keys, sort=True, dropna=False)[value]
        out = grouped.agg(n="count", score="mean", sd="std").reset_index()
    else:
        values = data[value]
        out = pd.DataFrame({"n": [len(values)], "score": [values.mean()], "sd": [values.std()]})
    n = out["n"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = stats.t.ppf(0.975, np.maximum(n - 1, 1))
        half = np.where(n > 1, t * out["sd"].to_numpy() / np.sqrt(n), np.nan)
    out["low"] = out["score"] - half
    out["high"] = out["score"] + half
    return out


def scores_by(reviews: pd.DataFrame, by: Sequence[str] = ()) -> pd.DataFrame:
    """IQS per group of ``by`` (columns of ``reviews``: agent_id, group, channel, period...)."""
    return mean_interval(reviews, by, "score")


def category_scores(rows: pd.DataFrame, by: Sequence[str] = ()) -> pd.DataFrame:
    """Scores by category (mean ``pct`` of rated rows, no critical zeroing) per group."""
    scored = rows[rows["kind"] != "auto_fail"]
    out = mean_interval(scored, [*by, "category"], "pct")
    rated = scored[["category", *by]].drop_duplicates()
    return rated.merge(out, on=[*by, "category"], how="left")


def reviews_needed(sd: float, precision: float, confidence: float = 0.95) -> int:
    """Reviews per agent so the IQS interval is ± ``precision`` points at review-score SD
    ``sd``: ⌈(z · sd / precision)²⌉ (SD 20, ±5 → 62)."""
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    return int(np.ceil((z * sd / precision) ** 2))
