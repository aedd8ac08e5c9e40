"""One ticket's story: its fields, every event, its SLA clocks, its facts and its findings.

What the ticket page (``/tickets/{source}/{id}``) and ``supportops ticket ID`` show when a manager
doubts a number. Everything is computed for this ONE ticket with the same code as the whole log:

* the facts are the metrics' own fact CTEs (:mod:`.facts`) run on temporary tables holding the
  ticket's row and events (:data:`_OWN`), so a fact here is the fact every metric counts;
* the SLA instances are the engine's (:func:`~supportops.sla.engine.evaluate`) on the ticket's
  row and events, and their bars the spans of :mod:`supportops.sla.spans`;
* the findings are the validity rules of :mod:`.quality` on the ticket's facts row.

Each fact names the events it came from (``refs``: event ids, or ``created`` for the creation),
and each event of the timeline the facts it feeds. Times are UTC instants; the story carries the
workspace's ``report_timezone`` for those who show them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import pandas as pd
from sqlglot import exp

from supportops.config import TARGETS, WorkspaceConfig
from supportops.errors import AmbiguousTicket, TicketNotFound
from supportops.metrics.clock import calendar_sql, ensure_days
from supportops.metrics.compiler import Compiled, parse, render, with_ctes
from supportops.metrics.fact_sources import CREATED, SOLVED_AT, Fact, facts_of, mark
from supportops.metrics.facts import Cte, FactOptions, fact_ctes
from supportops.metrics.materialize import FACTS, materialised
from supportops.metrics.names import Names, names
from supportops.metrics.profiles import DEFAULT
from supportops.metrics.quality import RULES
from supportops.sla.engine import as_of_seconds, calendar_of, evaluate
from supportops.sla.events import NAT, encode_events, prepare_events, seconds
from supportops.sla.policy import calendar_name, match_policies
from supportops.sla.spans import Span, instance_bar, segments_of
from supportops.sla.timeline import build_timeline
from supportops.sla.workspace import now

if TYPE_CHECKING:
    from supportops.workspace import Workspace

__all__ = [
    "FINDINGS",
    "Instance",
    "Story",
    "find_source",
    "story",
    "story_data",
]

FINDINGS: dict[str, str] = {  # what each validity rule of :mod:`.quality` means, for one ticket
    "reply_before_creation": "an agent reply is dated before the ticket was created",
    "solve_before_creation": "a solve is dated before the ticket was created",
    "solved_at_without_solve": "solved_at is set but no status event solves the ticket",
    "status_contradicts_events": "the ticket's status disagrees with its last status event",
    "unknown_channel": "the channel is not one the event log knows (kept in raw_channel)",
    "unknown_priority": "the priority is not one the event log knows (kept in raw_priority)",
    "solved_without_solve_time": (
        "solved or closed, but no status event or solved_at says when: its resolution time "
        "and waits are unknown"
    ),
}
_OWN = {"tickets": "so_story_tickets", "events": "so_story_events"}  # the ticket's rows


@dataclass(frozen=True)
class Instance:
    """One SLA target instance of the ticket, with its policy, calendar and bar."""

    policy: str
    target: str
    instance: int
    calendar: str
    status: str
    target_seconds: int
    elapsed_seconds: int
    started_at: datetime
    stopped_at: datetime | None
    breached_at: datetime | None
    due_at: datetime | None
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class Story:
    """Everything the ticket page shows, as data (see the module docstring)."""

    source: str
    ticket_id: str
    timezone: str
    as_of: datetime
    fields: dict[str, Any]
    names: dict[str, str]
    events: list[dict[str, Any]]
    instances: list[Instance]
    facts: list[Fact]
    findings: list[dict[str, str]] = field(default_factory=list)
    group_names: dict[str, str] = field(default_factory=dict)  # of the groups it went through

    def name(self, agent_id: Any) -> Any:
        """The agent's name when the agents table knows it, else the id."""
        return self.names.get(str(agent_id), agent_id) if agent_id is not None else None


def _missing(ticket_id: str, source: str | None) -> TicketNotFound:
    where = f"in source {source!r}" if source is not None else "in any source"
    return TicketNotFound(f"no ticket {ticket_id!r} {where}", ticket_id=ticket_id, source=source)


def find_source(ws: Workspace, ticket_id: str) -> str:
    """The one source holding ticket ``ticket_id``. Raises :class:`TicketNotFound` (none) or
    :class:`AmbiguousTicket` (several: it lists them)."""
    rows = ws.store.query(
        "SELECT DISTINCT source FROM tickets WHERE ticket_id = ? ORDER BY source", [ticket_id]
    )
    sources = [str(s) for s in rows["source"]]
    if not sources:
        raise _missing(ticket_id, None)
    if len(sources) > 1:
        raise AmbiguousTicket(
            f"ticket {ticket_id!r} exists in several sources: {', '.join(sources)} "
            "(pick one with --source)",
            ticket_id=ticket_id,
            sources=sources,
        )
    return sources[0]


def story(
    ws: Workspace, ticket_id: str, source: str | None = None, as_of: datetime | None = None
) -> Story:
    """The story of one ticket, its SLA clocks evaluated at ``as_of`` (default: now; the facts
    and the timeline are the whole log's, like the materialised facts). Without ``source``, the
    one source holding the id (see :func:`find_source`); an unknown ticket raises
    :class:`TicketNotFound`."""
    source = source if source is not None else find_source(ws, ticket_id)
    moment = (as_of or now(ws)).astimezone(UTC).replace(microsecond=0)
    _copy_rows(ws, [source, ticket_id])
    try:
        return _told(ws, source, ticket_id, moment)
    finally:
        for temp in _OWN.values():
            ws.store.execute(f"DROP TABLE IF EXISTS {temp}")


def _copy_rows(ws: Workspace, key: list[str]) -> None:
    """The ticket's row and events into the session's temporary tables of :data:`_OWN`: read
    once by key, then every query of the story reads only them."""
    for table, temp in _OWN.items():
        ws.store.execute(f"DROP TABLE IF EXISTS {temp}")
        ws.store.execute(f'CREATE TEMP TABLE {temp} AS SELECT * FROM "{table}" WHERE false')
        ws.store.execute(
            f'INSERT INTO {temp} SELECT * FROM "{table}" WHERE source = ? AND ticket_id = ?', key
        )


def _told(ws: Workspace, source: str, ticket_id: str, moment: datetime) -> Story:
    ticket = ws.store.query(f"SELECT * FROM {_OWN['tickets']}")
    if ticket.empty:
        raise _missing(ticket_id, source)
    events = ws.store.query(f'SELECT * FROM {_OWN["events"]} ORDER BY "at", event_id')
    instants = [_epoch(ticket["created_at"].iloc[0]), *(_epoch(a) for a in events["at"])]
    known = [i for i in instants if i is not None]
    span = (min(known, default=0), max([*known, int(moment.timestamp())]))
    facts_row, steps = _fact_rows(ws, span)
    named = names(ws)
    agents = _agent_names(named, ticket, events)
    timeline = _timeline(ticket, events, steps)
    instances = _instances(ws.config, ticket, events, moment)
    breached = any(i.status == "breached" for i in instances) if instances else None
    facts = facts_of(facts_row, _records(steps), timeline, breached) if facts_row else []
    mark(timeline, facts)
    fields = _fields(ticket, named)
    findings = [
        {"rule": rule, "message": FINDINGS[rule]}
        for rule in RULES
        if facts_row is not None and int(facts_row.get(f"rule_{rule}") or 0)
    ]
    return Story(
        source,
        ticket_id,
        ws.config.report_timezone,
        moment,
        fields,
        agents,
        timeline,
        instances,
        facts,
        findings,
        _group_names(named, ticket, events),
    )


# --- the facts, on the ticket's own rows ---------------------------------------------------------


def _options(ws: Workspace, span: tuple[int, int]) -> FactOptions:
    """The materialised facts' options (as ``setting_for`` chooses them), business clocks
    loaded over ``span`` (epoch seconds)."""
    config = ws.config
    rules = DEFAULT.rules
    return FactOptions(
        reply_from_customer=rules.reply_from_customer,
        notes_reply=rules.notes_reply,
        calendar=calendar_sql(config),
        business=True,
        business_waits=True,
        escalation_groups=tuple(n for n, g in config.groups.items() if g.tier >= 2),
        slots=ensure_days(ws.store, config, *span),
    )


def _own_rows(node: exp.Expression) -> exp.Expression:
    """``tickets`` and ``events`` read as the ticket's own rows (:data:`_OWN`)."""
    if isinstance(node, exp.Table) and not node.db and node.name in _OWN:
        node.set("this", exp.to_identifier(_OWN[node.name]))
    return node


@lru_cache(maxsize=64)
def _rendered(text: str, dialect: str) -> str:
    """``text`` (DuckDB SQL) on the ticket's own rows, for ``dialect``: the chain is the same
    for every ticket, so it is parsed and generated once."""
    tree = parse(text).transform(_own_rows)
    return render(Compiled(tree, {}), dialect)[0]


def _run(ws: Workspace, library: dict[str, Cte], cte: str, select: str) -> pd.DataFrame:
    """``SELECT select FROM cte r`` over the fact chain, on the ticket's own rows."""
    ctes = ", ".join(f"{c.name} AS ({c.sql})" for c in with_ctes({cte}, library))
    text = f"WITH {ctes} SELECT {select} FROM {cte} r"
    return ws.store.query(_rendered(text, ws.store.capabilities.dialect))


def _stored_row(ws: Workspace, options: FactOptions, flags: str) -> pd.DataFrame | None:
    """The ticket's row of the materialised facts, as the chain gives it, when they answer
    ``options`` (built with them, from the data as it is: :func:`.materialize.materialised`);
    else None. Read by key and creation instant: the table is ordered by creation, so the
    engine reads the row groups holding that instant only."""
    if not materialised(ws, options):
        return None
    text = (
        f"SELECT r.*, {flags} FROM {FACTS} r JOIN tickets t ON r.source = t.source "
        "AND r.ticket_id = t.ticket_id AND r.created_at = t.created_at"
    )
    row = ws.store.query(_rendered(text, ws.store.capabilities.dialect))
    if row.empty:  # no creation instant to find it by: the chain tells
        return None
    # the chain reads no SLA snapshot (the story's own instances say whether it breached)
    return row.drop(columns=["so_row"]).assign(sla_breached=None)


def _fact_rows(ws: Workspace, span: tuple[int, int]) -> tuple[dict[str, Any] | None, pd.DataFrame]:
    """The ticket's facts row (with a ``rule_*`` flag per validity rule) and status steps: the
    row from the materialised facts where they are exact, else from the chain."""
    options = _options(ws, span)
    library = fact_ctes(options)
    flags = ", ".join(
        f"CASE WHEN {cond} THEN 1 ELSE 0 END AS rule_{rule}" for rule, cond in RULES.items()
    )
    row = _stored_row(ws, options, flags)
    if row is None:
        row = _run(ws, library, "so_facts", f"r.*, {flags}")
    steps = _run(ws, library, "so_timeline", "r.*")
    steps = steps.sort_values(["at_s", "seq", "event_id"], kind="stable", ignore_index=True)
    facts = _records(row)[0] if len(row) else None
    return facts, steps


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The frame's rows as dicts of plain values (None for missing)."""
    return [{str(k): _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


# --- names, fields, timeline -------------------------------------------------------------------


def _agent_names(named: Names, ticket: pd.DataFrame, events: pd.DataFrame) -> dict[str, str]:
    agents = events.loc[events["actor"].eq("agent"), "actor_id"].dropna().astype(str).tolist()
    agents += [str(v) for v in ticket["assignee_id"].dropna()]
    agents += [
        str(v)
        for v in events.loc[events["kind"].eq("assignee"), ["value", "previous"]].stack().dropna()
    ]
    return named.of("assignee_id", agents)


def _plain(value: Any) -> Any:
    """A cell as a plain Python value (None for missing, lists for lists)."""
    if value is None:
        return None
    if hasattr(value, "tolist") and not isinstance(value, str):
        return value.tolist()
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


def _group_names(named: Names, ticket: pd.DataFrame, events: pd.DataFrame) -> dict[str, str]:
    moves = events.loc[events["kind"].eq("group"), ["value", "previous"]].stack().dropna()
    return named.of("group", [*ticket["group"].dropna(), *moves])


def _fields(ticket: pd.DataFrame, named: Names) -> dict[str, Any]:
    """The ticket's columns, each id the log can name followed by its name (or None)."""
    row = named.attach_frame(ticket).iloc[0].to_dict()
    return {str(k): _plain(v) for k, v in row.items()}


def _epoch(value: Any) -> int | None:
    """Epoch seconds (floored) of an instant; naive means UTC; None for missing."""
    if value is None or (not isinstance(value, list | tuple) and pd.isna(value)):
        return None
    if isinstance(value, datetime):
        stamp = value if value.tzinfo else value.replace(tzinfo=UTC)
        return int(stamp.timestamp() // 1)
    return int(seconds([value])[0])


def _timeline(
    ticket: pd.DataFrame, events: pd.DataFrame, steps: pd.DataFrame
) -> list[dict[str, Any]]:
    """The creation (the log's ``created`` event, else one from ``created_at``), every event in
    order, and the solve a ticket without status events has."""
    created = ticket["created_at"].iloc[0]
    out: list[dict[str, Any]] = []
    if not events["kind"].eq("created").any():
        actor = ticket["created_by"].iloc[0]
        out.append({"ref": CREATED, "at": created, "kind": "created", "actor": actor})
    for i, row in enumerate(_records(events)):
        item = {k: v for k, v in row.items() if k not in ("source", "ticket_id")}
        item["ref"] = str(item.get("event_id") or f"row{i}")
        out.append(item)
    synthetic = steps[(steps["seq"] == 1) & (steps["event_id"].fillna("") == "")]
    for at in synthetic["at"]:
        out.append({"ref": SOLVED_AT, "at": at, "kind": "status", "value": "solved", "actor": None})
    for item in out:
        item["at"] = _plain(item["at"])
        item["at_s"] = _epoch(item["at"])
        item["facts"] = []
    out.sort(key=lambda e: (e["at_s"] if e["at_s"] is not None else NAT, e["kind"] != "created"))
    return out


# --- SLA ---------------------------------------------------------------------------------------


def _stamp(value: Any) -> datetime | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).to_pydatetime()


def _instances(
    config: WorkspaceConfig, ticket: pd.DataFrame, events: pd.DataFrame, moment: datetime
) -> list[Instance]:
    """The engine's instances of the one ticket, each with its calendar and bar."""
    if not config.sla_policies:
        return []
    encoded = encode_events(ticket, events)  # once, for the engine and the bars
    frame = evaluate(ticket, encoded, config, moment)
    if frame.empty:
        return []
    now = as_of_seconds(moment)
    created = seconds(ticket["created_at"])
    prepared = prepare_events(encoded, created, now)
    segments = segments_of(build_timeline(prepared, created, now))
    policy = config.sla_policies[int(match_policies(ticket, config.sla_policies)[0])]
    out, calendars = [], {}
    for row in frame.to_dict("records"):
        target = str(row["target"])
        calendar = calendar_name(config, policy, target)
        if calendar not in calendars:
            calendars[calendar] = calendar_of(config, calendar)
        stop = _epoch(row["stopped_at"])
        window = (int(_epoch(row["started_at"]) or now), stop, now)
        bar = instance_bar(segments, target, calendars[calendar], window)
        started = _stamp(row["started_at"])
        assert started is not None
        out.append(
            Instance(
                policy=str(row["policy"]),
                target=target,
                instance=int(row["instance"]),
                calendar=calendar,
                status=str(row["status"]),
                target_seconds=int(row["target_seconds"]),
                elapsed_seconds=int(row["elapsed_seconds"]),
                started_at=started,
                stopped_at=_stamp(row["stopped_at"]),
                breached_at=_stamp(row["breached_at"]),
                due_at=_stamp(row["due_at"]),
                spans=bar.spans,
            )
        )
    out.sort(key=lambda i: (i.started_at, TARGETS.index(i.target), i.instance))
    return out


# --- as JSON -----------------------------------------------------------------------------------


def _json(value: Any) -> Any:
    if isinstance(value, datetime):
        stamp = value if value.tzinfo else value.replace(tzinfo=UTC)
        return stamp.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if hasattr(value, "item"):
        return value.item()
    return value


def _instant(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def story_data(told: Story) -> dict[str, Any]:
    """The story as plain JSON data: instants as ISO 8601 UTC, names beside ids."""
    instances = []
    for i in told.instances:
        spans = [[s.state, _instant(s.start), _instant(s.end)] for s in i.spans]
        row = {k: v for k, v in i.__dict__.items() if k != "spans"}
        instances.append({**row, "spans": spans})
    events = [
        {**{k: v for k, v in e.items() if k != "at_s"}, "actor_name": _actor(told, e)}
        for e in told.events
    ]
    data: dict[str, Any] = _json(
        {
            "source": told.source,
            "ticket_id": told.ticket_id,
            "timezone": told.timezone,
            "as_of": told.as_of,
            "fields": told.fields,
            "names": told.names,
            "group_names": told.group_names,
            "events": events,
            "sla": instances,
            "facts": [
                {"name": f.name, "unit": f.unit, "value": f.value, "events": list(f.refs)}
                for f in told.facts
            ],
            "findings": told.findings,
        }
    )
    return data


def _actor(told: Story, event: dict[str, Any]) -> Any:
    """Who did it, as shown: the agent's name where known, else the id, else the actor kind."""
    if event.get("actor") == "agent" and event.get("actor_id"):
        return told.name(event["actor_id"])
    return event.get("actor_id") or event.get("actor")
