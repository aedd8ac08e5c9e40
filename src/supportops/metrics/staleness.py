"""Stale data: when the newest event is older than ``stale_after`` (a setting, default 6h),
"now" is past the end of the data, and answers as of now (at-risk targets, open backlog, SLA
clocks still running) say more about the gap than about the support desk. Commands and pages
then say where the data ends and what ``--as-of`` (``as_of=``) at that instant would show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from supportops.instants import format_duration

if TYPE_CHECKING:
    from supportops.workspace import Workspace

__all__ = ["Stale", "newest_instant", "stale_data"]

_NEWEST = 'SELECT max("at") AS newest FROM events'


@dataclass(frozen=True)
class Stale:
    """The data ends at ``newest``, long before ``now`` (both aware, UTC)."""

    newest: datetime
    now: datetime
    zone: str

    @property
    def age_s(self) -> float:
        """Seconds from the newest event to now."""
        return (self.now - self.newest).total_seconds()

    @property
    def age(self) -> str:
        """How long before now the data ends, as a person says it: whole hours (``3d2h``), or
        whole minutes under an hour."""
        seconds = int(self.age_s)
        step = 3600 if seconds >= 3600 else 60
        return format_duration(seconds // step * step)

    @property
    def end(self) -> datetime:
        """The first whole minute at or after the newest event (UTC): the instant to ask."""
        floor = self.newest.replace(second=0, microsecond=0)
        return floor if floor == self.newest else floor + timedelta(minutes=1)

    @property
    def as_of(self) -> str:
        """:attr:`end` as ``--as-of`` takes it: naive, in the report time zone."""
        local = self.end.astimezone(ZoneInfo(self.zone))
        return local.replace(tzinfo=None).isoformat(timespec="minutes")

    def message(self, option: str = "--as-of") -> str:
        """One line: where the data ends, and the option that answers as of then."""
        return (
            f"the data ends at {self.as_of} ({self.zone}), {self.age} "
            f"before now; {option} {self.as_of} answers as of the data's end"
        )


def newest_instant(ws: Workspace) -> datetime | None:
    """The newest event's instant (UTC), None without events."""
    rows = ws.store.memo(("newest_event",), lambda: [r[0] for r in ws.store.rows(_NEWEST).values])
    value = rows[0] if rows else None
    if value is None:
        return None
    moment: datetime = value if value.tzinfo else value.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def stale_data(ws: Workspace, now: datetime | None = None) -> Stale | None:
    """A :class:`Stale` when the newest event is more than ``stale_after`` before ``now``
    (default: the workspace clock's now); None when the data is fresh or empty."""
    moment = now or ws.clock.now()
    newest = newest_instant(ws)
    if newest is None or (moment - newest).total_seconds() <= ws.config.stale_after:
        return None
    return Stale(newest, moment, ws.config.report_timezone)
