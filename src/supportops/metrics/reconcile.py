"""Reconciliation with the helpdesk: our per-ticket values beside the vendor's own, each
difference explained by a rule.

The vendor's values ride in ``tickets.custom`` (``{"zendesk_metrics": {...}}``, minutes, as
Zendesk's ``ticket_metrics`` give them). The rules, first match wins, are data in :data:`RULES`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from supportops.errors import MetricError
from supportops.metrics.compiler import run_sql
from supportops.metrics.drilldown import tickets
from supportops.metrics.zendesk import ZendeskRecords, load_zendesk_records

if TYPE_CHECKING:
    from supportops.workspace import Workspace

__all__ = ["PAIRS", "RULES", "ZendeskRecords", "load_zendesk_records", "reconcile"]

# (our metric, the vendor's key) — durations compared in minutes on both clocks.
PAIRS = (
    ("first_reply_time", "reply_time_in_minutes"),
    ("first_resolution_time", "first_resolution_time_in_minutes"),
    ("full_resolution_time", "full_resolution_time_in_minutes"),
    ("requester_wait_time", "requester_wait_time_in_minutes"),
    ("agent_wait_time", "agent_wait_time_in_minutes"),
    ("on_hold_time", "on_hold_time_in_minutes"),
)
COUNTS = (("reopens", "reopens"), ("agent_replies", "replies"))
Rule = tuple[str, Callable[[pd.DataFrame], "pd.Series[bool]"], str]
RULES: tuple[Rule, ...] = (
    (
        "agree",
        lambda f: (f.ours - f.vendor).abs() < 1,
        "agree within Zendesk's rounding to whole minutes",
    ),
    ("both_empty", lambda f: f.ours.isna() & f.vendor.isna(), "neither side has a value"),
    (
        "agent_created",
        lambda f: (f.metric == "first_reply_time") & (f.created_by == "agent"),
        "agent-created ticket: supportops measures from the first public customer message "
        "(none yet means no value); Zendesk measures from creation or leaves it empty",
    ),
    (
        "bot_reply",
        lambda f: (f.metric == "first_reply_time") & (f.bot_messages > 0),
        "a bot replied: supportops counts only a public agent message as the first reply",
    ),
    (
        "not_imported",
        lambda f: f.ours.isna() & f.vendor.notna() & (f.events == 0),
        "no events of this ticket were imported, so its value cannot be recomputed",
    ),
    (
        "vendor_not_final",
        lambda f: f.vendor.isna() & f.ours.notna(),
        "Zendesk has no value: its metric is not final (ticket unsolved or reopened)",
    ),
    (
        "ours_not_final",
        lambda f: f.ours.isna() & f.vendor.notna(),
        "supportops has no value: the ticket is unsolved now (a reopen after the solve) or the "
        "events lack the change Zendesk measured",
    ),
    (
        "missing_reopen",
        lambda f: (
            (f.vendor_reopens > f.our_reopens)
            & f.metric.isin(["requester_wait_time", "agent_wait_time", "on_hold_time"])
        ),
        "Zendesk counted a reopen the imported events do not hold: the time after it is "
        "missing from our value",
    ),
    (
        "schedule",
        lambda f: (f.clock == "business") & f.calendar_agrees,
        "schedule in force: the calendar minutes agree, so the business minutes differ by the "
        "schedule (hours, holidays or an earlier version of the schedule Zendesk applied)",
    ),
    (
        "missing_audits",
        lambda f: f.metric.isin(["reopens", "agent_replies"]),
        "the count needs every audit and comment; the import did not carry them all",
    ),
    ("unexplained", lambda f: pd.Series(True, index=f.index), "no rule explains it"),
)


def _vendor(ws: Workspace) -> pd.DataFrame:
    """Vendor values per ticket, long: (source, ticket_id, metric, clock, vendor)."""
    keys = [(m, k, c) for m, k in PAIRS for c in ("calendar", "business")]
    keys += [(m, k, "count") for m, k in COUNTS]
    cols = ", ".join(
        f"CAST(json_extract_string(CAST(custom AS JSON), '$.zendesk_metrics.{k}"
        f'{"" if c == "count" else "." + c}\') AS DOUBLE) AS "{m}|{c}"'
        for m, k, c in keys
    )
    wide = run_sql(
        ws.store,
        f"SELECT source, ticket_id, {cols} FROM tickets WHERE custom LIKE '%zendesk_metrics%'",
    )
    long = wide.melt(id_vars=["source", "ticket_id"], var_name="key", value_name="vendor")
    long[["metric", "clock"]] = long.key.str.split("|", expand=True)
    return long.drop(columns="key")


def _ours(ws: Workspace) -> pd.DataFrame:
    extra = tuple(f"{m}_business" for m, _ in PAIRS if m != "first_reply_time")
    facts = tickets(ws, extra=(*extra, "bot_messages"))
    events = run_sql(
        ws.store,
        "SELECT source, ticket_id, count(*) AS events FROM events GROUP BY source, ticket_id",
    )
    facts = facts.merge(events, on=["source", "ticket_id"], how="left")
    facts["events"] = facts["events"].fillna(0)
    rows = []
    for metric, _ in PAIRS:
        for clock, column in (("calendar", metric), ("business", f"{metric}_business")):
            rows.append(facts.assign(metric=metric, clock=clock, ours=facts[column] / 60))
    for metric, _ in COUNTS:
        rows.append(facts.assign(metric=metric, clock="count", ours=facts[metric]))
    keep = [
        "source",
        "ticket_id",
        "created_by",
        "bot_messages",
        "events",
        "metric",
        "clock",
        "ours",
    ]
    out: pd.DataFrame = pd.concat([r[keep] for r in rows], ignore_index=True)
    return out


def reconcile(ws: Workspace, profile: str = "zendesk") -> pd.DataFrame:
    """One row per ticket, metric and clock where the vendor has a value or we do: ours, the
    vendor's, the difference (minutes, or a count), the rule and its explanation."""
    if profile != "zendesk":
        raise MetricError(f"reconcile knows the zendesk profile only, not {profile!r}")
    frame = _vendor(ws).merge(_ours(ws), on=["source", "ticket_id", "metric", "clock"], how="left")
    frame["ours"] = pd.to_numeric(frame["ours"], errors="coerce")
    calendar = frame[frame.clock == "calendar"].assign(ok=lambda f: (f.ours - f.vendor).abs() < 1)
    agrees = calendar.set_index(["ticket_id", "metric"])["ok"]
    index = pd.MultiIndex.from_frame(frame[["ticket_id", "metric"]])
    frame["calendar_agrees"] = agrees.reindex(index, fill_value=False).to_numpy(dtype=bool)
    reopens = frame[frame.metric == "reopens"].set_index("ticket_id")
    for side, column in (("vendor", "vendor_reopens"), ("ours", "our_reopens")):
        frame[column] = frame.ticket_id.map(reopens[side]).fillna(0)
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
