"""Krippendorff's alpha written in numpy equals the ``krippendorff`` package on random rating
matrices with missing ratings, at every level of measurement; its bootstrap interval covers
the true alpha about 95% of the time."""

from __future__ import annotations

import krippendorff
import numpy as np
import pandas as pd
import pytest

from supportops.qa.agreement import (
    agreement,
    alpha,
    bootstrap_alpha,
    grader_bias,
    units_needed,
)

LEVELS = ("nominal", "ordinal", "interval", "ratio")


def _matrix(rng: np.random.Generator, raters: int, units: int, points: int) -> np.ndarray:
    truth = rng.integers(1, points + 1, size=units)
    noise = rng.integers(-1, 2, size=(raters, units)) * (rng.random((raters, units)) < 0.4)
    data = np.clip(truth + noise, 1, points).astype(float)
    data[rng.random(data.shape) < 0.25] = np.nan
    return data


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("seed", range(8))
def test_alpha_equals_the_krippendorff_package(level: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    data = _matrix(rng, int(rng.integers(2, 6)), int(rng.integers(5, 60)), int(rng.integers(2, 8)))
    want = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
    assert alpha(data, level) == pytest.approx(want, abs=1e-9)  # type: ignore[arg-type]


def test_perfect_agreement_is_one_and_chance_is_near_zero() -> None:
    same = np.tile(np.arange(1.0, 6.0), (3, 4))
    assert alpha(same, "ordinal") == pytest.approx(1.0)
    rng = np.random.default_rng(1)
    noise = rng.integers(1, 6, size=(3, 4000)).astype(float)
    assert abs(alpha(noise, "ordinal")) < 0.03


def _simulated(rng: np.random.Generator, units: int, raters: int = 3) -> np.ndarray:
    """Ratings on 1–5 from a true score plus rater noise: reliability known by construction."""
    truth = rng.normal(0, 1.0, size=units)
    raw = truth[None, :] + rng.normal(0, 0.6, size=(raters, units))
    return np.clip(np.round(raw * 1.2 + 3), 1, 5)


@pytest.mark.slow
def test_the_bootstrap_interval_covers_the_true_alpha_about_95_percent() -> None:
    rng = np.random.default_rng(7)
    truth = alpha(_simulated(rng, 200_000), "interval")  # the population's alpha
    trials, covered = 400, 0
    for i in range(trials):
        _, low, high = bootstrap_alpha(_simulated(rng, 80), "interval", draws=400, seed=i)
        covered += low <= truth <= high
    assert 0.93 <= covered / trials <= 0.97, covered / trials


def test_units_needed_scales_with_the_square_of_the_width() -> None:
    assert units_needed(50, 0.12, 0.12) == 50
    assert units_needed(50, 0.24, 0.12) == 200
    assert units_needed(50, 0.06, 0.12) == 13


def test_about_fifty_conversations_give_plus_minus_0_12_on_a_five_point_category() -> None:
    rng = np.random.default_rng(3)
    widths = [
        np.subtract(*bootstrap_alpha(_simulated(rng, 50), "ordinal", 500, s)[2:0:-1]) / 2
        for s in range(20)
    ]
    assert 0.08 <= float(np.median(widths)) <= 0.16


def test_a_category_below_0_667_is_flagged() -> None:
    rng = np.random.default_rng(4)
    good = agreement(_simulated(rng, 60), "tone", "ordinal", draws=200)
    noisy = rng.integers(1, 6, size=(3, 60)).astype(float)
    bad = agreement(noisy, "solution", "ordinal", draws=200)
    assert good.reliable and not bad.reliable
    assert good.low <= good.alpha <= good.high and good.units == 60


def test_the_strictest_grader_has_the_most_negative_bias() -> None:
    rows = []
    for unit in range(30):
        base = 50 + unit
        for reviewer, shift in (("strict", -20), ("fair", 0), ("lenient", 15)):
            rows.append(
                {"unit": unit, "category": "tone", "reviewer_id": reviewer, "pct": base + shift}
            )
    bias = grader_bias(pd.DataFrame(rows)).set_index("reviewer_id")["bias"]
    assert list(bias.index) == ["strict", "fair", "lenient"]
    assert bias["strict"] == pytest.approx(-20 - (0 + 15) / 2)
