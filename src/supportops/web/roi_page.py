"""The Automation ROI page: the ledger of the date range (``supportops roi``) — each automation's
hours and money saved with their intervals and basis, the bot's vendor-reported against verified
resolutions — the formula, and the cost to serve per channel (``supportops cost``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from supportops import numbers
from supportops.instants import local_midnight
from supportops.web import charts
from supportops.web.filters import Filters
from supportops.web.pages import User, Ws, cached, render, router, view_filters
from supportops.workspace import Workspace

__all__ = ["roi_view"]


def roi_view(ws: Workspace, filters: Filters) -> dict[str, Any]:
    """The ledger rows, the verification and the cost to serve by channel of the range."""
    from supportops.metrics.roi_sources import ticket_costs
    from supportops.roi.cost import by_dimension, with_cost
    from supportops.roi.ledger import hourly_cost, ledger

    zone, money = ws.config.report_timezone, ws.config.currency
    assert filters.start is not None and filters.end is not None
    low = local_midnight(filters.start, zone)
    high = local_midnight(filters.end + timedelta(days=1), zone)
    found = ledger(ws, low, high)
    rows, saved_rows = [], []
    for row in found.rows:
        s = row.saving
        saved, low_m, high_m = s.money_saved
        saved_rows.append({"automation": row.automation, "estimate": saved, "low": low_m})
        saved_rows[-1]["high"] = high_m
        v = row.verification
        rows.append(
            {
                "automation": row.automation,
                "did": row.did,
                "hours": f"{s.hours:,.1f} ({s.hours_low:,.1f} to {s.hours_high:,.1f})",
                "money": f"{numbers.fmt(saved, 'currency', money)} "
                f"({numbers.fmt(low_m, 'currency', money)} to "
                f"{numbers.fmt(high_m, 'currency', money)})",
                "basis": s.basis,
                "reported": v.reported if v else None,
                "verified": v.verified if v else None,
                "false_rate": numbers.fmt(v.false_resolution_rate, "rate") if v else None,
            }
        )
    costs = ticket_costs(ws, low, high)
    hourly = hourly_cost(costs, ws.config.cost.default_hourly_cost)
    costed = with_cost(costs, ws.config.cost.overhead_per_ticket, hourly)
    channels = [
        {
            "channel": r["channel"],
            "contacts": int(r["contacts"]),
            "cost": numbers.fmt(r["cost"], "currency", money),
            "per_contact": numbers.fmt(r["cost_per_contact"], "currency", money),
        }
        for r in by_dimension(costed, "channel").to_dict("records")
    ]
    title = "Money saved per automation, 95% interval"
    saved_chart = charts.interval(
        saved_rows, "automation", unit="currency", title=title, file="money-saved"
    )
    return {
        "rows": rows,
        "charts": {"money-saved": saved_chart} if saved_rows else {},
        "formula": found.formula,
        "hourly": numbers.fmt(found.hourly_cost, "currency", money),
        "channels": channels,
    }


@router.get("/roi", response_class=HTMLResponse)
def roi(request: Request, ws: Ws, _: User) -> Response:
    """The automation ROI ledger and the cost to serve of the date range."""
    filters = view_filters(request, ws)
    key = ("roi", filters.start, filters.end)
    view = cached(request, ws, key, lambda: roi_view(ws, filters))
    return render(request, ws, "roi.html", filters, **view)
