"""The staffing search returns the true minimum: N meets every target and N − 1 does not."""

from __future__ import annotations

import numpy as np
import pytest

from supportops.workforce.erlang import Queue, QueueMetrics, queue_metrics
from supportops.workforce.staffing import StaffingTargets, gross_up, required_agents, staff

RNG = np.random.default_rng(20240611)
VOLUMES = np.concatenate([RNG.uniform(0.5, 2_000, 400), [0.0, 1e-3, 5e4, 2e5]])
AHT = RNG.uniform(60, 900, VOLUMES.size)


def _meets(m: QueueMetrics, t: StaffingTargets) -> np.ndarray:
    ok = np.ones(m.service_level.shape, dtype=bool)
    if t.service_level is not None:
        ok &= m.service_level >= t.service_level
    if t.asa is not None:
        ok &= m.asa <= t.asa
    if t.max_occupancy is not None:
        ok &= m.occupancy <= t.max_occupancy
    if t.max_abandon is not None and m.abandon_rate is not None:
        ok &= m.abandon_rate <= t.max_abandon
    return ok


def _check_minimum(queue: Queue, targets: StaffingTargets) -> np.ndarray:
    n = required_agents(queue, targets)
    at_n = queue_metrics(queue, n, targets.answer_time, targets.sl_definition)
    below = queue_metrics(queue, np.maximum(n - 1, 0), targets.answer_time, targets.sl_definition)
    busy = queue.load > 0
    assert _meets(at_n, targets).all()
    unstable = (n - 1) * queue.concurrency <= queue.load
    fails_below = ~_meets(below, targets) | (unstable if queue.patience is None else False)
    assert (fails_below | ~busy | (n == 0)).all()
    assert (n[~busy] == 0).all()
    return n


TARGETS = [
    StaffingTargets(0.8, 20),
    StaffingTargets(0.95, 10),
    StaffingTargets(None, asa=15.0),
    StaffingTargets(0.8, 20, max_occupancy=0.85),
    StaffingTargets(0.5, 60, asa=30, max_occupancy=0.9),
]


@pytest.mark.parametrize("targets", TARGETS)
def test_erlang_c_staffing_is_the_true_minimum(targets: StaffingTargets) -> None:
    _check_minimum(Queue(VOLUMES, AHT, 1800.0), targets)


@pytest.mark.parametrize(
    "targets",
    [*TARGETS, StaffingTargets(0.8, 20, max_abandon=0.02),
     StaffingTargets(0.8, 20, sl_definition="answered"),
     StaffingTargets(0.9, 30, sl_definition="short_abandons_met")],
)  # fmt: skip
def test_erlang_a_staffing_is_the_true_minimum(targets: StaffingTargets) -> None:
    patience = RNG.uniform(15, 600, VOLUMES.size)
    _check_minimum(Queue(VOLUMES[:120], AHT[:120], 1800.0, patience[:120]), targets)


def test_chat_staffing_counts_conversations_per_agent() -> None:
    n = _check_minimum(Queue(VOLUMES, AHT, 1800.0, concurrency=3), StaffingTargets(0.8, 60))
    single = required_agents(Queue(VOLUMES, AHT, 1800.0), StaffingTargets(0.8, 60))
    assert (n <= single).all()
    assert (n * 3 >= single).all()


def test_textbook_case_100_calls_in_half_an_hour() -> None:
    # 100 calls per 30 min, 3-minute AHT = 10 Erlangs: 13 agents give 79.6% in 20 s, 14 give 88.8%.
    assert required_agents(Queue(100.0, 180.0, 1800.0), StaffingTargets(0.8, 20)).item() == 14


def test_impatient_callers_need_fewer_agents_than_erlang_c_says() -> None:
    queue = Queue(VOLUMES[:50], AHT[:50], 1800.0)
    c = required_agents(queue, StaffingTargets(0.8, 20))
    a = required_agents(Queue(VOLUMES[:50], AHT[:50], 1800.0, 30.0), StaffingTargets(0.8, 20))
    assert (a <= c).all()
    assert (a < c).mean() > 0.5


def test_shrinkage_grosses_up_to_whole_heads() -> None:
    assert gross_up(np.array([0, 7, 14, 10]), 0.3).tolist() == [0, 10, 20, 15]
    result = staff(Queue(100.0, 180.0, 1800.0), StaffingTargets(0.8, 20), shrinkage=0.3)
    assert (result.agents.item(), result.scheduled.item()) == (14, 20)


@pytest.mark.parametrize(
    "kwargs",
    [{"service_level": 1.0}, {"asa": 0.0}, {"max_occupancy": 1.5}, {"max_abandon": 0.0}],
)
def test_unreachable_targets_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="must be"):
        StaffingTargets(**kwargs)  # type: ignore[arg-type]
