"""Live: the workspace's rule set run on every event the sync or a webhook applied.

The sync and webhook paths call :func:`evaluate_applied` with the events they just stored (the
``events`` table's columns). Each event is evaluated on its ticket as the store now holds it
(the latest state; several events of one ticket in a batch each see that state), with the
event's own fields (``update``, ``event.kind``, ``event.actor``, ``changed``, ``message``) and
the context fields the rules read, from the tickets' stored history at the event's instant
(:mod:`supportops.rules.context`, as the replay fills them).
Every action goes into the action ledger (:mod:`supportops.rules.ledger`), once: an action
already recorded for the same rule, ticket, instant and value is not recorded or written again.

``mode: dry_run`` (the default) records ``result = dry_run``. ``mode: live`` records each new
action ``pending``, then hands it to a :class:`WriteBack` (the ticket's helpdesk:
:class:`~supportops.rules.writeback.Helpdesks`) and writes its result over ``pending``
(:func:`settle`); from a sync the requests go after the page has committed, so a crash between
the two leaves a ``pending`` row that the next evaluation checks (decision D90). A rule set
with a lint error cannot run live (:func:`check_live`).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Protocol

import numpy as np
import pandas as pd

from supportops.conditions.model import fields_of
from supportops.errors import RuleError
from supportops.rules.context import Needs
from supportops.rules.engine import run
from supportops.rules.files import workspace_rules
from supportops.rules.history import FIELD_OF_KIND, only_where, tag_text
from supportops.rules.ledger import pending, record, resolve
from supportops.rules.lint import References, lint
from supportops.rules.model import RuleSet
from supportops.rules.ticks import TICK, due_ticks, period_of

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from supportops.connectors.runner import Network
    from supportops.store.base import Store
    from supportops.workspace import Workspace

__all__ = [
    "WriteBack",
    "check_live",
    "evaluate_applied",
    "on_events_of",
    "references_of",
    "run_timed",
    "settle",
]

PENDING = "pending"


class WriteBack(Protocol):
    """Writes ledger rows' actions back to their helpdesks."""

    def write(self, actions: pd.DataFrame) -> list[str]:
        """Each action's result, in order: ``written``, ``unchanged``, ``skipped: ...``,
        ``failed: ...``, or ``pending`` (not known yet: tried again later)."""
        ...

    def confirm(self, actions: pd.DataFrame) -> list[str | None]:
        """For actions an earlier run left ``pending``: each one's result as its ticket tells
        it, or None when it must be sent again."""
        ...


def references_of(ws: Workspace) -> References:
    """What the workspace knows: groups (config and log), agents, tags, calendars,
    experiments, the SLA targets its policies set, the targets of its saved triage models."""
    from supportops.triage.saved import list_cards

    groups = set(ws.config.groups) | _distinct(ws, 'SELECT DISTINCT "group" FROM tickets')
    agents = _distinct(ws, "SELECT agent_id FROM agents") | _distinct(
        ws, "SELECT DISTINCT assignee_id FROM tickets"
    )
    tags = _distinct(ws, "SELECT DISTINCT tag FROM (SELECT unnest(tags) AS tag FROM tickets) t")
    return References(
        groups=frozenset(groups),
        agents=frozenset(agents),
        tags=frozenset(tags),
        calendars=frozenset(ws.config.calendars),
        experiments=frozenset(e.name for e in ws.config.experiments),
        targets=frozenset(n for p in ws.config.sla_policies for n, _ in p.targets.items()),
        triage=_triage_targets([str(c["target"]) for c in list_cards(ws.path) if "target" in c]),
    )


def _triage_targets(saved: list[str]) -> frozenset[str]:
    """The targets ``triage.<target>`` may name; ``confidence`` alone when one model is
    saved (else a rule names the ``triage.<target>`` it is the confidence of)."""
    return frozenset(saved) | ({"confidence"} if len(saved) == 1 else set())


def _distinct(ws: Workspace, sql: str) -> set[str]:
    column = ws.store.arrow(sql).column(0).to_pylist()
    return {str(v) for v in column if v is not None}


def check_live(ruleset: RuleSet, refs: References | None = None) -> None:
    """A :class:`RuleError` when lint finds an error: such a set cannot run live."""
    errors = [f for f in lint(ruleset, refs) if f.severity == "error"]
    if errors:
        listed = "; ".join(f"{f.kind} ({', '.join(f.rules)})" for f in errors[:5])
        raise RuleError(
            f"the rule set cannot run live: lint finds {len(errors)} error(s): {listed} "
            "(see `supportops rules lint`)",
            key="rules.mode",
        )


def _frame(ws: Workspace, events: pd.DataFrame, reads: set[str] | None = None) -> pd.DataFrame:
    keys = events[["source", "ticket_id"]].drop_duplicates()
    marks = " OR ".join("(source = ? AND ticket_id = ?)" for _ in range(len(keys)))
    params = [v for pair in keys.itertuples(index=False) for v in pair]
    tickets = (
        ws.store.query(f"SELECT * FROM tickets WHERE {marks}", params)
        if len(keys)
        else pd.DataFrame()
    )
    frame = _event_frame(events, tickets)
    needs = Needs.of(reads or set())
    if needs and len(frame):
        _fill_context(ws, frame, tickets, reads or set(), (marks, params))
    return frame


def _fill_context(
    ws: Workspace,
    frame: pd.DataFrame,
    tickets: pd.DataFrame,
    reads: set[str],
    where: tuple[str, list[object]],
) -> None:
    """The context fields the rules read (:mod:`supportops.rules.context`), from the stored
    history of the frame's tickets, at each event's instant."""
    from supportops.rules.replay import known_in

    marks, params = where
    body = '"body"' if Needs.of(reads).texts else "CAST(NULL AS VARCHAR) AS body"
    logged = ws.store.query(
        'SELECT source, ticket_id, "at", kind, actor, "public", "value", "previous", '
        f"event_id, {body} FROM events WHERE {marks} "
        'ORDER BY source, ticket_id, "at", event_id',
        params,
    )
    known = known_in(ws, reads, tickets, logged, ws.clock.now())
    keys = pd.MultiIndex.from_frame(tickets[["source", "ticket_id"]].astype(str))
    codes = keys.get_indexer(pd.MultiIndex.from_frame(frame[["source", "ticket_id"]].astype(str)))
    at = pd.DatetimeIndex(pd.to_datetime(frame["at"], utc=True)).tz_convert(None)
    columns: dict[str, np.ndarray] = {}
    known.fill(columns, codes, np.asarray(at.as_unit("ns").asi8))
    for name, values in columns.items():
        frame[name] = values


def _event_frame(events: pd.DataFrame, tickets: pd.DataFrame) -> pd.DataFrame:
    frame = events.merge(tickets, on=["source", "ticket_id"], how="inner", suffixes=("_event", ""))
    kind = frame["kind"].to_numpy()
    frame["at"] = frame["at_event"] if "at_event" in frame else frame["at"]
    frame["update"] = np.select(
        [kind == "created", kind == TICK], ["create", "tick"], default="update"
    ).astype(object)
    frame["event.kind"] = kind
    frame["event.actor"] = frame["actor"].astype(object).to_numpy()
    body = frame["body"] if "body" in frame else pd.Series(None, index=frame.index)
    frame["message"] = only_where(kind == "message", body.to_numpy(dtype=object))
    frame["changed"] = frame["kind"].map(FIELD_OF_KIND).fillna("")
    if "tags" in frame:
        frame["tags"] = frame["tags"].map(tag_text)
    return frame.drop(columns=[c for c in frame.columns if c.endswith("_event")])


def evaluate_applied(
    ws: Workspace, events: pd.DataFrame, write_back: WriteBack | None = None
) -> pd.DataFrame:
    """Run the workspace's rules on the ``events`` just applied and record every new action
    in the ledger (see the module); live, with ``write_back``, send them now (:func:`settle`).
    Returns the rows recorded, with their results."""
    rows = _recorded(ws, events, live=write_back is not None)
    if write_back is None or ws.config.rules.mode != "live":
        return rows
    return settle(ws.store, rows, write_back, sorted(set(events["source"].astype(str))))


def _recorded(
    ws: Workspace,
    events: pd.DataFrame,
    live: bool,
    frame_of: Callable[[Workspace, pd.DataFrame, set[str]], pd.DataFrame] | None = None,
) -> pd.DataFrame:
    ruleset = workspace_rules(ws.config, ws.path)
    if not ruleset.rules or events.empty:
        return pd.DataFrame()
    mode = ws.config.rules.mode
    if mode == "live":
        check_live(ruleset, references_of(ws))
    reads = set().union(*(fields_of(r.condition) for r in ruleset.rules))
    frame = (frame_of or _frame)(ws, events, reads)
    if frame.empty:
        return pd.DataFrame()
    from supportops.rules.replay import context_of

    outcome = run(ruleset, frame, context_of(ws))
    acts = outcome.actions
    if acts.empty:
        return pd.DataFrame()
    rows = frame.iloc[acts["row"].to_numpy()]
    found = pd.DataFrame(
        {
            "rule": acts["rule"].to_numpy(),
            "source": rows["source"].to_numpy(),
            "ticket_id": rows["ticket_id"].to_numpy(),
            "action": acts["kind"].to_numpy(),
            "field": acts["field"].to_numpy(),
            "before": [None if pd.isna(v) else str(v) for v in acts["before"]],
            "after": [None if pd.isna(v) else str(v) for v in acts["after"]],
            "at": pd.to_datetime(rows["at"], utc=True).to_numpy(),
            "context": _contexts(ruleset, acts["rule"].to_numpy(), rows),
        }
    )
    from supportops.rules.ledger import action_ids, known_ids

    new = found[~action_ids(found).isin(known_ids(ws.store, action_ids(found).tolist()))]
    if mode == "dry_run":
        result = "dry_run"
    else:
        result = PENDING if live else "skipped: no write-back for the source"
    return record(ws.store, new.assign(result=result), mode, ws.clock.now())


def _plain(value: object) -> object:
    if isinstance(value, np.ndarray | list | tuple):
        return [_plain(v) for v in value]
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def _contexts(ruleset: RuleSet, rules: np.ndarray, rows: pd.DataFrame) -> list[str | None]:
    """Per action (its rule, its row of the frame): the context fields the rule's condition
    read, with their values, as JSON; with a triage field, the prediction's confidence too, so
    every prediction a rule acted on is in the ledger with how sure it was."""
    read: dict[str, list[str]] = {}
    for rule in ruleset.rules:
        names = Needs.of(fields_of(rule.condition)).names
        if any(n.startswith("triage.") for n in names) and "triage.confidence" in rows:
            names.add("triage.confidence")
        read[rule.name] = sorted(n for n in names if n in rows)
    columns = {n: rows[n].to_numpy(dtype=object) for names in read.values() for n in names}
    out: list[str | None] = []
    for i, rule in enumerate(rules):
        values = {n: _plain(columns[n][i]) for n in read.get(str(rule), [])}
        out.append(json.dumps(values, sort_keys=True, default=str) if values else None)
    return out


OPEN = "status IS DISTINCT FROM 'closed'"  # the tickets a time-based rule is checked on


def run_timed(
    ws: Workspace, now: datetime | None = None, write_back: WriteBack | None = None
) -> pd.DataFrame:
    """Check the workspace's time-based rules (``every: N``) on every ticket not closed, at the
    period's last boundary before ``now`` (default: the workspace clock's), and record each new
    action in the ledger; live, with ``write_back``, send them (:func:`settle`). Run twice in
    one period, the second run records nothing (the ledger keys actions by their instant).
    Returns the rows recorded, with their results (empty without time-based rules)."""
    ruleset = workspace_rules(ws.config, ws.path)
    period = period_of(ruleset)
    if period is None:
        return pd.DataFrame()
    moment = pd.Timestamp(now or ws.clock.now())
    moment = moment.tz_localize("UTC") if moment.tzinfo is None else moment.tz_convert("UTC")
    open_tickets = ws.store.query(f"SELECT source, ticket_id FROM tickets WHERE {OPEN}")
    ticks = due_ticks(open_tickets, moment, period)
    rows = _recorded(ws, ticks, live=write_back is not None, frame_of=_open_frame)
    if write_back is None or ws.config.rules.mode != "live":
        return rows
    return settle(ws.store, rows, write_back, sorted(set(ticks["source"].astype(str))))


def _open_frame(ws: Workspace, ticks: pd.DataFrame, reads: set[str]) -> pd.DataFrame:
    """The ticks' rows over every ticket not closed, read in one query (not one per key)."""
    tickets = ws.store.query(f"SELECT * FROM tickets WHERE {OPEN}")
    frame = _event_frame(ticks, tickets)
    if Needs.of(reads) and len(frame):
        where = f"(source, ticket_id) IN (SELECT source, ticket_id FROM tickets WHERE {OPEN})"
        _fill_context(ws, frame, tickets, reads, (where, []))
    return frame


def settle(
    store: Store, recorded: pd.DataFrame, write_back: WriteBack, sources: list[str]
) -> pd.DataFrame:
    """Send the ``pending`` actions of ``recorded``, after those of ``sources`` an earlier run
    left pending (checked first: :meth:`WriteBack.confirm`), and write each result over its
    ``pending`` in the ledger; returns ``recorded`` with the results."""
    ids = recorded["action_id"][recorded["result"] == PENDING].tolist() if len(recorded) else []
    stale = pending(store, sources, ids)
    checked = write_back.confirm(stale) if len(stale) else []
    results = {i: r for i, r in zip(stale["action_id"], checked, strict=True) if r is not None}
    again = stale.iloc[[n for n, r in enumerate(checked) if r is None]]
    fresh = recorded[recorded["action_id"].isin(ids)] if ids else again.iloc[:0]
    todo = pd.concat([again, fresh], ignore_index=True)
    if len(todo):
        results |= dict(zip(todo["action_id"], write_back.write(todo), strict=True))
    resolve(store, results)
    if not len(recorded):
        return recorded
    return recorded.assign(result=recorded["action_id"].map(results).fillna(recorded["result"]))


def on_events_of(
    ws: Workspace, network: Network | None = None
) -> Callable[[Store, pd.DataFrame], Callable[[], object] | None] | None:
    """What the sync calls with each page's events (:func:`~supportops.connectors.runner.
    sync_source`'s ``on_events``): the workspace's rules evaluated on them over the page's own
    store, so the ledger rows commit with the page; live, what it returns sends the pending
    actions to the helpdesks once the page has committed (over ``network``, the sync's). None
    when the workspace has no rules."""
    if not workspace_rules(ws.config, ws.path).rules:
        return None
    from supportops.rules.writeback import Helpdesks, Pace

    live = ws.config.rules.mode == "live"
    paces: dict[str, Pace] = {}  # one per source, over every page of the run
    done: dict[str, set[str]] = {}  # the field writes each source was sent in the run

    def evaluate(store: Store, events: pd.DataFrame) -> Callable[[], object] | None:
        rows = _recorded(ws.with_store(store), events, live=live)
        if not live:
            return None
        per_minute = ws.config.rules.per_minute
        helpdesks = Helpdesks(store, ws.config.sources, per_minute, network, paces, done)
        sources = sorted(set(events["source"].astype(str)))
        return lambda: settle(store, rows, helpdesks, sources)

    return evaluate
