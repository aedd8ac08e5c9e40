"""The executive report's content: headline KPIs against the comparison period and the targets,
what moved and why, SLA, backlog risk, CSAT, cost per ticket and what automation saved.

:func:`build_report` asks the workspace — nine metric queries and four small SQL reads — and
returns an :class:`ExecutiveReport`, plain data that :mod:`supportops.reports.render` turns into
HTML and PDF. Each headline value is exactly the metric query's for the period:
``ws.metrics(HEADLINE_IDS, start=period.start, end=period.end)``. Targets come from the
``report:`` section of ``supportops.yaml`` (CSAT 85%, SLA 90%, FCR 70–75% by default).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from supportops import numbers
from supportops.charts import weeks
from supportops.config import ReportTargets
from supportops.metrics.compiler import run_sql
from supportops.metrics.names import Names, names
from supportops.reports.drivers import DIMENSIONS, Driver, reply_drivers, top, volume_drivers
from supportops.reports.period import Period, baseline, parse_period
from supportops.reports.savings import Savings, savings
from supportops.roi.ledger import Ledger, ledger
from supportops.workspace import Workspace

__all__ = ["HEADLINES", "HEADLINE_IDS", "ExecutiveReport", "Headline", "build_report"]

# metric, label, unit, which way is better
HEADLINES = (
    ("tickets_created", "Tickets created", "count", "none"),
    ("tickets_solved", "Tickets solved", "count", "none"),
    ("first_reply_time:median", "First reply (median)", "seconds", "down"),
    ("full_resolution_time:median", "Resolution (median)", "seconds", "down"),
    ("sla_achieved_rate", "SLA achieved", "rate", "up"),
    ("csat", "CSAT", "rate", "up"),
    ("fcr_rate", "First contact resolution", "rate", "up"),
    ("cost_per_ticket", "Cost per ticket", "currency", "down"),
    ("backlog", "Backlog at period end", "count", "down"),
    ("deflection_rate", "Deflection", "rate", "up"),
)
HEADLINE_IDS = [h[0] for h in HEADLINES]
AUTOMATION = (
    ("bot_containment_rate", "Bot containment", "rate", "up"),
    ("bot_resolution_rate", "Bot resolution", "rate", "up"),
    ("bot_false_resolution_rate", "False bot resolutions", "rate", "down"),
    ("automation_rate", "Solved without an agent", "rate", "up"),
)
PARTS = ["tickets_created", "first_reply_time:sum", "first_reply_time:count", "csat"]
PARTS.append("csat_responses")
DAILY = ["tickets_created", "tickets_solved", "backlog"]
WEEKLY = ["sla_achieved_rate", "csat"]
BANDS = ("0-1d", "1-3d", "3-7d", "7-30d", "30d+")


@dataclass(frozen=True)
class Headline:
    """A headline number: now, before, the change, and the target it is held against."""

    metric: str
    label: str
    unit: str
    value: float | None
    previous: float | None
    change: str
    good: bool | None
    target: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class ExecutiveReport:
    """Everything the report shows, computed; no formatting beyond the sentences."""

    workspace: str
    period: Period
    baseline: Period
    compare: str
    currency: str
    generated_at: datetime
    headlines: list[Headline]
    automation: list[Headline]
    volume: list[Driver]
    reply: list[Driver]
    sla: list[dict[str, Any]]
    bands: list[dict[str, Any]]
    daily: pd.DataFrame
    csat: list[dict[str, Any]]
    savings: Savings
    coverage: tuple[int, int]
    summary: list[str]
    targets: ReportTargets = field(default_factory=ReportTargets)
    weekly: pd.DataFrame = field(default_factory=pd.DataFrame)
    qa: dict[str, Any] | None = None
    ledger: Ledger | None = None
    timezone: str = "UTC"  # the report time zone: where its days are cut and times shown
    knowledge: list[dict[str, Any]] = field(default_factory=list)  # the costliest gaps

    def headline(self, metric: str) -> Headline:
        """The headline of ``metric``."""
        return next(h for h in self.headlines if h.metric == metric)


def _frame(ws: Workspace, ids: list[str], period: Period, **options: Any) -> pd.DataFrame:
    frame: pd.DataFrame = ws.metrics(ids, start=period.start, end=period.end, **options)
    return frame


def _value(frame: pd.DataFrame, column: str) -> float | None:
    if frame.empty or column not in frame:
        return None
    value = frame[column].iloc[0]
    return None if numbers.missing(value) or pd.isna(value) else float(value)


def _target(
    metric: str, targets: ReportTargets, value: float | None
) -> tuple[str | None, str | None]:
    """The target's text and whether ``value`` meets it."""
    goal = {"sla_achieved_rate": targets.sla, "csat": targets.csat}.get(metric)
    if goal is not None:
        status = None if value is None else ("met" if value >= goal else "missed")
        return f"≥ {goal * 100:.0f}%", status
    if metric == "fcr_rate":
        low, high = targets.fcr
        status = None
        if value is not None:
            status = "below" if value < low else ("above" if value > high else "met")
        return f"{low * 100:.0f}–{high * 100:.0f}%", status
    return None, None


def _headlines(
    now: pd.DataFrame,
    before: pd.DataFrame,
    targets: ReportTargets,
    specs: tuple[tuple[str, str, str, str], ...] = HEADLINES,
) -> list[Headline]:
    out = []
    for metric, label, unit, better in specs:
        value, previous = _value(now, metric), _value(before, metric)
        good = None
        if better != "none" and value is not None and previous is not None and value != previous:
            good = (value > previous) == (better == "up")
        target, status = _target(metric, targets, value)
        change = numbers.change(value, previous, unit)
        out.append(Headline(metric, label, unit, value, previous, change, good, target, status))
    return out


def _sla(now: pd.DataFrame, before: pd.DataFrame) -> list[dict[str, Any]]:
    if now.empty or "target" not in now:
        return []
    previous: Any = before.set_index("target")["sla_achieved_rate"] if "target" in before else {}
    return [
        {
            "target": str(row["target"]),
            "now": None if pd.isna(row["sla_achieved_rate"]) else float(row["sla_achieved_rate"]),
            "before": _get(previous, row["target"]),
            "breaches": int(row["sla_breaches"] or 0),
        }
        for row in now.dropna(subset=["target"]).to_dict("records")
    ]


def _get(series: Any, key: Any) -> float | None:
    value = series.get(key) if hasattr(series, "get") else None
    return None if value is None or pd.isna(value) else float(value)


def _bands(now: pd.DataFrame, before: pd.DataFrame) -> list[dict[str, Any]]:
    def counts(frame: pd.DataFrame) -> dict[str, int]:
        if frame.empty or "age_bucket" not in frame:
            return {}
        return {str(r["age_bucket"]): int(r["backlog_age"] or 0) for r in frame.to_dict("records")}

    a, b = counts(now), counts(before)
    return [{"band": band, "now": a.get(band, 0), "before": b.get(band, 0)} for band in BANDS]


def _csat(parts: pd.DataFrame) -> list[dict[str, Any]]:
    if parts.empty:
        return []
    frame = parts.assign(channel=parts["channel"].fillna("(none)"))
    frame["good"] = frame["csat"].fillna(0) * frame["csat_responses"].fillna(0)
    sums = frame.groupby("channel")[["good", "csat_responses"]].sum()
    sums = sums[sums["csat_responses"] > 0].sort_values("csat_responses", ascending=False)
    return [
        {
            "channel": str(k),
            "csat": float(r["good"] / r["csat_responses"]),
            "responses": int(r["csat_responses"]),
        }
        for k, r in sums.iterrows()
    ]


def _bounds(period: Period, zone: str) -> tuple[datetime, datetime]:
    tz = ZoneInfo(zone)
    low = datetime.combine(period.start, time(), tz).astimezone(UTC)
    high = datetime.combine(period.end + timedelta(days=1), time(), tz).astimezone(UTC)
    return low, high


def _coverage(ws: Workspace, period: Period) -> int:
    """Days of ``period`` on which tickets were created."""
    low, high = _bounds(period, ws.config.report_timezone)
    sql = (
        "SELECT count(DISTINCT CAST(floor((epoch(created_at) - $low_s) / 86400) AS BIGINT)) AS n "
        "FROM tickets WHERE created_at >= $low AND created_at < $high"
    )
    frame = run_sql(ws.store, sql, {"low": low, "high": high, "low_s": low.timestamp()})
    return int(frame["n"].iloc[0] or 0)


def _weekly(ws: Workspace, period: Period) -> pd.DataFrame:
    """SLA achieved and CSAT by week, the weeks of a trend up to the period's end."""
    start, end = weeks(period.start, period.end)
    frame: pd.DataFrame = ws.metrics(WEEKLY, start=start, end=end, grain="week")
    return frame


def _qa(ws: Workspace, current: Period, base: Period) -> dict[str, Any] | None:
    """IQS of the period with its 95% interval, the baseline's and the target (None when the
    workspace has no scorecards or no reviews in the period)."""
    from supportops.qa.workspace import iqs_table

    if not ws.config.qa.scorecards:
        return None
    zone = ws.config.report_timezone
    now, before = (iqs_table(ws, [], *_bounds(p, zone)).iloc[0] for p in (current, base))
    if not now["n"]:
        return None
    target = ws.config.qa.target
    return {
        "iqs": float(now["score"]),
        "low": float(now["low"]),
        "high": float(now["high"]),
        "reviews": int(now["n"]),
        "previous": float(before["score"]) if before["n"] else None,
        "target": target,
        "status": "below" if now["high"] < target else "met" if now["low"] >= target else "within",
    }


def _drivers(
    now: pd.DataFrame, before: pd.DataFrame, named: Names
) -> tuple[list[Driver], list[Driver]]:
    volume = [d for dim in DIMENSIONS for d in top(volume_drivers(now, before, dim))]
    reply = [d for dim in DIMENSIONS for d in top(reply_drivers(now, before, dim))]
    return _named(volume, named), _named(reply, named)


def _named(drivers: list[Driver], named: Names) -> list[Driver]:
    """Each group segment by its name where the log knows one."""
    shown = named.labels("group", [d.segment for d in drivers if d.dimension == "group"])
    return [
        replace(d, segment=str(shown[d.segment])) if d.dimension == "group" else d for d in drivers
    ]


KNOWLEDGE_TOP = 5


def _knowledge(ws: Workspace, period: Period) -> list[dict[str, Any]]:
    """The period's costliest knowledge gaps (as the Knowledge page finds them: none without
    an ``articles/`` folder or with too few tickets)."""
    from supportops.knowledge.report import workspace_gaps

    if not (ws.path / "articles").is_dir():
        return []
    found = workspace_gaps(ws, period.start, period.end)
    columns = ["title", "tickets", "handle_hours", "trend"]
    rows = found.gaps.head(KNOWLEDGE_TOP)[columns].to_dict("records") if found.tickets else []
    return [{str(k): v for k, v in row.items()} for row in rows]


def _ledger(ws: Workspace, low: datetime, high: datetime) -> Ledger | None:
    """The ROI ledger of the period (None while a holdout's experiment has no arms stored)."""
    from supportops.errors import ExperimentError

    try:
        return ledger(ws, low, high)
    except ExperimentError:
        return None


def build_report(
    ws: Workspace, period: Period | str, compare: str = "previous", now: datetime | None = None
) -> ExecutiveReport:
    """The executive report of ``period`` against the ``previous`` period or a ``year`` ago."""
    from supportops.reports.summary import sentences

    current = parse_period(period) if isinstance(period, str) else period
    base = baseline(current, compare)
    config = ws.config
    frames = {
        (name, p.label): _frame(ws, ids, p, **kw)
        for name, ids, kw in (
            ("head", HEADLINE_IDS + [a[0] for a in AUTOMATION], {}),
            ("parts", PARTS, {"by": list(DIMENSIONS)}),
            ("sla", ["sla_achieved_rate", "sla_breaches"], {"by": ["target"]}),
            ("bands", ["backlog_age"], {"buckets": True}),
        )
        for p in (current, base)
    }

    def pair(name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        return frames[(name, current.label)], frames[(name, base.label)]

    volume, reply = _drivers(*pair("parts"), names(ws))
    low, high = _bounds(current, config.report_timezone)
    report = ExecutiveReport(
        workspace=ws.path.resolve().name,
        period=current,
        baseline=base,
        compare=compare,
        currency=config.currency,
        generated_at=now or ws.clock.now(),
        headlines=_headlines(*pair("head"), config.report.targets),
        automation=_headlines(*pair("head"), config.report.targets, AUTOMATION),
        volume=volume,
        reply=reply,
        sla=_sla(*pair("sla")),
        bands=_bands(*pair("bands")),
        daily=_frame(ws, DAILY, current, grain="day"),
        csat=_csat(pair("parts")[0]),
        savings=savings(ws, low, high, config.cost.default_hourly_cost),
        coverage=(_coverage(ws, current), _coverage(ws, base)),
        summary=[],
        targets=config.report.targets,
        weekly=_weekly(ws, current),
        qa=_qa(ws, current, base),
        ledger=_ledger(ws, low, high),
        timezone=config.report_timezone,
        knowledge=_knowledge(ws, current),
    )
    report.summary.extend(sentences(report))
    return report
