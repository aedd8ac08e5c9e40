"""Savings golden cases: a holdout with a known injected saving recovers it within its interval,
and the money follows the printed formula."""

from __future__ import annotations

import numpy as np
import pytest

from supportops.roi.savings import holdout_saving, observational_saving


def test_a_holdout_recovers_a_known_injected_saving() -> None:
    rng = np.random.default_rng(21)
    covered = 0
    for _ in range(200):
        base = rng.lognormal(6.5, 0.7, 3000)  # handle seconds of eligible tickets
        holdout, automated = base[:600], base[600:] - 120  # the automation saves two minutes
        found = holdout_saving("macro", automated, holdout, hourly_cost=36.0)
        truth = 120 * automated.size / 3600
        covered += found.hours_low <= truth <= found.hours_high
    assert 0.92 <= covered / 200 <= 0.98  # a 95% interval, 200 times


def test_the_money_is_hours_times_hourly_cost_minus_tool_cost() -> None:
    found = observational_saving("bot", 30, np.array([600.0, 1200.0, 900.0]), 40.0, 100.0)
    assert found.hours == pytest.approx(30 * 900 / 3600)
    money, low, high = found.money_saved
    assert money == pytest.approx(7.5 * 40 - 100)
    assert low < money < high
    assert found.basis == "observational"
