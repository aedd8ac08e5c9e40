"""Live contacts: phone calls and chats offered to a queue, answered after a wait, or abandoned.

Every phone and chat ticket (not outbound) was a contact offered at the ticket's creation and
answered after a wait that grows with the hour's load; about 7.5% of contacts are abandoned
before an answer and create no ticket. A call has talk, sometimes hold, and wrap-up time, each a
``work`` row; the agent's call summary is the ticket's first reply, at the end of the wrap-up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from supportops.demo.arrivals import CHANNEL_NAMES, ArrivalPlan
from supportops.demo.columns import NONE, Ints, labels, make_table, numbered, timestamps
from supportops.demo.tickets import FIRST_ID, Tickets

__all__ = ["ABANDON_SHARE", "Live", "answer_live", "contacts_table", "phone_work"]

ABANDON_SHARE = 0.075
PHONE = CHANNEL_NAMES.index("phone")
CHAT = CHANNEL_NAMES.index("chat")
_MEAN_WAIT = {PHONE: 40.0, CHAT: 25.0}
_QUEUES = {PHONE: "phone-support", CHAT: "chat-support"}


@dataclass(frozen=True)
class Live:
    """Per ticket: when its contact was answered and ended, its first reply, and call work."""

    answered: Ints
    ended: Ints
    first_reply: Ints
    talk: Ints
    hold: Ints
    wrap: Ints


def _waits(tickets: Tickets, plan: ArrivalPlan, rng: np.random.Generator) -> Ints:
    base = np.where(tickets.channel == PHONE, _MEAN_WAIT[PHONE], _MEAN_WAIT[CHAT])
    load = plan.load[tickets.channel, tickets.hour]
    return np.clip(rng.exponential(base * load**2), 3, 900).astype(np.int64)


def answer_live(tickets: Tickets, plan: ArrivalPlan, rng: np.random.Generator) -> Live:
    """Answer, talk, hold and wrap-up of each live ticket's contact (NONE / 0 for the others)."""
    n = tickets.count
    live, phone = tickets.live, tickets.channel == PHONE
    answered = tickets.created + _waits(tickets, plan, rng)
    talk = np.where(phone, rng.lognormal(np.log(360), 0.5, n), rng.lognormal(np.log(600), 0.6, n))
    talk = np.clip(talk, 30, 5400).astype(np.int64)
    hold = np.where(phone & (rng.random(n) < 0.25), rng.integers(30, 180, n), 0)
    wrap = np.where(phone, np.clip(rng.lognormal(np.log(90), 0.4, n), 15, 900), 0)
    ended = answered + talk + hold
    first_reply = np.where(phone, ended + wrap.astype(np.int64), answered + rng.integers(5, 40, n))
    return Live(
        answered=np.where(live, answered, NONE),
        ended=np.where(live, ended, NONE),
        first_reply=np.where(live, first_reply, NONE),
        talk=np.where(live & phone, talk, 0),
        hold=np.where(live, hold, 0).astype(np.int64),
        wrap=np.where(live, wrap, 0).astype(np.int64),
    )


def _abandoned(tickets: Tickets, first: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Abandoned contacts: near the times of this chunk's live tickets, so they share peaks."""
    rows = np.flatnonzero(tickets.live)
    count = int(rng.binomial(len(rows), ABANDON_SHARE / (1 - ABANDON_SHARE))) if len(rows) else 0
    like = rng.choice(rows, size=count) if count else rows[:0]
    offered = tickets.created[like] + rng.integers(-900, 900, count)
    patience = rng.integers(8, 300, count)
    return {
        "number": np.arange(count) + first,
        "channel": tickets.channel[like],
        "offered": offered,
        "ended": offered + patience,
    }


def contacts_table(
    tickets: Tickets,
    live: Live,
    agent_ids: Sequence[str],
    first: int,
    end: int,
    rng: np.random.Generator,
) -> pa.Table:
    """The ``contacts`` table of a chunk: answered contacts of live tickets, then abandons."""
    rows = np.flatnonzero(tickets.live)
    gone = _abandoned(tickets, first, rng)
    keep = gone["offered"] <= end
    channel = np.concatenate([tickets.channel[rows], gone["channel"][keep]])
    answered = live.answered[rows]
    ended = np.concatenate([live.ended[rows], gone["ended"][keep]])
    n_answered, n = len(rows), len(channel)
    queue_names = [_QUEUES.get(c, "other") for c in range(len(CHANNEL_NAMES))]
    answered_at = np.concatenate([answered, np.full(n - n_answered, NONE)])
    return make_table(
        "contacts",
        n,
        {
            "contact_id": pa.concat_arrays(
                [
                    numbered("c", FIRST_ID + tickets.number[rows]),
                    numbered("x", FIRST_ID + gone["number"][keep]),
                ]
            ),
            "source": "demo",
            "queue": labels(queue_names, channel),
            "channel": labels(CHANNEL_NAMES, channel),
            "offered_at": timestamps(
                np.concatenate([tickets.created[rows], gone["offered"][keep]])
            ),
            "answered_at": timestamps(np.where(answered_at <= end, answered_at, NONE)),
            "ended_at": timestamps(np.where(ended <= end, ended, NONE)),
            "abandoned": pa.array(np.arange(n) >= n_answered),
            "agent_id": labels(
                agent_ids,
                np.concatenate(
                    [
                        np.where(answered <= end, tickets.agent[rows], NONE),
                        np.full(n - n_answered, NONE),
                    ]
                ),
            ),
            "ticket_id": numbered(
                "", np.concatenate([FIRST_ID + tickets.number[rows], np.full(n - n_answered, NONE)])
            ),
        },
    )


def phone_work(tickets: Tickets, live: Live, end: int) -> dict[str, Ints]:
    """Talk, hold and wrap-up ``work`` rows of answered calls (columns as numpy arrays)."""
    rows = np.flatnonzero(live.talk > 0)
    parts = [
        (live.answered[rows], live.talk[rows], 1),
        (live.answered[rows] + live.talk[rows], live.hold[rows], 2),
        (live.ended[rows], live.wrap[rows], 3),
    ]
    started = np.concatenate([p[0] for p in parts])
    seconds = np.concatenate([p[1] for p in parts])
    kind = np.concatenate([np.full(len(rows), p[2]) for p in parts])
    ticket = np.tile(rows, 3)
    keep = (seconds > 0) & (started <= end)
    return {
        "agent": tickets.agent[ticket][keep],
        "ticket": ticket[keep],
        "contact": ticket[keep],
        "started": started[keep],
        "seconds": seconds[keep],
        "kind": kind[keep],
    }
