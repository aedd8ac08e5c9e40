"""Is a saved model still right? Its accuracy on tickets created since its training data ended,
as their final labels arrive; the drift of the class mix; and a hint to retrain.

Drift is the total variation distance between the class shares the model learned from and
those of the tickets since (0 = the same mix, 1 = no class in common).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from supportops.triage.labels import OTHER
from supportops.triage.prediction import predict
from supportops.triage.saved import SavedModel

__all__ = ["ACCURACY_DROP", "DRIFT_LIMIT", "MIN_SINCE", "Monitoring", "class_drift", "monitor"]

ACCURACY_DROP = 0.05
"""A retrain is hinted when accuracy since training is this far below the measured one."""
DRIFT_LIMIT = 0.15
"""... or when the class mix has drifted this far."""
MIN_SINCE = 30
"""Fewer labelled tickets since training than this: too few to judge."""


@dataclass(frozen=True)
class Monitoring:
    """Accuracy and drift on the tickets since training."""

    tickets: int
    accuracy: float
    measured_accuracy: float
    drift: float
    mix: pd.DataFrame
    retrain: str | None


def class_drift(trained_mix: pd.Series, recent: pd.Series) -> tuple[float, pd.DataFrame]:
    """Total variation distance between two class-count series, and the shares side by side."""
    mix = pd.DataFrame({"training": trained_mix, "since": recent}).fillna(0.0)
    shares = mix / mix.sum().replace(0, np.nan)
    distance = float(0.5 * (shares["training"] - shares["since"]).abs().sum())
    shares.index.name = "label"
    return distance, shares.fillna(0.0).reset_index()


def monitor(saved: SavedModel, since: pd.DataFrame) -> Monitoring:
    """``since``: ``text`` and ``label`` of the tickets created after the training data."""
    classes = set(saved.card["classes"])
    truth = since["label"].where(since["label"].isin(classes), OTHER).to_numpy(dtype=object)
    found = predict(saved, since["text"].tolist()) if len(since) else None
    accuracy = float(np.mean(found["label"].to_numpy() == truth)) if found is not None else np.nan
    judged = saved.card.get("test") or saved.card["validation"]
    measured = float(judged["accuracy"])
    drift, mix = class_drift(pd.Series(saved.card["class_mix"]), pd.Series(truth).value_counts())
    hint = None
    if len(since) >= MIN_SINCE and accuracy < measured - ACCURACY_DROP:
        hint = (
            f"accuracy since training is {accuracy:.1%}, against {measured:.1%} measured: "
            f"retrain with `supportops triage train --target {saved.target}`"
        )
    elif len(since) >= MIN_SINCE and drift > DRIFT_LIMIT:
        hint = (
            f"the mix of {saved.target} values has drifted ({drift:.2f}): retrain with "
            f"`supportops triage train --target {saved.target}`"
        )
    return Monitoring(len(since), accuracy, measured, drift, mix, hint)
