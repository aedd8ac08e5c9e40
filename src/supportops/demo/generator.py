"""The demo generator: a realistic support operation, streamed in chunks of Arrow tables.

:func:`generate` lays out the window once (daily volumes, agents, customers; see
:mod:`supportops.demo.scenario` for the sizing rule), then yields one dict of the nine tables
per chunk of ``chunk_size`` tickets. Chunk ``i`` draws from ``numpy.random.default_rng([seed,
i])``, so the same arguments give the same data; a different ``chunk_size`` gives different (as
realistic) data. Tickets are numbered in creation order across chunks, and each chunk's events,
surveys, work, contacts and bot sessions belong to its own tickets, so nothing is carried from
one chunk to the next and memory stays bounded by ``chunk_size``. ``agents`` and ``shifts`` come
with the first chunk and are empty afterwards.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date

import numpy as np
import pyarrow as pa

from supportops.demo.arrivals import sample_arrivals
from supportops.demo.bots import bot_sessions_table
from supportops.demo.columns import make_table
from supportops.demo.contacts import answer_live, contacts_table, phone_work
from supportops.demo.events import build_events
from supportops.demo.lifecycle import draw_timeline
from supportops.demo.render import events_table, tickets_table
from supportops.demo.reviews import reviews_table
from supportops.demo.scenario import Scenario, World, build_world
from supportops.demo.surveys import surveys_table
from supportops.demo.tickets import draw_tickets
from supportops.demo.work import handle_work, work_table
from supportops.model.schema import TABLES

__all__ = ["DEFAULT_START", "generate"]

DEFAULT_START = date(2026, 9, 28)
CHUNK_SIZE = 200_000


def generate(
    tickets: int = 20_000,
    seed: int = 0,
    start: date = DEFAULT_START,
    weeks: int | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> Iterator[dict[str, pa.Table]]:
    """Yield the demo's tables, one dict of all nine per chunk of ``chunk_size`` tickets.

    ``start`` is the first day of the window (local midnight in America/New_York); the window
    ends ``weeks`` later, and that end is "now": later events have not happened yet.
    """
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, not {chunk_size}")
    world = build_world(Scenario.size(tickets, seed, start, weeks))
    for index in range(max(1, math.ceil(tickets / chunk_size))):
        first = index * chunk_size
        count = min(chunk_size, tickets - first)
        tables = _chunk(world, index, first, count) if count else {}
        if index == 0:
            tables["agents"] = world.agents.table()
            tables["shifts"] = world.agents.shifts(
                world.plan.clock, world.scenario.days, world.holidays
            )
            accounts_rng = np.random.default_rng([world.scenario.seed, 10**6])
            tables["accounts"] = world.customers.accounts(world.end, accounts_rng)
        yield {name: tables[name] if name in tables else make_table(name, 0, {}) for name in TABLES}


def _chunk(world: World, index: int, first: int, count: int) -> dict[str, pa.Table]:
    """The tables of the ``count`` tickets at positions ``first ..``."""
    rng = np.random.default_rng([world.scenario.seed, index])
    arrivals = sample_arrivals(world.plan, first, count, rng)
    tickets = draw_tickets(arrivals, world, first, rng)
    live = answer_live(tickets, world.plan, rng)
    line = draw_timeline(tickets, live, world, rng)
    log = build_events(tickets, line, world.end, rng)
    handled = handle_work(tickets, line, world, world.end, rng)
    calls = phone_work(tickets, live, world.end)
    return {
        "tickets": tickets_table(tickets, log, world),
        "events": events_table(tickets, log, world, rng),
        "surveys": surveys_table(tickets, line, log, world.end, rng),
        "work": work_table([handled, calls], tickets, world),
        "contacts": contacts_table(tickets, live, world.agents.ids, first, world.end, rng),
        "bot_sessions": bot_sessions_table(tickets, first, world.begin, world.end, rng),
        "reviews": reviews_table(tickets, line, log, world, rng),
    }
