"""Who asks what: the attributes of one chunk's tickets, drawn as whole columns.

A ticket's topic gives its group and usual type; its requester gives the organization, plan and
language; about 5% are outbound e-mails opened by an agent; some chat, messaging and web tickets
come from a bot handing off; about 1% are duplicates merged into the requester's previous
ticket. Ticket ids are numbers in creation order: ``FIRST_ID + position``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from supportops.demo.arrivals import CHANNEL_NAMES, CHANNELS, Arrivals
from supportops.demo.clock import DAY
from supportops.demo.columns import NONE, Bools, Ints
from supportops.demo.content import GROUPS, PRIORITY_SHARES, TOPICS, TYPES, subject_ranges
from supportops.demo.scenario import World

__all__ = ["FIRST_ID", "Tickets", "draw_tickets"]

FIRST_ID = 10_001
OUTBOUND_SHARE = 0.05
BOT_HANDOFF_SHARE = 0.14
"""Of chat, messaging and web tickets: 40% meet a bot first, and 35% of those are handed off."""
MERGE_SHARE = 0.01
_TYPE_KEPT = 0.75


@dataclass(frozen=True)
class Tickets:
    """One chunk's tickets, one array entry per ticket, in creation order."""

    number: Ints
    created: Ints
    channel: Ints
    hour: Ints
    topic: Ints
    subject: Ints
    group: Ints
    type: Ints
    priority: Ints
    requester: Ints
    org: Ints
    plan: Ints
    language: Ints
    outbound: Bools
    bot: Bools
    merge_target: Ints
    agent: Ints

    @property
    def count(self) -> int:
        """Number of tickets."""
        return len(self.number)

    @cached_property
    def live(self) -> Bools:
        """Tickets of a live channel (phone, chat): each was a contact answered by an agent."""
        live_codes = [i for i, c in enumerate(CHANNELS) if c.live]
        live: Bools = np.isin(self.channel, live_codes) & ~self.outbound
        return live

    @cached_property
    def merged(self) -> Bools:
        """Tickets merged into another one."""
        merged: Bools = self.merge_target != NONE
        return merged


def _topics(count: int, rng: np.random.Generator) -> tuple[Ints, Ints, Ints]:
    weights = np.array([t.weight for t in TOPICS])
    topic = rng.choice(len(TOPICS), size=count, p=weights / weights.sum())
    group = np.array([GROUPS.index(t.group) for t in TOPICS])[topic]
    usual = np.array([TYPES.index(t.type) for t in TOPICS])[topic]
    other = rng.integers(0, len(TYPES), count)
    kind = np.where(rng.random(count) < _TYPE_KEPT, usual, other)
    return topic.astype(np.int64), group.astype(np.int64), kind.astype(np.int64)


def _merge_targets(
    created: Ints, requester: Ints, eligible: Bools, rng: np.random.Generator
) -> Ints:
    """For ~1% of tickets, the same requester's previous ticket of the last 3 days."""
    order = np.lexsort((created, requester))
    same = requester[order][1:] == requester[order][:-1]
    recent = created[order][1:] - created[order][:-1] < 3 * DAY
    previous = np.full(len(created), NONE, dtype=np.int64)
    candidates = order[1:][same & recent]
    previous[candidates] = order[:-1][same & recent]
    previous[~eligible] = NONE
    candidates = np.flatnonzero(previous != NONE)
    chance = MERGE_SHARE * len(created) / max(1, len(candidates))
    chosen = (previous != NONE) & (rng.random(len(created)) < chance)
    target = np.where(chosen, previous, NONE)
    chained = (target != NONE) & (target[np.maximum(target, 0)] != NONE)
    return np.where(chained, NONE, target)


def _outbound(arrivals: Arrivals, world: World, rng: np.random.Generator) -> Bools:
    """About 5% of tickets: e-mails an agent sent during business hours."""
    created = arrivals.created
    working = world.business.add(created, np.zeros_like(created)) == created
    eligible = working & (arrivals.channel == CHANNEL_NAMES.index("email"))
    chance = OUTBOUND_SHARE * len(created) / max(1, int(eligible.sum()))
    chosen: Bools = eligible & (rng.random(len(created)) < chance)
    return chosen


def draw_tickets(arrivals: Arrivals, world: World, first: int, rng: np.random.Generator) -> Tickets:
    """The attributes of the tickets at positions ``first ..`` created at ``arrivals``."""
    count = len(arrivals.created)
    topic, group, kind = _topics(count, rng)
    first_subject, subjects = subject_ranges()
    priority = rng.choice(len(PRIORITY_SHARES), size=count, p=PRIORITY_SHARES).astype(np.int64)
    requester = world.customers.requesters(count, rng)
    org = world.customers.organizations(requester)
    outbound = _outbound(arrivals, world, rng)
    bot_codes = [i for i, c in enumerate(CHANNELS) if c.bot]
    bot = np.isin(arrivals.channel, bot_codes) & (rng.random(count) < BOT_HANDOFF_SHARE)
    live = np.isin(arrivals.channel, [i for i, c in enumerate(CHANNELS) if c.live])
    merge_target = _merge_targets(arrivals.created, requester, ~outbound & ~live, rng)
    return Tickets(
        number=np.arange(first, first + count, dtype=np.int64),
        created=arrivals.created,
        channel=arrivals.channel,
        hour=arrivals.hour,
        topic=topic,
        subject=first_subject[topic] + (rng.random(count) * subjects[topic]).astype(np.int64),
        group=group,
        type=kind,
        priority=priority,
        requester=requester,
        org=org,
        plan=world.customers.plans(org),
        language=world.customers.languages(requester),
        outbound=outbound,
        bot=bot,
        merge_target=merge_target,
        agent=world.agents.route(arrivals.channel, (arrivals.created - world.begin) / DAY, rng),
    )
