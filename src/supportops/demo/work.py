"""Agent work on tickets: handle time before each public reply, and the ``work`` table.

Each public agent reply (and each outbound message) is preceded by a stretch of handle time,
lognormal around 7-11 minutes by channel (4-12 minutes for most replies), longer for tier 2
and for a new hire in their first weeks. A call's first reply is its summary, already covered
by the call's talk and wrap-up rows.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from supportops.demo.arrivals import CHANNEL_NAMES
from supportops.demo.clock import DAY
from supportops.demo.columns import NONE, Ints, labels, make_table, numbered, timestamps
from supportops.demo.lifecycle import MAX_ROUNDS, Timeline
from supportops.demo.population import TIER2_TEAM
from supportops.demo.render import ticket_ids
from supportops.demo.scenario import World
from supportops.demo.tickets import FIRST_ID, Tickets

__all__ = ["WORK_KINDS", "handle_work", "work_table"]

WORK_KINDS = ("handle", "talk", "hold", "wrap")
HANDLE_MEDIAN = {"email": 600, "web": 540, "chat": 660, "phone": 480, "messaging": 420}
TIER2_FACTOR = 1.6
NEW_HIRE_SLOWER = 0.8  # a new hire's first-day handle time is 80% longer, shrinking with tenure


def _seconds(median: np.ndarray, rng: np.random.Generator) -> Ints:
    seconds: Ints = np.clip(rng.lognormal(np.log(median), 0.45), 60, 3600).astype(np.int64)
    return seconds


def handle_work(
    t: Tickets, line: Timeline, world: World, end: int, rng: np.random.Generator
) -> dict[str, Ints]:
    """Handle ``work`` rows of the chunk's public agent replies sent by ``end``."""
    k = np.arange(MAX_ROUNDS)[None, :]
    on = (k < line.rounds[:, None]) & line.public & (line.reply <= end)
    on[:, 0] &= ~(t.live & (t.channel == CHANNEL_NAMES.index("phone")))
    ticket, round_ = np.nonzero(on)
    agent = line.replier[ticket, round_]
    out = np.flatnonzero(t.outbound)
    ticket = np.concatenate([ticket, out])
    agent = np.concatenate([agent, t.agent[out]])
    sent = np.concatenate([line.reply[on], t.created[out]])
    median = np.array([HANDLE_MEDIAN[c] for c in CHANNEL_NAMES])[t.channel[ticket]]
    median = np.where(world.agents.team[agent] == TIER2_TEAM, median * TIER2_FACTOR, median)
    seconds = _seconds(median, rng)
    slower = 1 + NEW_HIRE_SLOWER * world.agents.ramp(agent, (sent - world.begin) / DAY)
    seconds = np.round(seconds * slower).astype(np.int64)
    started = np.maximum(sent - seconds, t.created[ticket])
    return {
        "agent": agent,
        "ticket": ticket,
        "contact": np.full(len(ticket), NONE),
        "started": started,
        "seconds": seconds,
        "kind": np.zeros(len(ticket), np.int64),
    }


def work_table(parts: list[dict[str, Ints]], t: Tickets, world: World) -> pa.Table:
    """The ``work`` table of the chunk from row parts (ticket and contact as ticket indexes)."""
    rows = {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}
    order = np.argsort(rows["started"], kind="stable")
    rows = {name: column[order] for name, column in rows.items()}
    contact = rows["contact"]
    return make_table(
        "work",
        len(order),
        {
            "agent_id": labels(world.agents.ids, rows["agent"]),
            "source": "demo",
            "ticket_id": ticket_ids(t.number[rows["ticket"]]),
            "contact_id": numbered("c", FIRST_ID + t.number[contact], contact != NONE),
            "started_at": timestamps(rows["started"]),
            "seconds": pa.array(rows["seconds"].astype(np.float64)),
            "kind": labels(WORK_KINDS, rows["kind"]),
        },
    )
