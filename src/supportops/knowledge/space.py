"""The space tickets and articles are compared in: unit vectors where cosine similarity means
"about the same thing".

Two kinds, as data (:data:`SPACES`): ``embeddings`` (the packaged MiniLM encoder of
:mod:`supportops.triage.models`) and ``tfidf`` (word and character TF-IDF reduced to
:data:`DIMENSIONS` by truncated SVD, fitted on the texts at hand — no torch).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from supportops.triage.models import Encoder, available_kinds

__all__ = ["DIMENSIONS", "SPACES", "embed", "space_kind"]

DIMENSIONS = 150


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.asarray(vectors / np.where(norms == 0, 1, norms), dtype=np.float32)


def _tfidf(groups: Sequence[Sequence[str]], encoder: Encoder | None = None) -> list[np.ndarray]:
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_union

    everything = [t for group in groups for t in group]
    features = make_union(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, stop_words="english", min_df=2),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2),
    )
    matrix = features.fit_transform(everything)
    dims = max(2, min(DIMENSIONS, matrix.shape[1] - 1, matrix.shape[0] - 1))
    reduced = TruncatedSVD(dims, random_state=0).fit_transform(matrix)
    bounds = np.cumsum([0, *(len(g) for g in groups)])
    return [_unit(reduced[a:b]) for a, b in itertools.pairwise(bounds)]


def _embeddings(
    groups: Sequence[Sequence[str]], encoder: Encoder | None = None
) -> list[np.ndarray]:
    encoder = encoder or Encoder()
    return [_unit(encoder.encode(list(group))) for group in groups]


SPACES: dict[str, Callable[..., list[np.ndarray]]] = {"tfidf": _tfidf, "embeddings": _embeddings}


def space_kind(requested: str = "auto") -> str:
    """``embeddings`` when installed (or asked for), else ``tfidf``."""
    if requested != "auto":
        return requested
    return "embeddings" if "embeddings" in available_kinds() else "tfidf"


def embed(groups: Sequence[Sequence[str]], kind: str = "auto", **options: Any) -> list[np.ndarray]:
    """Unit vectors of each group of texts (tickets, articles, ...) in one shared space."""
    return SPACES[space_kind(kind)](groups, **options)
