"""A review entered by hand (the review form): one ticket's answers on its scorecard, checked
and written as one review.

Every category of the scorecard must be answered, with a rating of its scale or, where the
scorecard allows it, N/A. The rating rows then go through the checks every imported review
meets when it is scored (:func:`supportops.qa.scoring.rated`: the scorecard's categories, the
scale, N/A where allowed) and are written by the one importer (cleaning, quarantine, one
transaction), so an entered review is stored exactly like an imported one — all its ratings,
or none of them.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
import pyarrow as pa

from supportops.errors import QaError
from supportops.qa.scorecard import Scorecard
from supportops.qa.scoring import rated, review_scores
from supportops.store import Store

__all__ = ["NA", "Entered", "entered_rows", "ticket_reviews", "write_review"]

NA = "na"  # the answer meaning N/A


@dataclass(frozen=True)
class Entered:
    """Who entered a review of which ticket, when, on which scorecard."""

    source: str
    ticket_id: str
    agent_id: str
    reviewer_id: str
    at: datetime
    card: Scorecard
    comment: str = ""


def _answer(card: Scorecard, category: str, answers: Mapping[str, str]) -> tuple[str, bool]:
    """(rating text, N/A) of one category's answer; a missing answer is an error naming it."""
    given = str(answers.get(category, "")).strip()
    label = next(c.label or c.id for c in card.categories if c.id == category)
    if not given:
        raise QaError(f"category {label!r} has no rating: pick one", key=category)
    if given == NA:
        return "", True
    try:
        float(given)
    except ValueError:
        raise QaError(f"category {label!r}: {given!r} is not a rating", key=category) from None
    return given, False


def entered_rows(entry: Entered, answers: Mapping[str, str]) -> pd.DataFrame:
    """The rating rows (the ``reviews`` table's columns, as text) of one entered review, after
    the checks of scoring; a :class:`QaError` names the first category that fails."""
    review_id = f"form-{entry.at:%Y%m%d%H%M%S}-{secrets.token_hex(4)}"
    rows = []
    for category in entry.card.categories:
        rating, na = _answer(entry.card, category.id, answers)
        rows.append(
            {
                "review_id": review_id,
                "source": entry.source,
                "ticket_id": entry.ticket_id,
                "agent_id": entry.agent_id,
                "reviewer_id": entry.reviewer_id,
                "at": entry.at.isoformat(),
                "scorecard": entry.card.key,
                "category": category.id,
                "rating": rating,
                "na": "true" if na else "false",
                "comment": entry.comment,
            }
        )
    frame = pd.DataFrame(rows, dtype="string")
    checked = frame.assign(rating=pd.to_numeric(frame["rating"]), na=frame["na"] == "true")
    rated(checked, [entry.card])  # the checks every scored review meets
    return frame


def write_review(store: Store, rows: pd.DataFrame) -> str:
    """Write one review's rows through the importer, in one transaction: all or nothing (a
    row the importer would quarantine undoes the whole review). Returns the review id."""
    from supportops.model.importer import import_batches

    batches = pa.Table.from_pandas(rows, preserve_index=False).to_batches()
    review_id = str(rows["review_id"].iloc[0])
    with store.transaction():
        report = import_batches(store, iter([("reviews", "review form", iter(batches), ())]))
        if report.total("quarantined"):
            raise QaError(f"review {review_id} was refused by the importer", review_id=review_id)
    return review_id


def ticket_reviews(
    store: Store, cards: list[Scorecard], source: str, ticket_id: str
) -> pd.DataFrame:
    """The reviews of one ticket, newest first: review_id, agent_id, reviewer_id, at,
    scorecard, calibration_session, comment and ``score``."""
    from supportops.metrics.reviews import review_rows

    rows = review_rows(store, ticket=(source, ticket_id))
    columns = ["review_id", "agent_id", "reviewer_id", "at", "scorecard", "calibration_session"]
    if rows.empty:
        return pd.DataFrame(columns=[*columns, "comment", "score"])
    comments = rows.dropna(subset=["comment"]).groupby("review_id")["comment"].first()
    scores = review_scores(rated(rows, cards))
    out = rows.drop_duplicates("review_id")[columns].merge(scores, on="review_id")
    out["comment"] = out["review_id"].map(comments).fillna("")
    return out.sort_values("at", ascending=False).reset_index(drop=True)
