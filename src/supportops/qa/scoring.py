"""Scoring reviews the way QA tools score them, as column operations over rating rows.

A rating row is one category of one review (the ``reviews`` table's shape). Per category::

    pct = (rating - low) / (high - low) * 100        # binary, 3-, 4-, 5-point, points

N/A ratings and ``non_scoring`` ratings are left out. A review's score is the weighted mean of
its rated ``scored`` categories, plus ``bonus`` categories' weighted points over the same
denominator (so a MaestroQA bonus lifts a score above 100%). The review scores 0 when a
``critical`` category scores below 50% (Zendesk QA) or an ``auto_fail`` category is selected
(MaestroQA). IQS is the mean of review scores. Scores by category are the mean ``pct`` per
category and ignore the zeroing.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from supportops.errors import QaError
from supportops.qa.scorecard import Scorecard

__all__ = ["RATING_COLUMNS", "category_table", "rated", "review_scores"]

RATING_COLUMNS = ("review_id", "scorecard", "category", "rating", "na")


def category_table(scorecards: Iterable[Scorecard]) -> pd.DataFrame:
    """One row per (scorecard key, category) with the numbers scoring needs."""
    rows = [
        {
            "scorecard": card.key,
            "category": c.id,
            "low": c.low,
            "high": c.high,
            "weight": float(c.weight_used),
            "kind": c.kind,
            "critical": c.critical,
            "na_allowed": c.na,
        }
        for card in scorecards
        for c in card.categories
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "scorecard",
            "category",
            "low",
            "high",
            "weight",
            "kind",
            "critical",
            "na_allowed",
        ],
    )


def rated(ratings: pd.DataFrame, scorecards: Iterable[Scorecard]) -> pd.DataFrame:
    """``ratings`` with each row's ``pct`` (NaN when N/A or non-scoring) and its category's
    weight, kind and critical flag. A row naming an unknown scorecard or category, a rating
    outside its scale, or N/A on a category that does not allow it, is a :class:`QaError`
    naming it."""
    cards = list(scorecards)
    table = category_table(cards)
    frame = ratings.copy()
    frame["scorecard"] = _resolve(frame["scorecard"], cards)
    merged = frame.merge(table, on=["scorecard", "category"], how="left", validate="m:1")
    _refuse(
        merged,
        merged["low"].isna().to_numpy(dtype=bool),
        "review {review_id}: scorecard {scorecard} has no category {category!r}",
    )
    rating = pd.to_numeric(merged["rating"], errors="coerce").to_numpy(dtype=float)
    na = merged["na"].eq(True).to_numpy(dtype=bool) | np.isnan(rating)
    low, high = merged["low"].to_numpy(dtype=float), merged["high"].to_numpy(dtype=float)
    _refuse(
        merged,
        ~na & ((rating < low) | (rating > high)),
        "review {review_id}: category {category!r} rated {rating} outside its scale "
        "{low:g}–{high:g}",
    )
    _refuse(
        merged,
        na & ~merged["na_allowed"].eq(True).to_numpy(dtype=bool),
        "review {review_id}: category {category!r} needs a rating: scorecard {scorecard} "
        "does not allow N/A on it",
    )
    silent = _non_scoring(merged, rating, cards)
    pct = (rating - low) / (high - low) * 100
    merged["pct"] = np.where(na | silent, np.nan, pct)
    return merged


def _refuse(rows: pd.DataFrame, bad: np.ndarray, text: str) -> None:
    """A :class:`QaError` naming the first of ``rows`` marked ``bad`` (``text`` formatted
    with its columns), if any is."""
    if bad.any():
        row = rows[bad].iloc[0]
        raise QaError(
            text.format(**{str(k): v for k, v in row.items()}),
            review_id=str(row["review_id"]),
            key=str(row["category"]),
        )


def _resolve(keys: pd.Series, cards: list[Scorecard]) -> pd.Series:
    """``name`` → ``name@latest``; unknown scorecards are an error."""
    known = {c.key for c in cards}
    latest: dict[str, str] = {}
    for card in sorted(cards, key=lambda c: c.version):
        latest[card.name] = card.key
    text = keys.astype(str)
    names = {k: k if k in known else latest.get(k, "") for k in text.unique()}
    out = text.map(names)
    missing = out == ""
    if missing.any():
        name = keys[missing].iloc[0]
        raise QaError(
            f"reviews name scorecard {name!r}, which supportops.yaml does not declare "
            f"(known: {', '.join(sorted(known)) or 'none'})",
            key=str(name),
        )
    return out


def _non_scoring(rows: pd.DataFrame, rating: np.ndarray, cards: list[Scorecard]) -> np.ndarray:
    """Whether each row's rating is one its category lists as non-scoring (one lookup)."""
    silent = [(s.key, c.id, float(v)) for s in cards for c in s.categories for v in c.non_scoring]
    if not silent:
        return np.zeros(len(rows), dtype=bool)
    keys = pd.MultiIndex.from_arrays([rows["scorecard"], rows["category"], rating])
    return np.asarray(keys.isin(silent), dtype=bool)


def review_scores(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per review of :func:`rated` rows: ``score`` (NaN when nothing was rated),
    ``raw`` (before zeroing), ``zeroed`` (by a critical or auto-fail category)."""
    pct = rows["pct"].to_numpy()
    has = ~np.isnan(pct)
    kind = rows["kind"].to_numpy()
    weight = rows["weight"].to_numpy()
    scored = has & (kind == "scored")
    parts = pd.DataFrame(
        {
            "review_id": rows["review_id"].to_numpy(),
            "num": np.where(has & (kind != "auto_fail"), weight * np.nan_to_num(pct), 0.0),
            "den": np.where(scored, weight, 0.0),
            "fail": (rows["critical"].to_numpy(dtype=bool) & has & (np.nan_to_num(pct) < 50))
            | ((kind == "auto_fail") & has & (np.nan_to_num(pct) > 0)),
        }
    )
    sums = parts.groupby("review_id", sort=False).agg(
        num=("num", "sum"), den=("den", "sum"), fail=("fail", "any")
    )
    raw = (sums["num"] / sums["den"].where(sums["den"] > 0)).to_numpy()
    score = np.where(sums["fail"].to_numpy() & ~np.isnan(raw), 0.0, raw)
    return pd.DataFrame(
        {"review_id": sums.index, "score": score, "raw": raw, "zeroed": sums["fail"].to_numpy()}
    )
