"""Reviews enter the event log like any table (``reviews.csv``) or from a QA tool's export
(Zendesk QA CSV, MaestroQA JSONL), on every engine, and score from the store."""

from __future__ import annotations

from pathlib import Path

import pytest

from supportops.errors import InputError
from supportops.metrics.reviews import review_rows
from supportops.model.importer import import_files
from supportops.qa.exports import import_export, read_export
from supportops.qa.scorecard import Scorecard
from supportops.qa.scoring import rated, review_scores
from tests.model.conftest import StoreFactory

EXPORTS = Path(__file__).parent / "exports"
SUPPORT = Scorecard.model_validate(
    {
        "name": "support",
        "categories": [
            {"id": "solution", "scale": "binary", "weight": 60, "critical": True},
            {"id": "tone", "scale": 5, "weight": 40},
            {"id": "grammar", "scale": "binary", "weight": 10},
        ],
    }
)


def _scores(store: object) -> dict[str, float]:
    rows = review_rows(store)  # type: ignore[arg-type]
    scores = review_scores(rated(rows, [SUPPORT]))
    return dict(zip(scores["review_id"], scores["score"].round(4), strict=True))


def test_reviews_csv_is_an_event_log_table(new_store: StoreFactory) -> None:
    store = new_store()
    import_files(store, [EXPORTS / "tickets.csv"])
    report = import_files(store, [EXPORTS / "reviews.csv"])
    assert report.table("reviews").imported == 4
    rows = review_rows(store)
    assert set(rows["channel"]) == {"email", "chat"}  # the ticket's columns come along
    assert _scores(store) == {
        "rv1": 90.0,
        "rv2": 0.0,
    }  # (60·100 + 40·75) / 100, grammar N/A; rv2 fails critical
    again = import_files(store, [EXPORTS / "reviews.csv"])
    assert again.table("reviews").imported == 0 and store.count("reviews") == 4


def test_a_zendesk_qa_export_gives_the_same_scores(new_store: StoreFactory) -> None:
    store = new_store()
    import_files(store, [EXPORTS / "tickets.csv"])
    report = import_export(store, EXPORTS / "zendesk-qa.csv", "zendesk-qa", timezone="UTC")
    assert report.total("quarantined") == 0
    assert _scores(store) == {"9001": 90.0, "9002": 0.0}
    na = review_rows(store).set_index("category").loc["grammar"]
    assert bool(na["na"]) and na["rating"] != na["rating"]  # N/A kept as N/A, no rating


def test_a_maestroqa_export_keeps_its_calibration_session(new_store: StoreFactory) -> None:
    store = new_store()
    import_files(store, [EXPORTS / "tickets.csv"])
    import_export(store, EXPORTS / "maestroqa.jsonl", "maestroqa")
    rows = review_rows(store).set_index("category")
    assert rows.loc["greeting", "rating"] == 10
    assert bool(rows.loc["resolution", "na"])
    assert rows.loc["resolution", "calibration_session"] == "cal-1"
    assert len(review_rows(store, calibration=False)) == 1


def test_an_export_missing_a_column_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "x.csv"
    bad.write_text("Review ID,Scorecard\n1,a\n")
    with pytest.raises(InputError, match=r"not a Zendesk QA.*'Conversation external ID'"):
        list(read_export(bad, "zendesk-qa"))
