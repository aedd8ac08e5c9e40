"""Auto-QA: rule checks rate tickets from the log, and count only where they agree with the
graders (alpha(auto, consensus) >= 0.667 and not below the graders' own alpha)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from supportops.qa.auto import check_ratings, gate
from supportops.qa.scorecard import AutoCheck

T0 = pd.Timestamp("2026-03-02T09:00:00Z")


def _facts() -> pd.DataFrame:
    hour, day = pd.Timedelta(hours=1), pd.Timedelta(days=1)
    return pd.DataFrame(
        {
            "created_at": [T0] * 4,
            "replied": [T0 + hour, T0 + 5 * hour, pd.NaT, T0 + hour],
            "solved": [T0 + day, T0 + day, pd.NaT, T0 + day],
            "escalated": [pd.NaT, T0 + 2 * hour, pd.NaT, T0 + 2 * hour],
            "noted": [pd.NaT, T0 + 3 * hour, pd.NaT, T0 + hour],
            "confirmations": [1, 0, 0, 2],
            "reopened": [pd.NaT, T0 + 3 * day, pd.NaT, T0 + 9 * day],
        }
    )


def _checked(name: str, **kw: object) -> list[float | None]:
    out = check_ratings(_facts(), AutoCheck(check=name, category="x", **kw))  # type: ignore[arg-type]
    return [None if np.isnan(v) else v for v in out]


def test_each_rule_check_rates_pass_fail_or_not_applicable() -> None:
    assert _checked("first_reply_within", within="4h") == [100, 0, None, 100]
    assert _checked("note_before_escalation") == [None, 0, None, 100]
    assert _checked("confirmed_before_solve") == [100, 0, None, 100]
    assert _checked("no_reopen") == [100, 0, None, 100]  # a reopen after 9 days passes


def _graders(rng: np.random.Generator, truth: np.ndarray, flip: float) -> pd.DataFrame:
    rows = []
    for reviewer in ("a", "b", "c"):
        wrong = rng.random(len(truth)) < flip
        rows += [
            {"unit": u, "reviewer_id": reviewer, "pct": 100.0 * (t != w)}
            for u, (t, w) in enumerate(zip(truth, wrong, strict=True))
        ]
    return pd.DataFrame(rows)


def test_a_check_that_agrees_with_the_graders_counts_and_a_random_one_is_advisory() -> None:
    rng = np.random.default_rng(0)
    truth = rng.random(120) < 0.6
    humans = _graders(rng, truth, 0.1)
    good = pd.Series(100.0 * (truth != (rng.random(120) < 0.03)))
    noise = pd.Series(100.0 * (rng.random(120) < 0.6))
    counted = gate(humans, good, "first_reply_within", "process", "nominal")
    advisory = gate(humans, noise, "no_reopen", "process", "nominal")
    assert counted.counts and counted.status == "counts" and counted.units == 120
    assert not advisory.counts and advisory.status == "advisory"


def test_a_check_below_the_graders_own_agreement_is_advisory() -> None:
    rng = np.random.default_rng(1)
    truth = rng.random(200) < 0.5
    humans = _graders(rng, truth, 0.0)  # graders agree perfectly
    close = pd.Series(100.0 * (truth != (rng.random(200) < 0.05)))
    found = gate(humans, close, "confirmed_before_solve", "process", "nominal")
    assert found.alpha_auto >= 0.667 and found.alpha_humans == 1.0 and not found.counts
