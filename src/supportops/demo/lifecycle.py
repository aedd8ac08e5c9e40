"""When things happen to a ticket: conversation rounds, escalations, holds, solves and reopens.

A ticket's conversation is a few *rounds*: a customer message (the first one, a follow-up, or
the message that reopens a solved ticket) and the agent's answer to it. After the answer the
ticket is pending (waiting on the customer), open, on hold (tier 2 waiting on engineering) or
solved. Agents answer in business time (``us-support`` hours, holidays closed), urgent tickets
around the clock. The rounds are columns of ``[tickets, MAX_ROUNDS]`` arrays filled one round at
a time, so the only Python loop runs over round numbers, never over tickets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from supportops.demo.arrivals import CHANNELS
from supportops.demo.clock import DAY, HOUR
from supportops.demo.columns import NONE, Bools, Ints
from supportops.demo.contacts import Live
from supportops.demo.content import GROUPS, STATUSES
from supportops.demo.scenario import World
from supportops.demo.tickets import Tickets

__all__ = ["MAX_ROUNDS", "Timeline", "draw_timeline"]

MAX_ROUNDS = 6
OPEN, PENDING, ON_HOLD, SOLVED = (
    STATUSES.index(s) for s in ("open", "pending", "on_hold", "solved")
)
FIRST_REPLY = np.array([3 * HOUR, 1.5 * HOUR, 0.75 * HOUR, 20 * 60])
"""Median business seconds to the first reply, by priority (low, normal, high, urgent)."""
NEXT_REPLY = np.array([3.5 * HOUR, 2.5 * HOUR, 1 * HOUR, 30 * 60])
ESCALATION = {"billing": 0.04, "technical": 0.15, "accounts": 0.05}
SHARES = {
    "hold": 0.5,
    "silent": 0.03,
    "auto_solve": 0.10,
    "reopen": 0.07,
    "reassign": 0.06,
    "note": 0.08,
    "priority": 0.03,
    "pending": 0.4,
}
AUTO_SOLVE = 3 * DAY
CLOSE_AFTER = 4 * DAY
URGENT = 3


@dataclass(frozen=True)
class Timeline:
    """Per ticket and round: customer message, agent answer, and the status set by the answer.

    Instants are UTC epoch seconds, NONE where a thing does not happen. ``replier`` is the agent
    answering a round; ``escalation`` the round whose answer moves the ticket to tier 2.
    """

    rounds: Ints
    message: Ints
    reply: Ints
    public: Bools
    replier: Ints
    after: Ints
    assigned: Ints
    reassigned: Ints
    agent: Ints
    escalation: Ints
    tier2: Ints
    auto_solved: Ints
    reopened: Bools
    merged: Ints
    closed: Ints
    note: Ints
    priority: Ints


def _lognormal(
    rng: np.random.Generator,
    median: np.ndarray | float,
    sigma: float,
    size: int,
    low: float,
    high: float,
) -> Ints:
    return np.clip(rng.lognormal(np.log(median), sigma, size), low, high).astype(np.int64)


@dataclass(frozen=True)
class _Plan:
    """How many rounds each ticket has and what each answer does to the status."""

    replies: Ints
    rounds: Ints
    escalation: Ints
    reopen: Bools
    auto: Bools
    silent: Bools
    after: Ints


def _plan(tickets: Tickets, rng: np.random.Generator) -> _Plan:
    n, live, merged = tickets.count, tickets.live, tickets.merged
    cdf = np.cumsum([c.replies for c in CHANNELS], axis=1)[tickets.channel]
    replies = 1 + (rng.random(n)[:, None] > cdf).sum(axis=1)
    chance = np.array([ESCALATION.get(g, 0.0) for g in GROUPS])[tickets.group]
    escalate = (rng.random(n) < chance) & ~merged
    replies = np.where(escalate, np.maximum(replies, 2), replies)
    escalation = np.where(escalate, (rng.random(n) * (replies - 1)).astype(np.int64), NONE)
    hold = escalate & (rng.random(n) < SHARES["hold"])
    silent = (
        (replies == 1) & ~escalate & ~live & ~tickets.outbound & (rng.random(n) < SHARES["silent"])
    )
    auto = ~live & ~silent & (rng.random(n) < SHARES["auto_solve"])
    reopen = ~merged & ~silent & (rng.random(n) < SHARES["reopen"])
    replies = np.where(merged, 0, replies)
    rounds = replies + reopen
    k = np.arange(MAX_ROUNDS)[None, :]
    after = np.where(rng.random((n, MAX_ROUNDS)) < SHARES["pending"], PENDING, OPEN)
    after = np.where((k == escalation[:, None]) & hold[:, None], ON_HOLD, after)
    after = np.where(k == replies[:, None] - 1, np.where(auto, PENDING, SOLVED)[:, None], after)
    after = np.where(reopen[:, None] & (k == replies[:, None]), SOLVED, after)
    after = np.where(k < rounds[:, None], after, NONE)
    return _Plan(replies, rounds, escalation, reopen, auto, silent, after)


def _answer(
    world: World, base: Ints, median: np.ndarray, urgent: Bools, rng: np.random.Generator
) -> Ints:
    """Answer instants: ``base`` plus a delay in business time (around the clock if urgent)."""
    delay = _lognormal(rng, median, 0.9, len(base), 60, 15 * 10 * HOUR)
    return np.where(urgent, base + delay, world.business.add(base, delay))


def _rounds(
    tickets: Tickets, live: Live, plan: _Plan, world: World, rng: np.random.Generator
) -> tuple[Ints, Ints, Ints]:
    """Message and answer instants of every round, and the first solve."""
    n, k_max = tickets.count, MAX_ROUNDS
    message = np.full((n, k_max), NONE, dtype=np.int64)
    reply = np.full((n, k_max), NONE, dtype=np.int64)
    urgent = tickets.priority == URGENT
    pace = np.array([c.pace for c in CHANNELS])[tickets.channel]
    waits = _lognormal(rng, 8 * HOUR, 1.0, n, 600, 6 * DAY)
    first = np.where(tickets.outbound, tickets.created + waits, tickets.created)
    solved = np.full(n, NONE, dtype=np.int64)
    for k in range(k_max):
        if k == 0:
            msg, base, median = first, first, FIRST_REPLY[tickets.priority] * pace
        else:
            held = plan.after[:, k - 1] == ON_HOLD
            follow = reply[:, k - 1] + _lognormal(rng, 5 * HOUR, 1.2, n, 120, 6 * DAY)
            reopening = plan.reopen & (k == plan.replies)
            back = solved + _lognormal(rng, 18 * HOUR, 0.8, n, 600, 3.5 * DAY)
            msg = np.where(reopening, back, np.where(held, NONE, follow))
            hold = reply[:, k - 1] + _lognormal(rng, 30 * HOUR, 0.6, n, 2 * HOUR, 6 * DAY)
            base, median = np.where(held, hold, msg), NEXT_REPLY[tickets.priority]
        answer = _answer(world, base, median, urgent, rng)
        if k == 0:
            answer = np.where(tickets.live, live.first_reply, answer)
        active = k < plan.rounds
        message[:, k] = np.where(active, msg, NONE)
        reply[:, k] = np.where(active, answer, NONE)
        last = k == plan.replies - 1
        solved = np.where(last, np.where(plan.auto, answer + AUTO_SOLVE, answer), solved)
    return message, reply, solved


def _assignment(
    tickets: Tickets, live: Live, reply: Ints, world: World, rng: np.random.Generator
) -> tuple[Ints, Ints, Ints]:
    """First assignment, an optional reassignment before the first answer, and who answers."""
    n = tickets.count
    spread = tickets.created + (rng.uniform(0.05, 0.6, n) * (reply[:, 0] - tickets.created))
    assigned = np.where(
        tickets.live,
        live.answered,
        np.where(tickets.outbound, tickets.created, spread.astype(np.int64)),
    )
    assigned = np.where(tickets.merged, NONE, assigned)
    other = world.agents.route(tickets.channel, (tickets.created - world.begin) / DAY, rng)
    moved = (
        ~tickets.live
        & ~tickets.outbound
        & ~tickets.merged
        & (other != tickets.agent)
        & (rng.random(n) < SHARES["reassign"])
    )
    when = assigned + (rng.uniform(0.3, 0.8, n) * (reply[:, 0] - assigned)).astype(np.int64)
    return assigned, np.where(moved, when, NONE), np.where(moved, other, tickets.agent)


def draw_timeline(tickets: Tickets, live: Live, world: World, rng: np.random.Generator) -> Timeline:
    """Everything that happens to the chunk's tickets, including after the window's end."""
    n = tickets.count
    plan = _plan(tickets, rng)
    message, reply, solved = _rounds(tickets, live, plan, world, rng)
    assigned, reassigned, agent = _assignment(tickets, live, reply, world, rng)
    tier2 = world.agents.tier2(n, rng)
    k = np.arange(MAX_ROUNDS)[None, :]
    escalated = (plan.escalation != NONE)[:, None] & (k > plan.escalation[:, None])
    replier = np.where(escalated, tier2[:, None], agent[:, None])
    public = np.ones((n, MAX_ROUNDS), dtype=bool)
    public[:, 0] = ~plan.silent
    last = reply[np.arange(n), np.maximum(plan.rounds - 1, 0)]
    merged = world.business.add(tickets.created, rng.integers(600, 3 * HOUR, n))
    merged = np.where(tickets.merged, merged, NONE)
    closed = np.where(plan.reopen, last, solved) + CLOSE_AFTER
    closed = np.where(tickets.merged, merged, np.where(solved == NONE, NONE, closed))
    has_rounds = plan.rounds > 0
    note = np.where(
        has_rounds & (rng.random(n) < SHARES["note"]),
        (rng.random(n) * plan.rounds).astype(np.int64),
        NONE,
    )
    bump = has_rounds & (rng.random(n) < SHARES["priority"])
    priority = np.where(
        bump, np.where(tickets.priority == URGENT, 2, tickets.priority + 1), tickets.priority
    )
    return Timeline(
        rounds=plan.rounds,
        message=message,
        reply=reply,
        public=public,
        replier=replier,
        after=plan.after,
        assigned=assigned,
        reassigned=reassigned,
        agent=agent,
        escalation=plan.escalation,
        tier2=tier2,
        auto_solved=np.where(plan.auto & (plan.replies > 0), solved, NONE),
        reopened=plan.reopen,
        merged=merged,
        closed=closed,
        note=note,
        priority=priority,
    )
