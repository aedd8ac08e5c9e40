"""Golden scorecards, one file per scoring rule (``golden/*.yaml``): the scorecard, the
ratings of each review, and the review scores, scores by category and IQS they must give."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from ruamel.yaml import YAML

from supportops.errors import QaError
from supportops.qa.scorecard import Scorecard
from supportops.qa.scores import category_scores, iqs
from supportops.qa.scoring import rated, review_scores

GOLDEN = sorted((Path(__file__).parent / "golden").glob("*.yaml"))


def _case(path: Path) -> dict[str, Any]:
    return YAML(typ="safe").load(path.read_text())


def _ratings(case: dict[str, Any]) -> pd.DataFrame:
    key = Scorecard.model_validate(case["scorecard"]).key
    rows = [
        {
            "review_id": review,
            "scorecard": key,
            "category": category,
            "rating": None if value == "na" else value,
            "na": value == "na",
        }
        for review, ratings in case["reviews"].items()
        for category, value in ratings.items()
    ]
    return pd.DataFrame(rows)


def _near(got: float, want: float | None, places: int) -> bool:
    return pd.isna(got) if want is None else round(float(got), places) == pytest.approx(want)


@pytest.mark.parametrize("path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_golden_scorecard(path: Path) -> None:
    case = _case(path)
    card = Scorecard.model_validate(case["scorecard"])
    rows = rated(_ratings(case), [card])
    scores = review_scores(rows).set_index("review_id")["score"]
    places = 2 if path.stem == "iqs" else 4
    for review, want in case.get("scores", {}).items():
        assert _near(scores[review], want, places), (review, scores[review], want)
    by_category = category_scores(rows).set_index("category")["score"]
    for category, want in case.get("categories", {}).items():
        assert _near(by_category[category], want, 4), (category, by_category[category], want)
    if "iqs" in case:
        assert round(iqs(scores.to_numpy()), 2) == pytest.approx(case["iqs"])


def test_every_rule_of_the_issue_has_a_golden_file() -> None:
    rules = {"scales", "weights", "na", "critical", "category_scores", "bonus", "auto_fail"}
    assert rules | {"iqs", "non_scoring"} <= {p.stem for p in GOLDEN}


def test_a_rating_off_its_scale_names_review_and_category() -> None:
    case = _case(Path(__file__).parent / "golden" / "scales.yaml")
    ratings = _ratings(case)
    ratings.loc[ratings["category"] == "five", "rating"] = 6
    with pytest.raises(QaError, match=r"review r1: category 'five' rated 6.*1–5"):
        rated(ratings, [Scorecard.model_validate(case["scorecard"])])


def test_an_unknown_scorecard_is_named() -> None:
    case = _case(Path(__file__).parent / "golden" / "scales.yaml")
    ratings = _ratings(case).assign(scorecard="nope@1")
    with pytest.raises(QaError, match="scorecard 'nope@1'"):
        rated(ratings, [Scorecard.model_validate(case["scorecard"])])
