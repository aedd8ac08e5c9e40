"""What came of the work: SLA targets, the quality of resolution and what customers said."""

from __future__ import annotations

from supportops.metrics.catalog import Metric
from supportops.metrics.definitions.common import CUSTOMER, QUALITY, SLA, SOLVED_ROW, define

__all__ = ["SERVICE_LEVEL", "outcome_metrics"]


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
        define(
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
        define(
            "sla_breaches",
            SLA,
            "count",
            "sla",
            "CASE WHEN sla_status = 'breached' THEN 1 END",
            "Breached SLA target instances.",
            "SLA target instances",
            when,
        ),
        define(
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
        define(
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
        define(
            "reopen_rate",
            QUALITY,
            "rate",
            "tickets",
            solved.format("reopens > 0"),
            "tickets_reopened / tickets solved at least once.",
            SOLVED_ROW,
        ),
        define(
            "one_touch_rate",
            QUALITY,
            "rate",
            "tickets",
            solved.format("agent_replies <= 1 AND reopens = 0"),
            "Solved tickets with at most one public agent message (none included) and no "
            "reopen / solved tickets.",
            SOLVED_ROW,
        ),
        define(
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
        define(
            "agent_replies",
            QUALITY,
            "number",
            "tickets",
            "agent_replies",
            "Public agent messages per ticket (bots and internal notes excluded).",
            "tickets",
        ),
        define(
            "reassignments",
            QUALITY,
            "number",
            "tickets",
            "reassignments",
            "Assignee changes to someone after the first assignment, per ticket.",
            "tickets",
        ),
        define(
            "group_transfers",
            QUALITY,
            "number",
            "tickets",
            "group_transfers",
            "Group changes after the first group, per ticket.",
            "tickets",
        ),
        define(
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
        define(
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
        define(
            "csat_responses",
            CUSTOMER,
            "count",
            "surveys",
            "CASE WHEN survey = 'csat' THEN 1 END",
            "csat answers.",
            "csat answers",
            answer,
        ),
        define(
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
        define(
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
        define(
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


def outcome_metrics() -> list[Metric]:
    """The metrics of this part of the catalog, in the spec's order: SLA, quality of
    resolution, customer."""
    return [*_sla(), *_quality(), *_customer()]
