"""Skills-based routing replayed on history: who would have taken each ticket, and after how long.

The tickets of a period arrive at their real instants (:class:`History`), each needing one skill
or none and keeping a slot of its agent busy for its observed handle time; the agents have
skills, a capacity (tickets in hand at once) and the stretches they are on duty. A
:class:`Strategy` (:data:`STRATEGIES`, data) says which agents may take a ticket — any, or only
those with its skill, and after how long waiting any — and which of them does: the next in turn
or the one with the fewest tickets in hand (then the fewest taken so far, then the first).

The event loop merges the sorted arrivals with one heap of slot releases, shift starts and ends,
and overflow deadlines. A ticket no agent may take waits in its skill's first-come-first-served
queue; a slot that frees takes the oldest waiting ticket its agent may take. An agent whose shift
ends finishes the tickets in hand; a ticket still waiting when the period ends is unrouted.
Everything is deterministic: the same history gives the same routing.

>>> history = History.of(
...     arrivals=[0, 60], handle=[600, 600], skill=[0, -1],
...     skills=("spanish",), agents=("ana", "ben"), has=[[True], [False]], end=3600)
>>> route(history, STRATEGIES["skills_first"]).agent.tolist()
[0, 1]
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

__all__ = ["STRATEGIES", "History", "Routed", "Strategy", "compare", "route", "summary"]

Array = NDArray[np.float64]
Ints = NDArray[np.int64]
Bools = NDArray[np.bool_]
NO_SKILL = -1


@dataclass(frozen=True)
class Strategy:
    """A routing strategy: ``choose`` picks among the agents who may take a ticket (``turn``:
    the next after the last one chosen; ``load``: the fewest tickets in hand); ``skilled``: only
    agents with the ticket's skill may take it; ``overflow``: once it has waited
    ``overflow_after``, any agent may."""

    name: str
    choose: Literal["turn", "load"]
    skilled: bool
    overflow: bool
    doc: str


STRATEGIES: dict[str, Strategy] = {
    s.name: s
    for s in (
        Strategy("round_robin", "turn", False, False, "the next agent in turn; skills ignored"),
        Strategy("least_loaded", "load", False, False, "fewest tickets in hand; skills ignored"),
        Strategy("skills_first", "load", True, False, "only agents with the skill; else it waits"),
        Strategy(
            "skills_overflow", "load", True, True, "skills first; any agent after overflow_after"
        ),
    )
}


@dataclass(frozen=True)
class History:
    """What is replayed, in seconds from the period's start: per ticket its arrival (sorted),
    handle time and skill (an index of ``skills``, :data:`NO_SKILL` for none); per agent its
    skills (``has``: agents × skills), capacity, and on-duty stretches (``shifts``: start, end,
    agent; ``None``: every agent always on); ``end``: the period's length."""

    arrival: Array
    handle: Array
    skill: Ints
    skills: tuple[str, ...]
    agents: tuple[str, ...]
    has: Bools
    capacity: Ints
    end: float
    shifts: tuple[Array, Array, Ints] | None = None
    tickets: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def of(
        cls,
        arrivals: ArrayLike,
        handle: ArrayLike,
        skill: ArrayLike,
        skills: Sequence[str],
        agents: Sequence[str],
        has: ArrayLike,
        end: float,
        capacity: ArrayLike = 1,
        shifts: tuple[ArrayLike, ArrayLike, ArrayLike] | None = None,
        tickets: Sequence[str] = (),
    ) -> History:
        """A history from plain sequences (arrivals are sorted here, with their tickets)."""
        at = np.asarray(arrivals, dtype=float)
        order = np.argsort(at, kind="stable")
        n_agents = len(agents)
        matrix = np.asarray(has, dtype=bool).reshape(n_agents, len(skills))
        cap = np.broadcast_to(np.asarray(capacity, dtype=np.int64), (n_agents,)).copy()
        stretches = None
        if shifts is not None:
            start, stop, who = (np.asarray(s) for s in shifts)
            stretches = (start.astype(float), stop.astype(float), who.astype(np.int64))
        return cls(
            at[order],
            np.asarray(handle, dtype=float)[order],
            np.asarray(skill, dtype=np.int64)[order],
            tuple(skills),
            tuple(agents),
            matrix,
            cap,
            float(end),
            stretches,
            tuple(np.asarray(tickets, dtype=object)[order]) if len(tickets) else (),
        )

    def available(self) -> float:
        """Slot-seconds on duty in ``[0, end]``: each stretch (or the whole period) × capacity."""
        if self.shifts is None:
            return float(self.capacity.sum() * self.end)
        start, stop, who = self.shifts
        length = np.clip(np.minimum(stop, self.end) - np.maximum(start, 0.0), 0.0, None)
        return float((length * self.capacity[who]).sum())


@dataclass(frozen=True)
class Routed:
    """Per ticket (in arrival order): the agent who took it (−1: unrouted) and its wait."""

    agent: Ints
    wait: Array


_RELEASE, _ON, _OFF, _OVERFLOW = 0, 1, 2, 3  # heap event kinds, in their order at one instant


class _Desk:
    """The routing floor of one run: agents' slots, the waiting queues and the event heap.

    Scalars per agent and ticket are Python lists (cheap to read and write one at a time); the
    choice among agents is numpy masks over ``open`` (on duty with a free slot) and ``key``."""

    def __init__(self, history: History, strategy: Strategy, overflow_after: float) -> None:
        h, n_skills, n_agents = history, len(history.skills), len(history.agents)
        self.choose = strategy.choose
        self.arrival, self.handle = h.arrival.tolist(), h.handle.tolist()
        skill = h.skill if strategy.skilled else np.full(len(h.arrival), NO_SKILL)
        self.queue_of = np.where(skill >= 0, skill, n_skills).tolist()  # last queue: no skill
        everyone = np.ones(n_agents, dtype=bool)
        self.eligible = [*(h.has[:, k].copy() for k in range(n_skills)), everyone]
        self.allowed = [[*row, True] for row in h.has.tolist()]  # by agent, then queue
        self.queues: list[deque[int]] = [deque() for _ in range(n_skills + 1)]
        self.overflow = overflow_after if strategy.overflow else np.inf
        self.capacity = h.capacity.tolist()
        self.load = [0] * n_agents
        self.key = np.zeros(n_agents, dtype=np.int64)  # load · 2³² + tickets taken
        self.duty = [1 if h.shifts is None else 0] * n_agents
        self.heap: list[tuple[float, int, int]] = []
        if h.shifts is not None:
            start, stop, who = h.shifts
            for a, b, w in zip(start.tolist(), stop.tolist(), who.tolist(), strict=True):
                self.heap += [(a, _ON, w), (b, _OFF, w)]
            heapq.heapify(self.heap)
        self.open = np.array([d > 0 for d in self.duty], dtype=bool)
        self.turn = -1
        self.end = h.end
        self.agent = [-1] * len(h.arrival)
        self.wait = [np.nan] * len(h.arrival)

    def run(self) -> Routed:
        heap = self.heap
        handlers = (self.release, self.on, self.off, self.expire)
        for c, t in enumerate(self.arrival):
            while heap and heap[0][0] <= t:
                when, kind, who = heapq.heappop(heap)
                handlers[kind](who, when)
            self.arrive(c, t)
        while heap and heap[0][0] <= self.end:
            when, kind, who = heapq.heappop(heap)
            handlers[kind](who, when)
        return Routed(np.array(self.agent, dtype=np.int64), np.array(self.wait, dtype=float))

    def pick(self, among: Ints) -> int:
        """The agent the strategy chooses among the agents ``among`` (at least one)."""
        if self.choose == "load":
            return int(among[self.key[among].argmin()])
        after = int(np.searchsorted(among, self.turn, side="right"))
        self.turn = int(among[after if after < len(among) else 0])
        return self.turn

    def assign(self, c: int, a: int, now: float) -> None:
        self.agent[c], self.wait[c] = a, now - self.arrival[c]
        self.load[a] += 1
        self.key[a] += (1 << 32) + 1
        if self.load[a] >= self.capacity[a]:
            self.open[a] = False
        heapq.heappush(self.heap, (now + self.handle[c], _RELEASE, a))

    def arrive(self, c: int, now: float) -> None:
        q = self.queue_of[c]
        among = (self.open & self.eligible[q]).nonzero()[0]
        if len(among):
            self.assign(c, self.pick(among), now)
            return
        self.queues[q].append(c)
        if q < len(self.queues) - 1 and self.overflow < np.inf:
            heapq.heappush(self.heap, (now + self.overflow, _OVERFLOW, c))

    def expire(self, c: int, now: float) -> None:
        """Ticket ``c`` has waited ``overflow_after``: any agent with a free slot may take it."""
        if self.agent[c] < 0:
            among = self.open.nonzero()[0]
            if len(among):
                self.assign(c, self.pick(among), now)

    def fill(self, a: int, now: float) -> None:
        """Agent ``a`` takes the oldest tickets it may take while it has free slots."""
        allowed, agent, arrival = self.allowed[a], self.agent, self.arrival
        while self.duty[a] > 0 and self.load[a] < self.capacity[a]:
            best, best_q = np.inf, -1
            for q, waiting in enumerate(self.queues):
                while waiting and agent[waiting[0]] >= 0:  # taken by overflow meanwhile
                    waiting.popleft()
                if not waiting:
                    continue
                head = arrival[waiting[0]]
                if head < best and (allowed[q] or head + self.overflow <= now):
                    best, best_q = head, q
            if best_q < 0:
                return
            self.assign(self.queues[best_q].popleft(), a, now)

    def release(self, a: int, now: float) -> None:
        self.load[a] -= 1
        self.key[a] -= 1 << 32
        self.open[a] = self.duty[a] > 0
        self.fill(a, now)

    def on(self, a: int, now: float) -> None:
        self.duty[a] += 1
        self.open[a] = self.load[a] < self.capacity[a]
        self.fill(a, now)

    def off(self, a: int, now: float) -> None:
        self.duty[a] -= 1
        self.open[a] = self.duty[a] > 0 and self.load[a] < self.capacity[a]


def route(history: History, strategy: Strategy, overflow_after: float = 1800.0) -> Routed:
    """Replay ``history`` under ``strategy`` (``overflow_after`` seconds: its overflow, if any)."""
    return _Desk(history, strategy, float(overflow_after)).run()


def summary(history: History, routed: Routed, target: float) -> dict[str, float]:
    """Tickets, routed and unrouted; mean, median and p90 wait of the routed; service level
    (share of all tickets taken within ``target`` seconds); occupancy (slot-seconds handling
    over slot-seconds on duty); share of routed tickets needing a skill that an agent with it
    took."""
    taken = routed.agent >= 0
    waits = routed.wait[taken]
    needs = taken & (history.skill >= 0)
    skilled = history.has[routed.agent[needs], history.skill[needs]]
    available = history.available()
    stats = {"wait_mean_seconds": np.nan, "wait_median_seconds": np.nan, "wait_p90_seconds": np.nan}
    if len(waits):
        mean, median, p90 = waits.mean(), *np.quantile(waits, [0.5, 0.9])
        stats = {"wait_mean_seconds": mean, "wait_median_seconds": median, "wait_p90_seconds": p90}
    n = len(routed.agent)
    return {
        "tickets": n,
        "routed": int(taken.sum()),
        "unrouted": int(n - taken.sum()),
        **{k: float(v) for k, v in stats.items()},
        "service_level": float((waits <= target).sum() / n) if n else np.nan,
        "occupancy": float(history.handle[taken].sum() / available) if available else np.nan,
        "share_skilled": float(skilled.mean()) if len(skilled) else np.nan,
    }


def compare(
    history: History,
    strategies: Sequence[str] = tuple(STRATEGIES),
    overflow_after: float = 1800.0,
    target: float = 3600.0,
    known: Mapping[str, Strategy] = STRATEGIES,
) -> pd.DataFrame:
    """One row per strategy, side by side: :func:`summary` of replaying ``history`` under it."""
    rows = [
        {"strategy": name, **summary(history, route(history, known[name], overflow_after), target)}
        for name in strategies
    ]
    return pd.DataFrame(rows)
