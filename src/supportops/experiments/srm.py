"""The sample-ratio-mismatch check: do the arms hold the shares their weights promise?

A chi-square goodness-of-fit test of the units counted per arm against the weights. A p-value
below ``threshold`` (0.001 by default, as is usual: the check runs on every look) means the
assignment or the logging is broken, and the results are not to be read.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = ["SRM_THRESHOLD", "SampleRatio", "sample_ratio"]

SRM_THRESHOLD = 0.001


@dataclass(frozen=True)
class SampleRatio:
    """The counts per arm, the expected shares, the test's p-value and whether it failed."""

    counts: tuple[int, ...]
    expected: tuple[float, ...]
    p_value: float
    failed: bool


def sample_ratio(
    counts: np.ndarray | list[int],
    weights: np.ndarray | list[float],
    threshold: float = SRM_THRESHOLD,
) -> SampleRatio:
    """Chi-square test of ``counts`` against shares proportional to ``weights``."""
    observed = np.asarray(counts, float)
    shares = np.asarray(weights, float) / np.sum(weights)
    total = observed.sum()
    if total == 0:
        return SampleRatio(tuple(int(c) for c in observed), tuple(shares), 1.0, False)
    expected = shares * total
    chi2 = float(((observed - expected) ** 2 / expected).sum())
    p = float(stats.chi2.sf(chi2, len(observed) - 1))
    return SampleRatio(
        tuple(int(c) for c in observed), tuple(float(s) for s in shares), p, p < threshold
    )
