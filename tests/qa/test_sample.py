"""The review plan: quotas sized for precision, strata with a minimum, risk picks apart,
assignments that skip reviewed tickets; in simulation the stratified IQS is unbiased while
mixing the risk picks in biases it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from supportops.qa.sample import RISKS, PlanSettings, plan, weighted_iqs
from supportops.qa.scores import reviews_needed


def _population(rng: np.random.Generator, agents: int = 4, per_agent: int = 600) -> pd.DataFrame:
    """Tickets whose true review score depends on channel and is lower on risky tickets."""
    n = agents * per_agent
    channel = rng.choice(["email", "chat", "phone"], size=n, p=[0.7, 0.25, 0.05])
    risky = rng.random(n) < 0.15
    base = pd.Series(channel).map({"email": 85.0, "chat": 75.0, "phone": 60.0}).to_numpy()
    score = np.clip(base - 30 * risky + rng.normal(0, 10, n), 0, 100)
    frame = pd.DataFrame(
        {
            "source": "csv",
            "ticket_id": [f"t{i}" for i in range(n)],
            "agent_id": np.repeat([f"a{i}" for i in range(agents)], per_agent),
            "channel": channel,
            "reason": rng.choice(["billing", "bug"], size=n),
            "score": score,
        }
    )
    for i, risk in enumerate(RISKS):
        frame[risk] = risky & (rng.random(n) < 0.5 if i else True)
    return frame


def test_sd_20_and_plus_minus_5_need_62_reviews() -> None:
    assert reviews_needed(20, 5) == 62


def test_every_stratum_gets_its_minimum_and_each_agent_its_quota() -> None:
    tickets = _population(np.random.default_rng(0))
    picks = plan(tickets, PlanSettings(quota=30, minimum=2, risk=3), reviewers=["r1", "r2"])
    sample = picks[picks["kind"] == "sample"]
    strata = tickets.groupby(["agent_id", "channel", "reason"]).size()
    got = sample.groupby(["agent_id", "channel", "reason"]).size().reindex(strata.index)
    assert (got >= np.minimum(2, strata)).all()
    per_agent = sample.groupby("agent_id").size()
    assert ((per_agent >= 30) & (per_agent <= 30 + 2 * len(strata) // 4)).all()
    risk = picks[picks["kind"] == "risk"]
    assert (risk.groupby("agent_id").size() == 3).all() and (risk["weight"] == 0).all()
    assert (risk["risk"] != "").all() and not set(risk["ticket_id"]) & set(sample["ticket_id"])


def test_assignments_skip_reviewed_tickets_and_the_agent_themself() -> None:
    tickets = _population(np.random.default_rng(1), agents=2, per_agent=50)
    reviewed = tickets.iloc[:40][["source", "ticket_id"]]
    picks = plan(tickets, PlanSettings(quota=20), reviewers=["a0", "lead"], reviewed=reviewed)
    assert not set(picks["ticket_id"]) & set(reviewed["ticket_id"])
    assert (picks["reviewer_id"] != picks["agent_id"]).all()
    assert set(picks["reviewer_id"]) == {"a0", "lead"}


@pytest.mark.slow
def test_the_stratified_iqs_is_unbiased_and_risk_picks_bias_it() -> None:
    rng = np.random.default_rng(2)
    tickets = _population(rng, agents=3, per_agent=800)
    truth = tickets.groupby("agent_id")["score"].mean()
    unscored = tickets.drop(columns=["score"])
    fair, mixed = [], []
    for seed in range(80):
        picks = plan(unscored, PlanSettings(quota=40, minimum=5, risk=10, seed=seed))
        scored = picks.merge(tickets[["ticket_id", "score"]], on="ticket_id")
        fair.append(weighted_iqs(scored).set_index("agent_id")["iqs"] - truth)
        mixed.append(scored.groupby("agent_id")["score"].mean() - truth)
    fair_bias = pd.concat(fair).mean()
    mixed_bias = pd.concat(mixed).mean()
    spread = pd.concat(fair).std() / np.sqrt(len(fair) * 3)
    assert abs(fair_bias) < 3 * spread  # within three standard errors of zero
    assert mixed_bias < -2.0  # the low-scoring risk picks pull a plain mean down


def test_each_pick_gets_the_first_scorecard_whose_scope_it_matches() -> None:
    from supportops.qa.scorecard import Scorecard
    from supportops.qa.workspace import scorecard_of

    def card(name: str, version: int, scope: object) -> Scorecard:
        return Scorecard.model_validate(
            {"name": name, "version": version, "scope": scope, "categories": [{"id": "x"}]}
        )

    cards = [
        card("chat", 1, {"channel": "chat"}),
        card("chat", 2, {"channel": "chat"}),
        card("email", 1, {"channel": "email"}),
    ]
    tickets = pd.DataFrame({"channel": ["chat", "email", "phone"]})
    assert scorecard_of(tickets, cards).tolist() == ["chat@2", "email@1", None]
