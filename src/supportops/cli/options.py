"""Options shared by every command group, and the reading of the instants they name.

Days, periods and instants are read by :mod:`supportops.instants` in the workspace's report
time zone, relative to the workspace's clock; an error names the option (``--from``, ``--to``,
``--period``, ``--as-of``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from supportops.errors import InstantError
from supportops.instants import parse_duration, parse_instant, resolve_range

if TYPE_CHECKING:
    from supportops.metrics.staleness import Stale
    from supportops.workspace import Workspace

__all__ = [
    "AsOfOption",
    "FromOption",
    "PeriodOption",
    "ToOption",
    "WorkspaceOption",
    "as_of_of",
    "days_of",
    "note_if_stale",
    "seconds_of",
    "usage_errors",
]

WorkspaceOption = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        "-w",
        help="Workspace folder (default: $SUPPORTOPS_WORKSPACE, then the current folder).",
        show_default=False,
    ),
]
FromOption = Annotated[
    str | None,
    typer.Option(
        "--from",
        "--start",
        help="First day, included (report time zone): 2026-11-01, -7d, 2026-W46, 2026-11.",
        show_default=False,
    ),
]
ToOption = Annotated[
    str | None,
    typer.Option(
        "--to",
        "--end",
        help="Last day, included: 2026-11-30, today, 2026-Q4 (its last day).",
        show_default=False,
    ),
]
PeriodOption = Annotated[
    str | None,
    typer.Option(
        "--period",
        help="Instead of --from/--to: today, yesterday, -7d, last week, this month, "
        "2026-W46, 2026-11, 2026-Q4, 2026, FROM..TO.",
        show_default=False,
    ),
]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="The instant the data is cut at (default: now): 2026-11-23T09:00 (report time "
        "zone), 2026-11-23T09:00Z, -2h, yesterday.",
        show_default=False,
    ),
]


@contextmanager
def usage_errors() -> Iterator[None]:
    """An unreadable day, period, instant or duration is a usage error (exit status 2)."""
    try:
        yield
    except InstantError as exc:
        raise typer.BadParameter(exc.message) from exc


def days_of(
    ws: Workspace, start: str | None, end: str | None, period: str | None
) -> tuple[date | None, date | None]:
    """The inclusive days of ``--from``/``--to`` or ``--period``."""
    keys = ("--from", "--to", "--period")
    with usage_errors():
        return resolve_range(start, end, period, ws.config.report_timezone, ws.clock, keys)


def window_of(
    ws: Workspace, start: str | None, end: str | None, period: str | None, days: int = 28
) -> tuple[datetime, datetime]:
    """The UTC instants of the local days of ``--from``/``--to`` or ``--period`` (end
    exclusive); a missing end is the newest event's day, a missing start ``days`` days before."""
    from datetime import timedelta

    from supportops.instants import local_midnight
    from supportops.metrics.inventory import newest_event

    first, last = days_of(ws, start, end, period)
    zone = ws.config.report_timezone
    last = last or (newest_event(ws.store) or ws.clock.now()).date()
    first = first or (last - timedelta(days=days - 1))
    return local_midnight(first, zone), local_midnight(last + timedelta(days=1), zone)


def as_of_of(ws: Workspace, text: str | None) -> datetime | None:
    """The instant ``--as-of`` names (None: none given)."""
    with usage_errors():
        return parse_instant(text, ws.config.report_timezone, ws.clock, "--as-of")


def note_if_stale(ws: Workspace, moment: datetime | None = None) -> Stale | None:
    """Say on stderr where the data ends when that is long before ``moment`` (default now)."""
    from supportops.metrics.staleness import stale_data

    stale = stale_data(ws, moment)
    if stale is not None:
        Console(stderr=True).print(f"note: {stale.message()}", markup=False, highlight=False)
    return stale


def seconds_of(text: str, option: str) -> int:
    """The duration ``option`` names, in seconds."""
    with usage_errors():
        return parse_duration(text, option)
