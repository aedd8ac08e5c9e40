"""``supportops roi`` (the automation ROI ledger) and ``supportops cost`` (cost to serve)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from supportops.cli.options import FromOption, PeriodOption, ToOption, WorkspaceOption, window_of

if TYPE_CHECKING:
    pass

__all__ = ["register"]

console = Console()


def _money(value: float, currency: str) -> str:
    from supportops.numbers import fmt

    return fmt(value, "currency", currency)


def roi(
    start: FromOption = None,
    end: ToOption = None,
    period: PeriodOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """The automation ROI ledger: what each automation did, the hours and money it saved
    (95% intervals), vendor-reported against verified bot resolutions (default: 28 days)."""
    from supportops.roi.ledger import ledger
    from supportops.workspace import Workspace

    with Workspace.open(workspace, read_only=True) as ws:
        low, high = window_of(ws, start, end, period)
        found = ledger(ws, low, high)
        currency = ws.config.currency
    table = Table(title=f"Automation ROI, {low:%Y-%m-%d} to {high:%Y-%m-%d}")
    for column in ("automation", "what it did", "hours saved (95%)", "money saved (95%)", "basis"):
        table.add_column(column)
    for row in found.rows:
        s = row.saving
        money, low_m, high_m = s.money_saved
        table.add_row(
            row.automation,
            row.did,
            f"{s.hours:,.1f} ({s.hours_low:,.1f} to {s.hours_high:,.1f})",
            f"{_money(money, currency)} ({_money(low_m, currency)} to {_money(high_m, currency)})",
            s.basis,
        )
    console.print(table if found.rows else "no automation found: no bot sessions, no roi.holdouts")
    for row in found.rows:
        v = row.verification
        if v is not None and v.false_resolution_rate is not None:
            console.print(
                f"{row.automation}: false-resolution rate {v.false_resolution_rate:.1%} "
                f"(reported {v.reported:,}, verified {v.verified:,}, confirmed by the customer "
                f"{v.confirmed:,})"
            )
        for e in row.effects:
            console.print(
                f"{row.automation}: effect on {e.spec.label}: {e.interval.estimate:+.4g} "
                f"({e.interval.low:+.4g} to {e.interval.high:+.4g}), {e.outcome}"
            )
    console.print(
        f"{found.formula}; hourly cost {_money(found.hourly_cost, currency)}", soft_wrap=True
    )


def cost(
    by: Annotated[
        str, typer.Option("--by", help="channel, group, tag, segment or account.")
    ] = "channel",
    start: FromOption = None,
    end: ToOption = None,
    period: PeriodOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Cost to serve per channel, group, contact reason (tag), segment or account; --by account
    sets each account's yearly support cost against its ARR (default: 28 days)."""
    from supportops.errors import InputError
    from supportops.metrics.roi_sources import ticket_costs
    from supportops.roi.cost import BY, by_dimension, costly_accounts, with_cost
    from supportops.roi.ledger import hourly_cost

    if by not in BY:
        raise InputError(f"--by: unknown {by!r} (expected one of {', '.join(BY)})", key="--by")
    from supportops.workspace import Workspace

    with Workspace.open(workspace, read_only=True) as ws:
        low, high = window_of(ws, start, end, period)
        costs = ticket_costs(ws, low, high)
        config = ws.config
    hourly = hourly_cost(costs, config.cost.default_hourly_cost)
    costed = with_cost(costs, config.cost.overhead_per_ticket, hourly)
    days = (high - low).total_seconds() / 86400
    title = f"Cost to serve by {by}, {low:%Y-%m-%d} to {high:%Y-%m-%d}"
    table = Table(title=title)
    if by == "account":
        found = costly_accounts(costed, days, config.roi.cost_share)
        for column in ("account", "segment", "ARR", "yearly cost", "share of ARR", ""):
            table.add_column(
                column, justify="left" if column in ("account", "segment") else "right"
            )
        for r in found.head(25).to_dict("records"):
            share = r["share_of_arr"]
            table.add_row(
                str(r["account"] or r["organization_id"]),
                str(r["segment"] or "—"),
                "—" if r["arr"] != r["arr"] else _money(r["arr"], config.currency),
                _money(r["yearly_cost"], config.currency),
                "—" if share != share else f"{share:.1%}",
                f"over {config.roi.cost_share:.0%}" if r["over"] else "",
            )
    else:
        found = by_dimension(costed, by)
        for column in (by, "contacts", "handle hours", "cost", "cost per contact"):
            table.add_column(column, justify="left" if column == by else "right")
        for r in found.to_dict("records"):
            table.add_row(
                str(r[by]),
                f"{r['contacts']:,}",
                f"{r['handle_hours']:,.1f}",
                _money(r["cost"], config.currency),
                _money(r["cost_per_contact"], config.currency),
            )
    console.print(table)
    console.print(
        f"cost per contact = agent time × {_money(hourly, config.currency)}/h + "
        f"{_money(config.cost.overhead_per_ticket, config.currency)} tool cost per contact",
        soft_wrap=True,
    )


def register(app: typer.Typer) -> None:
    """Add ``roi`` and ``cost`` to ``app``."""
    app.command("roi")(roi)
    app.command("cost")(cost)
