"""The demo's people: agents in teams with shifts, and customers in organizations.

Teams are data (:data:`TEAMS`). Agents are numbered ``a0001``.. in team order; each has a
productivity weight so that workloads differ a little. Shifts follow the business hours of the
``us-support`` calendar: an early (08:00-16:30) or late (09:30-18:00) weekday shift split by a
30-minute break, or a part-time 10:00-14:00 one, and a Saturday 10:00-14:00 shift in a four-week
rotation; none on holidays.

A few agents are new hires (:data:`HIRE_DAYS`): the last member of each team of two or more
answering first-line channels joins during the window, takes tickets only from that day, and
learns on the job (:func:`Population.ramp`: lower review quality and longer handle time in the
first weeks), so the QA page has time-to-proficiency curves to show.

Requesters are drawn with a skewed weight (a few write often, most once or twice), so repeat
contacts happen as in a real queue: the first-contact-resolution metric depends on it. A
requester belongs to one organization for the whole window; about one in eight has none. The
named enterprise organizations (``acme``, ``globex``, ``initech``) carry the most volume.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from functools import cached_property

import numpy as np
import pyarrow as pa

from supportops.demo.arrivals import CHANNEL_NAMES
from supportops.demo.clock import DAY, HOUR, LocalClock
from supportops.demo.columns import Floats, Ints, labels, make_table, timestamps
from supportops.demo.content import PLANS

__all__ = [
    "ENTERPRISE",
    "HIRE_DAYS",
    "TEAMS",
    "Customers",
    "Population",
    "Team",
    "find_customers",
    "hire",
]


@dataclass(frozen=True)
class Team:
    """A team: its share of agents, the channels it answers, skills, cost range and zone."""

    name: str
    share: float
    channels: tuple[str, ...]
    skills: tuple[str, ...]
    cost: tuple[float, float]
    timezone: str = "America/New_York"


TEAMS = (
    Team("Tier 1 East", 0.30, ("email", "web"), ("billing", "accounts", "technical"), (30, 42)),
    Team(
        "Tier 1 West",
        0.22,
        ("email", "web", "messaging"),
        ("billing", "accounts", "technical"),
        (30, 42),
        "America/Chicago",
    ),
    Team("Chat", 0.20, ("chat", "messaging"), ("chat", "billing", "accounts"), (28, 38)),
    Team("Phone", 0.13, ("phone",), ("phone", "billing", "accounts"), (28, 38)),
    Team("Tier 2", 0.15, (), ("technical", "billing", "accounts"), (45, 55)),
)
TIER2_TEAM = len(TEAMS) - 1
# fmt: off
_FIRST = ("Ana", "Ben", "Chloe", "David", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jamal",
          "Kira", "Luis", "Maya", "Noah", "Olga", "Priya", "Quinn", "Rosa", "Sam", "Tara",
          "Umar", "Vera", "Will", "Xena", "Yuki", "Zane", "Lena", "Marco", "Nina", "Omar")
_LAST = ("Garcia", "Smith", "Nguyen", "Okafor", "Rossi", "Novak", "Kim", "Silva", "Brown",
         "Cohen", "Haddad", "Jensen", "Lopez", "Martin", "Patel", "Schmidt", "Tanaka", "Walsh",
         "Young", "Zhang", "Dubois", "Ivanova", "Moreau", "Costa")
# fmt: on
_SHIFTS = np.array(
    [
        (8 * HOUR, 12 * HOUR, 16 * HOUR + 1800),  # early: start, break, end
        (9 * HOUR + 1800, 13 * HOUR + 1800, 18 * HOUR),  # late
        (10 * HOUR, 14 * HOUR, 14 * HOUR),  # part-time over the midday peak, no break
    ]
)
_PATTERN = np.array([0, 1, 0, 1, 2, 0, 1, 0, 1, 2])
"""Shift of agent ``i``: ``_SHIFTS[_PATTERN[i % 10]]`` (one agent in five is part-time)."""
_SATURDAY = (10 * HOUR, 14 * HOUR)
HIRE_DAYS = (10, 42)
"""Days after the window's first day that new hires join, in turn (32 apart: two months)."""
VETERAN_DAYS = -365.0
"""The join day of every other agent: a year before the window."""
RAMP_WEEKS = 2.0
"""The learning curve's time constant: the gap to an agent's full skill shrinks by e per 2 weeks."""


@dataclass(frozen=True)
class Population:
    """Agents (index = code) and per-channel cumulative weights used to route tickets to them."""

    team: Ints
    weight: Floats
    cost: Floats
    spanish: np.ndarray
    names: tuple[str, ...]
    joins: Floats
    """Day after the window's first day each agent joins (:data:`VETERAN_DAYS` for most)."""

    @cached_property
    def ids(self) -> tuple[str, ...]:
        """Agent ids, ``a0001``..; an agent's code is its index."""
        return tuple(f"a{i + 1:04d}" for i in range(len(self.team)))

    def route(self, channel: Ints, day: Floats, rng: np.random.Generator) -> Ints:
        """An agent of a team answering each ticket's channel, by productivity weight, among
        those who have joined by the ticket's ``day`` (days after the window's first day)."""
        out = np.empty(len(channel), dtype=np.int64)
        phases = np.unique(np.maximum(self.joins, 0.0))
        phase = np.searchsorted(phases, day, side="right") - 1
        for code, name in enumerate(CHANNEL_NAMES):
            rows = np.flatnonzero(channel == code)
            serving = np.array([name in TEAMS[t].channels for t in self.team])
            draw = rng.random(len(rows))
            for p, joined in enumerate(phases):
                mine = (phase[rows] == p) | ((p == 0) & (phase[rows] < 0))
                out[rows[mine]] = self._pick(serving & (self.joins <= joined), draw[mine])
        return out

    def tier2(self, count: int, rng: np.random.Generator) -> Ints:
        """Agents of the tier-2 team for ``count`` escalations."""
        return self._pick(self.team == TIER2_TEAM, rng.random(count))

    def ramp(self, agent: Ints, day: Floats) -> Floats:
        """How far from full skill each agent is on ``day``: 1 on their first day, falling as
        exp(−weeks of tenure / :data:`RAMP_WEEKS`), about 0 for agents of long standing."""
        weeks = np.maximum(day - self.joins[agent], 0.0) / 7.0
        ramp: Floats = np.exp(-weeks / RAMP_WEEKS)
        return ramp

    def _pick(self, among: np.ndarray, draw: Floats) -> Ints:
        cdf = np.cumsum(np.where(among, self.weight, 0.0))
        chosen = np.searchsorted(cdf, draw * cdf[-1], side="right")
        agents: Ints = np.minimum(chosen, len(cdf) - 1).astype(np.int64)
        return agents

    def table(self) -> pa.Table:
        """The ``agents`` table."""
        n = len(self.team)
        teams = [TEAMS[t] for t in self.team]
        skills = [
            [*t.skills, *(["spanish"] if es else [])]
            for t, es in zip(teams, self.spanish, strict=True)
        ]
        emails = [_email(name, i) for i, name in enumerate(self.names)]
        return make_table(
            "agents",
            n,
            {
                "agent_id": pa.array(self.ids),
                "name": pa.array(self.names),
                "email": pa.array(emails),
                "team": labels([t.name for t in TEAMS], self.team),
                "hourly_cost": pa.array(self.cost),
                "timezone": pa.array([t.timezone for t in teams]),
                "skills": pa.array(skills, pa.list_(pa.string())),
            },
        )

    def shifts(self, clock: LocalClock, days: int, holidays: Collection[date]) -> pa.Table:
        """The ``shifts`` table: every planned work and break stretch of every agent."""
        agent = np.arange(len(self.team), dtype=np.int64)[:, None]
        day = np.arange(days, dtype=np.int64)[None, :]
        weekday = clock.weekdays()[:days][None, :]
        closed = np.isin(np.array(clock.dates()[:days]), np.array(sorted(holidays)))[None, :]
        midnight = (clock.first_day + day) * DAY
        start, pause, end = _SHIFTS[_PATTERN[agent % len(_PATTERN)]].transpose(2, 0, 1)
        weekday_on = (weekday < 5) & ~closed
        saturday_on = (weekday == 5) & ~closed & ((agent + day // 7) % 4 == 0)
        pausing = weekday_on & (pause < end)
        rows = [
            (weekday_on, midnight + start, midnight + pause, 0),
            (pausing, midnight + pause, midnight + pause + 1800, 1),
            (pausing, midnight + pause + 1800, midnight + end, 0),
            (saturday_on, midnight + _SATURDAY[0], midnight + _SATURDAY[1], 0),
        ]
        parts = [_shift_rows(on, a, b, kind, agent) for on, a, b, kind in rows]
        who, starts, ends, kinds = (np.concatenate(c) for c in zip(*parts, strict=True))
        order = np.lexsort((who, starts))
        return make_table(
            "shifts",
            len(who),
            {
                "agent_id": labels(self.ids, who[order]),
                "starts_at": timestamps(clock.to_utc(starts[order])),
                "ends_at": timestamps(clock.to_utc(ends[order])),
                "activity": labels(("work", "break"), kinds[order]),
            },
        )


def _shift_rows(
    on: np.ndarray, starts: Ints, ends: Ints, kind: int, agent: Ints
) -> tuple[Ints, Ints, Ints, Ints]:
    shape = (len(agent), on.shape[1])
    on = np.broadcast_to(on, shape)
    who = np.broadcast_to(agent, shape)[on]
    return (
        who,
        np.broadcast_to(starts, shape)[on],
        np.broadcast_to(ends, shape)[on],
        np.full(int(on.sum()), kind, dtype=np.int64),
    )


def _email(name: str, index: int) -> str:
    first, last = name.lower().split(" ", 1)
    suffix = "" if index < len(_FIRST) * len(_LAST) else str(index)
    return f"{first}.{last}{suffix}@support.example.com"


def hire(agents: int, rng: np.random.Generator) -> Population:
    """``agents`` agents split over :data:`TEAMS` (every team has at least one)."""
    sizes = np.maximum(1, np.round(np.array([t.share for t in TEAMS]) * agents)).astype(np.int64)
    sizes[0] += agents - sizes.sum()
    team = np.repeat(np.arange(len(TEAMS)), sizes)
    low = np.array([TEAMS[t].cost[0] for t in team])
    high = np.array([TEAMS[t].cost[1] for t in team])
    cost = np.round(low + rng.random(len(team)) * (high - low), 2)
    live = np.isin(team, [2, 3])
    spanish = live & (rng.random(len(team)) < 0.25)
    combos = rng.permutation(len(_FIRST) * len(_LAST))[
        np.arange(len(team)) % (len(_FIRST) * len(_LAST))
    ]
    names = tuple(f"{_FIRST[c // len(_LAST)]} {_LAST[c % len(_LAST)]}" for c in combos)
    weight = rng.lognormal(0.0, 0.25, len(team))
    return Population(team, weight, cost, spanish, names, _joins(team))


def _joins(team: Ints) -> Floats:
    """The join day of each agent: the last member of each first-line team of two or more
    joins on the next of :data:`HIRE_DAYS`; everyone else is a veteran."""
    joins = np.full(len(team), VETERAN_DAYS)
    hires = [
        int(np.flatnonzero(team == t)[-1])
        for t in range(len(TEAMS))
        if TEAMS[t].channels and (team == t).sum() >= 2
    ]
    for n, agent in enumerate(hires):
        joins[agent] = HIRE_DAYS[n % len(HIRE_DAYS)]
    return joins


ENTERPRISE = ("acme", "globex", "initech")
_ENTERPRISE_SHARE = (0.06, 0.05, 0.04)
_NO_ORG_SHARE = 0.12
_SEGMENTS = ("enterprise", "mid-market", "smb")
_ORGS = 300
_SKEW = 1.3
"""Requester ``floor(pool * u ** _SKEW)``: larger means a few requesters write more often."""


@dataclass(frozen=True)
class Customers:
    """Requester pool (index = requester number - 1) with each requester's organization code."""

    org_of: np.ndarray
    org_names: tuple[str, ...]
    org_plan: Ints
    language: np.ndarray

    def requesters(self, count: int, rng: np.random.Generator) -> Ints:
        """Requesters of ``count`` new tickets (skewed towards frequent writers)."""
        pool = len(self.org_of)
        return np.minimum((pool * rng.random(count) ** _SKEW).astype(np.int64), pool - 1)

    def organizations(self, requester: Ints) -> Ints:
        """Organization code of each requester (-1: none)."""
        return self.org_of[requester].astype(np.int64)

    def plans(self, org: Ints) -> Ints:
        """Plan code of each organization code (-1: the free plan of requesters without one)."""
        return np.where(org < 0, len(PLANS) - 1, self.org_plan[np.maximum(org, 0)])

    def languages(self, requester: Ints) -> Ints:
        """Language code of each requester (0 English, 1 Spanish)."""
        return self.language[requester].astype(np.int64)

    def accounts(self, end: int, rng: np.random.Generator) -> pa.Table:
        """The ``accounts`` table: each organization's plan, segment, ARR and next renewal
        (ARR: its requesters × its plan's yearly price per seat, give or take; renewals spread
        over the next year)."""
        count = len(self.org_names)
        plan = self.org_plan.astype(np.int64)
        seats = np.bincount(self.org_of[self.org_of >= 0], minlength=count)
        typical = np.array([2_400.0, 1_200.0, 600.0, 300.0, 0.0])[plan] * np.maximum(seats, 1)
        return make_table(
            "accounts",
            count,
            {
                "organization_id": pa.array(self.org_names),
                "name": pa.array([n.replace("-", " ").title() for n in self.org_names]),
                "plan": labels(PLANS, plan),
                "segment": labels(_SEGMENTS, np.minimum(plan, len(_SEGMENTS) - 1)),
                "arr": pa.array(np.round(typical * rng.lognormal(0, 0.5, count), -2)),
                "renewal_at": timestamps(end + rng.integers(1, 365, count) * DAY),
            },
        )


def find_customers(requesters: int, rng: np.random.Generator) -> Customers:
    """A pool of ``requesters`` spread over the enterprise and a few hundred other organizations."""
    names = (*ENTERPRISE, *(f"org-{i:03d}" for i in range(1, _ORGS + 1)))
    rest = 1.0 - sum(_ENTERPRISE_SHARE) - _NO_ORG_SHARE
    zipf = 1.0 / np.arange(1, _ORGS + 1) ** 0.8
    weights = np.concatenate([_ENTERPRISE_SHARE, rest * zipf / zipf.sum(), [_NO_ORG_SHARE]])
    org = rng.choice(len(names) + 1, size=requesters, p=weights / weights.sum())
    org_of = np.where(org == len(names), -1, org).astype(np.int16)
    plan = np.concatenate([np.zeros(len(ENTERPRISE)), 1 + np.arange(_ORGS) % 3]).astype(np.int64)
    language = (rng.random(requesters) < 0.1).astype(np.int8)
    return Customers(org_of, names, plan, language)
