"""Every metric of the spec, declared as data (see :mod:`supportops.metrics.catalog`).

``value`` is SQL over the relation's columns (DuckDB dialect; NULL leaves a row out); ``$name``
is a bound query parameter (``$fcr_window``, ``$threshold``, ...). Each definition choice is
written in the definition text, which ``docs/metrics.md`` shows.
"""

from __future__ import annotations

from typing import Any

from supportops.metrics.catalog import Metric
from supportops.model.schema import TABLES

__all__ = ["METRICS", "SERVICE_LEVEL"]

VOLUME, SPEED, SLA = "Volume and flow", "Speed", "SLA"
QUALITY, CUSTOMER = "Quality of resolution", "Customer"
PEOPLE, AUTOMATION, DATA = "People and cost", "Automation and self-service", "Data quality"
CREATED = "the ticket's created_at"
SOLVED_ROW = "solved tickets (a solve at least once, as of --as-of)"


def _m(
    id: str,
    section: str,
    unit: Any,
    relation: str | None,
    value: str | None,
    definition: str,
    counts: str,
    when: str = CREATED,
    **kw: Any,
) -> Metric:
    return Metric(
        id=id,
        section=section,
        unit=unit,
        relation=relation,
        value=value,
        definition=definition,
        counts=counts,
        when=when,
        **kw,
    )


_SPANS = {
    "first_reply_time": (
        "Creation → first public agent message (not a bot, not an internal note, not a public "
        "note marked `note`). Agent-created tickets: from the first public customer message; "
        "replies before it do not count. Tickets with no such reply are left out (not zero).",
        "tickets with a first reply",
    ),
    "first_resolution_time": (
        "Creation → first solve (first change into solved or closed from an unsolved status). "
        "Tickets never solved are left out.",
        "tickets solved at least once",
    ),
    "full_resolution_time": (
        "Creation → last solve, for tickets solved (or closed) as of --as-of; a ticket "
        "reopened and not solved again is left out.",
        "tickets solved now",
    ),
    "requester_wait_time": (
        "Seconds spent in new, open and on_hold, for tickets solved as of --as-of (a ticket "
        "still unsolved is left out: its wait is not final).",
        "tickets solved now",
    ),
    "agent_wait_time": (
        "Seconds spent in pending, for tickets solved as of --as-of.",
        "tickets solved now",
    ),
    "on_hold_time": (
        "Seconds spent in on_hold, for tickets solved as of --as-of.",
        "tickets solved now",
    ),
}
_BUSINESS = (
    " Business variant: the same span in business seconds on the ticket's SLA "
    "calendar (the calendar of the first matching SLA policy, else default_calendar, "
    "else 24x7)."
)


def _speed() -> list[Metric]:
    out = []
    for name, (text, counts) in _SPANS.items():
        out.append(_m(name, SPEED, "seconds", "tickets", name, text, counts))
        out.append(
            _m(
                f"{name}_business",
                SPEED,
                "seconds",
                "tickets",
                f"{name}_business",
                text + _BUSINESS,
                counts,
                calendar_twin=name,
            )
        )
    cycle = (
        "Each reply cycle after the first reply: from the oldest public customer message "
        "after a public agent reply to the next public agent reply (one value per cycle; "
        "cycles still unanswered are left out)."
    )
    out += [
        _m(
            "next_reply_time",
            SPEED,
            "seconds",
            "cycles",
            "next_reply_time",
            cycle,
            "answered reply cycles",
        ),
        _m(
            "next_reply_time_business",
            SPEED,
            "seconds",
            "cycles",
            "next_reply_time_business",
            cycle + _BUSINESS,
            "answered reply cycles",
            calendar_twin="next_reply_time",
        ),
        _m(
            "speed_of_answer",
            SPEED,
            "seconds",
            "contacts",
            "CASE WHEN answered_at IS NOT NULL THEN answer_s END",
            "Live contacts: offered → answered (ASA is its mean).",
            "answered live contacts",
            "the contact's offered_at",
        ),
        _m(
            "handle_time",
            SPEED,
            "seconds",
            "work",
            "seconds",
            "Seconds of `work` per ticket or live contact (all agents' stretches added up; "
            "split by agent, per ticket and agent). AHT is its mean.",
            "tickets and contacts with work",
            "the first work stretch's started_at",
            default="mean",
        ),
    ]
    return out


def _volume() -> list[Metric]:
    return [
        _m(
            "tickets_created",
            VOLUME,
            "count",
            "tickets",
            "1",
            "Tickets created in the period (merged tickets included).",
            "tickets",
        ),
        _m(
            "tickets_solved",
            VOLUME,
            "count",
            "solves",
            "1",
            "Solve events in the period: changes into solved or closed from an unsolved status "
            "(solved → closed is not a new solve; a reopened ticket solved again counts twice). "
            "A ticket without status events is solved at its solved_at.",
            "solve events",
            "the solve's instant",
        ),
        _m(
            "tickets_reopened",
            VOLUME,
            "count",
            "tickets",
            "CASE WHEN reopens > 0 THEN 1 END",
            "Tickets with at least one reopen (solved or closed → an unsolved status).",
            "tickets reopened at least once",
        ),
        _m(
            "backlog",
            VOLUME,
            "count",
            "backlog",
            "1",
            "Unsolved tickets (new, open, pending, on_hold) at the last instant of the period; "
            "without --grain at --as-of (else the end of --to, else now).",
            "unsolved tickets",
            "the end of the period (a snapshot)",
        ),
        _m(
            "backlog_age",
            VOLUME,
            "seconds",
            "backlog",
            "age",
            "Age (now − created_at) of each unsolved ticket at the end of the period; "
            "`--buckets` counts them per age band 0-1d, 1-3d, 3-7d, 7-30d, 30d+.",
            "unsolved tickets",
            "the end of the period (a snapshot)",
        ),
        _m(
            "net_flow",
            VOLUME,
            "count",
            None,
            None,
            "tickets_created − tickets_solved in the period (queue velocity; negative when the "
            "queue shrinks).",
            "tickets and solve events",
            "as its parts",
            derived="{tickets_created} - {tickets_solved}",
        ),
        _m(
            "contacts_offered",
            VOLUME,
            "count",
            "contacts",
            "1",
            "Live contacts (phone, chat) offered to a queue.",
            "live contacts",
            "the contact's offered_at",
        ),
        _m(
            "contacts_answered",
            VOLUME,
            "count",
            "contacts",
            "CASE WHEN answered_at IS NOT NULL THEN 1 END",
            "Live contacts an agent answered.",
            "live contacts",
            "the contact's offered_at",
        ),
        _m(
            "contacts_abandoned",
            VOLUME,
            "count",
            "contacts",
            "CASE WHEN gave_up THEN 1 END",
            "Live contacts abandoned before an answer.",
            "live contacts",
            "the contact's offered_at",
        ),
    ]


_ANSWERED = (
    "CASE WHEN answered_at IS NOT NULL THEN CASE WHEN answer_s <= $threshold THEN 1 ELSE 0 END"
)
SERVICE_LEVEL: dict[str, str] = {
    "exclude_abandoned": _ANSWERED + " END",
    "abandoned_as_missed": _ANSWERED + " WHEN gave_up THEN 0 END",
    "abandoned_as_met": _ANSWERED + " WHEN gave_up THEN 1 END",
    "exclude_short_abandons": _ANSWERED + " WHEN gave_up AND coalesce(abandon_s, 0) > $short "
    "THEN 0 END",
}


def _sla() -> list[Metric]:
    when = "the ticket's created_at"
    return [
        _m(
            "sla_achieved_rate",
            SLA,
            "rate",
            "sla",
            "CASE sla_status WHEN 'achieved' THEN 1 WHEN 'breached' THEN 0 END",
            "achieved / (achieved + breached) SLA target instances (active and paused ones are "
            "left out); `--by target` splits per target.",
            "SLA target instances",
            when,
        ),
        _m(
            "sla_breaches",
            SLA,
            "count",
            "sla",
            "CASE WHEN sla_status = 'breached' THEN 1 END",
            "Breached SLA target instances.",
            "SLA target instances",
            when,
        ),
        _m(
            "sla_active",
            SLA,
            "seconds",
            "sla",
            "CASE WHEN sla_status = 'active' THEN due_s - $now_s END",
            "Running target instances at --as-of (else now); the value of each is its time to "
            "breach, so `sla_active:median` is the median time to breach.",
            "active SLA target instances",
            when,
            default="count",
        ),
        _m(
            "service_level",
            SLA,
            "rate",
            "contacts",
            SERVICE_LEVEL["exclude_abandoned"],
            "Live contacts answered within --threshold seconds (default 20) / offered. "
            "--abandon: exclude_abandoned (default), abandoned_as_missed, abandoned_as_met, "
            "exclude_short_abandons (abandons within --short seconds, default 5, are left out; "
            "longer ones are missed).",
            "answered (and, per option, abandoned) live contacts",
            "the contact's offered_at",
            options=("threshold", "abandon", "short"),
        ),
    ]


def _quality() -> list[Metric]:
    solved = "CASE WHEN solves > 0 THEN CASE WHEN {} THEN 1 ELSE 0 END END"
    return [
        _m(
            "reopen_rate",
            QUALITY,
            "rate",
            "tickets",
            solved.format("reopens > 0"),
            "tickets_reopened / tickets solved at least once.",
            SOLVED_ROW,
        ),
        _m(
            "one_touch_rate",
            QUALITY,
            "rate",
            "tickets",
            solved.format("agent_replies <= 1 AND reopens = 0"),
            "Solved tickets with at most one public agent message (none included) and no "
            "reopen / solved tickets.",
            SOLVED_ROW,
        ),
        _m(
            "fcr_rate",
            QUALITY,
            "rate",
            "tickets",
            "first_contact_resolved",
            "First contact resolution, repeat-contact variant: tickets solved now whose "
            "requester opened no other ticket (same source) within --window (default 7d) after "
            "the last solve / tickets solved now. Tickets without a requester are left out.",
            "tickets solved now with a requester",
            options=("window",),
        ),
        _m(
            "agent_replies",
            QUALITY,
            "number",
            "tickets",
            "agent_replies",
            "Public agent messages per ticket (bots and internal notes excluded).",
            "tickets",
        ),
        _m(
            "reassignments",
            QUALITY,
            "number",
            "tickets",
            "reassignments",
            "Assignee changes to someone after the first assignment, per ticket.",
            "tickets",
        ),
        _m(
            "group_transfers",
            QUALITY,
            "number",
            "tickets",
            "group_transfers",
            "Group changes after the first group, per ticket.",
            "tickets",
        ),
        _m(
            "escalation_rate",
            QUALITY,
            "rate",
            "tickets",
            "escalated",
            "Tickets ever in a group marked `tier: 2` or higher in supportops.yaml (by a group "
            "event or as the current group) / tickets.",
            "tickets",
        ),
    ]


def _customer() -> list[Metric]:
    answer = "the survey answer's at"
    return [
        _m(
            "csat",
            CUSTOMER,
            "rate",
            "surveys",
            "CASE WHEN survey = 'csat' THEN CASE WHEN score >= 4 THEN 1 ELSE 0 END END",
            "csat answers with score 4–5 / csat answers. A survey offered and never answered "
            "is not an answer and is not counted.",
            "csat answers",
            answer,
        ),
        _m(
            "csat_responses",
            CUSTOMER,
            "count",
            "surveys",
            "CASE WHEN survey = 'csat' THEN 1 END",
            "csat answers.",
            "csat answers",
            answer,
        ),
        _m(
            "csat_response_rate",
            CUSTOMER,
            "rate",
            None,
            None,
            "csat answers / tickets solved, each in its own period.",
            "csat answers",
            answer,
            derived="CAST({csat_responses} AS DOUBLE) / nullif({tickets_solved}, 0)",
        ),
        _m(
            "nps",
            CUSTOMER,
            "points",
            "surveys",
            "CASE WHEN survey = 'nps' THEN CASE WHEN score >= 9 THEN 100 WHEN score <= 6 "
            "THEN -100 ELSE 0 END END",
            "% of nps scores 9–10 − % of scores 0–6, in points (−100..100).",
            "nps answers",
            answer,
        ),
        _m(
            "ces",
            CUSTOMER,
            "score",
            "surveys",
            "CASE WHEN survey = 'ces' THEN score END",
            "Mean ces score (1–7).",
            "ces answers",
            answer,
        ),
    ]


_COST = (
    "CASE WHEN {_labor_cost} IS NULL AND $overhead = 0 THEN NULL ELSE "
    "(coalesce({_labor_cost}, 0) + $overhead * {n}) / nullif({n}, 0) END"
)


def _people() -> list[Metric]:
    cost = (
        "(agent hourly_cost, else cost.default_hourly_cost, × handle seconds of `work` in "
        "the period + cost.overhead_per_ticket × tickets created)"
    )
    return [
        _m(
            "solved_per_agent",
            PEOPLE,
            "number",
            "solves",
            "solver",
            "Solve events credited to the assignee at solve time (the last assignee event "
            "before the solve, else the current assignee) / agents credited; `--by agent` "
            "gives each agent's count.",
            "solve events with an assignee",
            "the solve's instant",
            aggregate="count({v}) * 1.0 / nullif(count(DISTINCT {v}), 0)",
            agent=True,
        ),
        _m(
            "agent_utilization",
            PEOPLE,
            "rate",
            None,
            None,
            "Seconds of `work` / scheduled `shifts` seconds of activity work.",
            "work stretches and shifts",
            "the stretch's or shift's start",
            derived="{_work_seconds} / nullif({_shift_seconds}, 0)",
        ),
        _m(
            "occupancy",
            PEOPLE,
            "rate",
            None,
            None,
            "Seconds of `work` inside the agent's work shifts / (those + available) seconds, "
            "taking an agent as logged in and available for the whole work shift (the event "
            "log holds no presence states).",
            "work stretches and shifts",
            "the stretch's or shift's start",
            derived="{_work_in_shift_seconds} / nullif({_shift_seconds}, 0)",
        ),
        _m(
            "cost_per_ticket",
            PEOPLE,
            "currency",
            None,
            None,
            f"{cost} / tickets created. Null when there is neither work nor overhead.",
            "tickets",
            "as its parts",
            derived=_COST.replace("{n}", "{tickets_created}"),
        ),
        _m(
            "cost_per_resolution",
            PEOPLE,
            "currency",
            None,
            None,
            f"{cost} / tickets solved.",
            "solve events",
            "as its parts",
            derived=_COST.replace("{n}", "{tickets_solved}"),
        ),
        _m(
            "cost_per_contact",
            PEOPLE,
            "currency",
            None,
            None,
            f"{cost} (work on tickets and live contacts) / (tickets created + live contacts "
            "offered); `--by channel` uses the ticket's or contact's channel.",
            "tickets and live contacts",
            "as its parts",
            derived=_COST.replace("{n}", "({tickets_created} + {contacts_offered})"),
        ),
        _m(
            "_work_seconds",
            PEOPLE,
            "seconds",
            "work_stretches",
            "seconds",
            "work seconds",
            "work stretches",
            hidden=True,
            default="sum",
        ),
        _m(
            "_labor_cost",
            PEOPLE,
            "currency",
            "work_stretches",
            "labor_cost",
            "labor cost",
            "work stretches",
            hidden=True,
        ),
        _m(
            "_shift_seconds",
            PEOPLE,
            "seconds",
            "shifts",
            "shift_seconds",
            "shift seconds",
            "work shifts",
            hidden=True,
            default="sum",
        ),
        _m(
            "_work_in_shift_seconds",
            PEOPLE,
            "seconds",
            "work_in_shift",
            "overlap_s",
            "work seconds inside shifts",
            "work stretches",
            hidden=True,
            default="sum",
        ),
    ]


def _automation() -> list[Metric]:
    started = "the session's started_at"
    rate = "CASE WHEN {} THEN 1 ELSE 0 END"
    return [
        _m(
            "bot_containment_rate",
            AUTOMATION,
            "rate",
            "bot_sessions",
            rate.format("outcome <> 'handed_off'"),
            "Bot sessions not handed off / bot sessions.",
            "bot sessions",
            started,
        ),
        _m(
            "bot_resolution_rate",
            AUTOMATION,
            "rate",
            "bot_sessions",
            rate.format("outcome = 'resolved'"),
            "Bot sessions with outcome `resolved` / bot sessions.",
            "bot sessions",
            started,
        ),
        _m(
            "bot_resolution_rate_confirmed",
            AUTOMATION,
            "rate",
            "bot_sessions",
            rate.format("outcome = 'resolved' AND coalesce(resolution_confirmed, FALSE)"),
            "The confirmed variant of bot_resolution_rate: only sessions whose customer said it "
            "helped (resolution_confirmed) count as resolved.",
            "bot sessions",
            started,
        ),
        _m(
            "deflection_rate",
            AUTOMATION,
            "rate",
            None,
            None,
            "Bot sessions resolved without a ticket / (those + tickets created).",
            "bot sessions and tickets",
            "as its parts",
            derived="CAST({_bot_deflected} AS DOUBLE) / "
            "nullif({_bot_deflected} + {tickets_created}, 0)",
        ),
        _m(
            "_bot_deflected",
            AUTOMATION,
            "count",
            "bot_sessions",
            "CASE WHEN outcome = 'resolved' AND ticket_id IS NULL THEN 1 END",
            "resolved without a ticket",
            "bot sessions",
            started,
            hidden=True,
        ),
        _m(
            "bot_false_resolution_rate",
            AUTOMATION,
            "rate",
            "bot_sessions",
            "CASE WHEN outcome = 'resolved' THEN CASE WHEN ticket_after_s >= 0 AND "
            "ticket_after_s <= $bot_window THEN 1 ELSE 0 END END",
            "Bot sessions marked resolved whose customer opened a ticket within --window "
            "(default 72h) / bot sessions marked resolved. The event log links a session to "
            "the customer's ticket through the session's ticket_id.",
            "resolved bot sessions",
            started,
            options=("window",),
        ),
        _m(
            "human_escalation_rate",
            AUTOMATION,
            "rate",
            "bot_sessions",
            rate.format("outcome = 'handed_off'"),
            "Bot sessions handed off / bot sessions.",
            "bot sessions",
            started,
        ),
        _m(
            "automation_rate",
            AUTOMATION,
            "rate",
            "solves",
            rate.format("agent_replies = 0"),
            "Solve events of tickets with no public agent message (as of --as-of) / solve events.",
            "solve events",
            "the solve's instant",
        ),
    ]


def _completeness() -> str:
    cols = [c for c in TABLES["tickets"].columns if c.name != "custom"]
    parts = [
        f'CASE WHEN "{c.name}" IS NOT NULL THEN 1 ELSE 0 END'
        if c.type in ("timestamp", "list")
        else f"CASE WHEN coalesce(CAST(\"{c.name}\" AS VARCHAR), '') <> '' THEN 1 ELSE 0 END"
        for c in cols
    ]
    return "(" + " + ".join(parts) + f") / {float(len(cols))}"


def _data() -> list[Metric]:
    return [
        _m(
            "completeness",
            DATA,
            "rate",
            "tickets",
            _completeness(),
            "Share of non-empty values over the columns of `tickets` (custom excluded); "
            "`supportops quality` shows it per column.",
            "tickets",
        ),
        _m(
            "validity",
            DATA,
            "rate",
            "tickets",
            "valid",
            "Share of tickets with no impossible sequence: a reply or solve before creation, "
            "solved_at without a solve event, a status the events contradict.",
            "tickets",
        ),
        _m(
            "freshness",
            DATA,
            "seconds",
            "events",
            "at_s",
            "now − the newest event (or ticket creation), per source with `--by source`.",
            "events",
            "the event's at",
            aggregate="$now_s - max({v})",
        ),
        _m(
            "duplicates",
            DATA,
            "count",
            "imports",
            "duplicates",
            "Rows merged on import because they were the same ticket or event (table `imports`).",
            "imports",
            "the import's at",
            aggregate="sum({v})",
        ),
    ]


METRICS: tuple[Metric, ...] = (
    *_volume(),
    *_speed(),
    *_sla(),
    *_quality(),
    *_customer(),
    *_people(),
    *_automation(),
    *_data(),
)
