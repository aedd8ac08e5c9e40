"""Reconciliation with the helpdesk: our per-ticket values beside the vendor's own, each
difference explained by a rule.

The vendor's values are the ``vendor_metrics`` rows of a source (a connector's sync, or the
Zendesk records loader); which of our metrics each one pairs with is the vendor's declaration
(``metric_pairs`` of :class:`~supportops.connectors.spec.Vendor`), so every vendor that
reports metrics reconciles the same way. The rules, first match wins, are data in
:data:`RULES`. A metric the vendor *reported empty* (Zendesk: not final) is told from one its
record does not hold at all (absent: nothing to compare).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from supportops.connectors.registry import VENDOR_MODULES, vendor_of
from supportops.errors import MetricError
from supportops.metrics.compiler import run_sql
from supportops.metrics.drilldown import tickets
from supportops.metrics.zendesk import ZendeskRecords, load_zendesk_records

if TYPE_CHECKING:
    from supportops.workspace import Workspace

__all__ = ["RULES", "ZendeskRecords", "load_zendesk_records", "reconcile"]

RUNNING_TOTALS = ("requester_wait_time", "agent_wait_time", "on_hold_time")
DERIVED = ("first_reply_time", "first_resolution_time", "full_resolution_time")
UNSOLVED = ("new", "open", "pending", "on_hold")
Rule = tuple[str, Callable[[pd.DataFrame], "pd.Series[bool]"], str]
RULES: tuple[Rule, ...] = (
    (
        "derived_from_vendor",
        lambda f: (
            (f.derived > 0)
            & (f.clock == "calendar")
            & f.metric.isin(DERIVED)
            & ((f.ours - f.vendor).abs() < 1)
        ),
        "our instants were derived from the vendor's own calendar minutes (no comment or audit "
        "was imported): they agree by construction, which validates nothing",
    ),
    (
        "agree",
        lambda f: (f.ours - f.vendor).abs() < 1,
        "agree within the vendor's rounding to whole minutes",
    ),
    (
        "both_empty",
        lambda f: f.ours.isna() & f.vendor.isna() & f.reported,
        "neither side has a value",
    ),
    (
        "vendor_absent",
        lambda f: ~f.reported,
        "the vendor's record holds no such metric: nothing to compare",
    ),
    (
        "agent_created",
        lambda f: (f.metric == "first_reply_time") & (f.created_by == "agent"),
        "agent-created ticket: supportops measures from the first public customer message "
        "(none yet means no value); the vendor measures from creation or leaves it empty",
    ),
    (
        "bot_reply",
        lambda f: (f.metric == "first_reply_time") & (f.bot_messages > 0),
        "a bot replied: supportops counts only a public agent message as the first reply",
    ),
    (
        "missing_reopen",
        lambda f: (f.vendor_reopens > f.our_reopens) & (f.clock != "count"),
        "the vendor counted a reopen the imported events do not hold: the solve we know is not "
        "the last, and the time after the reopen is missing from our value",
    ),
    (
        "unsolved_running_total",
        lambda f: f.ours.isna() & f.metric.isin(RUNNING_TOTALS) & f.status.isin(UNSOLVED),
        "the ticket is unsolved: supportops gives this total at the solve, the vendor a "
        "running total so far",
    ),
    (
        "not_imported",
        lambda f: f.ours.isna() & f.vendor.notna() & (f.events == 0),
        "no events of this ticket were imported, so its value cannot be recomputed",
    ),
    (
        "vendor_not_final",
        lambda f: f.vendor.isna() & f.ours.notna(),
        "the vendor reported no value yet: its metric is not final (ticket unsolved)",
    ),
    (
        "ours_not_final",
        lambda f: f.ours.isna() & f.vendor.notna(),
        "supportops has no value: the ticket is unsolved now or the events lack the change "
        "the vendor measured",
    ),
    (
        "schedule",
        lambda f: (f.clock == "business") & f.calendar_agrees,
        "schedule in force: the calendar minutes agree, so the business minutes differ by the "
        "schedule (hours, holidays or an earlier version of the schedule the vendor applied)",
    ),
    (
        "missing_audits",
        lambda f: f.metric.isin(["reopens", "agent_replies"]),
        "the count needs every audit and comment; the import did not carry them all",
    ),
    ("unexplained", lambda f: pd.Series(True, index=f.index), "no rule explains it"),
)


def _pairs(ws: Workspace, source: str | None, profile: str | None) -> pd.DataFrame:
    """(metric, vendor_metric, clock) of the vendor of ``source`` (or named by ``profile``)."""
    if profile is None and source is not None:
        configured = ws.config.sources.get(source)
        profile = configured.vendor if configured else source
    name = profile or "zendesk"
    if name not in VENDOR_MODULES:
        raise MetricError(
            f"reconcile knows no vendor {name!r}; known: {', '.join(sorted(VENDOR_MODULES))}"
        )
    pairs = vendor_of(name).metric_pairs
    if not pairs:
        raise MetricError(f"{name} reports no metrics to reconcile")
    rows = [(ours, theirs, clock) for ours, theirs, clocks in pairs for clock in clocks]
    return pd.DataFrame(rows, columns=["metric", "vendor_metric", "clock"])


def _vendor(ws: Workspace, source: str | None, pairs: pd.DataFrame) -> pd.DataFrame:
    """Every (ticket, pair, clock) of the tickets the vendor reported on, with its value (in
    minutes: a vendor reporting seconds, as Intercom does, is scaled) and whether the vendor
    reported it at all."""
    where, params = ("WHERE source = $source", {"source": source}) if source else ("", {})
    rows = run_sql(
        ws.store,
        "SELECT source, ticket_id, metric AS vendor_metric, COALESCE(\"clock\", 'count') AS clock, "
        "CASE WHEN unit = 'seconds' THEN value / 60.0 ELSE value END AS vendor "  # minutes
        f"FROM vendor_metrics {where}",
        params,
    )
    found = rows[["source", "ticket_id"]].drop_duplicates()
    grid = found.merge(pairs, how="cross")
    out = grid.merge(
        rows, on=["source", "ticket_id", "vendor_metric", "clock"], how="left", indicator=True
    )
    out["reported"] = out.pop("_merge") == "both"
    out["vendor"] = pd.to_numeric(out["vendor"], errors="coerce")
    return out


def _ours(ws: Workspace, pairs: pd.DataFrame) -> pd.DataFrame:
    clocked = zip(pairs.metric, pairs.clock, strict=True)
    timed = [m for m, c in clocked if c in ("calendar", "business")]
    extra = tuple(dict.fromkeys(f"{m}_business" for m in timed if m != "first_reply_time"))
    facts = tickets(ws, extra=(*extra, "bot_messages"))
    events = run_sql(
        ws.store,
        "SELECT source, ticket_id, count(*) AS events, "
        "count(*) FILTER (WHERE event_id LIKE 'zdm-%') AS derived "
        "FROM events GROUP BY source, ticket_id",
    )
    status = run_sql(ws.store, "SELECT source, ticket_id, status FROM tickets")
    facts = facts.drop(columns=["status"], errors="ignore").merge(
        status, on=["source", "ticket_id"], how="left"
    )
    facts = facts.merge(events, on=["source", "ticket_id"], how="left")
    facts[["events", "derived"]] = facts[["events", "derived"]].fillna(0)
    rows = []
    for metric, clock in zip(pairs.metric, pairs.clock, strict=True):
        column = f"{metric}_business" if clock == "business" else metric
        scale = 1 if clock == "count" else 60
        value = facts[column] / scale if column in facts else np.nan
        rows.append(facts.assign(metric=metric, clock=clock, ours=value))
    keep = [
        "source",
        "ticket_id",
        "created_by",
        "bot_messages",
        "events",
        "derived",
        "status",
        "metric",
        "clock",
        "ours",
    ]
    out: pd.DataFrame = pd.concat([r[keep] for r in rows], ignore_index=True)
    return out


def reconcile(ws: Workspace, profile: str | None = None, source: str | None = None) -> pd.DataFrame:
    """One row per ticket, metric and clock the vendor reports: ours, the vendor's, the
    difference (minutes, or a count), the rule and its explanation. ``source`` limits it to
    one source (its vendor's pairs); ``profile`` names the vendor otherwise (default zendesk)."""
    pairs = _pairs(ws, source, profile)
    keys = ["source", "ticket_id", "metric", "clock"]
    frame = _vendor(ws, source, pairs).merge(_ours(ws, pairs), on=keys, how="left")
    frame["ours"] = pd.to_numeric(frame["ours"], errors="coerce")
    calendar = frame[frame.clock == "calendar"].assign(ok=lambda f: (f.ours - f.vendor).abs() < 1)
    agrees = calendar.set_index(["ticket_id", "metric"])["ok"]
    index = pd.MultiIndex.from_frame(frame[["ticket_id", "metric"]])
    frame["calendar_agrees"] = agrees.reindex(index, fill_value=False).to_numpy(dtype=bool)
    reopens = frame[frame.metric == "reopens"].set_index("ticket_id")
    for side, column in (("vendor", "vendor_reopens"), ("ours", "our_reopens")):
        frame[column] = frame.ticket_id.map(reopens[side]).fillna(0) if len(reopens) else 0
    frame["rule"], frame["explanation"] = _explain(frame)
    frame["difference"] = frame.ours - frame.vendor
    columns = [
        "ticket_id",
        "metric",
        "clock",
        "ours",
        "vendor",
        "difference",
        "rule",
        "explanation",
    ]
    result: pd.DataFrame = frame[columns].sort_values(
        ["ticket_id", "metric", "clock"], ignore_index=True
    )
    return result


def _explain(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    rule = np.full(len(frame), None, dtype=object)
    text = np.full(len(frame), None, dtype=object)
    for name, test, explanation in RULES:
        hit = test(frame).fillna(False).to_numpy(dtype=bool) & (rule == None)  # noqa: E711
        rule[hit], text[hit] = name, explanation
    return rule, text
