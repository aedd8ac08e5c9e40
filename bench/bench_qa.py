"""Benchmark: Krippendorff's alpha and its bootstrap, and scoring a year of reviews.

Alpha of a (graders × conversations) matrix with missing ratings is computed by
``supportops.qa.agreement`` (numpy, the coincidence matrix as one array) and by the
``krippendorff`` package (the named baseline; both must agree). The bootstrap interval is 1,000
resamples of conversations: one matrix product here, against the obvious alternative of calling
the package once per resample (timed on a sample of resamples and scaled). Scoring: review scores
of 200,000 reviews × 6 categories in one grouped pass (``supportops.qa.scoring``).

Run: ``.venv/bin/python bench/bench_qa.py [conversations] [sample]``
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

from supportops.qa.agreement import alpha, bootstrap_alpha
from supportops.qa.scorecard import Scorecard
from supportops.qa.scoring import rated, review_scores


def ratings(units: int, raters: int = 4, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    truth = rng.normal(0, 1, units)
    data = np.clip(np.round(3 + 1.2 * (truth + rng.normal(0, 0.6, (raters, units)))), 1, 5)
    data[rng.random(data.shape) < 0.2] = np.nan
    return data


def timed(run: object, repeat: int = 1) -> tuple[float, object]:
    """The best of ``repeat`` runs (seconds) and the result."""
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = run()  # type: ignore[operator]
        best = min(best, time.perf_counter() - start)
    return best, out


def main(units: int, sample: int) -> None:
    import krippendorff

    data = ratings(units)
    ours_s, ours = timed(lambda: alpha(data, "ordinal"), 5)
    pkg_s, pkg = timed(
        lambda: krippendorff.alpha(reliability_data=data, level_of_measurement="ordinal"), 5
    )
    assert abs(float(ours) - float(pkg)) < 1e-9  # type: ignore[arg-type]
    print(f"alpha, {units:,} conversations x 4 graders (ordinal, 20% missing)")
    print(f"  supportops.qa.agreement   {ours_s * 1000:8.1f} ms")
    print(f"  krippendorff package      {pkg_s * 1000:8.1f} ms   ratio {pkg_s / ours_s:5.1f}x")

    boot_s, _ = timed(lambda: bootstrap_alpha(data, "ordinal", draws=1000))
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    for _ in range(sample):
        pick = rng.integers(0, units, units)
        krippendorff.alpha(reliability_data=data[:, pick], level_of_measurement="ordinal")
    loop_s = (time.perf_counter() - start) / sample * 1000
    print("bootstrap interval, 1,000 resamples of conversations")
    print(f"  one matrix product        {boot_s * 1000:8.1f} ms")
    print(
        f"  package once per resample {loop_s * 1000:8.1f} ms   ratio {loop_s / boot_s:5.1f}x"
        f"   (timed on {sample}, scaled)"
    )

    card = Scorecard.model_validate(
        {
            "name": "s",
            "categories": [
                {"id": f"c{i}", "scale": s, "weight": w, "critical": i == 0}
                for i, (s, w) in enumerate(
                    [("4", 30), ("binary", 20), ("5", 20), ("3", 10), ("binary", 10), ("4", 10)]
                )
            ],
        }
    )
    reviews = 200_000
    r = np.random.default_rng(3)
    highs = np.tile([4, 1, 5, 3, 1, 4], reviews)
    lows = np.tile([1, 0, 1, 1, 0, 1], reviews)
    frame = pd.DataFrame(
        {
            "review_id": np.repeat(np.arange(reviews), 6),
            "scorecard": "s@1",
            "category": np.tile([f"c{i}" for i in range(6)], reviews),
            "rating": np.clip(r.integers(0, 6, reviews * 6), lows, highs),
            "na": r.random(reviews * 6) < 0.05,
        }
    )
    score_s, scores = timed(lambda: review_scores(rated(frame, [card])))
    print(
        f"review scores, {reviews:,} reviews x 6 categories: {score_s:.2f} s "
        f"({len(scores):,} scores, {reviews * 6 / score_s / 1e6:.1f} M ratings/s)"
    )  # type: ignore[arg-type]


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(args[0] if args else 2_000, args[1] if len(args) > 1 else 20)
