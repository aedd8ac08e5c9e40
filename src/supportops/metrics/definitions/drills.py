"""The tickets behind each metric's number, as data: a set of tickets and a condition on their
facts (see :class:`~supportops.metrics.catalog.DrillSpec`). A metric not named here lists the
tickets created in the range."""

from __future__ import annotations

from supportops.conditions import All, Compare, Condition
from supportops.metrics.catalog import DrillSpec

__all__ = ["AT_RISK_WITHIN", "DRILLS", "FALSE_RESOLUTION_WINDOW"]

AT_RISK_WITHIN = 4 * 3600  # the SLA page's "at risk": due within 4 h
FALSE_RESOLUTION_WINDOW = 72 * 3600  # a ticket opened within 72 h of a "resolved" session


def _has(fact: str) -> Condition:
    return Compare(fact, "null", (False,), "number")


SOLVED = Compare("solved_at", "null", (False,), "instant")
DRILLS: dict[str, DrillSpec] = {
    "tickets_solved": DrillSpec(facts=SOLVED),
    "first_reply_time": DrillSpec(facts=_has("first_reply_time")),
    "first_resolution_time": DrillSpec(facts=_has("first_resolution_time")),
    "full_resolution_time": DrillSpec(facts=_has("full_resolution_time")),
    "tickets_reopened": DrillSpec(facts=Compare("reopens", "gt", (0.0,), "number")),
    "automation_rate": DrillSpec(
        facts=All((_has("first_resolution_time"), Compare("agent_replies", "eq", (0.0,), "number")))
    ),
    "backlog": DrillSpec("backlog"),
    "backlog_age": DrillSpec("backlog", by_period=True),
    "sla_active": DrillSpec("sla", statuses=("active",), within=AT_RISK_WITHIN),
    "sla_achieved_rate": DrillSpec("sla", statuses=("achieved", "breached")),
    "sla_breaches": DrillSpec("sla", statuses=("breached",)),
    "csat": DrillSpec("surveys"),
    "bot_containment_rate": DrillSpec("sessions", outcome="handed_off"),
    "human_escalation_rate": DrillSpec("sessions", outcome="handed_off"),
    "bot_resolution_rate": DrillSpec("sessions", outcome="resolved"),
    "bot_resolution_rate_confirmed": DrillSpec("sessions", outcome="resolved"),
    "bot_false_resolution_rate": DrillSpec(
        "sessions", outcome="resolved", within=FALSE_RESOLUTION_WINDOW
    ),
    "validity": DrillSpec("validity"),
    "completeness": DrillSpec("completeness"),
}
