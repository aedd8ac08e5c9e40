"""The report's first words: one sentence per topic, written from the computed numbers.

Each sentence says the number, its change against the comparison period, the target when there
is one, and the largest contributor where the report computed one. A topic without data is left
out rather than written around.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from supportops import numbers
from supportops.reports.drivers import Driver

if TYPE_CHECKING:
    from supportops.reports.executive import ExecutiveReport

__all__ = ["sentences"]


def _largest(drivers: list[Driver]) -> Driver | None:
    return max(drivers, key=lambda d: abs(d.change), default=None)


def _volume(report: ExecutiveReport) -> str | None:
    h = report.headline("tickets_created")
    if h.value is None:
        return None
    text = f"{numbers.fmt(h.value, 'count')} tickets were created"
    if h.previous is not None:
        verb = "up" if h.value >= h.previous else "down"
        text += f", {verb} {h.change.lstrip('+-')} on {report.baseline.label}"
    driver = _largest(report.volume)
    if driver is not None and driver.change:
        share = f", {abs(driver.share) * 100:.0f}% of the change" if driver.share else ""
        text += (
            f"; the largest contributor was {driver.dimension} {driver.segment} "
            f"({driver.change:+,.0f}{share})"
        )
    return text + "."


def _reply(report: ExecutiveReport) -> str | None:
    h = report.headline("first_reply_time:median")
    if h.value is None:
        return None
    now = numbers.fmt(h.value, "seconds")
    if h.previous is None:
        return f"The median first reply took {now}."
    verb = "improved" if h.value <= h.previous else "slowed"
    text = f"The median first reply {verb} from {numbers.fmt(h.previous, 'seconds')} to {now}"
    driver = _largest(report.reply)
    if driver is not None and driver.change:
        text += (
            f"; by the mean, {driver.dimension} {driver.segment} moved it most "
            f"({numbers.duration(driver.change)})"
        )
    return text + "."


def _target(report: ExecutiveReport, metric: str, name: str) -> str | None:
    h = report.headline(metric)
    if h.value is None:
        return None
    text = f"{name} was {numbers.fmt(h.value, 'rate')} ({h.change})"
    if h.target is not None:
        verdict = {"met": "meeting", "missed": "missing", "below": "below", "above": "above"}
        text += f", {verdict.get(h.status or '', 'against')} the target {h.target}"
    return text


def _sla(report: ExecutiveReport) -> str | None:
    text = _target(report, "sla_achieved_rate", "SLA achievement")
    rated = [row for row in report.sla if row["now"] is not None]
    if text is None or not rated:
        return text and text + "."
    worst = min(rated, key=lambda row: row["now"])
    return (
        f"{text}; the weakest target was {worst['target']} at {numbers.fmt(worst['now'], 'rate')}."
    )


def _csat(report: ExecutiveReport) -> str | None:
    text = _target(report, "csat", "CSAT")
    if text is None or not report.csat:
        return text and text + "."
    low = min(report.csat, key=lambda row: row["csat"])
    return (
        f"{text}; the lowest channel was {low['channel']} at {numbers.fmt(low['csat'], 'rate')} "
        f"({low['responses']:,} answers)."
    )


def _backlog(report: ExecutiveReport) -> str | None:
    h = report.headline("backlog")
    if h.value is None:
        return None
    aged = sum(row["now"] for row in report.bands if row["band"] in ("7-30d", "30d+"))
    total = sum(row["now"] for row in report.bands)
    text = f"The backlog ended at {numbers.fmt(h.value, 'count')} tickets ({h.change})"
    if total:
        text += f", {aged:,} ({aged / total * 100:.0f}%) of them open for more than 7 days"
    return text + "."


def _money(report: ExecutiveReport) -> str | None:
    cost = report.headline("cost_per_ticket")
    saved = report.savings
    parts = []
    if cost.value is not None:
        parts.append(
            f"A ticket cost {numbers.fmt(cost.value, 'currency', report.currency)} ({cost.change})"
        )
    if saved.hours is not None and saved.sessions:
        money = numbers.fmt(saved.money, "currency", report.currency)
        parts.append(
            f"bot resolutions saved about {numbers.fmt(saved.hours, 'hours')} of agent time"
            + (f" ({money})" if saved.money is not None else "")
        )
    return "; ".join(parts) + "." if parts else None


def _coverage(report: ExecutiveReport) -> str | None:
    now, before = report.coverage
    if before >= report.baseline.days * 0.8 and now >= report.period.days * 0.8:
        return None
    return (
        f"Caution: tickets were created on {now} of {report.period.days} days of "
        f"{report.period.label} and {before} of {report.baseline.days} days of "
        f"{report.baseline.label}; the changes compare periods of unequal coverage."
    )


def sentences(report: ExecutiveReport) -> list[str]:
    """The summary: one sentence per topic with data, the coverage caution first."""
    topics = (_coverage, _volume, _reply, _sla, _csat, _backlog, _money)
    return [text for topic in topics if (text := topic(report))]
