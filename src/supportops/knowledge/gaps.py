"""Knowledge gaps: which topics of a period's tickets no article covers, ranked by the agent
hours an article would save; and, for each article, the tickets it should have deflected.

* A ticket's **coverage** is its cosine similarity to the nearest article; a topic's is the
  mean over its tickets. A topic is **uncovered** in proportion to how far its coverage falls
  short of its own cohesion (how close its tickets are to their centre): an article about the
  topic is about as close to its tickets as they are to one another.
* The **gap score** is volume × mean handle hours × trend × uncovered, where trend is the
  topic's tickets in the second half of the period over the first (smoothed by one ticket).
  Volume × handle hours is the time the topic took; the first gap is the article that would
  save the most hours.
* An article's **deflection opportunity** is the tickets whose nearest article it is and that
  it covers (similarity at least :data:`COVERED` of their cohesion), with their handle hours.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from supportops.knowledge.topics import Topics, cluster, topic_words

__all__ = ["COVERED", "SAMPLES", "Gaps", "find_gaps", "nearest"]

COVERED = 0.5
SAMPLES = 3
NEAREST = 3
CHUNK = 20_000


@dataclass(frozen=True)
class Gaps:
    """The ranked topics (``gaps``, most hours first), each ticket's topic and nearest article
    (``tickets``), and the articles' deflection opportunity (``articles``)."""

    gaps: pd.DataFrame
    tickets: pd.DataFrame
    articles: pd.DataFrame


def nearest(vectors: np.ndarray, articles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per vector: the position of its most similar article and that similarity (−1, 0 when
    there are no articles); computed in chunks to bound memory."""
    if len(articles) == 0:
        return np.full(len(vectors), -1), np.zeros(len(vectors), dtype=np.float32)
    best, sim = [], []
    for start in range(0, len(vectors), CHUNK):
        scores = vectors[start : start + CHUNK] @ articles.T
        best.append(scores.argmax(axis=1))
        sim.append(scores.max(axis=1))
    return np.concatenate(best), np.concatenate(sim)


def _trend(created: pd.Series, labels: np.ndarray, k: int) -> np.ndarray:
    if created.min() == created.max():  # tickets of one instant: no halves, so no trend
        return np.ones(k)
    middle = created.min() + (created.max() - created.min()) / 2
    late = (created > middle).to_numpy()
    second = np.bincount(labels[late], minlength=k)
    first = np.bincount(labels[~late], minlength=k)
    return np.asarray((second + 1) / (first + 1), dtype=float)


def _outline(words: list[str], texts: pd.Series) -> list[str]:
    """Up to four points: a particular phrase of the topic, with a ticket (not quoted before)
    that says it."""
    texts = texts.drop_duplicates()
    lower = texts.str.lower()
    points: list[str] = []
    quoted: set[str] = set()
    for phrase in [w for w in words if " " in w] + [w for w in words if " " not in w]:
        said = texts[lower.str.contains(phrase, regex=False) & ~texts.isin(quoted)]
        if len(said) and not any(phrase in p.lower() for p in points):
            quoted.add(said.iloc[0])
            points.append(f"{phrase.capitalize()}: “{said.iloc[0][:120]}”")
        if len(points) == 4:
            break
    return points


def _title(text: str) -> str:
    first = text.split(". ")[0].strip().rstrip("?.!")
    return first[:90]


def find_gaps(
    tickets: pd.DataFrame,
    vectors: np.ndarray,
    articles: pd.DataFrame,
    article_vectors: np.ndarray,
    topics: Topics | None = None,
) -> Gaps:
    """Gaps of ``tickets`` (``ticket_id``, ``created_at``, ``text``, ``handle_seconds``) with
    unit ``vectors`` against ``articles`` (``article``, ``title``) with ``article_vectors``."""
    topics = topics or cluster(vectors)
    labels, k = topics.labels, len(topics.centroids)
    near, coverage = nearest(vectors, article_vectors)
    keep = [
        c for c in ("source", "ticket_id", "created_at", "text", "handle_seconds") if c in tickets
    ]
    frame = tickets[keep].reset_index(drop=True)
    frame = frame.assign(topic=labels, nearest=near, coverage=coverage, cohesion=topics.cohesion)
    by = frame.groupby("topic")
    stats = pd.DataFrame(
        {
            "tickets": by.size(),
            "handle_hours": by["handle_seconds"].sum() / 3600,
            "coverage": by["coverage"].mean(),
            "cohesion": by["cohesion"].mean(),
        }
    ).reindex(range(k), fill_value=0.0)
    stats["trend"] = _trend(frame["created_at"], labels, k)
    ratio = stats["coverage"] / stats["cohesion"].where(stats["cohesion"] > 0, 1)
    stats["uncovered"] = (1 - ratio).clip(0, 1)
    hours = stats["handle_hours"].where(stats["handle_hours"] > 0, stats["tickets"])
    stats["score"] = hours * stats["trend"] * stats["uncovered"]
    frame["gap_score"] = stats["uncovered"].to_numpy()[labels]
    words = topic_words(frame["text"], labels)
    stats["words"] = words
    central = frame.sort_values("cohesion", ascending=False).groupby("topic")
    stats["title"] = central["text"].first().reindex(range(k), fill_value="").map(_title)
    stats["samples"] = central["ticket_id"].apply(lambda s: list(s.head(SAMPLES)))
    stats["outline"] = [_outline(words[i], frame["text"][labels == i]) for i in range(k)]
    centroid_scores = topics.centroids @ article_vectors.T if len(article_vectors) else None
    near_articles = _nearest_articles(centroid_scores, articles, k)
    stats["nearest_articles"] = pd.Series(near_articles, index=stats.index, dtype=object)
    gaps = stats.sort_values("score", ascending=False).rename_axis("topic").reset_index()
    return Gaps(gaps, frame, _deflection(frame, articles))


def _nearest_articles(
    scores: np.ndarray | None, articles: pd.DataFrame, k: int
) -> list[list[dict[str, object]]]:
    if scores is None:
        return [[] for _ in range(k)]
    order = np.argsort(-scores, axis=1)[:, :NEAREST]
    titles = articles["title"].to_numpy(dtype=object)
    ids = articles["article"].to_numpy(dtype=object)
    return [
        [{"article": ids[j], "title": titles[j], "similarity": float(scores[i, j])} for j in row]
        for i, row in enumerate(order)
    ]


def _deflection(frame: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    covered = frame[(frame["nearest"] >= 0) & (frame["coverage"] >= COVERED * frame["cohesion"])]
    by = covered.groupby("nearest")
    table = pd.DataFrame(
        {"tickets": by.size(), "handle_hours": by["handle_seconds"].sum() / 3600}
    ).reindex(range(len(articles)), fill_value=0)
    table.insert(0, "title", articles["title"].to_numpy())
    table.insert(0, "article", articles["article"].to_numpy())
    return table.sort_values(["handle_hours", "tickets"], ascending=False, ignore_index=True)
