"""Text checks: the Triage text model learns a check's examples and rates each ticket by its
agent's best message; the ratings go through the same gate as the rule checks. TF-IDF (the
torch-free default) and the sentence encoder (when the extra is installed) both run."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from supportops.errors import QaError
from supportops.qa.auto import gate
from supportops.qa.scorecard import QaConfig, TextCheck
from supportops.qa.text import model_kind, text_ratings
from supportops.triage.models import available_kinds
from tests.conftest import REPO

COURTESY = TextCheck(
    name="courtesy",
    category="tone",
    passes=(
        "Thanks for reaching out, happy to help!",
        "Thank you for your patience, sorry for the trouble.",
        "Glad it works now, have a great day!",
    ),
    fails=("Which browser?", "Send a screenshot.", "Try again.", "Reset it."),
)
MESSAGES = pd.DataFrame(
    {
        "unit": ["t1", "t1", "t2", "t3", "t4"],
        "body": [
            "Which browser?",
            "Thanks for reaching out, happy to help with this!",  # t1's best message passes
            "Send a screenshot.",
            "Thank you for your patience, sorry for the trouble today.",
            None,  # no text: t4 is not rated
        ],
    }
)
KINDS = ["tfidf"] + (["embeddings"] if "embeddings" in available_kinds() else [])


@pytest.mark.parametrize("kind", KINDS)
def test_a_ticket_passes_when_its_best_agent_message_reads_as_a_pass(kind: str) -> None:
    found = text_ratings(MESSAGES, COURTESY, kind)
    assert found.to_dict() == {"t1": 100.0, "t2": 0.0, "t3": 100.0}


def test_auto_takes_the_encoder_when_installed_and_tfidf_otherwise() -> None:
    assert model_kind(COURTESY, ["tfidf", "embeddings"]) == "embeddings"
    assert model_kind(COURTESY, ["tfidf"]) == "tfidf"
    wanted = COURTESY.model_copy(update={"model": "embeddings"})
    with pytest.raises(QaError, match="'embeddings' is not installed") as caught:
        model_kind(wanted, ["tfidf"])
    assert caught.value.key == "qa.text.courtesy.model"  # type: ignore[attr-defined]


def test_the_tfidf_path_never_imports_torch() -> None:
    code = (
        "import sys\n"
        "from tests.qa.test_text_checks import COURTESY, MESSAGES\n"
        "from supportops.qa.text import text_ratings\n"
        "assert text_ratings(MESSAGES, COURTESY, 'tfidf')['t1'] == 100.0\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


def test_a_text_check_counts_only_where_it_agrees_with_the_graders() -> None:
    rng = np.random.default_rng(3)
    kind = np.where(rng.random(80) < 0.5, "warm", "curt")
    units = [f"u{i}" for i in range(80)]
    body = np.where(kind == "warm", "Thanks for reaching out, happy to help!", "Try again.")
    messages = pd.DataFrame({"unit": units, "body": body})
    ratings = text_ratings(messages, COURTESY, "tfidf")
    graders = [
        {"unit": u, "reviewer_id": r, "pct": 100.0 * ((k == "warm") != (rng.random() < 0.05))}
        for r in ("a", "b", "c")
        for u, k in zip(units, kind, strict=True)
    ]
    agreed = gate(pd.DataFrame(graders), ratings, "courtesy", "tone", "nominal", "text")
    assert agreed.kind == "text" and agreed.counts
    shuffled = pd.Series(rng.permutation(ratings.to_numpy()), index=ratings.index)
    random = gate(pd.DataFrame(graders), shuffled, "courtesy", "tone", "nominal", "text")
    assert random.status == "advisory"


def test_a_text_check_needs_examples_both_ways() -> None:
    with pytest.raises(ValueError, match="fails"):
        QaConfig.model_validate(
            {"text": [{"name": "x", "category": "tone", "passes": ["a", "b"], "fails": ["c"]}]}
        )
