"""Coaching notes: what a lead told an agent, when, and on which categories — and how the
agent's scores moved since.

A note is a row of the store's ``coaching_notes`` table (note_id, agent_id, author, at, text,
focus: the categories it is about, as a JSON list), appended in one transaction and never
changed. :func:`since_note` compares the agent's reviews given before a note with those given
after it: IQS and each category's score, each with its 95% t interval
(:func:`~supportops.qa.scores.mean_interval`, the interval of every QA score). With fewer
than :data:`TOO_FEW` reviews after the note, the change is reported as too early to tell.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
import pyarrow as pa

from supportops.errors import QaError
from supportops.qa.scorecard import Scorecard
from supportops.qa.scores import category_scores, scores_by
from supportops.store.base import BOOKKEEPING, Store

__all__ = ["COLUMNS", "TABLE", "TOO_FEW", "Change", "add_note", "agent_notes", "since_note"]

TABLE = "coaching_notes"
COLUMNS = [name for name, _ in BOOKKEEPING[TABLE]]
TOO_FEW = 5  # reviews after a note below which the change is too early to tell


def _check(text: str, focus: Sequence[str], cards: Sequence[Scorecard]) -> None:
    if not text.strip():
        raise QaError("a coaching note needs its text", key="text")
    known = {c.id for card in cards for c in card.categories}
    for category in focus:
        if category not in known:
            raise QaError(
                f"focus category {category!r} is on no scorecard "
                f"(known: {', '.join(sorted(known)) or 'none'})",
                key=category,
            )


def add_note(
    store: Store,
    cards: Sequence[Scorecard],
    agent_id: str,
    author: str,
    at: datetime,
    text: str,
    focus: Sequence[str] = (),
) -> str:
    """Append one note (its ``focus`` categories must be on a scorecard); its id."""
    if not agent_id.strip():
        raise QaError("a coaching note needs the agent it is for", key="agent")
    _check(text, focus, cards)
    note_id = f"note-{at:%Y%m%d%H%M%S}-{secrets.token_hex(4)}"
    row = {
        "note_id": [note_id],
        "agent_id": [agent_id.strip()],
        "author": [author],
        "at": pa.array([pd.Timestamp(at).tz_convert("UTC")], pa.timestamp("us", "UTC")),
        "text": [text.strip()],
        "focus": [json.dumps(list(dict.fromkeys(focus)))],
    }
    with store.transaction():
        store.append(TABLE, pa.table({c: row[c] for c in COLUMNS}))
    return note_id


def agent_notes(store: Store, agent_id: str) -> pd.DataFrame:
    """The agent's notes, newest first, ``focus`` as a list (none when the store predates
    the table and was never opened for writing since)."""

    if not store.has_table(TABLE):
        return pd.DataFrame(columns=COLUMNS)
    cols = ", ".join(f'"{c}"' for c in COLUMNS)
    found = store.query(
        f'SELECT {cols} FROM "{TABLE}" WHERE agent_id = ? ORDER BY "at" DESC, note_id DESC',
        [agent_id],
    )
    found["focus"] = [json.loads(f) if f else [] for f in found["focus"]]
    return found


@dataclass(frozen=True)
class Change:
    """The agent's scores before and after a note: ``iqs`` and ``categories`` hold one row
    per side (``side`` before / after: n, score, low, high) and ``change`` (after − before);
    ``too_few`` when fewer than :data:`TOO_FEW` reviews came after it."""

    at: datetime
    iqs: pd.DataFrame
    categories: pd.DataFrame
    after: int
    too_few: bool


def since_note(reviews: pd.DataFrame, rows: pd.DataFrame, at: datetime) -> Change:
    """Compare one agent's scored ``reviews`` (and their rating ``rows``) given before ``at``
    with those given at or after it."""
    moment = pd.Timestamp(at)

    def side(frame: pd.DataFrame) -> pd.Series:
        after = pd.to_datetime(frame["at"], utc=True) >= moment
        return after.map({False: "before", True: "after"})

    iqs = scores_by(reviews.assign(side=side(reviews), score_of="iqs"), ["score_of", "side"])
    cats = category_scores(rows.assign(side=side(rows)), ["side"]) if len(rows) else None
    after = int(iqs.loc[iqs["side"] == "after", "n"].sum())
    return Change(
        at=at,
        iqs=_with_change(iqs, ["score_of"]).drop(columns="score_of"),
        categories=_with_change(cats, ["category"]) if cats is not None else pd.DataFrame(),
        after=after,
        too_few=after < TOO_FEW,
    )


def _with_change(table: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """One row per ``by`` group: before and after side by side, and after − before."""
    wide = table.pivot_table(
        index=by, columns="side", values=["n", "score", "low", "high"], dropna=False
    )
    wide.columns = [f"{pair[1]}_{pair[0]}" for pair in wide.columns.to_flat_index()]
    for side in ("before", "after"):
        for value in ("n", "score", "low", "high"):
            if f"{side}_{value}" not in wide:
                wide[f"{side}_{value}"] = float("nan")
    wide["change"] = wide["after_score"] - wide["before_score"]
    return wide.reset_index()
