"""How labelled tickets are split into training, validation and test.

Tickets with dates are split in time, never at random: the model learns from the oldest, its
threshold and calibration are chosen on the next, and it is judged on the newest — the way it
will be used, on tickets later than any it learned from. Rows without dates (a labelled file)
hold out a fixed share of each class, in file order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Split", "class_holdout", "time_split"]


@dataclass(frozen=True)
class Split:
    """Row positions of each part; ``test`` may be empty (a separate test file)."""

    train: np.ndarray
    validation: np.ndarray
    test: np.ndarray


def time_split(times: pd.Series, validation: float = 0.15, test: float = 0.15) -> Split:
    """Oldest ``1 - validation - test`` to train, then validation, then the newest to test."""
    order = np.argsort(pd.to_datetime(times, utc=True).to_numpy(), kind="stable")
    n = len(order)
    first_val = round(n * (1 - validation - test))
    first_test = round(n * (1 - test))
    return Split(order[:first_val], order[first_val:first_test], order[first_test:])


def class_holdout(labels: pd.Series, share: float = 0.15) -> Split:
    """Every ``1/share``-th row of each class (in file order) to validation, the rest to train."""
    step = max(round(1 / share), 2)
    rank = labels.groupby(labels, sort=False).cumcount().to_numpy()
    held = rank % step == step - 1
    positions = np.arange(len(labels))
    return Split(positions[~held], positions[held], positions[:0])
