"""Coaching notes: stored on every engine (appended, newest first, focus categories checked),
a store without the table gains it, and the before/after comparison on a worked example."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from supportops.errors import QaError
from supportops.qa.notes import TOO_FEW, add_note, agent_notes, since_note
from supportops.qa.scorecard import Scorecard
from supportops.store import Store
from tests.model.conftest import StoreFactory

CARD = Scorecard.model_validate(
    {"name": "support", "categories": [{"id": "solution", "scale": 4}, {"id": "tone"}]}
)
NOTE = datetime(2026, 3, 10, tzinfo=UTC)


def test_notes_are_kept_per_agent_newest_first(any_store: Store) -> None:
    add_note(any_store, [CARD], "ana", "lead", datetime(2026, 3, 1, tzinfo=UTC), "Greet first")
    add_note(any_store, [CARD], "ana", "lead", NOTE, "Slow down", ["tone", "solution"])
    add_note(any_store, [CARD], "ben", "lead", NOTE, "Well done")
    notes = agent_notes(any_store, "ana")
    assert list(notes["text"]) == ["Slow down", "Greet first"]
    assert notes["focus"].iloc[0] == ["tone", "solution"] and notes["focus"].iloc[1] == []
    assert pd.Timestamp(notes["at"].iloc[0]) == pd.Timestamp(NOTE)
    assert agent_notes(any_store, "cy").empty


def test_a_note_names_what_is_wrong(any_store: Store) -> None:
    with pytest.raises(QaError, match="focus category 'empathy' is on no scorecard"):
        add_note(any_store, [CARD], "ana", "lead", NOTE, "Be kind", ["empathy"])
    with pytest.raises(QaError, match="needs its text"):
        add_note(any_store, [CARD], "ana", "lead", NOTE, "  ")
    assert agent_notes(any_store, "ana").empty  # nothing written


def test_a_store_without_the_table_gains_it(new_store: StoreFactory) -> None:
    store = new_store()
    store.execute('DROP TABLE "coaching_notes"')
    assert agent_notes(store, "ana").empty  # read before it exists: no notes
    store.ensure_schema()  # what opening the workspace for writing runs
    add_note(store, [CARD], "ana", "lead", NOTE, "Back again")
    assert list(agent_notes(store, "ana")["text"]) == ["Back again"]


def _reviews(scores: list[float], days: list[int]) -> pd.DataFrame:
    at = [datetime(2026, 3, d, 12, tzinfo=UTC) for d in days]
    return pd.DataFrame(
        {"review_id": [f"r{i}" for i in range(len(scores))], "at": at, "score": scores}
    )


def test_before_and_after_a_note_on_a_worked_example() -> None:
    # before the note (3, 5, 8 March): 60, 70, 80 → 70, sd 10, t(0.975, 2) = 4.303:
    #   70 ± 4.303 · 10 / √3 = 70 ± 24.84
    # after (10–14 March): 80, 90, 100, 90, 90 → 90, sd √50, t(0.975, 4) = 2.776:
    #   90 ± 2.776 · 7.071 / √5 = 90 ± 8.78
    reviews = _reviews([60, 70, 80, 80, 90, 100, 90, 90], [3, 5, 8, 10, 11, 12, 13, 14])
    rows = reviews.assign(category="tone", kind="scored", pct=[50, 75, 50, 100, 100, 75, 100, 100])
    change = since_note(reviews, rows, NOTE)
    iqs = change.iqs.iloc[0]
    assert (iqs["before_n"], iqs["after_n"]) == (3, 5)
    assert iqs["before_score"] == pytest.approx(70) and iqs["after_score"] == pytest.approx(90)
    assert iqs["before_low"] == pytest.approx(70 - 24.84, abs=0.01)
    assert iqs["after_high"] == pytest.approx(90 + 8.78, abs=0.01)
    assert iqs["change"] == pytest.approx(20)
    tone = change.categories.set_index("category").loc["tone"]
    # 175 / 3 = 58.33 before; 475 / 5 = 95 after
    assert tone["change"] == pytest.approx(95 - 175 / 3)
    assert change.after == 5 and not change.too_few


def test_too_few_reviews_after_a_note_are_said_so() -> None:
    reviews = _reviews([60, 70, 95], [3, 5, 12])
    rows = reviews.assign(category="tone", kind="scored", pct=[50, 75, 100])
    change = since_note(reviews, rows, NOTE)
    assert change.after == 1 < TOO_FEW and change.too_few
    iqs = change.iqs.iloc[0]
    assert iqs["after_score"] == 95 and pd.isna(iqs["after_low"])  # one review: no interval


def test_the_demo_coaches_its_most_reviewed_agents(qa_demo: Path) -> None:
    from supportops.demo.coaching import AUTHOR
    from supportops.qa.workspace import scored
    from supportops.workspace import Workspace

    with Workspace.open(qa_demo, read_only=True) as ws:
        reviews = scored(ws).reviews
        busiest = (
            reviews["agent_id"]
            .value_counts()
            .sort_index()
            .sort_values(ascending=False, kind="stable")
        )
        for agent in busiest.index[:3]:
            notes = agent_notes(ws.store, str(agent))
            assert list(notes["author"]) == [AUTHOR] and len(notes["focus"].iloc[0]) == 1
            mine = reviews[reviews["agent_id"] == agent]
            change = since_note(
                mine, mine.iloc[:0].assign(category="", kind="", pct=0.0), notes["at"].iloc[0]
            )
            assert change.after >= len(mine) // 2  # halfway through their reviews
        assert agent_notes(ws.store, str(busiest.index[3])).empty
