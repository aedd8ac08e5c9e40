"""How good a triage model is on tickets it never saw: accuracy, macro-F1, calibration, what
share it routes at its threshold and how right it is there, per-class precision and recall,
and the confusions that matter."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from supportops.triage.calibration import ece, reliability
from supportops.triage.threshold import coverage_curve, routed

__all__ = ["Evaluation", "confusion_pairs", "evaluate", "per_class"]


@dataclass(frozen=True)
class Evaluation:
    """The figures of one set of tickets; the tables are kept for pages and reports."""

    tickets: int
    accuracy: float
    macro_f1: float
    ece: float
    coverage: float
    routed_accuracy: float
    human_accuracy: float
    curve: pd.DataFrame = field(repr=False)
    reliability: pd.DataFrame = field(repr=False)
    per_class: pd.DataFrame = field(repr=False)
    confusions: pd.DataFrame = field(repr=False)

    def figures(self) -> dict[str, Any]:
        """The scalar figures, for the saved model's card and the JSON output."""
        names = ("tickets", "accuracy", "macro_f1", "ece", "coverage", "routed_accuracy")
        out = {name: getattr(self, name) for name in names}
        out["human_accuracy"] = self.human_accuracy
        return {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in out.items()}


def per_class(truth: np.ndarray, predicted: np.ndarray) -> pd.DataFrame:
    """Per class: tickets, precision, recall and F1, most tickets first."""
    from sklearn.metrics import precision_recall_fscore_support

    labels = np.unique(np.concatenate([truth, predicted]))
    p, r, f, n = precision_recall_fscore_support(truth, predicted, labels=labels, zero_division=0)
    table = pd.DataFrame({"label": labels, "tickets": n, "precision": p, "recall": r, "f1": f})
    return table.sort_values(["tickets", "label"], ascending=[False, True], ignore_index=True)


def confusion_pairs(truth: np.ndarray, predicted: np.ndarray, top: int = 10) -> pd.DataFrame:
    """The most frequent (true, predicted) mistakes, with their share of the true class."""
    frame = pd.DataFrame({"truth": truth, "predicted": predicted})
    size = frame.groupby("truth").size()
    wrong = frame[frame["truth"] != frame["predicted"]]
    pairs = wrong.groupby(["truth", "predicted"]).size().rename("tickets").reset_index()
    pairs["share_of_truth"] = pairs["tickets"] / pairs["truth"].map(size)
    pairs = pairs.sort_values(["tickets", "truth"], ascending=[False, True], ignore_index=True)
    return pairs.head(top)


def evaluate(
    proba: np.ndarray, classes: np.ndarray, truth: np.ndarray, threshold: float
) -> Evaluation:
    """Figures of predictions ``proba`` (rows of class probabilities) against ``truth``."""
    from sklearn.metrics import f1_score

    predicted = classes[proba.argmax(axis=1)]
    confidence = proba.max(axis=1)
    correct = predicted == truth
    sent = routed(confidence, threshold)
    return Evaluation(
        tickets=len(truth),
        accuracy=float(correct.mean()) if len(truth) else float("nan"),
        macro_f1=float(f1_score(truth, predicted, average="macro", zero_division=0)),
        ece=ece(confidence, correct),
        coverage=float(sent.mean()) if len(truth) else float("nan"),
        routed_accuracy=float(correct[sent].mean()) if sent.any() else float("nan"),
        human_accuracy=float(correct[~sent].mean()) if (~sent).any() else float("nan"),
        curve=coverage_curve(confidence, correct),
        reliability=reliability(confidence, correct),
        per_class=per_class(truth, predicted),
        confusions=confusion_pairs(truth, predicted),
    )
