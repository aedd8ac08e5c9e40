"""Whether a confidence means what it says: expected calibration error, reliability bins, and
temperature scaling fitted on validation.

A model is calibrated when, of the tickets it gives 90% confidence, 90% are right. The
expected calibration error (ECE) is the gap between confidence and accuracy, averaged over
equal-width confidence bins weighted by their tickets.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["BINS", "ece", "fit_temperature", "reliability", "softmax"]

BINS = 15


def softmax(log_proba: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Probabilities from log-probabilities (or logits) scaled by ``1 / temperature``."""
    z = log_proba / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=1, keepdims=True))


def reliability(confidence: np.ndarray, correct: np.ndarray, bins: int = BINS) -> pd.DataFrame:
    """Per confidence bin: its range, tickets, mean confidence and accuracy (empty bins kept)."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    tickets = np.bincount(which, minlength=bins)
    conf_sum = np.bincount(which, weights=confidence, minlength=bins)
    right = np.bincount(which, weights=correct.astype(float), minlength=bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        return pd.DataFrame(
            {
                "low": edges[:-1],
                "high": edges[1:],
                "tickets": tickets,
                "confidence": conf_sum / tickets,
                "accuracy": right / tickets,
            }
        )


def ece(confidence: np.ndarray, correct: np.ndarray, bins: int = BINS) -> float:
    """Expected calibration error over ``bins`` equal-width bins (0 = perfectly calibrated)."""
    table = reliability(confidence, correct, bins)
    filled = table[table["tickets"] > 0]
    gap = (filled["confidence"] - filled["accuracy"]).abs()
    return float((gap * filled["tickets"]).sum() / max(len(confidence), 1))


def fit_temperature(log_proba: np.ndarray, truth: np.ndarray) -> float:
    """The temperature minimising the log-loss of ``truth`` (column positions) on validation."""
    from scipy.optimize import minimize_scalar

    rows = np.arange(len(truth))

    def loss(log_t: float) -> float:
        p = softmax(log_proba, float(np.exp(log_t)))[rows, truth]
        return float(-np.log(np.clip(p, 1e-12, None)).mean())

    found = minimize_scalar(loss, bounds=(-3.0, 3.0), method="bounded")
    return float(np.exp(found.x))
