"""A chunk's ticket and event arrays as the ``tickets`` and ``events`` tables of the schema.

Codes become strings here and nowhere else: ticket ids are ``FIRST_ID + position``, requesters
``u<number>``, agents ``a0001``..; an event id is ``<ticket_id>-<seq>`` with a two-digit sequence
so that ids sort in event order.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from supportops.demo.arrivals import CHANNEL_NAMES
from supportops.demo.columns import (
    NONE,
    Ints,
    labels,
    make_table,
    numbered,
    string_lists,
    timestamps,
)
from supportops.demo.content import (
    ACTORS,
    BODIES,
    EVENT_KINDS,
    EXTRA_TAG,
    GROUPS,
    PRIORITIES,
    STATUSES,
    SUBJECTS,
    TAGS,
    TIER2,
    TYPES,
    body_ranges,
    custom_json,
    first_messages,
)
from supportops.demo.events import AGENT, BODY, BOT, CUSTOMER, EventLog, value_vocabulary
from supportops.demo.population import ENTERPRISE
from supportops.demo.scenario import World
from supportops.demo.tickets import FIRST_ID, Tickets

__all__ = ["events_table", "ticket_ids", "tickets_table"]

_BODY_RANGES = body_ranges()
_FIRST_TEXTS, _ASKS = first_messages()
_FIRST_PHRASES = int(np.diff(_BODY_RANGES[BODY["first"]])[0])
_MESSAGE_TEXTS = pa.array((*BODIES, *_FIRST_TEXTS), pa.string())


def ticket_ids(numbers: Ints, valid: np.ndarray | None = None) -> pa.Array:
    """Ticket ids of global ticket positions."""
    return numbered("", FIRST_ID + numbers, valid)


def _tags(t: Tickets, log: EventLog) -> pa.Array:
    chosen = np.zeros((t.count, len(TAGS)), dtype=bool)
    chosen[np.arange(t.count), t.topic] = True
    extras = {
        "vip": (t.org >= 0) & (t.org < len(ENTERPRISE)),
        "escalated": log.group == TIER2,
        "bot_handoff": t.bot,
        "spanish": t.language == 1,
        "outbound": t.outbound,
    }
    for name, on in extras.items():
        chosen[:, EXTRA_TAG[name]] = on
    return string_lists(TAGS, chosen)


def tickets_table(t: Tickets, log: EventLog, world: World) -> pa.Table:
    """The ``tickets`` table: each ticket's attributes and its state at the window's end."""
    target = t.number[np.maximum(t.merge_target, 0)]
    return make_table(
        "tickets",
        t.count,
        {
            "ticket_id": ticket_ids(t.number),
            "source": "demo",
            "created_at": timestamps(t.created),
            "channel": labels(CHANNEL_NAMES, t.channel),
            "status": labels(STATUSES, log.status),
            "priority": labels(PRIORITIES, log.priority),
            "type": labels(TYPES, t.type),
            "group": labels(GROUPS, log.group),
            "assignee_id": labels(world.agents.ids, log.assignee),
            "requester_id": numbered("u", t.requester + 1),
            "organization_id": labels(world.customers.org_names, t.org),
            "created_by": labels(ACTORS, np.where(t.outbound, AGENT, CUSTOMER)),
            "tags": _tags(t, log),
            "subject": labels(SUBJECTS, t.subject),
            "solved_at": timestamps(log.solved_at),
            "merged_into": ticket_ids(target, log.merged),
            "custom": labels(custom_json(), t.plan * 2 + t.language),
        },
    )


def _actor_ids(rows: dict[str, np.ndarray], t: Tickets, agent_ids: tuple[str, ...]) -> pa.Array:
    """Agents by id, the bot as ``answer-bot``, a customer as the ticket's requester."""
    actor, agents = rows["actor"], len(agent_ids)
    requester = agents + 1 + rows["ticket"].astype(np.int64)
    code = np.where(
        actor == AGENT,
        rows["who"],
        np.where(actor == BOT, agents, np.where(actor == CUSTOMER, requester, NONE)),
    )
    requesters = numbered("u", t.requester + 1)
    return labels(pa.concat_arrays([pa.array((*agent_ids, "answer-bot")), requesters]), code)


def _values(
    rows: dict[str, np.ndarray],
    t: Tickets,
    ids: pa.Array,
    agent_ids: tuple[str, ...],
) -> pa.Array:
    """Statuses, groups, priorities and agents by name; a merge target by ticket id."""
    vocab = pa.array(value_vocabulary(agent_ids))
    target = rows["target"]
    code = np.where(target != NONE, len(vocab) + target - int(t.number[0]), rows["value"])
    return labels(pa.concat_arrays([vocab, ids]), code)


def _bodies(body: np.ndarray, topic: Ints, rng: np.random.Generator) -> pa.Array:
    """Each message's text; a first customer message names its ticket's topic (an ask of the
    topic, chosen by the same draw's remainder, then the drawn ``first`` phrase)."""
    low, high = _BODY_RANGES[np.maximum(body, 0)].T
    scaled = rng.random(len(body)) * (high - low)
    phrase = low + scaled.astype(np.int64)
    ask = ((scaled % 1) * _ASKS).astype(np.int64)
    first_low = _BODY_RANGES[BODY["first"], 0]
    first = (topic * _ASKS + ask) * _FIRST_PHRASES + (phrase - first_low)
    code = np.where(body == BODY["first"], len(BODIES) + first, phrase)
    return labels(_MESSAGE_TEXTS, np.where(body >= 0, code, NONE))


def events_table(t: Tickets, log: EventLog, world: World, rng: np.random.Generator) -> pa.Table:
    """The ``events`` table of the chunk, in ticket and event order."""
    rows = log.rows
    ids = ticket_ids(t.number)
    ticket_id = pc.take(ids, pa.array(rows["ticket"]))
    sequence = pc.utf8_lpad(pa.array(log.seq).cast(pa.string()), 2, "0")
    public = rows["public"]
    return make_table(
        "events",
        len(rows["at"]),
        {
            "ticket_id": ticket_id,
            "source": "demo",
            "at": timestamps(rows["at"]),
            "kind": labels(EVENT_KINDS, rows["kind"]),
            "actor": labels(ACTORS, rows["actor"]),
            "actor_id": _actor_ids(rows, t, world.agents.ids),
            "public": pa.array(public == 1, mask=public < 0),
            "value": _values(rows, t, ids, world.agents.ids),
            "previous": labels(value_vocabulary(world.agents.ids), rows["previous"]),
            "event_id": pc.binary_join_element_wise(ticket_id, sequence, "-"),
            "body": _bodies(rows["body"], t.topic[rows["ticket"]], rng),
        },
    )
