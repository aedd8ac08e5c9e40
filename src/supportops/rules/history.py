"""Replaying a rule set over an event history, event by event, vectorised over tickets.

The history is cut in waves: wave *k* holds every ticket's *k*-th event. Each wave's rows are
the tickets as the previous wave (and its rules) left them with the event applied, and the
rule's event fields (``update``, ``event.kind``, ``event.actor``, ``changed``, ``previous.*``,
``message``, ``hours_since.created``); :func:`supportops.rules.engine.run` runs on the whole
wave at once, and what the rules wrote is carried to the ticket's next event.

An observed field change made by automation (actor ``system`` or ``bot``) is what the
helpdesk's own rules did: it is not applied when the replayed set writes that field (the set
replaces them), and it is kept as the observation the replay is compared with
(:attr:`Replayed.observed`). Every other event is applied as it happened.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from supportops.rules.engine import Context, run
from supportops.rules.model import RuleSet

__all__ = ["FIELD_OF_KIND", "MUTABLE", "Replayed", "replay_history"]

FIELD_OF_KIND = {
    "status": "status",
    "assignee": "assignee_id",
    "group": "group",
    "priority": "priority",
    "type": "type",
    "tags": "tags",
}
MUTABLE = tuple(FIELD_OF_KIND.values())
_FIXED = ("ticket_id", "source", "created_at", "channel", "requester_id", "organization_id")
_FIXED += ("created_by", "subject", "custom")
AUTOMATION = ("system", "bot")


@dataclass(frozen=True)
class Replayed:
    """What a replay did: the actions (with ``ticket_id``, ``source``, ``at``), the tickets'
    state at the end, and the observed automatic changes of the fields the set writes, each
    with the value the replay had after that event (``replayed``)."""

    actions: pd.DataFrame
    final: pd.DataFrame
    observed: pd.DataFrame


def _initial(tickets: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Each ticket before its first event: fixed fields from ``tickets``; a mutable field is
    the ``previous`` of its first change, or the ticket's value when the log never changes it."""
    state = tickets.set_index(["source", "ticket_id"], drop=False)
    state = state[[c for c in (*_FIXED, *MUTABLE) if c in state]].copy()
    for kind, name in FIELD_OF_KIND.items():
        changes = events[events["kind"] == kind]
        first = changes.groupby(["source", "ticket_id"], sort=False)["previous"].first()
        column = state[name].astype(object) if name in state else pd.Series(None, index=state.index, dtype=object)
        column = column.where(~column.index.isin(first.index), None)
        column.loc[column.index.intersection(first.index)] = first
        state[name] = column
    if "tags" in state:
        state["tags"] = state["tags"].map(_tag_text)
    state["status"] = state["status"].where(state["status"].notna(), "new")
    return state


def _tag_text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, str):
        return value
    return ";".join(str(v) for v in value)  # type: ignore[attr-defined]


def replay_history(
    ruleset: RuleSet, tickets: pd.DataFrame, events: pd.DataFrame, context: Context | None = None
) -> Replayed:
    """Replay ``ruleset`` over ``events`` (the log's columns) of ``tickets`` (see the module)."""
    writes = set().union(*(r.writes() for r in ruleset.rules)) if ruleset.rules else set()
    events = events.sort_values(["source", "ticket_id", "at", "event_id"], kind="stable")
    events = events.reset_index(drop=True)
    field = events["kind"].map(FIELD_OF_KIND)
    automatic = events["actor"].isin(AUTOMATION) & field.isin(writes)
    observed = events[automatic].assign(field=field[automatic])
    applied = events[~automatic].reset_index(drop=True)
    applied["wave"] = applied.groupby(["source", "ticket_id"], sort=False).cumcount()
    carried = _initial(tickets, events)
    found: list[pd.DataFrame] = []
    snapshots: list[pd.DataFrame] = []
    for _, wave in applied.groupby("wave", sort=True):
        frame = _wave_frame(carried, wave)
        outcome = run(ruleset, frame, context)
        keys = pd.MultiIndex.from_frame(frame[["source", "ticket_id"]])
        after = outcome.state.set_index(keys)[list(carried.columns)]
        carried.loc[keys] = after
        acts = outcome.actions
        if len(acts):
            acts = acts.assign(
                ticket_id=frame["ticket_id"].to_numpy()[acts["row"]],
                source=frame["source"].to_numpy()[acts["row"]],
                at=frame["at"].to_numpy()[acts["row"]],
            )
            found.append(acts.drop(columns="row"))
        snapshots.append(after.assign(at=frame["at"].to_numpy()).reset_index(drop=True))
    actions = pd.concat(found, ignore_index=True) if found else pd.DataFrame()
    return Replayed(actions, carried.reset_index(drop=True), _compare(observed, snapshots))


def _wave_frame(carried: pd.DataFrame, wave: pd.DataFrame) -> pd.DataFrame:
    keys = pd.MultiIndex.from_frame(wave[["source", "ticket_id"]])
    frame = carried.loc[keys].reset_index(drop=True)
    kind = wave["kind"].to_numpy()
    value = wave["value"].astype(object).to_numpy()
    frame["at"] = wave["at"].to_numpy()
    frame["update"] = np.where(kind == "created", "create", "update")
    frame["event.kind"] = kind
    frame["event.actor"] = wave["actor"].astype(object).to_numpy()
    frame["event.public"] = wave["public"].map({True: "true", False: "false"}).to_numpy() if "public" in wave else None
    frame["message"] = np.where(kind == "message", wave["body"].astype(object).to_numpy() if "body" in wave else None, None)
    changed = np.full(len(frame), "", dtype=object)
    for event_kind, name in FIELD_OF_KIND.items():
        frame[f"previous.{name}"] = frame[name].to_numpy()
        here = kind == event_kind
        if here.any():
            before = frame[name].astype(object).to_numpy()
            moved = here & (before.astype(str) != value.astype(str))
            column = before.copy()
            column[here] = value[here]
            frame[name] = column
            changed[moved] = name
    frame["changed"] = changed
    if "created_at" in frame:
        spent = pd.to_datetime(frame["at"], utc=True) - pd.to_datetime(frame["created_at"], utc=True)
        frame["hours_since.created"] = spent.dt.total_seconds().to_numpy() / 3600
    return frame


def _compare(observed: pd.DataFrame, snapshots: list[pd.DataFrame]) -> pd.DataFrame:
    """Each observed automatic change with the replay's value of its field after the last
    replayed event at or before it."""
    if observed.empty or not snapshots:
        return observed.assign(replayed=pd.Series(dtype=object))
    states = pd.concat(snapshots, ignore_index=True)
    states["at"] = pd.to_datetime(states["at"], utc=True)
    states = states.sort_values("at", kind="stable")
    obs = observed.assign(at=pd.to_datetime(observed["at"], utc=True)).sort_values("at", kind="stable")
    joined = pd.merge_asof(obs, states, on="at", by=["source", "ticket_id"], suffixes=("", "_r"))
    picked = [joined.at[i, f if f + "_r" not in joined else f + "_r"] for i, f in zip(joined.index, joined["field"], strict=True)]
    return joined[list(observed.columns)].assign(replayed=picked)
