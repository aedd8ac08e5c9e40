"""Volume and flow (tickets, backlog, contacts, service level) and speed (first reply,
resolution and waits, in calendar and business time)."""

from __future__ import annotations

from supportops.metrics.catalog import Metric
from supportops.metrics.definitions.common import SPEED, VOLUME, define

__all__ = ["flow_metrics"]


def _volume() -> list[Metric]:
    return [
        define(
            "tickets_created",
            VOLUME,
            "count",
            "tickets",
            "1",
            "Tickets created in the period (merged tickets included).",
            "tickets",
        ),
        define(
            "tickets_solved",
            VOLUME,
            "count",
            "solves",
            "1",
            "Solve events in the period: changes into solved or closed from an unsolved status "
            "(solved → closed is not a new solve; a reopened ticket solved again counts twice). "
            "A ticket without status events is solved at its solved_at; without one either, "
            "its solve instant is unknown and it is not counted.",
            "solve events",
            "the solve's instant",
        ),
        define(
            "tickets_reopened",
            VOLUME,
            "count",
            "tickets",
            "CASE WHEN reopens > 0 THEN 1 END",
            "Tickets with at least one reopen (solved or closed → an unsolved status).",
            "tickets reopened at least once",
        ),
        define(
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
        define(
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
        define(
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
        define(
            "contacts_offered",
            VOLUME,
            "count",
            "contacts",
            "1",
            "Live contacts (phone, chat) offered to a queue.",
            "live contacts",
            "the contact's offered_at",
        ),
        define(
            "contacts_answered",
            VOLUME,
            "count",
            "contacts",
            "CASE WHEN answered_at IS NOT NULL THEN 1 END",
            "Live contacts an agent answered.",
            "live contacts",
            "the contact's offered_at",
        ),
        define(
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
        out.append(define(name, SPEED, "seconds", "tickets", name, text, counts))
        out.append(
            define(
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
        define(
            "next_reply_time",
            SPEED,
            "seconds",
            "cycles",
            "next_reply_time",
            cycle,
            "answered reply cycles",
        ),
        define(
            "next_reply_time_business",
            SPEED,
            "seconds",
            "cycles",
            "next_reply_time_business",
            cycle + _BUSINESS,
            "answered reply cycles",
            calendar_twin="next_reply_time",
        ),
        define(
            "speed_of_answer",
            SPEED,
            "seconds",
            "contacts",
            "CASE WHEN answered_at IS NOT NULL THEN answer_s END",
            "Live contacts: offered → answered (ASA is its mean).",
            "answered live contacts",
            "the contact's offered_at",
        ),
        define(
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


def flow_metrics() -> list[Metric]:
    """The metrics of this part of the catalog, in the spec's order: Volume and flow, then speed."""
    return [*_volume(), *_speed()]
