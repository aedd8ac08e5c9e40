"""What a rule condition reads beyond the ticket and its event, at the event's instant.

The fields (:mod:`supportops.rules.fields`) and where each comes from:

- ``business_hours``: the workspace calendars open at the instant
  (:meth:`supportops.calendar.BusinessCalendar.is_open`), as tags;
- ``sla.<target>.due_in``, ``sla.breached``: from the ticket's SLA instances
  (:func:`supportops.sla.evaluate` over the ticket's logged events): the target's latest
  instance started at or before the instant; ``due_in`` is its due instant minus the instant,
  in seconds, until it stops (then empty), and the target is breached when that instance's
  ``breached_at`` is at or before the instant. The due instant is exact for the targets whose
  clock never pauses (``first_reply``, ``next_reply``, ``periodic_update``); for a pausing one
  it is the instance's as of its stop or the end of the history (pauses after the instant are
  counted already), and a paused instance has none;
- ``hours_since.<state>``: hours since the ticket last entered ``new``, ``open``, ``pending`` or
  ``solved``, or was ``created``, ``updated`` (any logged event) or ``assigned`` (an assignee
  change), at or before the instant, from its logged events (empty: never);
- ``triage.<target>``, ``triage.confidence``: the saved model's prediction
  (:func:`supportops.triage.prediction.rule_fields`) on the ticket's text as it stood at the
  instant: its subject, and its first public customer message once that was sent; the
  confidence is that of the first target the set names (alone: of the one saved model);
- ``experiment.<name>``: the ticket's arm (:func:`supportops.experiments.assignment.assigned`:
  the hash of its unit id), for the tickets created in the experiment's window.

:class:`Needs` names the fields a rule set reads, and only those are computed: a set that
reads none costs nothing here. :func:`known_of` gathers, once per history, what the fields
are read from (:class:`Known`: one row per ticket); :meth:`Known.fill` computes the columns of
a frame's rows, given each row's ticket and instant, with array operations only. The replay
(:mod:`supportops.rules.history`) and live evaluation (:mod:`supportops.rules.live`) both use
it, from the same logged history, so they agree. SLA state, status history and arms are the
log's: what replayed rules write does not move them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from supportops.config import TARGETS, WorkspaceConfig

if TYPE_CHECKING:
    from supportops.calendar import BusinessCalendar
    from supportops.triage.saved import SavedModel

__all__ = ["STATES", "Known", "Needs", "known_of", "missing_of", "saved_models"]

STATES = ("new", "open", "pending", "solved", "created", "updated", "assigned")
Ints = npt.NDArray[np.int64]
_NAT = np.iinfo(np.int64).min


@dataclass(frozen=True)
class Needs:
    """The context fields a rule set reads, by kind."""

    business_hours: bool = False
    due: tuple[str, ...] = ()
    breached: bool = False
    since: tuple[str, ...] = ()
    triage: tuple[str, ...] = ()
    confidence: bool = False
    experiments: tuple[str, ...] = ()

    @classmethod
    def of(cls, reads: Iterable[str]) -> Needs:
        """What the field names ``reads`` need (other names are not context)."""
        names = set(reads)

        def tails(prefix: str, suffix: str = "") -> tuple[str, ...]:
            found = (n.removeprefix(prefix) for n in names if n.startswith(prefix))
            return tuple(sorted(t.removesuffix(suffix) for t in found if t.endswith(suffix)))

        return cls(
            business_hours="business_hours" in names,
            due=tails("sla.", ".due_in"),
            breached="sla.breached" in names,
            since=tails("hours_since."),
            triage=tuple(t for t in tails("triage.") if t != "confidence"),
            confidence="triage.confidence" in names,
            experiments=tails("experiment."),
        )

    @property
    def names(self) -> set[str]:
        """The field names these needs cover: what :meth:`of` read back, context only."""
        out = {f"sla.{t}.due_in" for t in self.due} | {f"hours_since.{s}" for s in self.since}
        out |= {f"triage.{t}" for t in self.triage} | {f"experiment.{e}" for e in self.experiments}
        flags = (
            (self.business_hours, "business_hours"),
            (self.breached, "sla.breached"),
            (self.confidence, "triage.confidence"),
        )
        return out | {name for on, name in flags if on}

    @property
    def sla(self) -> bool:
        return bool(self.due) or self.breached

    @property
    def texts(self) -> bool:
        """Whether the message texts are needed (the triage model reads them)."""
        return bool(self.triage) or self.confidence

    def __bool__(self) -> bool:
        return self != Needs()


def saved_models(folder: Any, needs: Needs) -> dict[str, SavedModel]:
    """The workspace's saved triage models the set needs, by target (``triage.confidence``
    alone: the one saved model, when there is exactly one)."""
    if not needs.texts:
        return {}
    from supportops.triage.saved import list_cards, load

    cards = list_cards(folder)
    by_target = {str(c["target"]): str(c["name"]) for c in cards if "target" in c}
    wanted = list(needs.triage) or (list(by_target) if len(by_target) == 1 else [])
    return {t: load(folder, by_target[t]) for t in wanted if t in by_target}


def missing_of(needs: Needs, config: WorkspaceConfig, models: Mapping[str, Any]) -> list[str]:
    """The fields the workspace cannot fill (each left empty), with the reason."""
    out = []
    targets = {name for p in config.sla_policies for name, _ in p.targets.items()}
    for target in needs.due:
        if target not in targets:
            out.append(f"sla.{target}.due_in: no SLA policy sets a {target} target")
    for target in needs.triage:
        if target not in models:
            out.append(f"triage.{target}: no triage model is saved for {target}")
    if needs.confidence and not models:
        out.append(
            "triage.confidence: no triage model is saved, or several are and no rule names "
            "the triage.<target> it is the confidence of"
        )
    names = {e.name for e in config.experiments}
    out += [f"experiment.{n}: no experiment {n!r}" for n in needs.experiments if n not in names]
    if needs.business_hours and not config.calendars:
        out.append("business_hours: the workspace has no calendars")
    return out


class _Runs:
    """Instants per ticket, sorted by (ticket, instant): the latest at or before a row's
    instant found for every row at once (one ``searchsorted`` on a combined key)."""

    def __init__(self, codes: Ints, at: Ints) -> None:
        kept = np.flatnonzero(at != _NAT)
        order = np.lexsort((at[kept], codes[kept]))
        self.index = kept[order]  # each sorted entry's place in the arrays given
        self.codes, self.at = codes[self.index], at[self.index]
        self.instants = np.unique(self.at)
        self.width = len(self.instants) + 1
        self.keys = self.codes * self.width + np.searchsorted(self.instants, self.at)

    def latest(self, codes: Ints, at: Ints) -> Ints:
        """Per row: the position (in the sorted runs) of the ticket's latest instant at or
        before the row's, or -1."""
        if not len(self.at):
            return np.full(len(codes), -1, dtype=np.int64)
        rank = np.searchsorted(self.instants, at, side="right") - 1  # -1: before them all
        found = np.searchsorted(self.keys, codes * self.width + rank, side="right") - 1
        safe = np.clip(found, 0, None)
        hit = (found >= 0) & (self.codes[safe] == codes) & (self.at[safe] <= at)
        return np.where(hit, found, -1)

    def since(self, codes: Ints, at: Ints) -> npt.NDArray[np.float64]:
        """Hours from the latest instant at or before each row's, NaN when there is none."""
        found = self.latest(codes, at)
        hours = (at - self.at[np.clip(found, 0, None)]) / 3.6e12
        return np.where(found >= 0, hours, np.nan)


def _nanos(values: Any) -> Ints:
    """Instants as nanoseconds since the epoch (UTC); missing ones :data:`_NAT`."""
    index = pd.DatetimeIndex(pd.to_datetime(pd.Series(values), utc=True))
    return np.asarray(index.tz_convert(None).as_unit("ns").asi8, dtype=np.int64)


@dataclass
class _Target:
    """One SLA target's instances: their starts as runs, and stop, due and breach instants."""

    runs: _Runs
    stopped: Ints
    due: Ints
    breached: Ints


@dataclass
class _Text:
    """A triage target's prediction per ticket: on the subject alone, and on the subject with
    the first public customer message (from the instant it was sent)."""

    first: Ints
    before: tuple[np.ndarray, np.ndarray]
    after: tuple[np.ndarray, np.ndarray]


@dataclass
class Known:
    """What the context fields of one history are read from, one row per ticket (the order of
    the tickets :func:`known_of` was given), and the fields it cannot fill."""

    needs: Needs
    calendars: Mapping[str, BusinessCalendar] = field(default_factory=dict)
    targets: dict[str, _Target] = field(default_factory=dict)
    since: dict[str, _Runs] = field(default_factory=dict)
    texts: dict[str, _Text] = field(default_factory=dict)
    confidence: str | None = None
    arms: dict[str, np.ndarray] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)

    def fill(self, columns: dict[str, Any], codes: Ints, at: Ints) -> None:
        """Add to ``columns`` the needed fields of the rows whose tickets are ``codes`` (rows of
        the tickets) and instants ``at`` (nanoseconds since the epoch, UTC)."""
        codes = np.asarray(codes, dtype=np.int64)
        needs = self.needs
        if needs.business_hours:
            columns["business_hours"] = self._open(at)
        for target in needs.due:
            columns[f"sla.{target}.due_in"] = self._due_in(target, codes, at)
        if needs.breached:
            columns["sla.breached"] = self._breached(codes, at)
        for state in needs.since:
            runs = self.since.get(state)
            hours = runs.since(codes, at) if runs else np.full(len(codes), np.nan)
            columns[f"hours_since.{state}"] = hours
        for target in needs.triage:
            columns[f"triage.{target}"] = self._predicted(target, codes, at, 0)
        if needs.confidence:
            columns["triage.confidence"] = (
                self._predicted(self.confidence, codes, at, 1)
                if self.confidence
                else np.full(len(codes), np.nan)
            )
        for name in needs.experiments:
            arms = self.arms.get(name)
            columns[f"experiment.{name}"] = (
                arms[codes] if arms is not None else np.full(len(codes), None, dtype=object)
            )

    def _open(self, at: Ints) -> np.ndarray:
        out = np.full(len(at), "", dtype=object)
        stamps = at.astype("datetime64[ns]")
        for name in sorted(self.calendars):
            here = self.calendars[name].is_open(stamps)
            out[here] = np.where(out[here] == "", name, out[here] + ";" + name)
        return out

    def _state(self, target: str, codes: Ints, at: Ints) -> tuple[Ints, _Target | None]:
        found = self.targets.get(target)
        if found is None:
            return np.full(len(codes), -1, dtype=np.int64), None
        return found.runs.latest(codes, at), found

    def _due_in(self, target: str, codes: Ints, at: Ints) -> npt.NDArray[np.float64]:
        row, found = self._state(target, codes, at)
        if found is None:
            return np.full(len(codes), np.nan)
        safe = np.clip(row, 0, None)
        due, stopped = found.due[safe], found.stopped[safe]
        running = (row >= 0) & (due != _NAT) & ((stopped == _NAT) | (stopped > at))
        return np.where(running, (due - at) / 1e9, np.nan)

    def _breached(self, codes: Ints, at: Ints) -> np.ndarray:
        out = np.full(len(codes), "", dtype=object)
        for target in TARGETS:
            found = self.targets.get(target)
            if found is None or not (found.breached != _NAT).any():
                continue  # no instance of it ever breached
            row, _ = self._state(target, codes, at)
            when = found.breached[np.clip(row, 0, None)]
            here = (row >= 0) & (when != _NAT) & (when <= at)
            out[here] = np.where(out[here] == "", target, out[here] + ";" + target)
        return out

    def _predicted(self, target: str | None, codes: Ints, at: Ints, part: int) -> np.ndarray:
        text = self.texts.get(target or "")
        if text is None:
            return np.full(len(codes), None if part == 0 else np.nan, dtype=object)
        sent = (text.first[codes] != _NAT) & (text.first[codes] <= at)
        values = np.where(sent, text.after[part][codes], text.before[part][codes])
        return values.astype(float) if part == 1 else values


def known_of(
    needs: Needs,
    config: WorkspaceConfig,
    tickets: pd.DataFrame,
    events: pd.DataFrame,
    as_of: datetime | pd.Timestamp,
    models: Mapping[str, SavedModel] | None = None,
) -> Known:
    """What the ``needs`` of a rule set are read from, for ``tickets`` (rows in that order,
    with the ticket columns of the log) and all their logged ``events`` (message bodies when
    triage is needed), the SLA evaluated ``as_of`` (the end of the history)."""
    models = dict(models or {})
    known = Known(needs, missing=missing_of(needs, config, models))
    if not needs:
        return known
    tickets = tickets.reset_index(drop=True)
    keys = pd.MultiIndex.from_frame(tickets[["source", "ticket_id"]].astype(str))
    codes = keys.get_indexer(pd.MultiIndex.from_frame(events[["source", "ticket_id"]].astype(str)))
    events = events.assign(code=codes)[codes >= 0]
    if needs.business_hours:
        known.calendars = _calendars(config)
    if needs.sla:
        known.targets = _targets(config, tickets, events, as_of, needs)
    if needs.since:
        known.since = _since(needs.since, tickets, events)
    if needs.texts:
        known.texts = {t: _texts(m, tickets, events) for t, m in models.items()}
        known.confidence = (needs.triage or tuple(models) or (None,))[0]
    if needs.experiments:
        known.arms = _arms(needs.experiments, config, tickets)
    return known


def _calendars(config: WorkspaceConfig) -> dict[str, BusinessCalendar]:
    from supportops.calendar import BusinessCalendar

    return {name: BusinessCalendar(c, name) for name, c in config.calendars.items()}


def _targets(
    config: WorkspaceConfig, tickets: pd.DataFrame, events: pd.DataFrame, as_of: Any, needs: Needs
) -> dict[str, _Target]:
    """The instances of the targets ``needs`` reads (all of them for ``sla.breached``); due
    instants only for the ``due_in`` ones."""
    from supportops.sla import evaluate

    instances = evaluate(tickets, events.drop(columns="code"), config, pd.Timestamp(as_of))
    names = instances["target"].astype(str).to_numpy()
    out = {}
    for target in TARGETS if needs.breached else needs.due:
        these = instances[names == target]
        if these.empty:
            continue
        runs = _Runs(these["ticket_row"].to_numpy(np.int64), _nanos(these["started_at"]))
        due = (
            _due(config, these)
            if target in needs.due
            else np.full(len(these), _NAT, dtype=np.int64)
        )
        out[target] = _Target(
            runs,
            _nanos(these["stopped_at"])[runs.index],
            due[runs.index],
            _nanos(these["breached_at"])[runs.index],
        )
    return out


def _due(config: WorkspaceConfig, instances: pd.DataFrame) -> Ints:
    """Each instance's due instant: ``breached_at`` for a breached one (the moment the target
    was used up), ``due_at`` while it runs; for one that stopped in time, the time it had left
    at its stop counted on from there on its calendar (exact for a clock that never pauses;
    for a pausing one, the due instant as of its stop); paused ones have none."""
    from supportops.sla.engine import calendar_of
    from supportops.sla.policy import calendar_name

    due = _nanos(instances["due_at"])
    stopped = instances["stopped_at"].notna().to_numpy()
    policies = {p.name: p for p in config.sla_policies}
    calendars: dict[str, BusinessCalendar] = {}
    policy = instances["policy"].astype(str).to_numpy()
    target = instances["target"].astype(str).to_numpy()
    left = (instances["target_seconds"] - instances["elapsed_seconds"]).to_numpy(float)
    for name, which in {(p, t) for p, t in zip(policy[stopped], target[stopped], strict=True)}:
        here = stopped & (policy == name) & (target == which)
        named = calendar_name(config, policies[name], which)
        if named not in calendars:  # one calendar (and its open hours) per name
            calendars[named] = calendar_of(config, named)
        calendar = calendars[named]
        reached = calendar.add_business_seconds(instances["stopped_at"][here], left[here])
        due[here] = _nanos(reached)
    breached = _nanos(instances["breached_at"])
    return np.where(breached != _NAT, breached, due)


def _since(states: Iterable[str], tickets: pd.DataFrame, events: pd.DataFrame) -> dict[str, _Runs]:
    """Per state, when each ticket entered it: ``created`` at creation, ``updated`` at every
    event, ``assigned`` at each assignee change, a status at each change to it (and the status
    it was created in, at creation: the first change's previous one, else ``new``)."""
    n = len(tickets)
    created = _nanos(tickets["created_at"])
    rows = np.arange(n, dtype=np.int64)
    code = events["code"].to_numpy(np.int64)
    at = _nanos(events["at"])
    kind = events["kind"].to_numpy(dtype=object)
    status = kind == "status"
    first = events[status].drop_duplicates("code")
    initial = np.full(n, "new", dtype=object)
    before = first["previous"].to_numpy(dtype=object)
    known = pd.notna(before)
    initial[first["code"].to_numpy(np.int64)[known]] = before[known]
    value = events["value"].to_numpy(dtype=object)
    out = {}
    for state in states:
        if state == "created":
            out[state] = _Runs(rows, created)
        elif state == "updated":
            out[state] = _Runs(code, at)
        elif state == "assigned":
            out[state] = _Runs(code[kind == "assignee"], at[kind == "assignee"])
        elif state in STATES:
            entered = status & (value == state)
            born = initial == state
            out[state] = _Runs(
                np.concatenate([code[entered], rows[born]]),
                np.concatenate([at[entered], created[born]]),
            )
    return out


def _texts(model: SavedModel, tickets: pd.DataFrame, events: pd.DataFrame) -> _Text:
    from supportops.triage.prediction import rule_fields
    from supportops.triage.texts import ticket_text

    public = events["public"].astype(object) != False  # noqa: E712 - empty counts as public
    spoke = events[(events["kind"] == "message") & (events["actor"] == "customer") & public]
    spoke = spoke.iloc[np.argsort(_nanos(spoke["at"]), kind="stable")].drop_duplicates("code")
    n = len(tickets)
    first = np.full(n, _NAT, dtype=np.int64)
    body = pd.Series(None, index=range(n), dtype=object)
    first[spoke["code"].to_numpy(np.int64)] = _nanos(spoke["at"])
    body.iloc[spoke["code"].to_numpy(np.int64)] = spoke["body"].to_numpy(dtype=object)
    subject = tickets["subject"].astype(object)
    alone = ticket_text(subject, pd.Series(None, index=subject.index, dtype=object))
    joined = ticket_text(subject, body)
    texts, back = np.unique(
        np.concatenate([alone.to_numpy(str), joined.to_numpy(str)]), return_inverse=True
    )
    found = rule_fields(model, list(texts))
    label = found.iloc[:, 0].to_numpy(dtype=object)[back]
    score = found["triage.confidence"].to_numpy(float)[back]
    return _Text(first, (label[:n], score[:n]), (label[n:], score[n:]))


def _arms(
    names: Iterable[str], config: WorkspaceConfig, tickets: pd.DataFrame
) -> dict[str, np.ndarray]:
    from supportops.experiments.assignment import assigned
    from supportops.instants import local_midnight

    created = pd.to_datetime(tickets["created_at"], utc=True)
    out = {}
    for experiment in config.experiments:
        if experiment.name not in names:
            continue
        low = local_midnight(experiment.start, config.report_timezone)
        high = local_midnight(experiment.end + timedelta(days=1), config.report_timezone)
        inside = ((created >= low) & (created < high)).to_numpy()
        arms = np.full(len(tickets), None, dtype=object)
        if inside.any():
            frame = assigned(tickets[inside], experiment, low)
            arms[inside] = frame["arm"].to_numpy(dtype=object)
        out[experiment.name] = arms
    return out
