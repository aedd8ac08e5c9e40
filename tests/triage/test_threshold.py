"""The routing threshold and the coverage/accuracy curve, on hand-built confidences."""

from __future__ import annotations

import numpy as np
import pytest

from supportops.triage.threshold import NEVER, choose_threshold, coverage_curve, routed


def test_the_threshold_is_the_lowest_confidence_whose_routed_tickets_reach_the_target() -> None:
    confidence = np.array([0.99, 0.97, 0.95, 0.90, 0.80, 0.60])
    correct = np.array([True, True, True, False, True, False])
    # routed at 0.95: 3/3 right; at 0.90: 3/4; at 0.80: 4/5
    assert choose_threshold(confidence, correct, 1.0) == 0.95
    assert choose_threshold(confidence, correct, 0.8) == 0.80
    assert routed(confidence, 0.95).sum() == 3


def test_tied_confidences_are_routed_together() -> None:
    confidence = np.array([0.9, 0.9, 0.9, 0.5])
    correct = np.array([True, True, False, True])
    # no cut can separate the three 0.9s, which are 2/3 right
    assert choose_threshold(confidence, correct, 0.9) == NEVER
    assert not routed(confidence, NEVER).any()


def test_the_curve_gives_accuracy_routed_and_left_to_people() -> None:
    confidence = np.array([0.9, 0.8, 0.7, 0.6])
    correct = np.array([True, True, False, False])
    curve = coverage_curve(confidence, correct, points=5)
    half = curve[curve["coverage"] == 0.5].iloc[0]
    assert half["accuracy"] == 1.0 and half["human_accuracy"] == 0.0
    assert half["threshold"] == 0.8
    assert curve.iloc[-1]["accuracy"] == pytest.approx(0.5)
