"""Automation and self-service: bot containment, resolution, deflection and false
resolutions, and tickets solved without an agent."""

from __future__ import annotations

from supportops.metrics.catalog import Metric
from supportops.metrics.definitions.common import AUTOMATION, define

__all__ = ["automation_metrics"]


def _automation() -> list[Metric]:
    started = "the session's started_at"
    rate = "CASE WHEN {} THEN 1 ELSE 0 END"
    return [
        define(
            "bot_containment_rate",
            AUTOMATION,
            "rate",
            "bot_sessions",
            rate.format("outcome <> 'handed_off'"),
            "Bot sessions not handed off / bot sessions.",
            "bot sessions",
            started,
        ),
        define(
            "bot_resolution_rate",
            AUTOMATION,
            "rate",
            "bot_sessions",
            rate.format("outcome = 'resolved'"),
            "Bot sessions with outcome `resolved` / bot sessions.",
            "bot sessions",
            started,
        ),
        define(
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
        define(
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
        define(
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
        define(
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
        define(
            "human_escalation_rate",
            AUTOMATION,
            "rate",
            "bot_sessions",
            rate.format("outcome = 'handed_off'"),
            "Bot sessions handed off / bot sessions.",
            "bot sessions",
            started,
        ),
        define(
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


def automation_metrics() -> list[Metric]:
    """The metrics of this part of the catalog, in the spec's order: Automation and self-service."""
    return [*_automation()]
