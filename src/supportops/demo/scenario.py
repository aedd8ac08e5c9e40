"""How big the demo is, and the world its chunks share: clocks, calendar, agents and customers.

Sizing rule: an agent handles about :data:`TICKETS_PER_AGENT_WEEK` tickets a week. The window is
8 weeks unless that would need more than :data:`MAX_AGENTS` agents; then it grows (10 million
tickets: 5,000 agents over 32 weeks, about 45,000 tickets a day), so daily volume per agent stays
plausible and the agents and shifts tables stay small. An explicit ``weeks`` scales the agents.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import holidays as holiday_calendars
import numpy as np

from supportops.demo.arrivals import ArrivalPlan, plan_arrivals
from supportops.demo.clock import DAY, HOUR, BusinessClock, LocalClock, epoch_day
from supportops.demo.population import Customers, Population, find_customers, hire

__all__ = ["MAX_AGENTS", "TICKETS_PER_AGENT_WEEK", "ZONE", "Scenario", "World", "build_world"]

ZONE = "America/New_York"
TICKETS_PER_AGENT_WEEK = 62.5
MIN_AGENTS = 8
MAX_AGENTS = 5_000
DEFAULT_WEEKS = 8
REQUESTERS_PER_TICKET = 0.55
OPEN_HOURS = {d: (8 * HOUR, 18 * HOUR) for d in range(5)} | {5: (10 * HOUR, 14 * HOUR)}
"""Business hours of the ``us-support`` calendar (local seconds from midnight, Monday = 0)."""
_MARGIN_DAYS = 120
_WORLD_STREAM = 2**32 - 1


@dataclass(frozen=True)
class Scenario:
    """The arguments of a generation and what follows from them."""

    tickets: int
    seed: int
    start: date
    weeks: int
    agents: int

    @classmethod
    def size(cls, tickets: int, seed: int, start: date, weeks: int | None) -> Scenario:
        """Apply the sizing rule of this module to ``tickets`` (and ``weeks`` if given)."""
        if tickets < 0:
            raise ValueError(f"tickets must be zero or more, not {tickets}")
        if weeks is None:
            weeks = max(DEFAULT_WEEKS, math.ceil(tickets / (MAX_AGENTS * TICKETS_PER_AGENT_WEEK)))
        if weeks < 1:
            raise ValueError(f"weeks must be at least 1, not {weeks}")
        agents = round(tickets / (weeks * TICKETS_PER_AGENT_WEEK))
        return cls(tickets, seed, start, weeks, min(MAX_AGENTS, max(MIN_AGENTS, agents)))

    @property
    def days(self) -> int:
        """Days in the window."""
        return self.weeks * 7


@dataclass(frozen=True)
class World:
    """Everything the chunks of one generation share; ``end`` is "now" (UTC epoch seconds)."""

    scenario: Scenario
    clock: LocalClock
    business: BusinessClock
    holidays: frozenset[date]
    plan: ArrivalPlan
    agents: Population
    customers: Customers
    begin: int
    end: int


def build_world(scenario: Scenario) -> World:
    """Clocks, holidays, the arrival plan, agents and customers of ``scenario``."""
    first = scenario.start - timedelta(days=1)
    clock = LocalClock(ZONE, first, scenario.days + 1 + _MARGIN_DAYS)
    last = first + timedelta(days=clock.days)
    years = range(first.year, last.year + 1)
    closed = frozenset(holiday_calendars.country_holidays("US", years=years))
    business = BusinessClock(clock, OPEN_HOURS, closed)
    rng = np.random.default_rng([scenario.seed, _WORLD_STREAM])
    window = LocalClock(ZONE, scenario.start, scenario.days + _MARGIN_DAYS)
    plan = plan_arrivals(scenario.tickets, scenario.days, window, closed, rng)
    agents = hire(scenario.agents, rng)
    pool = max(300, round(scenario.tickets * REQUESTERS_PER_TICKET))
    customers = find_customers(pool, rng)
    midnight = np.array(
        [epoch_day(scenario.start) * DAY, (epoch_day(scenario.start) + scenario.days) * DAY]
    )
    begin, end = (int(x) for x in clock.to_utc(midnight))
    return World(scenario, clock, business, closed, plan, agents, customers, begin, end)
