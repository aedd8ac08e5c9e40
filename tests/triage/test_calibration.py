"""Calibration: the expected calibration error and the reliability bins, on hand-built cases."""

from __future__ import annotations

import numpy as np
import pytest

from supportops.triage.calibration import ece, fit_temperature, reliability, softmax


def test_a_confidence_that_matches_its_accuracy_has_no_calibration_error() -> None:
    # 10 tickets at 0.8 of which 8 are right, 10 at 0.3 of which 3 are right
    confidence = np.r_[np.full(10, 0.8), np.full(10, 0.3)]
    correct = np.r_[np.ones(8), np.zeros(2), np.ones(3), np.zeros(7)].astype(bool)
    assert ece(confidence, correct) == pytest.approx(0.0)


def test_the_error_is_the_ticket_weighted_gap_of_each_bin() -> None:
    # bin of 0.9 (4 tickets, 2 right: gap 0.4) and bin of 0.5 (6 tickets, 3 right: gap 0)
    confidence = np.r_[np.full(4, 0.9), np.full(6, 0.5)]
    correct = np.array([1, 1, 0, 0, 1, 1, 1, 0, 0, 0], dtype=bool)
    assert ece(confidence, correct) == pytest.approx(0.4 * 4 / 10)


def test_reliability_bins_keep_empty_bins_and_count_every_ticket() -> None:
    confidence = np.array([0.05, 0.95, 0.96, 0.5])
    table = reliability(confidence, np.array([True, True, False, True]), bins=10)
    assert len(table) == 10 and table["tickets"].sum() == 4
    top = table.iloc[-1]
    assert top["tickets"] == 2 and top["accuracy"] == pytest.approx(0.5)
    assert np.isnan(table.iloc[3]["accuracy"])


def test_temperature_scaling_softens_an_overconfident_model() -> None:
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 3, 600)
    logits = rng.normal(0, 1, (600, 3))
    logits[np.arange(600), truth] += 1.0  # right more often than not ...
    sharp = logits * 6  # ... but far too sure
    temperature = fit_temperature(sharp, truth)
    assert temperature > 3
    before = softmax(sharp)
    after = softmax(sharp, temperature)
    right = before.argmax(axis=1) == truth
    assert ece(after.max(axis=1), right) < ece(before.max(axis=1), right) / 2
    assert (after.argmax(axis=1) == before.argmax(axis=1)).all()  # accuracy is unchanged
