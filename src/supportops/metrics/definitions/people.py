"""People and cost: handle time, occupancy, agent output and the cost per ticket."""

from __future__ import annotations

from supportops.metrics.catalog import Metric
from supportops.metrics.definitions.common import PEOPLE, define

__all__ = ["people_metrics"]


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
        define(
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
        define(
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
        define(
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
        define(
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
        define(
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
        define(
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
        define(
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
        define(
            "_labor_cost",
            PEOPLE,
            "currency",
            "work_stretches",
            "labor_cost",
            "labor cost",
            "work stretches",
            hidden=True,
        ),
        define(
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
        define(
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


def people_metrics() -> list[Metric]:
    """The metrics of this part of the catalog, in the spec's order: People and cost."""
    return [*_people()]
