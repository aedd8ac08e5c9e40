"""When tickets arrive: channel shares with their own weekly and intraday seasonality.

Each channel is a :class:`ChannelProfile` (data, not code). :func:`plan_arrivals` lays the
whole window out as cells of (day, channel, local hour) with an expected volume each, fewer on
public holidays, and fixes how many tickets fall on each day. :func:`sample_arrivals` then draws
the tickets at global positions ``first .. first + count`` (a chunk): for each its cell, then a
uniform second inside the local hour, converted to UTC with the zone's DST rules.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

import numpy as np

from supportops.demo.clock import DAY, HOUR, LocalClock
from supportops.demo.columns import Floats, Ints

__all__ = [
    "CHANNELS",
    "CHANNEL_NAMES",
    "ArrivalPlan",
    "Arrivals",
    "ChannelProfile",
    "plan_arrivals",
    "sample_arrivals",
]


@dataclass(frozen=True)
class ChannelProfile:
    """A channel's share of volume, weekly factors (Mon..Sun), hourly curves and holiday factor.

    A ``live`` channel (phone, chat) is a queue answered only in open hours; a ``bot`` channel
    has a bot in front of it. ``replies`` gives the chances of 1, 2, 3, 4 agent replies before
    the solve, and ``pace`` scales the first-reply delay of a channel that is not live.
    """

    name: str
    share: float
    weekly: tuple[float, ...]
    weekday_hours: tuple[float, ...]
    weekend_hours: tuple[float, ...]
    holiday: float
    replies: tuple[float, ...] = (0.65, 0.23, 0.08, 0.04)
    pace: float = 1.0
    live: bool = False
    bot: bool = False


# Hourly volume curves, local time 00-23 (relative weights).
# fmt: off
_OFFICE = (0, 0, 0, 0, 0, 0, 0, 0, .5, 1, 1.4, 1.5, 1.2, 1.4, 1.5, 1.3, 1, .6, 0, 0, 0, 0, 0, 0)
_SATURDAY = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1.2, 1.1, .9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
_EVENINGS = (.15, .1, .08, .08, .1, .2, .4, .8, 1.2, 1.5, 1.6, 1.5, 1.3, 1.4, 1.5, 1.4, 1.2, 1,
             .8, .7, .65, .55, .4, .25)
_WEEKEND = (.15, .1, .08, .08, .1, .15, .25, .4, .6, .8, .9, .9, .9, .9, .9, .85, .8, .75, .7, .7,
            .65, .55, .4, .25)
_WEB = (.2, .12, .1, .08, .1, .2, .35, .6, .9, 1.2, 1.4, 1.4, 1.3, 1.3, 1.4, 1.3, 1.2, 1.1, 1, 1,
        1, .9, .6, .35)
_MOBILE = (.3, .2, .15, .1, .1, .15, .3, .5, .7, .8, .9, .9, 1, .9, .9, .9, 1, 1.1, 1.3, 1.4, 1.4,
           1.3, 1, .6)
_PHONE = (0, 0, 0, 0, 0, 0, 0, 0, .6, 1.3, 1.6, 1.5, 1, 1.2, 1.5, 1.4, 1, .6, 0, 0, 0, 0, 0, 0)

# fmt: on
_SHORT = (0.78, 0.15, 0.05, 0.02)
CHANNELS = (
    ChannelProfile("email", 0.35, (1.15, 1.1, 1.05, 1, 0.95, 0.45, 0.4), _EVENINGS, _WEEKEND, 0.4),
    ChannelProfile("web", 0.25, (1.1, 1.05, 1, 1, 0.9, 0.55, 0.5), _WEB, _WEEKEND, 0.4, bot=True),
    ChannelProfile(
        "chat",
        0.20,
        (1.1, 1.05, 1, 1, 0.95, 0.5, 0),
        _OFFICE,
        _SATURDAY,
        0,
        _SHORT,
        live=True,
        bot=True,
    ),
    ChannelProfile(
        "phone", 0.12, (1.2, 1.05, 1, 1, 0.9, 0.4, 0), _PHONE, _SATURDAY, 0, _SHORT, live=True
    ),
    ChannelProfile(
        "messaging",
        0.08,
        (1, 1, 1, 1, 1, 0.8, 0.75),
        _MOBILE,
        _MOBILE,
        0.6,
        (0.66, 0.22, 0.08, 0.04),
        pace=0.35,
        bot=True,
    ),
)
CHANNEL_NAMES = tuple(c.name for c in CHANNELS)
_CELLS = len(CHANNELS) * 24


@dataclass(frozen=True)
class ArrivalPlan:
    """Where every ticket of the window falls: per-day totals and per-day cell distributions."""

    clock: LocalClock
    ends: Ints
    cdf: Floats
    load: Floats

    @property
    def days(self) -> int:
        """Days in the window."""
        return len(self.ends)


@dataclass(frozen=True)
class Arrivals:
    """Tickets of one chunk, in creation order: UTC instant, channel code and local hour."""

    created: Ints
    channel: Ints
    hour: Ints


def _weights(clock: LocalClock, days: int, holidays: Collection[date]) -> Floats:
    """Expected share of all tickets per (day, channel, hour); each channel sums to its share."""
    weekday = clock.weekdays()[:days]
    holiday = np.isin(np.array(clock.dates()[:days]), np.array(sorted(holidays)))
    cells = np.zeros((days, len(CHANNELS), 24))
    for c, profile in enumerate(CHANNELS):
        curve = np.where((weekday >= 5)[:, None], profile.weekend_hours, profile.weekday_hours)
        factor = np.array(profile.weekly)[weekday] * np.where(holiday, profile.holiday, 1.0)
        cells[:, c, :] = curve * factor[:, None]
        cells[:, c, :] *= profile.share / cells[:, c, :].sum()
    return cells


def plan_arrivals(
    tickets: int,
    days: int,
    clock: LocalClock,
    holidays: Collection[date],
    rng: np.random.Generator,
) -> ArrivalPlan:
    """Fix the daily volumes of ``tickets`` over ``days`` (with a little day-to-day noise)."""
    cells = _weights(clock, days, holidays)
    cells *= rng.lognormal(0.0, 0.06, size=(days, 1, 1))
    per_day = cells.sum(axis=(1, 2))
    counts = rng.multinomial(tickets, per_day / per_day.sum())
    within = cells.reshape(days, _CELLS).cumsum(axis=1) / per_day[:, None]
    cdf = (within + np.arange(days)[:, None]).ravel()
    load = np.array(
        [
            np.array(c.weekday_hours) / np.mean([h for h in c.weekday_hours if h > 0])
            for c in CHANNELS
        ]
    )
    return ArrivalPlan(clock, np.cumsum(counts).astype(np.int64), cdf, load)


def sample_arrivals(
    plan: ArrivalPlan, first: int, count: int, rng: np.random.Generator
) -> Arrivals:
    """Creation instants and channels of the tickets at positions ``first .. first + count``."""
    day = np.searchsorted(plan.ends, np.arange(first, first + count), side="right")
    cell = np.searchsorted(plan.cdf, day + rng.random(count), side="right")
    cell = np.clip(cell, day * _CELLS, day * _CELLS + _CELLS - 1) - day * _CELLS
    channel, hour = np.divmod(cell, 24)
    local = (plan.clock.first_day + day) * DAY + hour * HOUR + rng.integers(0, HOUR, count)
    created = plan.clock.to_utc(local.astype(np.int64))
    order = np.argsort(created, kind="stable")
    return Arrivals(created[order], channel[order].astype(np.int64), hour[order].astype(np.int64))
