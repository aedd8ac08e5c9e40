"""Predictions of a saved model for new tickets: the label, its calibrated confidence, whether
it reaches the routing threshold, and the top 3.

:func:`rule_fields` is what the rules engine reads: ``triage.<target>`` and
``triage.confidence`` per ticket, so "route automatically only when sure" is one condition
(``triage.confidence >= 0.9``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from supportops.triage.saved import SavedModel

__all__ = ["TOP", "predict", "rule_fields"]

TOP = 3


def predict(saved: SavedModel, texts: Sequence[str]) -> pd.DataFrame:
    """Per text: ``label``, ``confidence``, ``routed`` and ``top1..3`` with ``p1..3``."""
    proba = saved.proba(texts)
    classes = np.asarray(saved.trained.model.classes_, dtype=object)
    k = min(TOP, proba.shape[1])
    order = np.argsort(-proba, axis=1)[:, :k]
    top_p = np.take_along_axis(proba, order, axis=1)
    frame = pd.DataFrame(
        {
            "label": classes[order[:, 0]],
            "confidence": top_p[:, 0],
            "routed": top_p[:, 0] >= saved.trained.threshold,
        }
    )
    for i in range(k):
        frame[f"top{i + 1}"] = classes[order[:, i]]
        frame[f"p{i + 1}"] = top_p[:, i]
    return frame


def rule_fields(saved: SavedModel, texts: Sequence[str]) -> pd.DataFrame:
    """The fields a rule condition reads: ``triage.<target>`` and ``triage.confidence``."""
    found = predict(saved, texts)
    return pd.DataFrame(
        {
            f"triage.{saved.target}": found["label"],
            "triage.confidence": found["confidence"],
        }
    )
