"""The relations metrics aggregate: one row per ticket, solve, reply cycle, survey answer, SLA
target instance, live contact, bot session, unit of work, shift — as SQL over the facts.

Each :class:`Relation` says which column puts a row in a period and which column holds each
dimension; a dimension a relation does not have is NULL for its rows (a survey has no SLA
target). Ticket-attached relations carry the ticket's columns, so ``--by channel`` splits them all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from supportops.metrics.facts import UNSOLVED, Cte, FactOptions, clock_join, clock_value
from supportops.metrics.sla_source import STORED, advanced, joined_sql

__all__ = ["DIMS", "Relation", "relation"]

DIMS = (
    "channel",
    "priority",
    "group",
    "type",
    "source",
    "status",
    "created_by",
    "assignee_id",
    "requester_id",
    "organization_id",
    "tag",
    "agent",
    "target",
    "queue",
    "category",
)
_TICKET = {d: d for d in DIMS[:10]} | {"agent": "assignee_id", "tag": "tags"}
_KEY = "source, ticket_id"
# what the backlog's metrics and drill-down read of a span's ticket: its key, its creation (the
# age) and the columns of its dimensions (not every fact: a third of the width to write)
_SPAN_TICKET = tuple(
    dict.fromkeys(("source", "ticket_id", "created_at", "created_s", *_TICKET.values()))
)


@dataclass(frozen=True)
class Relation:
    """A relation's SQL, its period column, its dimension columns and the CTEs it reads."""

    sql: str
    period: str
    dims: dict[str, str]
    deps: tuple[str, ...]
    ctes: tuple[Cte, ...] = field(default_factory=tuple)


def _on(a: str, b: str) -> str:
    return f"{a}.source = {b}.source AND {a}.ticket_id = {b}.ticket_id"


def _tickets(o: FactOptions, agent_dim: bool) -> Relation:
    return Relation("SELECT * FROM so_facts", "created_at", _TICKET, ("so_facts",))


def _solves(o: FactOptions, agent_dim: bool) -> Relation:
    ctes: tuple[Cte, ...] = ()
    solver = "CAST(NULL AS VARCHAR)"
    source = "so_timeline s"
    deps = ["so_facts", "so_timeline"]
    if agent_dim:
        ctes = _owner_ctes()
        source, deps = "so_solver s", ["so_facts", "so_solver"]
        solver = "CASE WHEN s.grp = 0 THEN f.assignee_id ELSE nullif(s.owner, '') END"
    sql = (
        f"SELECT f.*, s.at AS solve_at, {solver} AS solver FROM {source} "
        f"JOIN so_facts f ON {_on('f', 's')} WHERE s.is_solve"
    )
    return Relation(sql, "solve_at", _TICKET | {"agent": "solver"}, tuple(deps), ctes)


def _owner_ctes() -> tuple[Cte, ...]:
    """The assignee at each solve: the last assignee event before it (``grp`` counts them)."""
    order = "ORDER BY at_s, seq ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW"
    return (
        Cte(
            "so_owner",
            f"SELECT {_KEY}, at, at_s, 0 AS seq, value AS owner, FALSE AS is_solve "
            f"FROM so_events WHERE kind = 'assignee' UNION ALL SELECT {_KEY}, at, at_s, 1, "
            "NULL, TRUE FROM so_timeline WHERE is_solve",
            ("so_events", "so_timeline"),
        ),
        Cte(
            "so_solver",
            f"SELECT {_KEY}, at, is_solve, grp, max(owner) OVER (PARTITION BY "
            f"{_KEY}, grp) AS owner FROM (SELECT *, sum(CASE WHEN is_solve THEN 0 ELSE 1 END) "
            f"OVER (PARTITION BY {_KEY} {order}) AS grp FROM so_owner) x",
            ("so_owner",),
        ),
    )


def _spans(o: FactOptions, agent_dim: bool) -> Relation:
    ticket = ", ".join(f't."{c}"' for c in _SPAN_TICKET)
    spans = Cte(  # a CTE of its own, so that it can be read from its materialised table
        "so_spans",
        f"SELECT {ticket}, l.at_s AS start_s, l.next_s AS end_s FROM so_timeline l "
        f"JOIN so_facts t ON {_on('t', 'l')} WHERE l.status IN {UNSOLVED}",
        ("so_timeline", "so_facts"),
    )
    return Relation("SELECT * FROM so_spans", "created_at", _TICKET, ("so_spans",), (spans,))


def _cycles(o: FactOptions, agent_dim: bool) -> Relation:
    frame = "ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING"
    window = f"PARTITION BY {_KEY} ORDER BY at_s, is_reply"
    business, joins = "", ""
    if o.business:
        business = (
            f", {clock_value('cr', 'c.next_reply_s', o.slots)} - "
            f"{clock_value('cs', 'c.at_s', o.slots)} AS next_reply_time_business"
        )
        joins = clock_join("cs", "t.cal", "c.at_s") + clock_join("cr", "t.cal", "c.next_reply_s")
    cte = Cte(
        "so_cycles",
        f"SELECT {_KEY}, at_s, next_reply_s FROM (SELECT {_KEY}, at_s, is_reply, "
        f"LAG(is_reply) OVER ({window}) AS after_reply, min(CASE WHEN is_reply THEN at_s END) "
        f"OVER ({window} {frame}) AS next_reply_s FROM so_messages "
        "WHERE is_reply OR is_customer) x WHERE NOT is_reply AND after_reply",
        ("so_messages",),
    )
    sql = (
        f"SELECT t.*, c.next_reply_s - c.at_s AS next_reply_time{business} "
        f"FROM so_cycles c JOIN so_tickets t ON {_on('t', 'c')}{joins}"
    )
    return Relation(sql, "created_at", _TICKET, ("so_cycles", "so_tickets"), (cte,))


def _surveys(o: FactOptions, agent_dim: bool) -> Relation:
    cut = " WHERE s.at <= $as_of" if o.as_of else ""
    answers = Cte(  # a CTE of its own, so that it can be read from its materialised table
        "so_answers",
        "SELECT t.*, s.survey, s.score, s.at AS answered_at, s.source AS survey_source "
        f"FROM so_surveys s LEFT JOIN so_tickets t ON {_on('t', 's')}{cut}",
        ("so_surveys", "so_tickets"),
    )
    dims = _TICKET | {"source": "survey_source"}
    return Relation("SELECT * FROM so_answers", "answered_at", dims, ("so_answers",), (answers,))


def _sla(o: FactOptions, agent_dim: bool) -> Relation:
    cut = " WHERE m.created_at <= $as_of" if o.as_of else ""
    status = advanced("m.sla_snapshot_status", "m.due_s")
    table = joined_sql(o.sla_table or STORED)
    sql = f"SELECT m.*, {status} AS sla_status FROM ({table}) m{cut}"
    return Relation(sql, "created_at", _TICKET | {"target": "sla_target"}, ())


def _contacts(o: FactOptions, agent_dim: bool) -> Relation:
    cut = " WHERE c.offered_at <= $as_of" if o.as_of else ""
    sql = (
        "SELECT c.*, epoch(c.answered_at) - epoch(c.offered_at) AS answer_s, "
        "coalesce(c.abandoned, FALSE) AND c.answered_at IS NULL AS gave_up, "
        "epoch(c.ended_at) - epoch(c.offered_at) AS abandon_s FROM contacts c" + cut
    )
    dims = {"channel": "channel", "source": "source", "agent": "agent_id", "queue": "queue"}
    return Relation(sql, "offered_at", dims, ())


def _bots(o: FactOptions, agent_dim: bool) -> Relation:
    cut = " WHERE b.started_at <= $as_of" if o.as_of else ""
    sql = (
        "SELECT b.*, epoch(t.created_at) - epoch(b.started_at) AS ticket_after_s "
        f"FROM bot_sessions b LEFT JOIN tickets t ON {_on('t', 'b')}{cut}"
    )
    return Relation(sql, "started_at", {"channel": "channel", "source": "source"}, ())


def _work_dims(unit: str) -> str:
    return (
        f'coalesce(t.channel, c.channel) AS channel, t.priority, t."group", t.type, '
        f"{unit}.source, t.status, t.created_by, t.assignee_id, t.requester_id, "
        "t.organization_id, t.tags, c.queue "
        f"FROM {{units}} {unit} LEFT JOIN tickets t ON {_on('t', unit)} "
        f"LEFT JOIN contacts c ON c.source = {unit}.source AND c.contact_id = {unit}.contact_id"
    )


def _work(o: FactOptions, agent_dim: bool) -> Relation:
    agent = ", agent_id" if agent_dim else ""
    cut = " WHERE started_at <= $as_of" if o.as_of else ""
    units = (
        f"(SELECT source, ticket_id, contact_id{agent}, min(started_at) AS started_at, "
        f"sum(seconds) AS seconds FROM work{cut} GROUP BY source, ticket_id, contact_id"
        f"{agent})"
    )
    select = "u.seconds, u.started_at, " + ("u.agent_id, " if agent_dim else "NULL AS agent_id, ")
    sql = "SELECT " + select + _work_dims("u").format(units=units)
    return Relation(sql, "started_at", _WORK_DIMS, ())


_WORK_DIMS = {d: d for d in DIMS[:10]} | {"agent": "agent_id", "tag": "tags", "queue": "queue"}


def _stretches(o: FactOptions, agent_dim: bool) -> Relation:
    cut = " WHERE w.started_at <= $as_of" if o.as_of else ""
    units = f"(SELECT * FROM work w{cut})"
    sql = (
        "SELECT w.seconds, w.started_at, w.agent_id, w.seconds / 3600.0 * "
        "coalesce(a.hourly_cost, $default_hourly_cost) AS labor_cost, "
        + _work_dims("w").format(units=units)
        + " LEFT JOIN agents a ON a.agent_id = w.agent_id"
    )
    return Relation(sql, "started_at", _WORK_DIMS, ())


def _shifts(o: FactOptions, agent_dim: bool) -> Relation:
    sql = (
        "SELECT agent_id, starts_at, epoch(ends_at) - epoch(starts_at) AS shift_seconds "
        "FROM shifts WHERE activity = 'work'"
    )
    return Relation(sql, "starts_at", {"agent": "agent_id"}, ())


def _in_shift(o: FactOptions, agent_dim: bool) -> Relation:
    w_end = "epoch(w.started_at) + w.seconds"
    sql = (
        "SELECT w.agent_id, w.started_at, greatest(least(" + w_end + ", epoch(s.ends_at)) - "
        "greatest(epoch(w.started_at), epoch(s.starts_at)), 0) AS overlap_s FROM work w "
        "JOIN shifts s ON s.agent_id = w.agent_id AND s.activity = 'work' "
        "AND epoch(s.starts_at) < " + w_end + " AND epoch(s.ends_at) > epoch(w.started_at)"
    )
    return Relation(sql, "started_at", {"agent": "agent_id"}, ())


def _events(o: FactOptions, agent_dim: bool) -> Relation:
    sql = (
        "SELECT source, at, at_s FROM so_events UNION ALL "
        "SELECT source, created_at, created_s FROM so_tickets"
    )
    return Relation(sql, "at", {"source": "source"}, ("so_events", "so_tickets"))


def _values(rows: tuple[tuple[object, ...], ...], names: str, empty: tuple[object, ...]) -> str:
    """A VALUES table of literal ``rows`` (one row of ``empty`` when there is none)."""
    from sqlglot import exp

    def lit(v: object) -> str:
        if isinstance(v, bool):
            return "TRUE" if v else "FALSE"
        if isinstance(v, int | float):
            return f"CAST({float(v)!r} AS DOUBLE)"
        return exp.Literal.string(str(v)).sql("duckdb")

    body = ", ".join("(" + ", ".join(lit(v) for v in row) + ")" for row in rows or (empty,))
    return f"(VALUES {body}) AS {names}"


def _rated(o: FactOptions) -> Cte:
    """Rating rows of reviews outside calibration sessions, with their category's weight,
    kind, critical flag and ``pct`` — (rating − low) / (high − low) × 100, NULL when N/A or a
    non-scoring rating (see :mod:`supportops.qa.scoring`, which this mirrors)."""
    cats = _values(
        o.qa_categories,
        "c(scorecard, category, lo, hi, w, kind, critical)",
        ("", "", 0.0, 1.0, 0, "scored", False),
    )
    silent = _values(o.qa_silent, "s(scorecard, category, v)", ("", "", -1e18))
    cut = " AND r.at <= $as_of" if o.as_of else ""
    sql = (
        "SELECT r.source, r.ticket_id, r.review_id, r.agent_id, r.at AS reviewed_at, "
        "r.category AS qa_category, c.w, c.kind, c.critical, CASE WHEN coalesce(r.na, FALSE) "
        "OR r.rating IS NULL OR s.v IS NOT NULL THEN NULL ELSE (r.rating - c.lo) / "
        f"(c.hi - c.lo) * 100 END AS pct FROM reviews r JOIN {cats} ON c.scorecard = "
        f"r.scorecard AND c.category = r.category LEFT JOIN {silent} ON s.scorecard = "
        "r.scorecard AND s.category = r.category AND s.v = r.rating "
        f"WHERE r.calibration_session IS NULL{cut}"
    )
    return Cte("so_rated", sql, ())


def _ratings(o: FactOptions, agent_dim: bool) -> Relation:
    sql = (
        "SELECT t.*, q.pct, q.kind, q.qa_category, q.reviewed_at, q.agent_id AS reviewed_agent "
        f"FROM so_rated q LEFT JOIN so_tickets t ON {_on('t', 'q')}"
    )
    dims = _TICKET | {"agent": "reviewed_agent", "category": "qa_category"}
    return Relation(sql, "reviewed_at", dims, ("so_rated", "so_tickets"), (_rated(o),))


_SCORED = "kind = 'scored' AND pct IS NOT NULL"
_FAILS = "pct IS NOT NULL AND ((critical AND pct < 50) OR (kind = 'auto_fail' AND pct > 0))"


def _reviews(o: FactOptions, agent_dim: bool) -> Relation:
    per_review = (
        "SELECT source, ticket_id, review_id, max(agent_id) AS reviewed_agent, "
        "min(reviewed_at) AS reviewed_at, CASE WHEN sum(CASE WHEN "
        f"{_SCORED} THEN w ELSE 0 END) > 0 THEN CASE WHEN max(CASE WHEN {_FAILS} THEN 1 "
        "ELSE 0 END) = 1 THEN 0.0 ELSE sum(CASE WHEN kind <> 'auto_fail' AND pct IS NOT NULL "
        f"THEN w * pct ELSE 0 END) / sum(CASE WHEN {_SCORED} THEN w ELSE 0 END) END END "
        "AS review_score FROM so_rated GROUP BY source, ticket_id, review_id"
    )
    sql = (
        "SELECT t.*, q.review_score, q.reviewed_at, q.reviewed_agent "
        f"FROM ({per_review}) q LEFT JOIN so_tickets t ON {_on('t', 'q')}"
    )
    dims = _TICKET | {"agent": "reviewed_agent"}
    return Relation(sql, "reviewed_at", dims, ("so_rated", "so_tickets"), (_rated(o),))


def _imports(o: FactOptions, agent_dim: bool) -> Relation:
    return Relation("SELECT * FROM imports", "at", {}, ())


_BUILDERS = {
    "tickets": _tickets,
    "solves": _solves,
    "backlog": _spans,
    "cycles": _cycles,
    "surveys": _surveys,
    "sla": _sla,
    "contacts": _contacts,
    "bot_sessions": _bots,
    "work": _work,
    "work_stretches": _stretches,
    "shifts": _shifts,
    "work_in_shift": _in_shift,
    "events": _events,
    "imports": _imports,
    "reviews": _reviews,
    "review_ratings": _ratings,
}


def relation(name: str, options: FactOptions, agent_dim: bool) -> Relation:
    """The relation called ``name`` under ``options``."""
    return _BUILDERS[name](options, agent_dim)
