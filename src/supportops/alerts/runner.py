"""One alert run: evaluate every rule, skip what the ledger has, deliver the rest, record it;
and :func:`every`, the server's loop of runs.

:func:`run_alerts` never raises for a rule's failure: an evaluation error or a delivery that
failed after its retries is logged on ``supportops.alerts`` and counted in the
:class:`RunReport`, and the run goes on with the next rule; a failed occurrence is not recorded,
so the next run tries it again. A rule's new occurrences go out as one message.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from supportops.alerts.deliver import Courier
from supportops.alerts.evaluate import Context, Finding, evaluate
from supportops.alerts.ledger import Ledger
from supportops.alerts.rules import AlertRule
from supportops.instants import parse_instant
from supportops.workspace import Workspace

__all__ = ["MAX_LINES", "TITLES", "Outcome", "RunReport", "compose", "every", "run_alerts"]

log = logging.getLogger("supportops.alerts")
MAX_LINES = 20
TITLES = {
    "sla_at_risk": "SLA targets at risk",
    "volume_spike": "Ticket volume spike",
    "csat_drop": "CSAT drop",
    "backlog_growth": "Backlog growth",
}


@dataclass(frozen=True)
class Outcome:
    """What happened to one rule in a run: ``sent``, ``nothing new``, or ``failed``."""

    rule: str
    status: str
    found: int = 0
    sent: int = 0
    error: str | None = None


@dataclass
class RunReport:
    """The outcome of each rule of a run, at the instant the rules were evaluated."""

    at: datetime
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def failed(self) -> list[Outcome]:
        """The rules that failed."""
        return [o for o in self.outcomes if o.status == "failed"]


def compose(rule: AlertRule, findings: list[Finding]) -> tuple[str, str]:
    """The subject and text of the message announcing ``findings``."""
    title = TITLES[rule.kind]
    subject = f"[supportops] {title}: {rule.name}"
    lines = [f"• {f.line}" for f in findings[:MAX_LINES]]
    if len(findings) > MAX_LINES:
        lines.append(f"… and {len(findings) - MAX_LINES} more")
    return subject, f"*{title}* — {rule.name}\n" + "\n".join(lines)


def _run_rule(rule: AlertRule, ctx: Context, ledger: Ledger, courier: Courier) -> Outcome:
    try:
        findings = evaluate(rule, ctx)
    except Exception as exc:  # a rule's failure must not stop the others
        log.error("alert %r: evaluation failed: %s", rule.name, exc, exc_info=exc)
        return Outcome(rule.name, "failed", error=f"evaluation: {exc}")
    new = [f for f in findings if not ledger.has(rule.name, f.key)]
    if not new:
        return Outcome(rule.name, "nothing new", found=len(findings))
    subject, text = compose(rule, new)
    try:
        courier.send(rule.deliver, subject, text)
    except Exception as exc:  # logged and retried on the next run
        log.error("alert %r: delivery to %s failed: %s", rule.name, rule.deliver.describe(), exc)
        return Outcome(rule.name, "failed", found=len(findings), error=f"delivery: {exc}")
    ledger.record(rule.name, [f.key for f in new], ctx.now)
    log.info("alert %r: sent %d new to %s", rule.name, len(new), rule.deliver.describe())
    return Outcome(rule.name, "sent", found=len(findings), sent=len(new))


def run_alerts(
    ws: Workspace,
    as_of: datetime | None = None,
    courier: Courier | None = None,
    ledger: Ledger | None = None,
) -> RunReport:
    """Evaluate the workspace's alert rules at ``as_of`` (default: the workspace clock's now; a
    naive ``as_of`` is read in the report time zone) and deliver what is new."""
    now = parse_instant(as_of, ws.config.report_timezone, ws.clock) or ws.clock.now()
    report = RunReport(now)
    rules = ws.config.alerts
    if not rules:
        return report
    ctx, courier = Context(ws, now), courier or Courier(folder=ws.path)
    with (ledger or Ledger.of_workspace(ws.path)).locked() as book:
        for rule in rules:
            report.outcomes.append(_run_rule(rule, ctx, book, courier))
        book.prune(now)
    return report


async def every(interval: float, job: Callable[[], object]) -> None:
    """Run ``job`` now and then every ``interval`` seconds, in a worker thread, until cancelled;
    a failed run is logged and the loop goes on."""
    while True:
        try:
            await asyncio.to_thread(job)
        except Exception as exc:  # the loop outlives any one run
            log.error("alert run failed: %s", exc, exc_info=exc)
        await asyncio.sleep(interval)
