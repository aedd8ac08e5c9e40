"""Bot sessions on chat, messaging and web: resolved, handed off to an agent, or abandoned.

Every ticket marked as a bot hand-off had a session that started a few minutes before it and
points to it. Resolved and abandoned sessions are added in the proportions of
:data:`OUTCOMES` around the times of the chunk's chat, messaging and web tickets, so sessions
follow the same daily and weekly curves. About 8% of resolved sessions did not help: the
customer opened a ticket (on the same channel, not through the bot) minutes to two days later,
and the session points to it (a false resolution). Other resolved sessions are confirmed by the
customer 60% of the time. Each session names its customer (``requester_id``): the ticket's
requester for hand-offs and false resolutions, one of the chunk's requesters otherwise.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from supportops.demo.arrivals import CHANNEL_NAMES, CHANNELS
from supportops.demo.clock import HOUR
from supportops.demo.columns import NONE, Ints, labels, make_table, numbered, timestamps
from supportops.demo.content import TOPICS
from supportops.demo.render import ticket_ids
from supportops.demo.tickets import FIRST_ID, Tickets

__all__ = ["FALSE_SHARE", "OUTCOMES", "bot_sessions_table"]

OUTCOMES = {"resolved": 0.45, "handed_off": 0.35, "abandoned": 0.20}
CONFIRMED_SHARE = 0.6
FALSE_SHARE = 0.08  # resolved sessions followed by a ticket within two days
_INTENTS = tuple(t.tag for t in TOPICS)


def _self_served(t: Tickets, handed_off: int, rng: np.random.Generator) -> dict[str, Ints]:
    """Resolved (outcome 0) and abandoned (outcome 2) sessions around the chunk's bot tickets.

    A chunk never has more sessions than tickets, which keeps session ids unique across chunks.
    """
    total = handed_off / OUTCOMES["handed_off"]
    room = t.count - handed_off
    counts = [min(room // 2, rng.poisson(total * OUTCOMES[o])) for o in ("resolved", "abandoned")]
    like = np.flatnonzero(np.isin(t.channel, [i for i, c in enumerate(CHANNELS) if c.bot]))
    if not len(like):
        counts = [0, 0]
    near = rng.choice(like, size=sum(counts)) if sum(counts) else like[:0]
    started = t.created[near] + rng.integers(-HOUR, HOUR, len(near))
    channel = t.channel[near].copy()
    ticket = np.full(len(near), NONE)
    requester = t.requester[rng.integers(0, t.count, len(near))] if len(near) else near
    # a share of the resolved sessions did not help: the customer opened a ticket later on
    human = np.setdiff1d(like, np.flatnonzero(t.bot))
    wrong = min(int(rng.binomial(counts[0], FALSE_SHARE)), len(human))
    if wrong:
        later = rng.choice(human, size=wrong, replace=False)
        ticket[:wrong] = later
        channel[:wrong] = t.channel[later]
        started[:wrong] = t.created[later] - rng.integers(10 * 60, 48 * HOUR, wrong)
        requester[:wrong] = t.requester[later]
    return {
        "started": started,
        "channel": channel,
        "outcome": np.repeat([0, 2], counts),
        "ticket": ticket,
        "requester": requester,
        "intent": rng.integers(0, len(_INTENTS), len(near)),
    }


def bot_sessions_table(
    t: Tickets, first: int, begin: int, end: int, rng: np.random.Generator
) -> pa.Table:
    """The ``bot_sessions`` table of the chunk, sorted by start."""
    bot = np.flatnonzero(t.bot)
    handed = {
        "started": np.maximum(t.created[bot] - rng.integers(60, 600, len(bot)), begin),
        "channel": t.channel[bot],
        "outcome": np.ones(len(bot), np.int64),
        "ticket": bot,
        "requester": t.requester[bot],
        "intent": t.topic[bot],
    }
    rest = _self_served(t, len(bot), rng)
    rows = {name: np.concatenate([handed[name], rest[name]]) for name in handed}
    keep = (rows["started"] >= begin) & (rows["started"] <= end)
    order = np.argsort(rows["started"][keep], kind="stable")
    rows = {name: column[keep][order] for name, column in rows.items()}
    ticket = rows["ticket"]
    resolved = rows["outcome"] == 0
    confirmed = resolved & (ticket == NONE) & (rng.random(len(ticket)) < CONFIRMED_SHARE)
    return make_table(
        "bot_sessions",
        len(ticket),
        {
            "session_id": numbered("b", FIRST_ID + first + np.arange(len(ticket))),
            "source": "demo",
            "started_at": timestamps(rows["started"]),
            "channel": labels(CHANNEL_NAMES, rows["channel"]),
            "outcome": labels(tuple(OUTCOMES), rows["outcome"]),
            "ticket_id": ticket_ids(t.number[np.maximum(ticket, 0)], ticket != NONE),
            "requester_id": numbered("u", rows["requester"] + 1),
            "resolution_confirmed": pa.array(confirmed),
            "intent": labels(_INTENTS, rows["intent"]),
        },
    )
