"""Replaying a rule set over an event history, event by event, vectorised over tickets.

The history is cut in waves: wave *k* holds every ticket's *k*-th event. Each wave's rows are
the tickets as the previous wave (and its rules) left them with the event applied, and the
rule's event fields (``update``, ``event.kind``, ``event.actor``, ``changed``, ``previous.*``,
``message``) and the context fields the rules read (business hours, SLA state, hours since,
triage, experiment arms: :mod:`supportops.rules.context`); :func:`supportops.rules.engine.run`
runs on the whole wave at once, and what the rules wrote is carried to the ticket's next event.
A ticket's ``created`` event comes first among its events at the same instant.

Every event is applied as it happened. With ``replace_automation``, an observed change made by
automation (actor ``system`` or ``bot``) of a field the replayed set writes is what the
helpdesk's own rules did: it is not applied (the set stands in for those rules) and is kept as
the observation the replay is compared with (:attr:`Replayed.observed`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from supportops.conditions.model import fields_of
from supportops.rules.context import Known
from supportops.rules.engine import Context, run
from supportops.rules.model import RuleSet
from supportops.rules.ticks import TICK, period_of, ticks_of

__all__ = ["FIELD_OF_KIND", "MUTABLE", "Replayed", "only_where", "replay_history", "tag_text"]

FIELD_OF_KIND = {
    "status": "status",
    "assignee": "assignee_id",
    "group": "group",
    "priority": "priority",
    "type": "type",
    "tags": "tags",
}
MUTABLE = tuple(FIELD_OF_KIND.values())
_FIXED: tuple[str, ...] = (
    "ticket_id",
    "source",
    "channel",
    "requester_id",
    "organization_id",
    "created_by",
)
_FIXED += ("subject", "custom")
AUTOMATION = ("system", "bot")


@dataclass(frozen=True)
class Replayed:
    """What a replay did: the actions (with ``ticket_id``, ``source``, ``at``), the tickets'
    state at the end, and the observed automatic changes of the fields the set writes, each
    with the value the replay had after that event (``replayed``)."""

    actions: pd.DataFrame
    final: pd.DataFrame
    observed: pd.DataFrame


def _initial(tickets: pd.DataFrame, events: pd.DataFrame) -> dict[str, np.ndarray]:
    """Each ticket before its first event, a column per field (the tickets' order): fixed
    fields from ``tickets``; a mutable field is the ``previous`` of its first change, or the
    ticket's value when the log never changes it."""
    keys = pd.MultiIndex.from_frame(tickets[["source", "ticket_id"]])
    state: dict[str, np.ndarray] = {}
    for name in (*_FIXED, *MUTABLE):
        column = tickets[name] if name in tickets else pd.Series(None, index=tickets.index)
        state[name] = column.astype(object).to_numpy(copy=True)
    for kind, name in FIELD_OF_KIND.items():
        changes = events[events["kind"] == kind]
        if changes.empty:
            continue
        first = changes.groupby(["source", "ticket_id"], sort=False)["previous"].first()
        at = keys.get_indexer(first.index)
        state[name][at[at >= 0]] = first.to_numpy(dtype=object)[at >= 0]
    state["tags"] = np.array([tag_text(v) for v in state["tags"]], dtype=object)
    status = state["status"]
    status[pd.isna(status)] = "new"
    return state


def tag_text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, str):
        return value
    return ";".join(str(v) for v in value)  # type: ignore[attr-defined]


def replay_history(
    ruleset: RuleSet,
    tickets: pd.DataFrame,
    events: pd.DataFrame,
    context: Context | None = None,
    replace_automation: bool = False,
    known: Known | None = None,
    until: pd.Timestamp | None = None,
) -> Replayed:
    """Replay ``ruleset`` over ``events`` (the log's columns) of ``tickets`` (see the module).

    With ``replace_automation`` the log's automatic changes of the fields the set writes are
    not applied but compared with (:attr:`Replayed.observed`); else every event applies.
    ``known`` (:func:`supportops.rules.context.known_of`, on the same ``tickets``) fills the
    context fields the rules read; without it only ``hours_since.created`` is filled.
    ``until``: the end of the history, up to which the time-based rules are checked on each
    ticket not closed (:mod:`supportops.rules.ticks`); without it they are not checked."""
    writes = set().union(*(r.writes() for r in ruleset.rules)) if ruleset.rules else set()
    reads = (
        set().union(*(fields_of(r.condition) for r in ruleset.rules)) if ruleset.rules else set()
    )
    custom = {"custom"} if any(n.startswith("custom.") for n in writes) else set()
    tickets = tickets.reset_index(drop=True)
    period = period_of(ruleset)
    if period is not None and until is not None:
        ticks = ticks_of(tickets, events, period, until)
        events = pd.concat([events, ticks[[c for c in ticks if c in events]]], ignore_index=True)
    keys = pd.MultiIndex.from_frame(tickets[["source", "ticket_id"]])
    code = keys.get_indexer(pd.MultiIndex.from_frame(events[["source", "ticket_id"]]))
    events = events.assign(code=code)[code >= 0]
    # by ticket, then instant; events at one instant keep the order given (by event_id from
    # the store), which a stable sort of numbers keeps without sorting texts
    nanos = _nanos(events["at"])
    # the creation first at its instant, a tick after the events of its instant
    later = (events["kind"] != "created").to_numpy().astype(np.int8)
    later[(events["kind"] == TICK).to_numpy()] = 2
    order = np.lexsort((later, nanos, events["code"].to_numpy()))
    events, nanos = events.iloc[order].reset_index(drop=True), nanos[order]
    field = events["kind"].map(FIELD_OF_KIND)
    automatic = events["actor"].isin(AUTOMATION) & field.isin(writes) & replace_automation
    observed = events[automatic].assign(field=field[automatic])
    applied = events[~automatic]
    at_ns = nanos[~automatic.to_numpy()]
    wave_of = applied.groupby("code", sort=False).cumcount().to_numpy()
    order = np.argsort(wave_of, kind="stable")  # each wave's rows side by side
    applied, wave_of, at_ns = applied.iloc[order], wave_of[order], at_ns[order]
    bounds = np.searchsorted(wave_of, np.arange(int(wave_of.max()) + 2 if len(wave_of) else 1))
    carried = _initial(tickets, events)
    created = _nanos(tickets["created_at"])
    found: list[pd.DataFrame] = []
    snapshots: list[pd.DataFrame] = []
    for k in range(len(bounds) - 1):
        here = slice(bounds[k], bounds[k + 1])
        wave = applied.iloc[here]
        codes = wave["code"].to_numpy()
        frame = _wave_frame(carried, codes, wave, created, at_ns[here], reads | custom, known)
        outcome = run(ruleset, frame, context, copy=False)
        for name in carried.keys() & (set(MUTABLE) | writes | custom):
            if name in outcome.state:  # the rest are as carried
                carried[name][codes] = outcome.state[name].to_numpy(dtype=object)
        if len(outcome.actions):
            rows = outcome.actions["row"].to_numpy()
            acts = outcome.actions.drop(columns="row").assign(
                ticket_id=frame["ticket_id"].to_numpy()[rows],
                source=frame["source"].to_numpy()[rows],
                at=frame["at"].iloc[rows].to_numpy(),
            )
            found.append(acts)
        if replace_automation:
            snap = {n: carried[n][codes] for n in ("source", "ticket_id", *MUTABLE)}
            snapshots.append(pd.DataFrame({**snap, "at": frame["at"]}))
    actions = pd.concat(found, ignore_index=True) if found else pd.DataFrame()
    final = pd.DataFrame(carried).assign(created_at=_utc(created))
    return Replayed(actions, final, _compare(observed, snapshots))


def _nanos(values: pd.Series) -> np.ndarray:
    """Instants as nanoseconds since the epoch (UTC)."""
    index = pd.DatetimeIndex(pd.to_datetime(values, utc=True))
    return np.asarray(index.tz_convert(None).as_unit("ns").asi8)


def _utc(nanos: np.ndarray) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(nanos.astype("datetime64[ns]")).tz_localize("UTC")


def _wave_frame(
    carried: dict[str, np.ndarray],
    codes: np.ndarray,
    wave: pd.DataFrame,
    created: np.ndarray,
    at: np.ndarray,
    reads: set[str],
    known: Known | None = None,
) -> pd.DataFrame:
    """The wave's rows: the carried fields with the event applied, and the event's fields,
    those of them no rule ``reads`` left out (``update``, ``event.kind``, ``event.actor`` and
    ``changed`` always there, for the triggers and the actions)."""
    custom = any(n.startswith("custom.") for n in reads) or "custom" in reads
    columns: dict[str, object] = {
        name: values[codes]
        for name, values in carried.items()
        if name in (*MUTABLE, "ticket_id", "source")
        or name in reads
        or (custom and name == "custom")
    }
    kind = wave["kind"].to_numpy()
    value = wave["value"].to_numpy(dtype=object)
    columns["at"] = _utc(at)
    if "created_at" in reads:
        columns["created_at"] = _utc(created[codes])
    columns["update"] = np.select(
        [kind == "created", kind == TICK], ["create", "tick"], default="update"
    ).astype(object)
    columns["event.kind"] = kind
    columns["event.actor"] = wave["actor"].to_numpy(dtype=object)
    if "public" in wave and "event.public" in reads:
        private = wave["public"].to_numpy(dtype=object) == False  # noqa: E712 - empty is public
        columns["event.public"] = np.where(private, "false", "true")
    if "message" in reads:
        body = (
            wave["body"].to_numpy(dtype=object)
            if "body" in wave
            else np.full(len(wave), None, dtype=object)
        )
        columns["message"] = only_where(kind == "message", body)
    changed = np.full(len(wave), "", dtype=object)
    for event_kind, name in FIELD_OF_KIND.items():
        before = columns[name]
        if f"previous.{name}" in reads:
            columns[f"previous.{name}"] = before
        here = np.flatnonzero(kind == event_kind)
        if len(here):
            after = before.copy()  # type: ignore[attr-defined]
            after[here] = value[here]
            moved = before[here].astype(str) != value[here].astype(str)  # type: ignore[index]
            columns[name] = after
            changed[here[moved]] = name
    columns["changed"] = changed
    if known is not None:
        known.fill(columns, codes, at)
    elif "hours_since.created" in reads:
        columns["hours_since.created"] = (at - created[codes]) / 3.6e12
    return pd.DataFrame(columns)


def only_where(here: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``values`` where ``here``, else empty."""
    out = np.full(len(values), None, dtype=object)
    out[here] = values[here]
    return out


def _compare(observed: pd.DataFrame, snapshots: list[pd.DataFrame]) -> pd.DataFrame:
    """Each observed automatic change with the replay's value of its field after the last
    replayed event at or before it."""
    if observed.empty or not snapshots:
        return observed.assign(replayed=pd.Series(dtype=object))
    states = pd.concat(snapshots, ignore_index=True)
    states["at"] = _instants(states["at"])
    states = states.sort_values("at", kind="stable")
    obs = observed.assign(at=_instants(observed["at"])).sort_values("at", kind="stable")
    renamed = states.rename(columns={c: f"{c}_r" for c in MUTABLE if c in states})
    joined = pd.merge_asof(obs, renamed, on="at", by=["source", "ticket_id"])
    picked = pd.Series(None, index=joined.index, dtype=object)
    for name in joined["field"].unique():
        here = joined["field"] == name
        picked[here] = joined.loc[here, f"{name}_r"].astype(object)
    return joined[list(observed.columns)].assign(replayed=picked.to_numpy())


def _instants(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, utc=True).astype("datetime64[ns, UTC]")
