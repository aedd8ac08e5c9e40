"""The Rules page: the workspace's rules with their fires over the date range, lint's findings,
the replay's comparison with what the log shows, and the newest rows of the action ledger; and
its Routing page (``/rules/routing``), the routing strategies replayed side by side.

The replay is ``supportops rules replay`` over the tickets created in the range (the filter's
dates, the last 28 days of data by default), so that its cost stays bounded; the page says how
long it took. Fires are the replay's (what the set would have done) beside the ledger's (what it
did, live or dry) in the same range. The group, channel and priority filters do not apply: a
rule set runs on every ticket. The Routing page is ``supportops routing simulate`` over the same
tickets (:mod:`supportops.workforce.routing`); it is a page of its own, linked from the Rules
page, since four replays of a month of a large desk take seconds.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from supportops import numbers
from supportops.instants import local_midnight
from supportops.web.filters import Filters
from supportops.web.pages import User, Ws, cached, render, router, view_filters
from supportops.workspace import Workspace

__all__ = ["routing_view", "rules_view"]

LEDGER_ROWS = 50
FIELDS = (("group", "group"), ("assignee_id", "assignee"), ("priority", "priority"))


def _ledger_counts(ws: Workspace, low: Any, high: Any) -> dict[str, dict[str, int]]:
    from supportops.metrics.roi_sources import rule_actions

    actions = rule_actions(ws, low, high)
    result = actions["result"].astype(str).str.split(":").str[0]
    counted = actions.assign(result=result).groupby(["rule", "result"]).size().reset_index()
    out: dict[str, dict[str, int]] = {}
    for rule, outcome, n in counted.itertuples(index=False):
        out.setdefault(str(rule), {})[str(outcome)] = int(n)
    return out


def _recent(ws: Workspace) -> list[dict[str, Any]]:
    from supportops.rules.ledger import read_ledger

    rows = read_ledger(ws.store, LEDGER_ROWS)
    records = rows.astype(object).where(rows.notna(), None).to_dict("records")
    return [
        {
            **{k: r[k] for k in ("rule", "source", "ticket_id", "action", "result", "mode")},
            "field": r["field"] or "",
            "change": f"{r['before'] or '-'} → {r['after'] or '-'}",
            "at": str(r["at"])[:16],
        }
        for r in records
    ]


def _comparison(report: Any) -> dict[str, Any]:
    differs = report.differs
    counts = differs.groupby("field").size().to_dict() if len(differs) else {}
    c = report.consequence
    return {
        "tickets": f"{report.tickets:,}",
        "events": f"{report.events:,}",
        "differs": [(label, f"{int(counts.get(name, 0)):,}") for name, label in FIELDS],
        "first_reply": (
            numbers.fmt(c["first_reply_median_observed"], "seconds"),
            numbers.fmt(c["first_reply_median_replayed"], "seconds"),
        ),
        "sla": (
            numbers.fmt(c["sla_first_reply_observed"], "rate"),
            numbers.fmt(c["sla_first_reply_replayed"], "rate"),
        ),
        "moved": f"{c['moved_tickets']:,}",
        "assumption": c["assumption"],
        "agreement": [
            {
                "field": r["field"],
                "observed": int(r["observed"]),
                "agreed": int(r["agreed"]),
                "share": numbers.fmt(r["share"], "rate"),
            }
            for r in report.agreement.to_dict("records")
        ],
    }


def routing_view(ws: Workspace, filters: Filters) -> dict[str, Any]:
    """The four routing strategies replayed on the range's tickets, in the manager's units."""
    from supportops.workforce.routing import compare
    from supportops.workforce.routing_history import routing_history

    zone = ws.config.report_timezone
    assert filters.start is not None and filters.end is not None
    low = local_midnight(filters.start, zone)
    high = local_midnight(filters.end + timedelta(days=1), zone)
    config = ws.config.routing
    history = routing_history(ws, low, high, config)
    frame = compare(history, overflow_after=config.overflow_after, target=config.target)
    units = {"service_level": "rate", "occupancy": "rate", "share_skilled": "rate"}
    units |= {"wait_mean_seconds": "seconds", "wait_p90_seconds": "seconds"}
    rows = [
        {
            "strategy": r["strategy"],
            "routed": f"{r['routed']:,}",
            "unrouted": f"{r['unrouted']:,}",
            **{k: "—" if numbers.missing(r[k]) else numbers.fmt(r[k], u) for k, u in units.items()},
        }
        for r in frame.to_dict("records")
    ]
    return {
        "rows": rows,
        "target": numbers.fmt(config.target, "seconds"),
        "overflow": numbers.fmt(config.overflow_after, "seconds"),
        "agents": len(history.agents),
        "duty": "all the time" if history.shifts is None else "in their work shifts",
        "skills": ", ".join(history.skills) or "none",
    }


def rules_view(ws: Workspace, filters: Filters) -> dict[str, Any]:
    """The rules of the workspace with their fires in the range, lint's findings, the replay's
    comparison, how long the replay took, and the newest ledger rows."""
    from supportops.rules.files import workspace_rules
    from supportops.rules.lint import lint
    from supportops.rules.live import references_of
    from supportops.rules.replay import replay

    ruleset = workspace_rules(ws.config, ws.path)
    zone = ws.config.report_timezone
    assert filters.start is not None and filters.end is not None
    low = local_midnight(filters.start, zone)
    high = local_midnight(filters.end + timedelta(days=1), zone)
    findings = lint(ruleset, references_of(ws)) if ruleset.rules else []
    started = time.perf_counter()
    report = replay(ws, ruleset, low, high) if ruleset.rules else None
    took = time.perf_counter() - started
    kept = ws.store.has_table("rule_actions")
    ledger = _ledger_counts(ws, low, high) if kept else {}
    fires: dict[str, tuple[int, int]] = {}
    if report is not None:
        for name, fired, touched in report.per_rule[["rule", "fires", "tickets"]].itertuples(
            index=False
        ):
            fires[str(name)] = (int(fired), int(touched))
    rules = [
        {
            "name": rule.name,
            "trigger": f"every {rule.every:g} min" if rule.timed else ", ".join(rule.on),
            "actions": "; ".join(str(a.data()) for a in rule.actions),
            "active": rule.runnable,
            "fires": fires.get(rule.name, (0, 0))[0],
            "tickets": fires.get(rule.name, (0, 0))[1],
            "ledger": ", ".join(f"{n:,} {k}" for k, n in sorted(ledger.get(rule.name, {}).items()))
            or "-",
        }
        for rule in ruleset.rules
    ]
    return {
        "semantics": ruleset.semantics,
        "mode": ws.config.rules.mode,
        "rules": rules,
        "findings": [
            {
                "severity": f.severity,
                "kind": f.kind,
                "rules": ", ".join(f.rules),
                "why": f.explanation,
                "example": f.example,
            }
            for f in findings
        ],
        "replay": _comparison(report) if report is not None else None,
        "took": f"{took:.1f} s",
        "recent": _recent(ws) if kept else [],
    }


@router.get("/rules", response_class=HTMLResponse)
def rules(request: Request, ws: Ws, _: User) -> Response:
    """The rules: fires in the range, lint, the replay's comparison, the newest ledger rows."""
    filters = view_filters(request, ws)
    key = ("rules", filters.start, filters.end)
    view = cached(request, ws, key, lambda: rules_view(ws, filters))
    return render(request, ws, "rules.html", filters, **view)


@router.get("/rules/routing", response_class=HTMLResponse)
def routing(request: Request, ws: Ws, _: User) -> Response:
    """The routing strategies replayed side by side on the range's tickets."""
    filters = view_filters(request, ws)
    key = ("routing", filters.start, filters.end)
    view = cached(request, ws, key, lambda: routing_view(ws, filters))
    return render(request, ws, "routing.html", filters, routing=view)
