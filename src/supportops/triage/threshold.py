"""The auto-route threshold and the coverage/accuracy curve.

Tickets are routed automatically only when the model's confidence reaches the threshold; the
rest go to people. The threshold is the lowest confidence at which the tickets routed on
*validation* reach the target accuracy — it is never chosen on the tickets it is judged on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["NEVER", "choose_threshold", "coverage_curve", "routed"]

NEVER = 1.01
"""The threshold when no confidence reaches the target: nothing is routed."""


def _ranked(confidence: np.ndarray, correct: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(-confidence, kind="stable")
    right = np.cumsum(correct[order].astype(float))
    return confidence[order], right / np.arange(1, len(order) + 1)


def choose_threshold(confidence: np.ndarray, correct: np.ndarray, target: float) -> float:
    """The lowest confidence whose routed tickets (confidence at or above it) are right at
    least ``target`` of the time; :data:`NEVER` when none is."""
    conf, accuracy = _ranked(confidence, correct)
    # a cut may only fall between different confidences: ties are routed together
    last_of_tie = np.r_[conf[1:] != conf[:-1], True]
    ok = np.flatnonzero((accuracy >= target) & last_of_tie)
    return float(conf[ok[-1]]) if len(ok) else NEVER


def routed(confidence: np.ndarray, threshold: float) -> np.ndarray:
    """Which tickets are routed automatically at ``threshold``."""
    return np.asarray(confidence >= threshold)


def coverage_curve(confidence: np.ndarray, correct: np.ndarray, points: int = 21) -> pd.DataFrame:
    """At each coverage (share routed, 0–100% in ``points`` steps): the threshold it takes,
    the accuracy of the routed tickets and of the tickets left to people."""
    conf, accuracy = _ranked(confidence, correct)
    n = len(conf)
    total_right = accuracy[-1] * n if n else 0.0
    rows = []
    for share in np.linspace(0, 1, points)[1:]:
        k = max(round(share * n), 1)
        rest = n - k
        left = (total_right - accuracy[k - 1] * k) / rest if rest else np.nan
        rows.append((share, float(conf[k - 1]), float(accuracy[k - 1]), left))
    return pd.DataFrame(rows, columns=["coverage", "threshold", "accuracy", "human_accuracy"])
