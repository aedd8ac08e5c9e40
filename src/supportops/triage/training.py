"""Training a triage model: fit each candidate kind on the training tickets (and, when two or
more were fitted, their blend), keep the one with the best validation log-loss, calibrate its
confidence (temperature) and choose its routing threshold on validation, then — only then —
judge it on the test tickets.

The test rows are passed in separately and read once, after everything is fixed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from supportops.errors import TriageError
from supportops.triage.calibration import fit_temperature, softmax
from supportops.triage.evaluation import Evaluation, evaluate
from supportops.triage.models import Blend, TextModel, available_kinds, make_model
from supportops.triage.threshold import choose_threshold

__all__ = ["Candidate", "Trained", "fit_candidates", "train"]

MIN_TRAIN = 20


@dataclass(frozen=True)
class Candidate:
    """One kind fitted on training: its validation log-loss and accuracy."""

    kind: str
    log_loss: float
    accuracy: float


@dataclass
class Trained:
    """A fitted model with its temperature and threshold, and what each step measured."""

    model: TextModel
    temperature: float
    threshold: float
    target_accuracy: float
    candidates: list[Candidate]
    validation: Evaluation
    test: Evaluation | None

    def proba(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated class probabilities of ``texts``."""
        return softmax(self.model.log_proba(texts), self.temperature)


def _positions(classes: np.ndarray, labels: np.ndarray) -> np.ndarray:
    return np.asarray(pd.Index(classes).get_indexer(labels))


def fit_candidates(
    kinds: Sequence[str],
    train_texts: Sequence[str],
    train_labels: np.ndarray,
    val_texts: Sequence[str],
    val_labels: np.ndarray,
    options: dict[str, dict[str, Any]] | None = None,
) -> tuple[TextModel, list[Candidate], np.ndarray]:
    """Fit each kind; the best by validation log-loss, every candidate, its validation log-probs.

    With two kinds or more, their :class:`Blend` is one more candidate, judged on the same
    validation log-probabilities: it costs no further fitting or encoding."""
    fitted: list[tuple[TextModel, np.ndarray]] = []
    for kind in kinds:
        model = make_model(kind, **(options or {}).get(kind, {})).fit(train_texts, train_labels)
        fitted.append((model, model.log_proba(val_texts)))
    if len(fitted) > 1:
        blend = Blend([model for model, _ in fitted])
        fitted.append((blend, Blend.combine([log_p for _, log_p in fitted])))
    best: tuple[float, TextModel, np.ndarray] | None = None
    seen: list[Candidate] = []
    for model, log_p in fitted:
        truth = _positions(model.classes_, val_labels)
        known = truth >= 0
        loss = float(-log_p[known, truth[known]].mean())
        accuracy = float((model.classes_[log_p.argmax(axis=1)] == val_labels).mean())
        seen.append(Candidate(model.kind, loss, accuracy))
        if best is None or loss < best[0]:
            best = (loss, model, log_p)
    assert best is not None
    return best[1], seen, best[2]


def train(
    texts: Sequence[str],
    labels: np.ndarray,
    train_rows: np.ndarray,
    validation_rows: np.ndarray,
    target_accuracy: float = 0.99,
    kinds: Sequence[str] | None = None,
    test: tuple[Sequence[str], np.ndarray] | None = None,
    options: dict[str, dict[str, Any]] | None = None,
) -> Trained:
    """Train on ``train_rows``, choose model, temperature and threshold on ``validation_rows``,
    then evaluate on ``test`` (texts, labels) if given."""
    kinds = list(kinds or available_kinds())
    texts = list(texts)
    tr_texts = [texts[i] for i in train_rows]
    val_texts = [texts[i] for i in validation_rows]
    tr_labels, val_labels = labels[train_rows], labels[validation_rows]
    if len(tr_texts) < MIN_TRAIN or len(val_texts) == 0 or len(np.unique(tr_labels)) < 2:
        raise TriageError(
            f"too few labelled tickets to train: {len(tr_texts)} to learn from, "
            f"{len(val_texts)} to validate, {len(np.unique(tr_labels))} classes "
            f"(need {MIN_TRAIN}, 1 and 2)"
        )
    model, candidates, val_log_p = fit_candidates(
        kinds, tr_texts, tr_labels, val_texts, val_labels, options
    )
    truth = _positions(model.classes_, val_labels)
    known = truth >= 0
    temperature = fit_temperature(val_log_p[known], truth[known])
    val_proba = softmax(val_log_p, temperature)
    correct = model.classes_[val_proba.argmax(axis=1)] == val_labels
    threshold = choose_threshold(val_proba.max(axis=1), correct, target_accuracy)
    validation = evaluate(val_proba, model.classes_, val_labels, threshold)
    trained = Trained(model, temperature, threshold, target_accuracy, candidates, validation, None)
    if test is not None:
        test_texts, test_labels = test
        trained.test = evaluate(trained.proba(test_texts), model.classes_, test_labels, threshold)
    return trained
