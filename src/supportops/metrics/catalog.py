"""The metric catalog: every metric as data, and ``docs/metrics.md`` rendered from it.

A :class:`Metric` is either a *base* metric — a row ``value`` (SQL over one relation's columns;
NULL leaves the row out) aggregated per group — or a *derived* one, an expression over other
metrics' aggregates. The definitions live in :mod:`supportops.metrics.definitions`; this module
holds their shape, the aggregations, lookups and the markdown.

``python -m supportops.metrics.catalog --markdown`` prints ``docs/metrics.md``.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from supportops.conditions import Condition, describe
from supportops.errors import MetricError

__all__ = [
    "AGGREGATIONS",
    "UNIT_AGGS",
    "DrillSpec",
    "Metric",
    "catalog",
    "get",
    "parse_request",
    "render_markdown",
]

Unit = Literal["seconds", "count", "rate", "number", "score", "points", "currency"]

# The SQL of each aggregation over a row value ``{v}`` (DuckDB dialect, transpiled per engine).
AGGREGATIONS: dict[str, str] = {
    "median": "quantile_cont({v}, 0.5)",
    "p90": "quantile_cont({v}, 0.9)",
    "p95": "quantile_cont({v}, 0.95)",
    "mean": "avg({v})",
    "min": "min({v})",
    "max": "max({v})",
    "sum": "sum({v})",
    "count": "count({v})",
}
_DURATION_AGGS = ("median", "mean", "p90", "p95", "max", "min", "sum", "count")
UNIT_AGGS: dict[str, tuple[str, ...]] = {
    "seconds": _DURATION_AGGS,
    "number": ("mean", "median", "p90", "p95", "max", "min", "sum", "count"),
    "score": ("mean", "median", "min", "max", "count"),
    "points": ("mean",),
    "currency": ("sum", "mean", "median", "max"),
    "count": ("count",),
    "rate": ("mean",),
}
_DEFAULT_AGG = {
    "seconds": "median",
    "number": "mean",
    "score": "mean",
    "points": "mean",
    "currency": "sum",
    "count": "count",
    "rate": "mean",
}


DrillSet = Literal[
    "created", "backlog", "sla", "sessions", "surveys", "reviews", "validity", "completeness"
]
_SET_TEXT = {
    "created": "tickets created in the range",
    "backlog": "tickets unsolved at the end of the range (of a period and age band, if asked)",
    "sla": "tickets with SLA target instances",
    "sessions": "tickets of the bot sessions started in the range",
    "surveys": "tickets with a csat answer given in the range",
    "reviews": "tickets with a QA review given in the range (calibration sessions left out)",
    "validity": "tickets created in the range that fail the validity rule asked",
    "completeness": "tickets created in the range with the column asked empty",
}


@dataclass(frozen=True)
class DrillSpec:
    """The tickets behind a metric's number (``/tickets`` and ``supportops tickets``).

    ``set`` is the set of tickets (created in the range, the backlog at an instant, those with
    SLA instances, bot sessions or survey answers in the range, a data-quality check), narrowed
    by ``facts``, a condition (:mod:`supportops.conditions`) on the per-ticket facts row.
    ``statuses`` are the SLA instance statuses counted; ``outcome`` the bot sessions' outcome;
    ``within`` seconds (SLA: due at most that long after the instant; sessions: tickets created
    at most that long after the session); ``by_period``: a backlog at the end of a period.
    """

    set: DrillSet = "created"
    facts: Condition | None = None
    statuses: tuple[str, ...] = ()
    outcome: str | None = None
    within: int | None = None
    by_period: bool = False

    @property
    def scope(self) -> str:
        """``created``, ``snapshot`` (a state at an instant) or ``activity`` (in the range)."""
        if self.set == "backlog" or (self.set == "sla" and self.statuses == ("active",)):
            return "snapshot"
        return "activity" if self.set in ("sessions", "surveys", "reviews") else "created"

    def describe(self) -> str:
        """The drill in words, for ``docs/metrics.md``."""
        text = _SET_TEXT[self.set]
        if self.statuses:
            text += f" {' or '.join(self.statuses)}"
        if self.outcome:
            text += f" of outcome {self.outcome}"
        if self.within is not None:
            text += f" (within {self.within // 3600} h)"
        return text + (f", where {describe(self.facts)}" if self.facts is not None else "")


@dataclass(frozen=True)
class Metric:
    """One metric of the catalog.

    ``relation`` and ``value`` make a base metric; ``derived`` (with ``{id}`` references) makes a
    derived one. ``counts`` says what one row is, ``when`` what puts it in a period. ``options``
    names the query options it reads (``window``, ``threshold``, ``abandon``, ``short``).
    ``hidden`` metrics are components of derived ones, not listed. ``aggregate`` replaces the
    aggregation by an SQL aggregate over the relation's columns; ``agent`` asks the relation for
    the agent column even when the query is not split by agent. ``drill`` says which tickets
    are behind its number.
    """

    id: str
    section: str
    unit: Unit
    definition: str
    counts: str
    when: str
    relation: str | None = None
    value: str | None = None
    derived: str | None = None
    default: str | None = None
    calendar_twin: str | None = None
    options: tuple[str, ...] = ()
    hidden: bool = False
    aggregate: str | None = None
    agent: bool = False
    drill: DrillSpec = field(default_factory=DrillSpec)

    @property
    def default_agg(self) -> str:
        """The aggregation used when the request names none."""
        return self.default or _DEFAULT_AGG[self.unit]

    @property
    def aggs(self) -> tuple[str, ...]:
        """Aggregations a request may name (a derived metric has only its default)."""
        if self.derived or self.aggregate:
            return (self.default_agg,)
        return UNIT_AGGS[self.unit]

    @property
    def business(self) -> bool:
        """Whether this is a ``_business`` variant, measured on the ticket's calendar."""
        return self.calendar_twin is not None


def catalog() -> dict[str, Metric]:
    """Every metric by id, in the spec's order (hidden components included)."""
    from supportops.metrics.definitions import METRICS

    return {m.id: m for m in METRICS}


def get(metric_id: str) -> Metric:
    """The metric called ``metric_id``; a :class:`MetricError` names the closest one."""
    found = catalog().get(metric_id)
    if found is None or found.hidden:
        shown = [m.id for m in catalog().values() if not m.hidden]
        close = difflib.get_close_matches(metric_id, shown, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise MetricError(
            f"unknown metric {metric_id!r}{hint} (`supportops metrics --list` lists them)",
            key=metric_id,
            suggestion=close[0] if close else None,
        )
    return found


def parse_request(text: str, defaults: dict[str, str] | None = None) -> tuple[Metric, str]:
    """``first_reply_time:p90`` → (metric, "p90"); the default aggregation when none is given."""
    metric_id, _, agg = text.partition(":")
    metric = get(metric_id.strip())
    agg = agg.strip() or (defaults or {}).get(metric.id) or metric.default_agg
    if agg not in metric.aggs:
        raise MetricError(
            f"{metric.id}: no aggregation {agg!r} (expected one of {', '.join(metric.aggs)})"
        )
    return metric, agg


def render_markdown() -> str:
    """``docs/metrics.md``: the catalog with its profile variants, generated from the data."""
    from supportops.metrics.profiles import PROFILES

    lines = [
        "# Metric catalog",
        "",
        "<!-- generated by `python -m supportops.metrics.catalog --markdown`; do not edit -->",
        "",
        "Ask for a metric as `ID` or `ID:AGG` (`supportops metrics first_reply_time:p90`).",
        "Durations are in seconds; rates are fractions in [0, 1]; a metric with no data is null,",
        "never 0. A ticket counts in the period of its `created_at` unless `when` says otherwise;",
        "periods are cut in the workspace `report_timezone`.",
        "",
        "The same SQL runs on the embedded DuckDB store and on PostgreSQL; `--sql --dialect",
        "snowflake|bigquery|spark|postgres` prints it for a warehouse (business variants read the",
        "`calendar_days` table). `supportops metrics refresh` materialises the per-ticket facts",
        "(and the backlog's spans, the survey answers and an SLA snapshot) so that reports on",
        "millions of tickets aggregate them instead of re-reading every event; a stale or",
        "non-matching materialisation is never read. SLA metrics read the stored snapshot for",
        "any instant after it, with each `active` target past its `due_at` counted as breached",
        "(exactly what the SLA engine gives when no event arrived since; see `docs/sla.md`).",
        "`supportops tickets` lists the per-ticket facts behind every number (with",
        "`assignee_name`, `group_name` and `organization_name` beside their ids).",
        "",
    ]
    section = ""
    for metric in catalog().values():
        if metric.hidden:
            continue
        if metric.section != section:
            section = metric.section
            lines += [f"## {section}", ""]
        lines += _metric_lines(metric, PROFILES)
    lines += ["## Vendor profiles", ""]
    for prof in PROFILES.values():
        lines += [f"- **{prof.name}** — {prof.doc}"]
    return "\n".join(lines) + "\n"


def _metric_lines(metric: Metric, profiles: Mapping[str, Any]) -> list[str]:
    out = [f"### `{metric.id}`", "", metric.definition, ""]
    out.append(
        f"- unit: {metric.unit}; aggregations: {', '.join(metric.aggs)} "
        f"(default `{metric.default_agg}`)"
    )
    out.append(f"- counts: {metric.counts}")
    out.append(f"- when: {metric.when}")
    out.append(f"- tickets behind it: {metric.drill.describe()}")
    if metric.calendar_twin:
        out.append(
            f"- clock: business seconds on the ticket's SLA calendar; "
            f"calendar twin `{metric.calendar_twin}`"
        )
    if metric.options:
        out.append(f"- options: {', '.join('--' + o for o in metric.options)}")
    for prof in profiles.values():
        override = getattr(prof, "overrides", {}).get(metric.id)
        note = getattr(prof, "notes", {}).get(metric.calendar_twin or metric.id)
        for text in (override.note if override else None, note):
            if text:
                out.append(f"- profile {text}")
    return [*out, ""]


if __name__ == "__main__":  # pragma: no cover - exercised through the docs test
    if "--markdown" in sys.argv:
        sys.stdout.write(render_markdown())
    else:
        for item in catalog().values():
            if not item.hidden:
                print(f"{item.id:32} {item.unit:9} {item.definition.splitlines()[0][:80]}")
