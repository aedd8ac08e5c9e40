"""Time-to-proficiency: a worked example of two start cohorts with IQS, AHT and weeks to
proficiency computed by hand, the edge cases (an agent without reviews, a week with one review,
an agent active from the log's first week), and the starts and handle-time units read from the
store on every engine."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from supportops.metrics.tenure import agent_starts, handle_units
from supportops.model.importer import import_files
from supportops.qa.proficiency import cohorts, curves, weeks_to_proficiency
from tests.model.conftest import StoreFactory

LOG_START = pd.Timestamp("2026-01-05T00:00:00Z")
STARTS = {
    "v": LOG_START,  # active from the log's first day: tenure unknown, left out
    "a": pd.Timestamp("2026-01-19T09:00:00Z"),
    "b": pd.Timestamp("2026-01-26T09:00:00Z"),
    "c": pd.Timestamp("2026-02-02T09:00:00Z"),
    "d": pd.Timestamp("2026-02-09T09:00:00Z"),  # no reviews at all
}
# (agent, days after their start, review score)
REVIEWS = [
    ("a", 1, 60), ("a", 3, 70), ("b", 2, 80),  # January week 0: 70
    ("a", 8, 90), ("b", 10, 80),  # January week 1: 85
    ("a", 15, 95),  # January week 2: one review, no interval
    ("c", 0, 90),  # February week 0: 90
    ("c", 9, 70),  # February week 1: 70
    ("c", 16, 88), ("c", 17, 92),  # February week 2: 90
    ("v", 20, 10),
]  # fmt: skip
# (agent, days after their start, handle seconds of one unit)
WORK = [
    ("a", 1, 600), ("a", 2, 900), ("b", 0, 1200),  # January week 0: 900
    ("a", 9, 300),  # January week 1
    ("c", 1, 800), ("d", 0, 1000),  # February week 0: 900
    ("d", 7, 500),  # February week 1
    ("v", 3, 9999),
]  # fmt: skip


def _at(rows: list[tuple[str, int, int]], value: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "agent_id": [r[0] for r in rows],
            "at": [STARTS[r[0]] + pd.Timedelta(days=r[1], hours=1) for r in rows],
            value: [float(r[2]) for r in rows],
        }
    )


def _people() -> pd.DataFrame:
    starts = pd.DataFrame({"agent_id": list(STARTS), "start": list(STARTS.values())})
    return cohorts(starts, "M", "UTC", LOG_START.to_pydatetime())


def _curve() -> pd.DataFrame:
    return curves(_at(REVIEWS, "score"), _at(WORK, "seconds"), _people())


def test_agents_fall_in_the_cohort_of_their_start_month_and_early_ones_are_left_out() -> None:
    people = _people()
    assert list(people["agent_id"]) == ["a", "b", "c", "d"]
    assert [str(c.date()) for c in people["cohort"]] == ["2026-01-01"] * 2 + ["2026-02-01"] * 2


def test_iqs_reviews_aht_and_agents_by_cohort_and_week_of_tenure() -> None:
    curve = _curve()
    got = curve[["week", "agents", "reviews", "iqs", "handle_units", "aht"]]
    expected = pd.DataFrame(
        [
            (0, 2, 3, 70.0, 3, 900.0),
            (1, 2, 2, 85.0, 1, 300.0),
            (2, 1, 1, 95.0, 0, np.nan),
            (0, 2, 1, 90.0, 2, 900.0),
            (1, 2, 1, 70.0, 1, 500.0),
            (2, 1, 2, 90.0, 0, np.nan),
        ],
        columns=got.columns,
    )
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    assert [str(c.date()) for c in curve["cohort"]] == ["2026-01-01"] * 3 + ["2026-02-01"] * 3


def test_the_interval_is_the_t_interval_and_absent_with_one_review() -> None:
    curve = _curve()
    half = stats.t.ppf(0.975, 2) * 10 / np.sqrt(3)  # 60, 70, 80: sd 10
    first = curve.iloc[0]
    assert first["low"] == pytest.approx(70 - half) and first["high"] == pytest.approx(70 + half)
    assert curve.iloc[2][["low", "high"]].isna().all()  # one review in January week 2


def test_weeks_to_proficiency_is_the_first_week_from_which_iqs_stays_on_target() -> None:
    at_85 = weeks_to_proficiency(_curve(), _people(), 85.0)
    assert list(at_85["agents"]) == [2, 2]
    assert list(at_85["weeks"]) == [1, 2]  # February's week 0 is above, but week 1 falls back
    at_91 = weeks_to_proficiency(_curve(), _people(), 91.0)
    assert at_91["weeks"].iloc[0] == 2 and pd.isna(at_91["weeks"].iloc[1])


def test_a_review_of_work_before_the_start_counts_in_week_zero() -> None:
    early = _at([("a", -2, 50)], "score")
    curve = curves(early, _at([], "seconds"), _people())
    assert list(curve["week"]) == [0] and curve["iqs"].iloc[0] == 50.0


def test_starts_and_handle_units_come_from_the_log(new_store: StoreFactory, tmp_path: Path) -> None:
    (tmp_path / "tickets.csv").write_text(
        "ticket_id,created_at,channel,status,assignee_id\n"
        "t1,2026-03-02T09:00:00Z,email,solved,ana\n"
        "t2,2026-03-03T09:00:00Z,email,solved,ben\n"
    )
    (tmp_path / "events.csv").write_text(
        "ticket_id,at,kind,actor,actor_id,public\n"
        "t1,2026-03-02T09:00:00Z,message,customer,c1,true\n"
        "t1,2026-03-02T10:00:00Z,message,agent,ana,true\n"
        "t2,2026-03-03T09:00:00Z,message,customer,c2,true\n"
        "t2,2026-03-04T11:00:00Z,message,agent,ben,true\n"
    )
    (tmp_path / "work.csv").write_text(
        "agent_id,ticket_id,started_at,seconds\n"
        "ana,t1,2026-03-02T09:50:00Z,300\n"
        "ana,t1,2026-03-02T12:00:00Z,120\n"
        "ben,t2,2026-03-04T08:00:00Z,600\n"
    )
    store = new_store()
    import_files(store, sorted(tmp_path.glob("*.csv")))
    starts, first = agent_starts(store)
    found = dict(zip(starts["agent_id"], starts["start"], strict=True))
    assert found == {
        "ana": pd.Timestamp("2026-03-02T09:50:00Z"),  # the work stretch before the reply
        "ben": pd.Timestamp("2026-03-04T08:00:00Z"),
    }
    assert first == pd.Timestamp("2026-03-02T09:00:00Z")
    units = handle_units(store).sort_values("agent_id").reset_index(drop=True)
    assert list(units["seconds"]) == [420.0, 600.0]  # ana's two stretches on t1 are one unit
    assert units["at"].iloc[0] == pd.Timestamp("2026-03-02T09:50:00Z")
