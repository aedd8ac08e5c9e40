"""Gap scoring on hand-built vectors: an uncovered topic outranks a covered one, and an
article's deflection opportunity is the tickets it covers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from supportops.knowledge.gaps import find_gaps
from supportops.knowledge.topics import cluster, topic_words


def _unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


@pytest.fixture
def case() -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(0)
    # 30 tickets about refunds (axis 0), 20 about SSO (axis 1); SSO gets busier late
    refunds = _unit(np.c_[np.ones(30), rng.normal(0, 0.05, (30, 2))])
    sso = _unit(np.c_[rng.normal(0, 0.05, 20), np.ones(20), rng.normal(0, 0.05, 20)])
    days = pd.to_datetime(
        ["2026-11-01"] * 15 + ["2026-11-20"] * 15 + ["2026-11-01"] * 5 + ["2026-11-20"] * 15,
        utc=True,
    )
    tickets = pd.DataFrame(
        {
            "ticket_id": [f"r{i}" for i in range(30)] + [f"s{i}" for i in range(20)],
            "created_at": days,
            "text": ["Refund my payment please"] * 30 + ["SAML single sign-on fails"] * 20,
            "handle_seconds": [600.0] * 30 + [1800.0] * 20,
        }
    )
    articles = pd.DataFrame({"article": ["refunds.md"], "title": ["Get a refund"]})
    return tickets, np.vstack([refunds, sso]), articles, np.array([[1.0, 0.0, 0.0]])


def test_the_uncovered_topic_is_the_first_gap(case) -> None:  # type: ignore[no-untyped-def]
    tickets, vectors, articles, article_vectors = case
    found = find_gaps(tickets, vectors, articles, article_vectors, cluster(vectors, topics=2))
    first, second = found.gaps.iloc[0], found.gaps.iloc[1]
    assert first["title"] == "SAML single sign-on fails"
    assert first["tickets"] == 20 and first["handle_hours"] == pytest.approx(10.0)
    assert first["trend"] == pytest.approx(16 / 6)
    assert first["uncovered"] > 0.9 and second["uncovered"] < 0.05
    assert first["score"] == pytest.approx(10.0 * 16 / 6 * first["uncovered"])
    assert set(first["samples"]) <= {f"s{i}" for i in range(20)} and len(first["samples"]) == 3
    assert first["nearest_articles"][0]["article"] == "refunds.md"
    assert "sign" in " ".join(first["words"])
    deflect = found.articles.iloc[0]
    assert deflect["article"] == "refunds.md" and deflect["tickets"] == 30
    assert deflect["handle_hours"] == pytest.approx(5.0)


def test_without_articles_every_topic_is_a_gap_ranked_by_hours(case) -> None:  # type: ignore[no-untyped-def]
    tickets, vectors, _, _ = case
    none = pd.DataFrame(columns=["article", "title"])
    found = find_gaps(tickets, vectors, none, np.zeros((0, 3)), cluster(vectors, topics=2))
    assert (found.gaps["uncovered"] == 1).all()
    assert found.gaps.iloc[0]["tickets"] == 20  # 10 h × trend 2.7 beats 5 h × trend 1
    assert found.articles.empty


def test_tickets_of_one_instant_have_no_trend_so_the_gaps_rank_by_hours(case) -> None:  # type: ignore[no-untyped-def]
    tickets, vectors, _, _ = case
    tickets = tickets.assign(created_at=pd.Timestamp("2026-11-01", tz="UTC"))
    tickets["handle_seconds"] = [1200.0] * 30 + [1800.0] * 20  # refunds 10 h, SSO 10 h
    tickets.loc[:9, "handle_seconds"] = 2400.0  # refunds 13.3 h
    none = pd.DataFrame(columns=["article", "title"])
    found = find_gaps(tickets, vectors, none, np.zeros((0, 3)), cluster(vectors, topics=2))
    # no second half to compare with: each trend is 1, not 1 / (tickets + 1), and the topic
    # that took more hours is first
    assert (found.gaps["trend"] == 1).all()
    assert found.gaps["tickets"].tolist() == [30, 20]
    assert found.gaps["score"].tolist() == pytest.approx([40 / 3, 10.0])


def test_topic_words_are_those_particular_to_the_topic() -> None:
    texts = pd.Series(["refund payment card"] * 3 + ["saml login fails"] * 3)
    words = topic_words(texts, np.array([0, 0, 0, 1, 1, 1]), top=3)
    assert len(words[0]) == len(words[1]) == 3
    assert set(words[0]) <= {"refund", "payment", "card", "refund payment", "payment card"}
    assert set(words[1]) <= {"saml", "login", "fails", "saml login", "login fails"}
