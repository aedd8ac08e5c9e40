"""The pending check: tickets an agent put into pending shortly before a target would breach.

Pending stops the clock of pausable_update, requester_wait and agent_work, which makes it a
known way to keep those targets green. For every change of a ticket to ``pending`` made by an
agent, we read each of those targets' clocks at that instant: if the clock was running and had
at most ``window`` business seconds left before the target (on the target's own calendar), the
change is listed with the agent who made it, the time that was left and when the target would
have breached had the clock kept running.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from supportops.config import WorkspaceConfig
from supportops.sla.block import Block
from supportops.sla.engine import as_of_seconds, context_for
from supportops.sla.events import (
    NAT,
    EventArrays,
    encode_events,
    order_events,
    seconds,
    source_column,
    ticket_rows,
)
from supportops.sla.frame import timestamps
from supportops.sla.grouped import Ints, locate
from supportops.sla.targets import Spans
from supportops.sla.track import STATES, Track, measure

__all__ = ["PAUSING_TARGETS", "PendingChanges", "gaming", "pending_changes"]

PAUSING_TARGETS = ("pausable_update", "requester_wait", "agent_work")


@dataclass(frozen=True)
class PendingChanges:
    """Changes to ``pending`` made by agents: ticket row, epoch second, agent id."""

    ticket: Ints
    at: Ints
    agent: np.ndarray


def pending_changes(tickets: pd.DataFrame, events: pd.DataFrame) -> PendingChanges:
    """The agents' changes to pending in a raw ``events`` frame."""
    picked = events[
        (events["kind"] == "status") & (events["value"] == "pending") & (events["actor"] == "agent")
    ]
    rows = ticket_rows(tickets, picked)
    keep = rows >= 0
    agent = picked["actor_id"] if "actor_id" in picked else pd.Series(None, index=picked.index)
    at = seconds(picked["at"])
    return PendingChanges(rows[keep], at[keep], agent.to_numpy(dtype=object)[keep])


def _open_span(spans: Spans, ticket: Ints, at: Ints) -> Ints:
    """The instance of ``spans`` running at each (ticket, instant), or -1."""
    found = locate(spans.ticket, spans.start, ticket, at)
    safe = np.maximum(found, 0)
    same = (found >= 0) & (spans.ticket[safe] == ticket)
    running = same & ((spans.stop[safe] == NAT) | (spans.stop[safe] > at))
    return np.where(running, found, -1)


def _probe(block: Block, target: str, changes: PendingChanges, window: int) -> pd.DataFrame | None:
    """The changes that stopped ``target``'s clock with at most ``window`` seconds left."""
    plan = block.plan(target)
    spans = block.spans(target)
    track = block.track(target, plan)
    if not isinstance(track, Track):  # a target that never pauses: pending cannot stop it
        return None
    tl = block.tl
    before = locate(tl.ticket, tl.start, changes.ticket, changes.at, strict=True)
    safe = np.maximum(before, 0)
    ran = (before >= 0) & (tl.ticket[safe] == changes.ticket) & track.runs[safe]
    span = _open_span(spans, changes.ticket, changes.at)
    rows = np.flatnonzero(ran & (span >= 0) & (plan.clock[changes.ticket] >= 0))
    if rows.size == 0:
        return None
    ticket, at, found = changes.ticket[rows], changes.at[rows], spans.take(span[rows])
    used = track.reading(ticket, at, before[rows]) - track.reading(
        ticket, found.start, found.start_segment
    )
    left = plan.seconds[ticket] - used
    near = (left > 0) & (left <= window)
    if not near.any():
        return None
    ticket, at, left, found = ticket[near], at[near], left[near], found.take(near)
    which = plan.clock[ticket]
    breach = block.context.clocks.reach(which, block.context.clocks.read(which, at) + left)
    now = measure(found, track, plan.seconds[ticket])
    return pd.DataFrame(
        {
            "ticket_row": ticket,
            "target": target,
            "instance": found.number,
            "pending_at": timestamps(at),
            "agent_id": changes.agent[rows][near],
            "seconds_left": left,
            "would_breach_at": timestamps(breach),
            "status": [STATES[state] for state in now.state],
        }
    )


def gaming(
    tickets: pd.DataFrame,
    events: pd.DataFrame | EventArrays,
    config: WorkspaceConfig,
    as_of: datetime | pd.Timestamp | str,
    window_seconds: int,
    changes: PendingChanges | None = None,
) -> pd.DataFrame:
    """Changes to pending made with at most ``window_seconds`` left on a pausing target.

    ``changes`` are the agents' pending changes; they are read from ``events`` when it is a
    raw events frame. ``status`` is the instance's status at ``as_of``.
    """
    if changes is None:
        if isinstance(events, EventArrays):
            raise ValueError("gaming needs the pending changes with encoded events")
        changes = pending_changes(tickets, events)
    now = as_of_seconds(as_of)
    context, _ = context_for(tickets, config, now)
    encoded = events if isinstance(events, EventArrays) else encode_events(tickets, events)
    block = Block(context, order_events(encoded), 0, len(tickets))
    keep = changes.at <= now
    changes = PendingChanges(changes.ticket[keep], changes.at[keep], changes.agent[keep])
    found = [_probe(block, target, changes, window_seconds) for target in PAUSING_TARGETS]
    frames = [frame for frame in found if frame is not None]
    if not frames:
        return _empty()
    out = pd.concat(frames, ignore_index=True)
    rows = out["ticket_row"].to_numpy()
    out.insert(0, "ticket_id", tickets["ticket_id"].iloc[rows].astype(str).to_numpy())
    out.insert(1, "source", source_column(tickets.iloc[rows]).to_numpy())
    return out.sort_values(["pending_at", "ticket_id", "target"]).reset_index(drop=True)


def _empty() -> pd.DataFrame:
    columns = [
        "ticket_id",
        "source",
        "ticket_row",
        "target",
        "instance",
        "pending_at",
        "agent_id",
        "seconds_left",
        "would_breach_at",
        "status",
    ]
    return pd.DataFrame({name: pd.Series(dtype=object) for name in columns})
