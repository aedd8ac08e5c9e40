"""Deferred work (e-mail, tickets): a fluid FIFO queue over intervals, on business time."""

from __future__ import annotations

import numpy as np
import pytest

from supportops.workforce.backlog import BacklogTargets, run_backlog, staff_backlog

HOUR = 3600.0


def test_work_is_done_oldest_first_and_leftovers_carry_over() -> None:
    # Four open hours; 10 items of 6 minutes arrive in hour 0 (1 agent-hour of work); one agent
    # per hour at full occupancy. The period repeats, so hour 0 starts empty each time.
    vol, agents = [10.0, 0.0, 0.0, 0.0], [0, 1, 0, 0]
    targets = BacklogTargets(share=0.9, window=2 * HOUR, occupancy=1.0)
    out = run_backlog(vol, 360.0, agents, [True] * 4, HOUR, targets)
    assert out.backlog.tolist() == pytest.approx([10.0, 0.0, 0.0, 0.0])
    assert out.on_time[0] == pytest.approx(1.0)  # due by the end of hour 1, done in hour 1
    assert out.share == pytest.approx(1.0)


def test_half_the_cohort_is_late_when_half_the_capacity_comes_in_time() -> None:
    vol, agents = [10.0, 0.0, 0.0, 0.0], [0, 0, 1, 1]
    targets = BacklogTargets(share=0.9, window=2 * HOUR, occupancy=0.5)
    out = run_backlog(vol, 360.0, agents, [True] * 4, HOUR, targets)
    assert out.on_time[0] == pytest.approx(0.0)  # due by the end of hour 1: nothing done yet
    out = run_backlog(vol, 360.0, [0, 1, 1, 0], [True] * 4, HOUR, targets)
    assert out.on_time[0] == pytest.approx(0.5)  # 0.5 agent-hours of 1 done by the deadline


def test_the_window_runs_on_business_time_only() -> None:
    # Open, closed overnight (two intervals), open: a 2-hour window from hour 0 ends in hour 3.
    mask = [True, False, False, True, True]
    targets = BacklogTargets(share=0.9, window=2 * HOUR, occupancy=1.0)
    late = run_backlog([1.0, 0, 0, 0, 0], 3600.0, [0, 0, 0, 0, 1], mask, HOUR, targets)
    on_time = run_backlog([1.0, 0, 0, 0, 0], 3600.0, [0, 0, 0, 1, 0], mask, HOUR, targets)
    assert late.on_time[0] == pytest.approx(0.0)
    assert on_time.on_time[0] == pytest.approx(1.0)
    closed = run_backlog([1.0, 0, 0, 0, 0], 3600.0, [0, 1, 1, 0, 0], mask, HOUR, targets)
    assert closed.on_time[0] == pytest.approx(0.0)  # agents in closed hours do no work


def test_agents_who_cannot_keep_up_miss_every_deadline_in_the_long_run() -> None:
    targets = BacklogTargets(share=0.9, window=24 * HOUR, occupancy=1.0)
    out = run_backlog([10.0] * 4, 360.0, [0, 0, 1, 1], [True] * 4, HOUR, targets)
    assert out.share == 0.0


def _office_day(days: int = 5) -> tuple[np.ndarray, np.ndarray]:
    slot = np.arange(days * 48) % 48
    mask = (slot >= 16) & (slot < 36)
    return np.where(mask, 20.0, 2.0), mask


@pytest.mark.parametrize(("share", "window"), [(0.9, 4 * HOUR), (0.8, 8 * HOUR), (1.0, 2 * HOUR)])
def test_staffing_meets_the_share_and_works_only_in_open_hours(share: float, window: float) -> None:
    vol, mask = _office_day()
    targets = BacklogTargets(share=share, window=window, occupancy=0.85)
    plan = staff_backlog(vol, 300.0, mask, 1800.0, targets, shrinkage=0.3)
    assert plan.outcome.share >= share
    assert (plan.agents[~mask] == 0).all()
    assert plan.agents.sum() * 1800 * 0.85 >= (vol * 300).sum()  # keeps up with the work
    assert (plan.scheduled >= plan.agents).all()
    smaller = np.floor(plan.agents * 0.9).astype(int)
    assert run_backlog(vol, 300.0, smaller, mask, 1800.0, targets).share < share


def test_a_longer_window_needs_no_more_agent_hours() -> None:
    vol, mask = _office_day()
    hours = [
        staff_backlog(vol, 300.0, mask, 1800.0, BacklogTargets(0.9, w * HOUR)).agents.sum()
        for w in (2, 4, 8, 24)
    ]
    assert hours == sorted(hours, reverse=True)
