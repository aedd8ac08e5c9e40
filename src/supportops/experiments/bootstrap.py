"""Bootstrap intervals for medians and percentiles of skewed durations, vectorised.

Two resampling plans, both without a Python loop over tickets or resamples:

- **Tickets independent** (the unit is the ticket): the ``k``-th smallest of ``n`` values drawn
  with replacement is ``x_(⌈n·U⌉)`` where ``U`` is the ``k``-th smallest of ``n`` uniforms, a
  ``Beta(k, n − k + 1)`` draw. So each resample's quantile is one Beta draw and one index into the
  sorted values: the exact bootstrap distribution, for any number of resamples, in
  ``O(n log n + resamples)``.
- **Tickets clustered** (unit requester, organization): whole units are resampled, each with a
  Poisson(1) weight (the Poisson bootstrap). Each unit's tickets are counted below each point of a
  fine grid around the quantile, so that a block of resamples is one matrix product
  ``weights (resamples × units) @ counts (units × grid)``; each resample's quantile is where its
  weighted distribution crosses ``q``, interpolated between grid points.

The interval is the percentile interval of ``treatment − control`` over the resamples (the arms
are resampled independently: a unit is in one arm).
"""

from __future__ import annotations

import numpy as np

from supportops.experiments.intervals import Interval

__all__ = [
    "cluster_mean_draws",
    "cluster_quantile_draws",
    "joint_cluster_draws",
    "percentile_interval",
    "poisson_weights",
    "quantile",
    "quantile_draws",
]

_GRID = 64
_BLOCK = 128
# Poisson(1) drawn by table lookup on 16 random bits: the inverse CDF at (i + 0.5) / 65536.
_POISSON = np.searchsorted(
    np.cumsum(np.exp(-1.0) / np.cumprod(np.r_[1.0, np.arange(1, 20, dtype=float)])),
    (np.arange(65536) + 0.5) / 65536,
).astype(np.uint8)


def quantile(values: np.ndarray, q: float) -> float:
    """The sample ``q``-quantile as the bootstrap reads it: the ``⌈q·n⌉``-th smallest value."""
    ordered = np.sort(values)
    return float(ordered[_rank(ordered.size, q) - 1])


def _rank(n: int, q: float) -> int:
    return int(min(max(np.ceil(q * n), 1), n))


def quantile_draws(
    values: np.ndarray, q: float, resamples: int, rng: np.random.Generator
) -> np.ndarray:
    """The ``q``-quantile of each of ``resamples`` bootstrap resamples of independent values."""
    ordered = np.sort(values)
    n = ordered.size
    k = _rank(n, q)
    u = rng.beta(k, n - k + 1, size=resamples)
    index = np.clip(np.ceil(u * n).astype(np.int64) - 1, 0, n - 1)
    return ordered[index]


def poisson_weights(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """Poisson(1) weights, as float32, by table lookup (fast enough for millions of units)."""
    count = int(np.prod(shape))
    bits = np.frombuffer(rng.bytes(2 * count), dtype=np.uint16).reshape(shape)
    return _POISSON[bits].astype(np.float32)


def _grid(values: np.ndarray, q: float, units: int) -> np.ndarray:
    # the resampled quantile stays within a few standard errors of q: ±8 with units as the
    # sample size (fewer than the tickets, so wider than needed), at least ±0.5%
    spread = min(0.5, 8 * np.sqrt(q * (1 - q) / max(units, 1)) + 0.005)
    probs = np.linspace(max(q - spread, 0.0), min(q + spread, 1.0), _GRID)
    return np.unique(np.quantile(values, probs))


def cluster_quantile_draws(
    values: np.ndarray,
    clusters: np.ndarray,
    q: float,
    resamples: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """The ``q``-quantile of each of ``resamples`` cluster (Poisson) bootstrap resamples."""
    codes, inverse = np.unique(clusters, return_inverse=True)
    units = codes.size
    grid = _grid(values, q, units)
    position = np.searchsorted(grid, values, side="left")  # value <= grid[j] iff j >= position
    cells = np.zeros((units, grid.size + 1), np.float32)
    np.add.at(cells, (inverse, position), 1)
    below = np.ascontiguousarray(np.cumsum(cells, axis=1)[:, : grid.size])  # <= grid[j]
    sizes = cells.sum(axis=1)
    out = np.empty(resamples)
    for first in range(0, resamples, _BLOCK):  # blocks bound memory; each is one product
        count = min(_BLOCK, resamples - first)
        weights = poisson_weights((count, units), rng)
        total = np.maximum(weights @ sizes, 1)
        share = (weights @ below) / total[:, None]  # the resample's CDF at each grid point
        out[first : first + count] = _crossing(share, grid, q)
    return out


def _crossing(share: np.ndarray, grid: np.ndarray, q: float) -> np.ndarray:
    """Per row, the grid value where the CDF ``share`` first reaches ``q`` (interpolated)."""
    j = np.clip((share < q).sum(axis=1), 0, grid.size - 1)
    prev = np.clip(j - 1, 0, grid.size - 1)
    rows = np.arange(share.shape[0])
    lo, hi = share[rows, prev], share[rows, j]
    frac = np.where(hi > lo, (q - lo) / np.where(hi > lo, hi - lo, 1), 1.0)
    frac = np.clip(frac, 0, 1)
    found: np.ndarray = np.where(j == 0, grid[0], grid[prev] + frac * (grid[j] - grid[prev]))
    return found


def joint_cluster_draws(
    parts: list[tuple[np.ndarray, np.ndarray, float | None]],
    clusters: np.ndarray,
    resamples: int,
    rng: np.random.Generator,
) -> list[np.ndarray]:
    """Cluster (Poisson) bootstrap draws of several metrics of one arm from the *same*
    resampled units: one weight matrix per block serves every metric, which is where the time
    goes. Each part is (values, which rows have a value, q for a quantile or None for a mean);
    ``clusters`` is every row's unit."""
    codes, inverse = np.unique(clusters, return_inverse=True)
    blocks: list[np.ndarray] = []
    readers: list[tuple[int, np.ndarray | None, float]] = []
    width = 0
    for values, has, q in parts:
        rows, v = inverse[has], values[has]
        if q is None:
            sums = np.bincount(rows, weights=v, minlength=codes.size)
            sizes = np.bincount(rows, minlength=codes.size).astype(float)
            blocks.append(np.stack([sums, sizes], axis=1))
            readers.append((width, None, 0.0))
            width += 2
            continue
        grid = _grid(v, q, codes.size)
        cells = np.zeros((codes.size, grid.size + 1), np.float32)
        np.add.at(cells, (rows, np.searchsorted(grid, v, side="left")), 1)
        below = np.cumsum(cells, axis=1)[:, : grid.size]
        blocks.append(np.concatenate([cells.sum(axis=1, keepdims=True), below], axis=1))
        readers.append((width, grid, q))
        width += 1 + grid.size
    table = np.ascontiguousarray(np.concatenate(blocks, axis=1), dtype=np.float32)
    out = [np.empty(resamples) for _ in parts]
    for first in range(0, resamples, _BLOCK):
        count = min(_BLOCK, resamples - first)
        agg = poisson_weights((count, codes.size), rng) @ table
        for i, (start, points, q) in enumerate(readers):
            if points is None:  # columns: sum of values, tickets
                out[i][first : first + count] = agg[:, start] / np.maximum(agg[:, start + 1], 1)
            else:  # columns: tickets, tickets at or below each grid point
                total = np.maximum(agg[:, start], 1)
                share = agg[:, start + 1 : start + 1 + points.size] / total[:, None]
                out[i][first : first + count] = _crossing(share, points, q)
    return out


def cluster_mean_draws(
    values: np.ndarray, clusters: np.ndarray, resamples: int, rng: np.random.Generator
) -> np.ndarray:
    """The mean of each of ``resamples`` cluster (Poisson) bootstrap resamples."""
    _, inverse = np.unique(clusters, return_inverse=True)
    sums = np.bincount(inverse, weights=values).astype(np.float64)
    sizes = np.bincount(inverse).astype(np.float64)
    parts = np.stack([sums, sizes], axis=1).astype(np.float32)
    out = np.empty(resamples)
    for first in range(0, resamples, _BLOCK):
        count = min(_BLOCK, resamples - first)
        agg = poisson_weights((count, sizes.size), rng) @ parts
        out[first : first + count] = agg[:, 0] / np.maximum(agg[:, 1], 1)
    return out


def percentile_interval(estimate: float, draws: np.ndarray, alpha: float, method: str) -> Interval:
    """The percentile interval of the bootstrap ``draws`` of a difference."""
    low, high = np.quantile(draws, [alpha / 2, 1 - alpha / 2])
    return Interval(float(estimate), float(low), float(high), method)
