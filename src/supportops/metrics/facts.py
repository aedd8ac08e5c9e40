"""The per-ticket facts as SQL: one row per ticket with its clocks, counts and flags.

Written once, in DuckDB's dialect, as a chain of CTEs that SQLGlot transpiles per engine. Times
are epoch seconds (``*_s``). The chain:

- ``so_tickets`` / ``so_events``: the tables as of ``$as_of`` (when given), with the ticket's
  calendar (``cal``: the first SLA policy whose ``when`` matches, else ``default_calendar``).
- ``so_messages`` → ``so_msg``: replies (public agent messages; not bots, not internal notes),
  public customer messages, bot messages.
- ``so_start`` / ``so_late``: the first-reply clock starts at creation, or at the first public
  customer message for agent-created tickets; the first reply is the first one at or after it.
- ``so_steps`` → ``so_timeline``: status intervals (LAG/LEAD over status events, after an
  initial ``new`` at creation). A ticket without status events gets a synthetic timeline:
  its current status from creation, or ``open`` then a solve at ``solved_at``; one solved or
  closed with no ``solved_at`` has no solve: its resolution time and waits are NULL (unknown).
  A solve is a change into solved/closed from an unsolved status; a reopen the reverse.
- ``so_status``, ``so_changes``: per-ticket aggregates of the timeline and of assignee/group
  changes; ``so_facts`` joins everything.

Business seconds read the ``calendar_intervals`` table (see :mod:`supportops.metrics.clock`):
``C(t)`` is a lookup on (calendar, UTC day), and business time is ``C(end) - C(start)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from supportops.metrics.sla_source import instances_table
from supportops.model.validate import quote_literal

__all__ = [
    "SOLVED",
    "TABLES",
    "UNSOLVED",
    "Cte",
    "FactOptions",
    "clock_join",
    "clock_value",
    "fact_ctes",
]

SOLVED = "('solved', 'closed')"
UNSOLVED = "('new', 'open', 'pending', 'on_hold')"
_KEY = "source, ticket_id"
_ORDER = "ORDER BY at_s, seq, event_id"
_GROUP = 't."group"'


@dataclass(frozen=True)
class Cte:
    """A named subquery and the names of the CTEs it reads."""

    name: str
    sql: str
    deps: tuple[str, ...] = ()


@dataclass(frozen=True)
class FactOptions:
    """What the facts need: the as-of cut, the profile's rules, business clocks, extras."""

    as_of: bool = False
    reply_from_customer: str = "t.created_by = 'agent'"
    notes_reply: bool = False
    calendar: str = "NULL"
    business: bool = False
    business_waits: bool = False
    escalation_groups: tuple[str, ...] = ()
    sla_table: str | None = None
    fcr: bool = False
    slots: int = 1
    qa_categories: tuple[tuple[Any, ...], ...] = ()
    qa_silent: tuple[tuple[Any, ...], ...] = ()


def clock_join(alias: str, cal: str, x: str) -> str:
    """A LEFT JOIN of the calendar day holding epoch ``x`` (see :func:`clock_value`)."""
    return (
        f" LEFT JOIN calendar_days {alias} ON {alias}.calendar = {cal} "
        f"AND {alias}.day = floor({x} / 86400)"
    )


def clock_value(alias: str, x: str, slots: int) -> str:
    """The business-second reading C(x) from the joined day ``alias``: the reading at its
    midnight plus the open time of each of its (at most ``slots``) intervals before ``x``."""
    terms = " + ".join(
        f"coalesce(greatest(least({x}, {alias}.c{i}) - {alias}.o{i}, 0), 0)" for i in range(slots)
    )
    return f"({alias}.cum_start + {terms})"


def _literals(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(quote_literal(v) for v in values) + ")"


def _base(o: FactOptions, tables: dict[str, str]) -> list[Cte]:
    cut_t = " WHERE t.created_at <= $as_of" if o.as_of else ""
    cut_e = " WHERE e.at <= $as_of" if o.as_of else ""
    reply = "actor = 'agent' AND public"
    if not o.notes_reply:
        reply += " AND coalesce(value, '') <> 'note'"
    return [
        Cte(
            "so_tickets",
            f"SELECT t.*, epoch(t.created_at) AS created_s, {o.calendar} AS cal "
            f"FROM {tables['tickets']} t{cut_t}",
        ),
        Cte(
            "so_events",
            "SELECT e.source, e.ticket_id, e.at, epoch(e.at) AS at_s, e.kind, "
            "e.actor, e.value, e.previous, coalesce(e.event_id, '') AS event_id, "
            f"coalesce(e.public, TRUE) AS public FROM {tables['events']} e{cut_e}",
        ),
        Cte(
            "so_messages",
            f"SELECT {_KEY}, at_s, ({reply}) AS is_reply, "
            "(actor = 'customer' AND public) AS is_customer, (actor = 'bot') AS is_bot "
            "FROM so_events WHERE kind = 'message'",
            ("so_events",),
        ),
        Cte(
            "so_msg",
            f"SELECT {_KEY}, count(CASE WHEN is_reply THEN 1 END) AS agent_replies, "
            "min(CASE WHEN is_reply THEN at_s END) AS first_reply_any_s, "
            "min(CASE WHEN is_customer THEN at_s END) AS first_customer_s, "
            "count(CASE WHEN is_bot THEN 1 END) AS bot_messages "
            f"FROM so_messages GROUP BY {_KEY}",
            ("so_messages",),
        ),
        Cte(
            "so_start",
            "SELECT t.source, t.ticket_id, m.agent_replies, m.first_reply_any_s, "
            f"m.bot_messages, CASE WHEN {o.reply_from_customer} THEN m.first_customer_s "
            "ELSE t.created_s END AS reply_start_s FROM so_tickets t LEFT JOIN so_msg m "
            "ON m.source = t.source AND m.ticket_id = t.ticket_id",
            ("so_tickets", "so_msg"),
        ),
        Cte(
            "so_late",
            "SELECT s.source, s.ticket_id, min(m.at_s) AS first_reply_s "
            "FROM so_start s JOIN so_messages m ON m.source = s.source "
            "AND m.ticket_id = s.ticket_id WHERE s.first_reply_any_s < s.reply_start_s "
            "AND m.is_reply AND m.at_s >= s.reply_start_s GROUP BY s.source, s.ticket_id",
            ("so_start", "so_messages"),
        ),
    ]


def _timeline(o: FactOptions, tables: dict[str, str]) -> list[Cte]:
    solved_cut = " AND t.solved_at <= $as_of" if o.as_of else ""
    # a ticket solved or closed with neither status events nor solved_at starts solved at an
    # unknown instant (``untimed``): no solve, so its resolution time is unknown, not 0
    solve = f"status IN {SOLVED} AND coalesce(prev_status, 'new') NOT IN {SOLVED} AND NOT untimed"
    untimed = f"n.n IS NULL AND t.solved_at IS NULL AND t.status IN {SOLVED}"
    return [
        Cte(  # whether a ticket has status events at all, before any as-of cut
            "so_status_n",
            f"SELECT {_KEY}, count(*) AS n FROM {tables['events']} WHERE kind = 'status' "
            f"GROUP BY {_KEY}",
        ),
        Cte(
            "so_steps",
            f"SELECT {_KEY}, at, at_s, value AS status, 1 AS seq, event_id, FALSE AS untimed "
            "FROM so_events WHERE kind = 'status' UNION ALL "
            "SELECT t.source, t.ticket_id, t.created_at, t.created_s, CASE "
            "WHEN n.n IS NOT NULL THEN 'new' WHEN t.solved_at IS NOT NULL AND t.status IN "
            f"{SOLVED} THEN 'open' ELSE t.status END, 0, '', {untimed} FROM so_tickets t "
            "LEFT JOIN so_status_n n ON n.source = t.source AND n.ticket_id = t.ticket_id "
            "UNION ALL SELECT t.source, t.ticket_id, t.solved_at, epoch(t.solved_at), t.status, "
            "1, '', FALSE FROM so_tickets t LEFT JOIN so_status_n n ON n.source = t.source "
            "AND n.ticket_id = t.ticket_id WHERE n.n IS NULL AND t.solved_at IS NOT NULL "
            f"AND t.status IN {SOLVED}{solved_cut}",
            ("so_events", "so_tickets", "so_status_n"),
        ),
        Cte(
            "so_timeline",
            f"SELECT x.*, {solve} AS is_solve, status NOT IN {SOLVED} "
            f"AND prev_status IN {SOLVED} AS is_reopen FROM (SELECT {_KEY}, at, at_s, status, "
            "seq, event_id, untimed, "
            f"LAG(status) OVER (PARTITION BY {_KEY} {_ORDER}) AS prev_status, "
            f"LEAD(at_s) OVER (PARTITION BY {_KEY} {_ORDER}) AS next_s FROM so_steps) x",
            ("so_steps",),
        ),
    ]


def _spans(column: str, statuses: str, o: FactOptions | None) -> str:
    if o is not None:
        length = (
            f"{clock_value('cn', 'l.next_s', o.slots)} - {clock_value('ca', 'l.at_s', o.slots)}"
        )
    else:
        length = "l.next_s - l.at_s"
    return f"sum(CASE WHEN l.status IN {statuses} THEN {length} END) AS {column}"


def _status(o: FactOptions) -> list[Cte]:
    spans = [
        _spans("requester_wait_s", "('new', 'open', 'on_hold')", None),
        _spans("agent_wait_s", "('pending')", None),
        _spans("on_hold_s", "('on_hold')", None),
    ]
    source, deps = "so_timeline l", ("so_timeline",)
    deps_all: tuple[str, ...] = deps
    if o.business_waits:
        spans += [
            _spans("requester_wait_b", "('new', 'open', 'on_hold')", o),
            _spans("agent_wait_b", "('pending')", o),
            _spans("on_hold_b", "('on_hold')", o),
        ]
        source = (
            "so_timeline l JOIN so_tickets t ON t.source = l.source AND t.ticket_id = "
            f"l.ticket_id{clock_join('ca', 't.cal', 'l.at_s')}"
            f"{clock_join('cn', 't.cal', 'l.next_s')}"
        )
        deps_all = ("so_timeline", "so_tickets")
    return [
        Cte(
            "so_status",
            "SELECT l.source, l.ticket_id, "
            "min(CASE WHEN l.is_solve THEN l.at_s END) AS first_solve_s, "
            "max(CASE WHEN l.is_solve THEN l.at_s END) AS last_solve_s, "
            "count(CASE WHEN l.is_solve THEN 1 END) AS solves, "
            "count(CASE WHEN l.is_reopen THEN 1 END) AS reopens, "
            "max(CASE WHEN l.next_s IS NULL THEN l.status END) AS status_now, "
            + ", ".join(spans)
            + f" FROM {source} GROUP BY l.source, l.ticket_id",
            deps_all,
        ),
        Cte(
            "so_changes",
            f"SELECT {_KEY}, {_changes('assignee')} AS reassignments, "
            f"{_changes('group')} AS group_transfers, max(CASE WHEN kind = 'group' AND "
            f"{_in('value', o.escalation_groups)} THEN 1 ELSE 0 END) AS escalated_event "
            f"FROM so_events WHERE kind IN ('assignee', 'group') GROUP BY {_KEY}",
            ("so_events",),
        ),
    ]


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN {_literals(values)}" if values else "FALSE"


def _changes(kind: str) -> str:
    """Changes to a non-empty value, less the first assignment (one with no previous value)."""
    changed = f"kind = '{kind}' AND coalesce(value, '') <> '' AND value IS DISTINCT FROM previous"
    first = f"kind = '{kind}' AND coalesce(previous, '') = '' AND coalesce(value, '') <> ''"
    return (
        f"greatest(count(CASE WHEN {changed} THEN 1 END) - CASE WHEN "
        f"count(CASE WHEN {first} THEN 1 END) > 0 THEN 1 ELSE 0 END, 0)"
    )


def _joined(o: FactOptions) -> Cte:
    extra = ", st.requester_wait_b, st.agent_wait_b, st.on_hold_b" if o.business_waits else ""
    return Cte(
        "so_joined",
        "SELECT t.*, s.reply_start_s, CASE WHEN s.first_reply_any_s >= s.reply_start_s "
        "THEN s.first_reply_any_s ELSE l.first_reply_s END AS first_reply_s, "
        "st.first_solve_s, st.last_solve_s, coalesce(st.status_now, t.status) AS status_now, "
        "coalesce(s.agent_replies, 0) AS agent_replies, "
        "coalesce(s.bot_messages, 0) AS bot_messages, coalesce(st.reopens, 0) AS reopens, "
        "coalesce(st.solves, 0) AS solves, coalesce(c.reassignments, 0) AS reassignments, "
        "coalesce(c.group_transfers, 0) AS group_transfers, CASE WHEN "
        f"coalesce(c.escalated_event, 0) = 1 OR {_in(_GROUP, o.escalation_groups)} "
        "THEN 1 ELSE 0 END AS escalated, st.requester_wait_s, st.agent_wait_s, st.on_hold_s, "
        f"{_validity(o)} AS valid, s.first_reply_any_s"
        f"{extra} FROM so_tickets t "
        f"LEFT JOIN so_start s ON {_on('s')} LEFT JOIN so_late l ON {_on('l')} "
        f"LEFT JOIN so_status st ON {_on('st')} LEFT JOIN so_changes c ON {_on('c')}",
        ("so_tickets", "so_start", "so_late", "so_status", "so_changes"),
    )


def _validity(o: FactOptions) -> str:
    """1 unless a reply or solve precedes creation, solved_at has no solve, a solved ticket has
    no solve (no instant: see ``untimed``), or (without an as-of cut) the ticket's status
    contradicts its events."""
    bad = [
        "s.first_reply_any_s < t.created_s",
        "st.first_solve_s < t.created_s",
        "(t.solved_at IS NOT NULL AND coalesce(st.solves, 0) = 0)",
        f"(coalesce(st.status_now, t.status) IN {SOLVED} AND coalesce(st.solves, 0) = 0)",
    ]
    if not o.as_of:
        bad.append(
            f"(st.status_now IS NOT NULL AND (t.status IN {SOLVED}) <> (st.status_now IN {SOLVED}))"
        )
    return f"CASE WHEN {' OR '.join(bad)} THEN 0 ELSE 1 END"


def _on(alias: str, other: str = "t") -> str:
    return f"{alias}.source = {other}.source AND {alias}.ticket_id = {other}.ticket_id"


def _span(end: str, start: str) -> str:
    """``end - start`` when it is a possible span (not negative), else NULL."""
    return f"CASE WHEN {end} >= {start} THEN {end} - {start} END"


_STAMPS = ("reply_start_s", "first_reply_s", "created_s", "first_solve_s", "last_solve_s")


def _durations(o: FactOptions) -> list[str]:
    solved = f"x.status_now IN {SOLVED}"
    timed = f"{solved} AND x.last_solve_s IS NOT NULL"  # waits are unknown without a solve
    cols = [
        f"{_span('x.first_reply_s', 'x.reply_start_s')} AS first_reply_time",
        f"{_span('x.first_solve_s', 'x.created_s')} AS first_resolution_time",
        f"CASE WHEN {solved} THEN {_span('x.last_solve_s', 'x.created_s')} END "
        "AS full_resolution_time",
    ]
    for name, column in (
        ("requester_wait_time", "requester_wait"),
        ("agent_wait_time", "agent_wait"),
        ("on_hold_time", "on_hold"),
    ):
        cols.append(f"CASE WHEN {timed} THEN coalesce(x.{column}_s, 0) END AS {name}")
        if o.business_waits:
            cols.append(f"CASE WHEN {timed} THEN coalesce(x.{column}_b, 0) END AS {name}_business")
    if o.business:
        c = {k: clock_value(f"b{i}", f"x.{k}", o.slots) for i, k in enumerate(_STAMPS)}
        cols += [
            f"{_span(c['first_reply_s'], c['reply_start_s'])} AS first_reply_time_business",
            f"{_span(c['first_solve_s'], c['created_s'])} AS first_resolution_time_business",
            f"CASE WHEN {solved} THEN {_span(c['last_solve_s'], c['created_s'])} END "
            "AS full_resolution_time_business",
        ]
    return cols


def _facts(o: FactOptions, tables: dict[str, str]) -> list[Cte]:
    cols = _durations(o)
    joins, deps = "", ["so_joined"]
    if o.business:
        joins += "".join(clock_join(f"b{i}", "x.cal", f"x.{k}") for i, k in enumerate(_STAMPS))
    if o.sla_table:
        stored = instances_table(o.sla_table)
        joins += (
            " LEFT JOIN (SELECT source, ticket_id, max(CASE WHEN status = 'breached' "
            f"THEN 1 ELSE 0 END) AS breached FROM {tables.get(stored, stored)} GROUP BY source, "
            f"ticket_id) sla ON {_on('sla', 'x')}"
        )
        cols.append("sla.breached AS sla_breached")
    else:
        cols.append("CAST(NULL AS INTEGER) AS sla_breached")
    if o.fcr:
        joins += f" LEFT JOIN so_repeat r ON {_on('r', 'x')}"
        deps.append("so_repeat")
        cols.append(
            f"CASE WHEN x.status_now IN {SOLVED} AND x.requester_id IS NOT NULL "
            "THEN CASE WHEN coalesce(r.repeats, 0) = 0 THEN 1 ELSE 0 END END "
            "AS first_contact_resolved"
        )
    repeat = Cte(
        "so_repeat",
        "SELECT f.source, f.ticket_id, count(t2.ticket_id) AS repeats FROM so_joined f "
        "JOIN so_tickets t2 ON t2.source = f.source AND t2.requester_id = f.requester_id "
        "AND t2.ticket_id <> f.ticket_id AND t2.created_s > f.last_solve_s "
        f"AND t2.created_s <= f.last_solve_s + $fcr_window WHERE f.status_now IN {SOLVED} "
        "GROUP BY f.source, f.ticket_id",
        ("so_joined", "so_tickets"),
    )
    facts = Cte("so_facts", f"SELECT x.*, {', '.join(cols)} FROM so_joined x{joins}", tuple(deps))
    return [_joined(o), repeat, facts]


TABLES = ("tickets", "events", "surveys")  # the event log's tables the facts read


def fact_ctes(o: FactOptions, tables: dict[str, str] | None = None) -> dict[str, Cte]:
    """Every CTE the facts may need, by name; the compiler keeps those a query reads.

    ``tables`` reads another table in place of a table of :data:`TABLES` (or of the SLA
    instances): the incremental refresh (:mod:`.incremental`) reads only the changed tickets'
    rows."""
    read = {name: name for name in TABLES} | (tables or {})
    surveys = Cte("so_surveys", f"SELECT * FROM {read['surveys']}")
    ctes = [*_base(o, read), *_timeline(o, read), *_status(o), *_facts(o, read), surveys]
    return {c.name: c for c in ctes}
