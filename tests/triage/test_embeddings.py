"""The packaged sentence encoder loads from its own package (nothing downloaded) and places
texts about the same thing close together. Skipped where the ``[embeddings]`` extra is not
installed (``make install`` installs it)."""

from __future__ import annotations

import numpy as np
import pytest

from supportops.triage.models import EmbeddingModel, Encoder, available_kinds

pytestmark = pytest.mark.skipif(
    "embeddings" not in available_kinds(), reason="supportops[embeddings] is not installed"
)


def test_the_encoder_runs_offline_and_similar_texts_are_close(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    texts = [
        "My card has not arrived yet",
        "Still waiting for my new card to be delivered",
        "How do I reset my password?",
    ]
    vectors = Encoder().encode(texts)
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-4)
    same, other = vectors[0] @ vectors[1], vectors[0] @ vectors[2]
    assert same > other + 0.2


def test_the_embedding_model_learns_and_saves_without_its_encoder() -> None:
    import pickle

    texts = ["card not arrived", "where is my card", "reset password", "forgot my password"]
    model = EmbeddingModel().fit(texts, np.array(["card", "card", "login", "login"]))
    restored = pickle.loads(pickle.dumps(model))
    assert restored.encoder is not model.encoder
    found = restored.classes_[restored.log_proba(["my card never came"]).argmax(axis=1)]
    assert found.tolist() == ["card"]
