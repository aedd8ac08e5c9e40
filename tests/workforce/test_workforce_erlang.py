"""Erlang B, C and A against independent 60-digit computations, to 1e-9, at any size."""

from __future__ import annotations

import numpy as np
import pytest

from supportops.workforce.erlang import Queue, erlang_a, erlang_b, erlang_c, queue_metrics
from tests.workforce import workforce_reference as ref

# (agents, load in Erlangs): small, medium, at the edge of stability, and tens of thousands.
ERLANG_C_GRID = [
    (1, 0.1), (2, 1.5), (5, 4.99), (10, 8.0), (14, 10.0), (50, 42.3), (120, 110.0),
    (300, 299.5), (1_000, 950.0), (2_500, 2_480.0), (10_000, 9_900.0), (30_000, 29_850.0),
    (50_000, 49_000.0),
]  # fmt: skip


@pytest.mark.parametrize(("servers", "load"), ERLANG_C_GRID)
def test_erlang_c_matches_60_digit_reference(servers: int, load: float) -> None:
    expected = ref.erlang_c_metrics(servers, load, aht=180.0, answer_time=20.0)
    got = queue_metrics(Queue(load * 10.0, 180.0, 1800.0), servers, answer_time=20.0)
    assert float(got.probability_wait) == pytest.approx(expected["probability_wait"], abs=1e-9)
    assert float(got.service_level) == pytest.approx(expected["service_level"], abs=1e-9)
    assert float(got.asa) == pytest.approx(expected["asa"], rel=1e-9)
    assert float(got.occupancy) == pytest.approx(expected["occupancy"], rel=1e-12)


def test_erlang_b_matches_the_recurrence_at_every_size() -> None:
    servers = np.array([0, 1, 7, 40, 400, 4_000, 40_000])
    for load in (0.5, 30.0, 3_900.0, 45_000.0):
        got = erlang_b(servers, load)
        expected = [float(ref.erlang_b(int(n), load)) for n in servers]
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-300)


def test_erlang_c_is_one_when_the_queue_cannot_keep_up() -> None:
    assert erlang_c([5, 10, 10], [5.0, 10.0, 12.5]).tolist() == [1.0, 1.0, 1.0]
    unstable = queue_metrics(Queue(100.0, 180.0, 1800.0), 10)
    assert float(unstable.service_level) == 0.0
    assert float(unstable.asa) == np.inf


# (agents, load, aht, patience, answer time): states summed one by one, each queued caller's
# wait written as a hypoexponential sum — shares no formula with the module.
ERLANG_A_CASES = [
    (5, 3.2, 180.0, 60.0, 20.0),
    (10, 9.5, 300.0, 120.0, 30.0),
    (12, 14.0, 240.0, 90.0, 20.0),  # overloaded: only abandonment keeps it stable
    (3, 0.5, 100.0, 500.0, 10.0),
    (8, 12.0, 180.0, 30.0, 15.0),  # very impatient callers
    (1, 0.8, 120.0, 240.0, 0.0),
]


@pytest.mark.parametrize(("n", "load", "aht", "patience", "t"), ERLANG_A_CASES)
def test_erlang_a_matches_state_by_state_reference(
    n: int, load: float, aht: float, patience: float, t: float
) -> None:
    expected = ref.erlang_a_metrics(n, load, aht, patience, t)
    got = erlang_a(n, load, aht, patience, t)
    abandons_met = erlang_a(n, load, aht, patience, t, "short_abandons_met")
    assert float(got.probability_wait) == pytest.approx(expected["probability_wait"], abs=1e-9)
    assert got.abandon_rate is not None
    assert float(got.abandon_rate) == pytest.approx(expected["abandon_rate"], abs=1e-9)
    assert float(got.service_level) == pytest.approx(expected["service_level"], abs=1e-9)
    assert float(abandons_met.service_level) == pytest.approx(
        expected["short_abandons_met"], abs=1e-9
    )
    assert float(got.asa) == pytest.approx(expected["asa"], rel=1e-9)
    assert float(got.occupancy) == pytest.approx(expected["occupancy"], abs=1e-9)


@pytest.mark.parametrize(
    ("n", "load", "patience"),
    [
        (200, 195.0, 120.0),
        (1_000, 1_100.0, 60.0),
        (5_000, 4_990.0, 300.0),
        (30_000, 29_900.0, 120.0),
    ],
)
def test_erlang_a_is_stable_for_tens_of_thousands_of_agents(
    n: int, load: float, patience: float
) -> None:
    wait, abandon = ref.erlang_a_wait_and_abandon(n, load, 180.0, patience)
    closed = ref.erlang_a_closed_form(n, load, 180.0, patience, 20.0)
    got = erlang_a(n, load, 180.0, patience, 20.0)
    assert got.abandon_rate is not None
    assert float(got.probability_wait) == pytest.approx(wait, abs=1e-9)
    assert float(got.abandon_rate) == pytest.approx(abandon, abs=1e-9)
    assert float(got.service_level) == pytest.approx(closed["service_level"], abs=1e-9)
    assert np.isfinite(got.asa).all()


def test_erlang_a_tends_to_erlang_c_as_callers_become_patient() -> None:
    c = queue_metrics(Queue(100.0, 180.0, 1800.0), 13)
    a = queue_metrics(Queue(100.0, 180.0, 1800.0, patience=1e9), 13)
    assert a.abandon_rate is not None
    assert float(a.service_level) == pytest.approx(float(c.service_level), abs=1e-6)
    assert float(a.asa) == pytest.approx(float(c.asa), rel=1e-5)
    assert float(a.abandon_rate) < 1e-7


def test_service_level_definitions_order_as_their_denominators_say() -> None:
    args = (10, 11.0, 180.0, 45.0, 20.0)
    sl = {d: float(erlang_a(*args, d).service_level) for d in (
        "offered", "answered", "offered_less_short_abandons", "short_abandons_met")}  # fmt: skip
    assert sl["offered"] < sl["offered_less_short_abandons"] < sl["answered"]
    assert sl["offered"] < sl["short_abandons_met"]


def test_chat_concurrency_is_agents_times_conversations() -> None:
    chat = queue_metrics(Queue(300.0, 600.0, 1800.0, concurrency=3), 40)
    slots = queue_metrics(Queue(300.0, 600.0, 1800.0), 120)
    assert float(chat.service_level) == float(slots.service_level)
    assert float(chat.occupancy) == pytest.approx(100.0 / 120.0)


def test_empty_intervals_need_nobody_and_meet_every_target() -> None:
    m = queue_metrics(Queue([0.0, 50.0], 180.0, 1800.0, patience=60.0), [0, 0])
    assert m.abandon_rate is not None
    assert m.service_level.tolist() == [1.0, 0.0]
    assert m.abandon_rate.tolist() == [0.0, 1.0]
