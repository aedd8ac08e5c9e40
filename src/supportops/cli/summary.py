"""The summary ``make demo`` prints: what is in the workspace, the headline KPIs from the metric
catalog, and SLA compliance per target — all as of the workspace's newest event."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table

from supportops.cli.workspace import print_counts
from supportops.numbers import fmt

if TYPE_CHECKING:
    from supportops.workspace import Workspace

__all__ = ["latest_instant", "print_summary"]

console = Console()


def latest_instant(ws: Workspace) -> datetime | None:
    """The newest event of the workspace: the 'now' of a log that stopped arriving."""
    from supportops.metrics.inventory import newest_event

    return newest_event(ws.store)


def print_summary(ws: Workspace) -> None:
    """Counts, headline KPIs and SLA compliance per target."""
    from supportops.metrics.headline import headline
    from supportops.sla.workspace import compliance_by_target

    print_counts(ws)
    as_of = latest_instant(ws)
    kpis = headline(ws, as_of=as_of)
    zone = ws.config.report_timezone
    when = f"{as_of.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M} {zone}" if as_of else ""
    table = Table(title=f"Headline KPIs (as of {when})" if as_of else None)
    table.add_column("metric", no_wrap=True, min_width=25)
    table.add_column("value", justify="right", no_wrap=True, min_width=10)
    table.add_column("definition", no_wrap=True, overflow="ellipsis", max_width=36)
    for row in kpis.to_dict("records"):
        value = fmt(row["value"], str(row["unit"]), ws.config.currency)
        table.add_row(str(row["metric"]), value, str(row["definition"]))
    console.print(table)
    console.print("Each definition in full: `supportops metrics explain ID`.")
    sla = compliance_by_target(ws, as_of=as_of)
    table = Table(title="SLA compliance per target")
    for column in ("target", "achieved", "breached", "active", "paused", "compliance"):
        table.add_column(column, justify="left" if column == "target" else "right")
    for row in sla.to_dict("records"):
        counts = [f"{int(row[c]):,}" for c in ("achieved", "breached", "active", "paused")]
        rate = fmt(row["compliance"], "rate")
        table.add_row(str(row["target"]), *counts, rate)
    console.print(table)
