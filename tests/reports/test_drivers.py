"""What moved and why: contributions add up to the change, per dimension (hand-built frames)."""

from __future__ import annotations

import pandas as pd
import pytest

from supportops.reports.drivers import reply_drivers, top, volume_drivers

BEFORE = pd.DataFrame(
    {
        "channel": ["email", "chat", "email"],
        "group": ["billing", "billing", "tech"],
        "priority": ["low", "low", "high"],
        "tickets_created": [100.0, 50.0, 50.0],
        "first_reply_time:sum": [100 * 3600.0, 50 * 600.0, 50 * 3600.0],
        "first_reply_time:count": [100.0, 50.0, 50.0],
    }
)
NOW = pd.DataFrame(
    {
        "channel": ["email", "chat", "web"],
        "group": ["billing", "billing", "tech"],
        "priority": ["low", "low", None],
        "tickets_created": [120.0, 130.0, 10.0],
        "first_reply_time:sum": [120 * 3600.0, 130 * 600.0, 0.0],
        "first_reply_time:count": [120.0, 130.0, 0.0],
    }
)


def _mean(frame: pd.DataFrame) -> float:
    return float(frame["first_reply_time:sum"].sum() / frame["first_reply_time:count"].sum())


@pytest.mark.parametrize("dim", ["channel", "group", "priority"])
def test_volume_contributions_add_up_to_the_change(dim: str) -> None:
    drivers = volume_drivers(NOW, BEFORE, dim)
    assert (
        sum(d.change for d in drivers) == NOW.tickets_created.sum() - BEFORE.tickets_created.sum()
    )
    assert sum(d.share or 0 for d in drivers) == pytest.approx(1.0)


def test_a_segment_new_or_gone_counts_from_zero() -> None:
    drivers = {d.segment: d for d in volume_drivers(NOW, BEFORE, "channel")}
    assert (drivers["web"].before, drivers["web"].now, drivers["web"].change) == (0, 10, 10)
    assert drivers["chat"].change == 80
    assert {d.segment for d in volume_drivers(NOW, BEFORE, "priority")} >= {"(none)"}


@pytest.mark.parametrize("dim", ["channel", "group", "priority"])
def test_reply_contributions_add_up_to_the_change_of_the_mean(dim: str) -> None:
    drivers = reply_drivers(NOW, BEFORE, dim)
    assert sum(d.change for d in drivers) == pytest.approx(_mean(NOW) - _mean(BEFORE))


def test_the_mix_shift_to_a_fast_channel_shows_as_its_contribution() -> None:
    drivers = {d.segment: d for d in reply_drivers(NOW, BEFORE, "channel")}
    assert drivers["chat"].before == drivers["chat"].now == 600
    assert drivers["chat"].change > 0  # more of the replies are chat's: its share of seconds grew
    assert drivers["email"].change < 0
    assert [d.segment for d in top(reply_drivers(NOW, BEFORE, "channel"), 1)] == ["email"]
