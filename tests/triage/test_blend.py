"""The blend: the fitted kinds' log-probabilities averaged, offered to validation as one more
candidate when two kinds or more were fitted, and chosen only when its validation log-loss is
the lowest."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from supportops.triage.models import Blend, TfidfModel, available_kinds
from supportops.triage.split import class_holdout
from supportops.triage.training import train

INTENTS = 8


def test_the_blend_is_the_normalised_geometric_mean_of_its_members() -> None:
    first = np.log(np.array([[0.8, 0.2], [0.5, 0.5]]))
    second = np.log(np.array([[0.2, 0.8], [0.9, 0.1]]))
    blended = np.exp(Blend.combine([first, second]))
    geometric = np.sqrt(np.array([[0.16, 0.16], [0.45, 0.05]]))
    assert np.allclose(blended, geometric / geometric.sum(axis=1, keepdims=True))
    assert np.allclose(blended.sum(axis=1), 1)


def _fitted(texts: list[str], labels: list[str], c: float) -> TfidfModel:
    return TfidfModel(c=c).fit(texts, np.array(labels, dtype=object))


def test_a_blend_needs_two_models_of_the_same_classes() -> None:
    texts = ["card not arrived", "where is my card", "reset password", "forgot my password"]
    one = _fitted(texts, ["card", "card", "login", "login"], 1.0)
    other = _fitted(texts, ["card", "card", "login", "refund"], 1.0)
    with pytest.raises(ValueError, match="two"):
        Blend([one])
    with pytest.raises(ValueError, match="same classes"):
        Blend([one, other])


def test_a_saved_blend_predicts_as_before() -> None:
    texts = ["card not arrived", "where is my card", "reset password", "forgot my password"]
    labels = ["card", "card", "login", "login"]
    blend = Blend([_fitted(texts, labels, 1.0), _fitted(texts, labels, 50.0)])
    asked = ["my card never came", "i forgot my password"]
    restored = pickle.loads(pickle.dumps(blend))
    assert np.allclose(restored.log_proba(asked), blend.log_proba(asked))
    assert restored.classes_[restored.log_proba(asked).argmax(axis=1)].tolist() == ["card", "login"]


@pytest.mark.skipif(
    "embeddings" not in available_kinds(), reason="supportops[embeddings] is not installed"
)
def test_training_offers_the_blend_and_keeps_the_lowest_validation_loss(
    shared_data: Path,
) -> None:
    frame = pd.read_csv(shared_data / "triage" / "banking77" / "train.csv")
    keep = sorted(frame["category"].unique())[:: 77 // INTENTS][:INTENTS]
    frame = frame[frame["category"].isin(keep)].reset_index(drop=True)
    texts, labels = frame["text"].tolist(), frame["category"].to_numpy(dtype=object)
    split = class_holdout(frame["category"])
    trained = train(texts, labels, split.train, split.validation, target_accuracy=0.97)

    losses = {c.kind: c.log_loss for c in trained.candidates}
    assert set(losses) == {"tfidf", "embeddings", "blend"}
    assert trained.model.kind == min(losses, key=losses.__getitem__)
    # on these intents the blend validates best, and its figure is the blend of the members'
    # own validation answers: nothing was fitted again for it
    model = trained.model
    assert isinstance(model, Blend) and model.kinds == ["tfidf", "embeddings"]
    validation = [texts[i] for i in split.validation]
    log_p = Blend.combine([m.log_proba(validation) for m in model.members])
    truth = pd.Index(model.classes_).get_indexer(labels[split.validation])
    assert losses["blend"] == pytest.approx(-log_p[np.arange(len(truth)), truth].mean())
