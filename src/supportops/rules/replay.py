"""``supportops rules replay``: a rule set over the stored history of a period, and what it
would have changed.

The tickets created in the period and all their events are replayed
(:func:`supportops.rules.history.replay_history`). The report gives, per rule, its fires and
the tickets it touched; the tickets whose group, assignee or priority would have differed at
the end; and the consequence for the first reply, under a stated assumption: **a ticket the
replay puts in another group waits as long for its first reply as that group's tickets created
in the same hour of the day did** (the median observed, per group and hour; the group's median
when the hour has none). SLA compliance is the share of first replies within the first-reply
target of each ticket's policy (the first whose ``when`` holds), in calendar time.

Every logged event applies as it happened, and the rules run after each. With
``replace_automation`` (``--replace-automation``) the log's automatic changes of the fields the
set writes (what a helpdesk's own rules did) are left out, the set standing in for them, and the
report says how often the replay agreed with them (:attr:`Report.agreement`): what to run on a
helpdesk's imported rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from supportops.conditions.mask import mask
from supportops.conditions.model import fields_of
from supportops.rules.context import Known, Needs, known_of, saved_models
from supportops.rules.engine import Context
from supportops.rules.history import Replayed, replay_history
from supportops.rules.model import RuleSet

if TYPE_CHECKING:
    from supportops.workspace import Workspace

__all__ = [
    "ASSUMPTION",
    "COMPARED",
    "Report",
    "context_of",
    "known_in",
    "load_history",
    "replay",
]

COMPARED = ("group", "assignee_id", "priority")
ASSUMPTION = (
    "a ticket moved to another group waits for its first reply as long as that group's "
    "tickets created in the same hour of the day did (median observed); compliance in "
    "calendar time against each ticket's policy's first-reply target"
)
_TICKET_COLUMNS: tuple[str, ...] = ("ticket_id", "source", "created_at", "channel", "status")
_TICKET_COLUMNS += ("priority", "type", "group", "assignee_id", "requester_id")
_TICKET_COLUMNS += ("organization_id", "created_by", "tags", "subject", "custom")


@dataclass(frozen=True)
class Report:
    """What a replay found (see the module)."""

    low: datetime
    high: datetime
    semantics: str
    tickets: int
    events: int
    per_rule: pd.DataFrame
    differs: pd.DataFrame
    consequence: dict[str, Any]
    agreement: pd.DataFrame
    replayed: Replayed
    unfilled: tuple[str, ...] = ()  # context fields the rules read that stayed empty, and why


def context_of(ws: Workspace) -> Context:
    """Group tiers from ``groups:``; agents by skill from the ``agents`` table."""
    tiers = {name: g.tier for name, g in ws.config.groups.items()}
    agents = ws.store.query("SELECT agent_id, skills FROM agents ORDER BY agent_id")
    skills: dict[str, list[str]] = {}
    for agent, have in zip(agents["agent_id"], agents["skills"], strict=True):
        for skill in list(have) if have is not None else []:
            skills.setdefault(str(skill), []).append(str(agent))
    return Context(tiers=tiers, skills=skills)


def known_in(
    ws: Workspace, reads: set[str], tickets: pd.DataFrame, events: pd.DataFrame, as_of: Any
) -> Known:
    """The context fields ``reads`` needs, for ``tickets`` and all their ``events``, from the
    workspace's config and saved triage models; the SLA evaluated ``as_of``."""
    needs = Needs.of(reads)
    return known_of(needs, ws.config, tickets, events, as_of, saved_models(ws.path, needs))


def load_history(
    ws: Workspace, low: datetime, high: datetime, bodies: bool
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The tickets created in [low, high) and all their events (message text when ``bodies``)."""
    cols = ", ".join(f't."{c}"' for c in _TICKET_COLUMNS)
    where = "t.created_at >= ? AND t.created_at < ?"
    tickets = ws.store.query(f"SELECT {cols} FROM tickets t WHERE {where}", [low, high])
    body = 'e."body"' if bodies else "CAST(NULL AS VARCHAR) AS body"
    events = ws.store.query(
        'SELECT e.source, e.ticket_id, e."at", e.kind, e.actor, e."public", e."value", '
        f'e."previous", e.event_id, {body} FROM events e JOIN tickets t '
        f"ON t.source = e.source AND t.ticket_id = e.ticket_id WHERE {where} "
        'ORDER BY e.source, e.ticket_id, e."at", e.event_id',
        [low, high],
    )
    return tickets, events


def replay(
    ws: Workspace,
    ruleset: RuleSet,
    low: datetime,
    high: datetime,
    replace_automation: bool = False,
) -> Report:
    """Replay ``ruleset`` over the tickets created in [low, high) (see the module); with
    ``replace_automation`` the set stands in for the log's automatic changes of the fields it
    writes, and is compared with them."""
    reads = (
        set().union(*(fields_of(r.condition) for r in ruleset.rules)) if ruleset.rules else set()
    )
    texts = "message" in reads or Needs.of(reads).texts
    tickets, events = load_history(ws, low, high, bodies=texts)
    latest = pd.to_datetime(events["at"], utc=True).max() if len(events) else None
    as_of = max(pd.Timestamp(high), latest) if latest is not None else pd.Timestamp(high)
    known = known_in(ws, reads, tickets, events, as_of)
    done = replay_history(
        ruleset, tickets, events, context_of(ws), replace_automation, known=known, until=as_of
    )
    differs = _differs(tickets, done.final)
    return Report(
        low,
        high,
        ruleset.semantics,
        len(tickets),
        len(events),
        _per_rule(ruleset, done.actions),
        differs,
        _consequence(ws, tickets, events, differs),
        _agreement(done.observed),
        done,
        tuple(known.missing),
    )


def _per_rule(ruleset: RuleSet, actions: pd.DataFrame) -> pd.DataFrame:
    names = [r.name for r in ruleset.rules]
    if actions.empty:
        return pd.DataFrame({"rule": names, "fires": 0, "tickets": 0})
    once = actions.drop_duplicates(["rule", "source", "ticket_id", "at", "step"])
    fires = once.groupby("rule").size()
    touched = actions.drop_duplicates(["rule", "source", "ticket_id"]).groupby("rule").size()
    return pd.DataFrame(
        {
            "rule": names,
            "fires": [int(fires.get(n, 0)) for n in names],
            "tickets": [int(touched.get(n, 0)) for n in names],
        }
    )


def _differs(tickets: pd.DataFrame, final: pd.DataFrame) -> pd.DataFrame:
    """One row per ticket and compared field whose replayed value differs from the log's."""
    keys = ["source", "ticket_id"]
    joined = tickets[[*keys, *COMPARED]].merge(
        final[[*keys, *COMPARED]], on=keys, suffixes=("", "_replayed")
    )
    parts = []
    for name in COMPARED:
        observed, replayed = joined[name].astype(object), joined[f"{name}_replayed"].astype(object)
        diff = ~(
            (observed.isna() & replayed.isna()) | (observed.astype(str) == replayed.astype(str))
        )
        parts.append(
            pd.DataFrame(
                {
                    "source": joined["source"][diff],
                    "ticket_id": joined["ticket_id"][diff],
                    "field": name,
                    "observed": observed[diff],
                    "replayed": replayed[diff],
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def _first_replies(tickets: pd.DataFrame, events: pd.DataFrame) -> pd.Series:
    public = events["public"].astype(object) != False  # noqa: E712 - empty counts as public
    replies = events[(events["kind"] == "message") & (events["actor"] == "agent") & public]
    first = replies.groupby(["source", "ticket_id"])["at"].min()
    keyed = tickets.set_index(["source", "ticket_id"])
    spent = pd.to_datetime(first.reindex(keyed.index), utc=True) - pd.to_datetime(
        keyed["created_at"], utc=True
    )
    return spent.dt.total_seconds()


def _targets(ws: Workspace, tickets: pd.DataFrame) -> np.ndarray:
    target = np.full(len(tickets), np.nan)
    open_ = np.ones(len(tickets), dtype=bool)
    for policy in ws.config.sla_policies:
        hit = open_ & mask(policy.when, tickets)
        spec = policy.targets.first_reply
        if spec is not None:
            target[hit] = spec.target
        open_ &= ~hit
    return target


def _consequence(
    ws: Workspace, tickets: pd.DataFrame, events: pd.DataFrame, differs: pd.DataFrame
) -> dict[str, Any]:
    observed = _first_replies(tickets, events).to_numpy()
    zone = ws.config.report_timezone
    hour = pd.to_datetime(tickets["created_at"], utc=True).dt.tz_convert(zone).dt.hour.to_numpy()
    group = tickets["group"].astype(object).fillna("").to_numpy()
    cells = pd.DataFrame({"group": group, "hour": hour, "wait": observed})
    by_cell = cells.groupby(["group", "hour"])["wait"].median()
    by_group = cells.groupby("group")["wait"].median()
    moved = differs[differs["field"] == "group"].set_index(["source", "ticket_id"])["replayed"]
    keys = pd.MultiIndex.from_frame(tickets[["source", "ticket_id"]])
    new_group = moved.reindex(keys).astype(object).to_numpy()
    replayed = observed.copy()
    for i in np.flatnonzero(pd.notna(new_group)):  # only the moved tickets: a handful per group
        g = str(new_group[i])
        replayed[i] = by_cell.get((g, hour[i]), by_group.get(g, observed[i]))
    target = _targets(ws, tickets)

    def compliance(waits: np.ndarray) -> float | None:
        known = ~np.isnan(waits) & ~np.isnan(target)
        return float(np.mean(waits[known] <= target[known])) if known.any() else None

    return {
        "assumption": ASSUMPTION,
        "moved_tickets": int(pd.notna(new_group).sum()),
        "first_reply_median_observed": _median(observed),
        "first_reply_median_replayed": _median(replayed),
        "sla_first_reply_observed": compliance(observed),
        "sla_first_reply_replayed": compliance(replayed),
    }


def _median(values: np.ndarray) -> float | None:
    known = values[~np.isnan(values)]
    return float(np.median(known)) if len(known) else None


def _agreement(observed: pd.DataFrame) -> pd.DataFrame:
    if observed.empty:
        return pd.DataFrame(columns=["field", "observed", "agreed", "share"])
    same = observed["value"].astype(str) == observed["replayed"].astype(str)
    table = (
        observed.assign(agreed=same)
        .groupby("field")
        .agg(observed=("agreed", "size"), agreed=("agreed", "sum"))
    )
    table["share"] = table["agreed"] / table["observed"]
    return table.reset_index()
