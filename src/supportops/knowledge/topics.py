"""Topics: a period's tickets clustered by their text vectors, each named by its own words.

Clustering is k-means on unit vectors (about one topic per :data:`TICKETS_PER_TOPIC` tickets).
A topic's words are those most particular to it (class-based TF-IDF: frequent in the topic,
rare elsewhere); its suggested title is the first sentence of its most central ticket, and its
outline the most particular phrases, each with a ticket that says it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["TICKETS_PER_TOPIC", "Topics", "cluster", "topic_count", "topic_words"]

TICKETS_PER_TOPIC = 25
MAX_TOPICS = 120


@dataclass(frozen=True)
class Topics:
    """Each ticket's topic, each topic's unit centroid, and each ticket's similarity to it."""

    labels: np.ndarray
    centroids: np.ndarray
    cohesion: np.ndarray


def topic_count(tickets: int) -> int:
    """How many topics to look for among ``tickets``."""
    return int(np.clip(tickets // TICKETS_PER_TOPIC, 1, MAX_TOPICS))


def cluster(vectors: np.ndarray, topics: int | None = None, seed: int = 0) -> Topics:
    """k-means topics of unit ``vectors`` (``topics`` of them, default :func:`topic_count`)."""
    from sklearn.cluster import KMeans

    k = min(topics or topic_count(len(vectors)), len(vectors))
    fitted = KMeans(n_clusters=k, n_init=1, random_state=seed).fit(vectors)
    labels = np.asarray(fitted.labels_)
    return _described(vectors, labels)


def _described(vectors: np.ndarray, labels: np.ndarray) -> Topics:
    k = int(labels.max()) + 1
    sums = np.zeros((k, vectors.shape[1]))
    np.add.at(sums, labels, vectors)
    centers = sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-9)
    cohesion = np.einsum("ij,ij->i", vectors, centers[labels])
    return Topics(labels, np.asarray(centers, dtype=np.float32), cohesion)


def topic_words(texts: pd.Series, labels: np.ndarray, top: int = 8) -> list[list[str]]:
    """Per topic (label order ``0..k-1``), its ``top`` most particular words and phrases."""
    from scipy import sparse
    from sklearn.feature_extraction.text import CountVectorizer

    k = int(labels.max()) + 1 if len(labels) else 0
    counter = CountVectorizer(ngram_range=(1, 2), stop_words="english", min_df=2)
    try:
        counts = counter.fit_transform(texts.fillna(""))
    except ValueError:  # no word at all survives (empty or stop words only)
        return [[] for _ in range(k)]
    member = sparse.csr_matrix(
        (np.ones(len(labels)), (labels, np.arange(len(labels)))), (k, len(labels))
    )
    per_topic = np.asarray((member @ counts).todense(), dtype=float)
    share = per_topic / np.maximum(per_topic.sum(axis=1, keepdims=True), 1)
    rarity = np.log1p(per_topic.sum(axis=1).mean() / np.maximum(per_topic.sum(axis=0), 1))
    score = share * rarity
    vocabulary = np.asarray(counter.get_feature_names_out(), dtype=object)
    best = np.argsort(-score, axis=1)[:, :top]
    return [[str(vocabulary[j]) for j in row if score[i, j] > 0] for i, row in enumerate(best)]
