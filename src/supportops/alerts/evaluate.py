"""What each kind of rule finds at an instant: its occurrences, each with a key and a line.

An occurrence's key is what the ledger remembers, so that each is sent once:

- ``sla_at_risk``: one per target instance (source:ticket:target:instance), as soon as it is due
  within ``within``;
- ``volume_spike``: one per local hour (its start), when the hour's tickets reach ``ratio`` ×
  the mean of the same hour of the past ``weeks`` weeks;
- ``csat_drop`` and ``backlog_growth``: one per local day while the condition holds.

The numbers follow the metric catalog: CSAT is the share of ``csat`` answers scoring 4–5 (in
the window of the answer), the backlog the metric ``backlog`` at an instant, SLA instances
those of :func:`supportops.sla.evaluate_workspace`. The clock is injected (``now``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from supportops.alerts.rules import AlertRule, BacklogGrowth, CsatDrop, SlaAtRisk, VolumeSpike
from supportops.conditions import Columns, describe, mask, to_sql
from supportops.durations import format_duration
from supportops.metrics.compiler import run_sql
from supportops.workspace import Workspace

__all__ = ["Context", "Finding", "evaluate"]


@dataclass(frozen=True)
class Finding:
    """One occurrence of a rule: the ledger's key and the line that describes it."""

    key: str
    line: str


class Context:
    """The workspace at an instant, with what several rules share computed once."""

    def __init__(self, ws: Workspace, now: datetime) -> None:
        self.ws = ws
        self.now = now.astimezone(UTC)
        self.zone = ZoneInfo(ws.config.report_timezone)

    @cached_property
    def sla_inputs(self) -> Any:
        """The SLA engine's inputs (tickets in its row order)."""
        from supportops.sla import load_inputs

        return load_inputs(self.ws.store)

    @cached_property
    def instances(self) -> pd.DataFrame:
        """Every SLA target instance at ``now``."""
        from supportops.sla import evaluate_workspace

        frame: pd.DataFrame = evaluate_workspace(self.ws, self.now, inputs=self.sla_inputs)
        return frame

    def local(self, moment: datetime) -> datetime:
        """``moment`` in the report time zone."""
        return moment.astimezone(self.zone)

    def day(self) -> str:
        """Today's local date, the key of once-a-day alerts."""
        return self.local(self.now).date().isoformat()


def _where(rule: AlertRule, params: dict[str, Any]) -> str:
    """The rule's filters as SQL on the ticket row ``t``."""
    return to_sql(rule.filters, Columns(alias="t"), params, prefix="f")


def _scope(rule: AlertRule) -> str:
    text = describe(rule.filters)
    return f" ({text})" if text else ""


def _sla(rule: SlaAtRisk, ctx: Context) -> list[Finding]:
    from supportops.sla import at_risk

    due = at_risk(ctx.instances, rule.within, ctx.now)
    keep = np.ones(len(due), dtype=bool)
    if rule.targets:
        keep &= due["target"].astype(str).isin(rule.targets).to_numpy()
    if rule.policies:
        keep &= due["policy"].astype(str).isin(rule.policies).to_numpy()
    rows = due["ticket_row"].to_numpy()
    keep &= mask(rule.filters, ctx.sla_inputs.tickets)[rows]
    out = []
    for item in due[keep].to_dict("records"):
        when = ctx.local(item["due_at"].to_pydatetime()).strftime("%Y-%m-%d %H:%M")
        left = format_duration(max(int(item["due_in_seconds"]), 0))
        out.append(
            Finding(
                f"{item['source']}:{item['ticket_id']}:{item['target']}:{item['instance']}",
                f"ticket {item['ticket_id']}: {item['target']} ({item['policy']}) due {when}, "
                f"in {left}",
            )
        )
    return out


def _hours(ctx: Context, weeks: int) -> list[tuple[datetime, datetime]]:
    """This hour so far, then the same local hour of each of the past ``weeks`` weeks."""
    start = ctx.local(ctx.now).replace(minute=0, second=0, microsecond=0)
    spans = [(start.astimezone(UTC), ctx.now)]
    for back in range(1, weeks + 1):
        first = start - timedelta(weeks=back)
        spans.append((first.astimezone(UTC), (first + timedelta(hours=1)).astimezone(UTC)))
    return spans


def _volume(rule: VolumeSpike, ctx: Context) -> list[Finding]:
    spans = _hours(ctx, rule.weeks)
    params: dict[str, Any] = {}
    counts = []
    for i, (low, high) in enumerate(spans):
        params |= {f"lo{i}": low, f"hi{i}": high}
        counts.append(
            f"count(CASE WHEN created_at >= $lo{i} AND created_at < $hi{i} THEN 1 END) AS n{i}"
        )
    where = _where(rule, params)
    frame = run_sql(
        ctx.ws.store, f"SELECT {', '.join(counts)} FROM tickets t WHERE {where}", params
    )
    now, *past = (int(frame[f"n{i}"].iloc[0]) for i in range(len(spans)))
    usual = sum(past) / len(past)
    if now < rule.min_tickets or now < rule.ratio * usual:
        return []
    hour = ctx.local(spans[0][0]).strftime("%Y-%m-%d %H:00")
    times = f"{now / usual:.1f}×" if usual else "no tickets before"
    line = (
        f"{now} tickets created since {hour[-5:]}{_scope(rule)}, against {usual:.1f} in the same "
        f"hour of the past {rule.weeks} weeks ({times})"
    )
    return [Finding(hour, line)]


def _csat(rule: CsatDrop, ctx: Context) -> list[Finding]:
    edges = [ctx.now - timedelta(seconds=rule.window * k) for k in (2, 1, 0)]
    params: dict[str, Any] = {"a": edges[0], "b": edges[1], "c": edges[2]}
    good = "CASE WHEN s.score >= 4 THEN 1.0 ELSE 0.0 END"
    parts = []
    for name, low, high in (("before", "a", "b"), ("now", "b", "c")):
        inside = f"s.at > ${low} AND s.at <= ${high}"
        parts.append(f"count(CASE WHEN {inside} THEN 1 END) AS n_{name}")
        parts.append(f"avg(CASE WHEN {inside} THEN {good} END) AS csat_{name}")
    where = _where(rule, params)
    sql = (
        f"SELECT {', '.join(parts)} FROM surveys s LEFT JOIN tickets t ON t.source = s.source "
        f"AND t.ticket_id = s.ticket_id WHERE s.survey = 'csat' AND {where}"
    )
    row = run_sql(ctx.ws.store, sql, params).iloc[0]
    if int(row["n_now"]) < rule.min_responses:
        return []
    now, before = float(row["csat_now"]), row["csat_before"]
    window = format_duration(rule.window)
    reasons = []
    if rule.below is not None and now < rule.below:
        reasons.append(f"below {rule.below:.0%}")
    if rule.drop_points is not None and int(row["n_before"]) >= rule.min_responses:
        drop = (float(before) - now) * 100
        if drop >= rule.drop_points:
            reasons.append(f"down {drop:.1f} points from {float(before):.1%} the {window} before")
    if not reasons:
        return []
    line = (
        f"CSAT {now:.1%} over the last {window}{_scope(rule)} ({int(row['n_now'])} answers): "
        + "; ".join(reasons)
    )
    return [Finding(ctx.day(), line)]


def _backlog(rule: BacklogGrowth, ctx: Context) -> list[Finding]:
    def backlog(at: datetime) -> int:
        frame = ctx.ws.metrics(["backlog"], as_of=at, filters=rule.filters)
        value = frame["backlog"].iloc[0] if len(frame) else 0
        return 0 if pd.isna(value) else int(value)

    now, before = backlog(ctx.now), backlog(ctx.now - timedelta(seconds=rule.window))
    grew = now >= before * (1 + rule.percent / 100) and now > before
    if now < rule.min_backlog or not grew:
        return []
    change = f"up {(now - before) / before:.0%}" if before else "up"
    window = format_duration(rule.window)
    line = f"backlog {now} tickets{_scope(rule)}, {change} from {before} {window} ago"
    return [Finding(ctx.day(), line)]


EVALUATE = {"sla_at_risk": _sla, "volume_spike": _volume, "csat_drop": _csat}
EVALUATE["backlog_growth"] = _backlog


def evaluate(rule: AlertRule, ctx: Context) -> list[Finding]:
    """The occurrences of ``rule`` at ``ctx.now``."""
    finder: Any = EVALUATE[rule.kind]
    found: list[Finding] = finder(rule, ctx)
    return found
