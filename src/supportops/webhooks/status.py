"""How live each source is: the newest event in the log, the newest delivery, and the
webhook deliveries by state — what ``supportops sources`` and the pages show beside the last
successful sync."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from supportops.store.base import Store
from supportops.webhooks.inbox import INBOX_FILE, STATES, Inbox

__all__ = ["Liveness", "liveness"]


@dataclass(frozen=True)
class Liveness:
    """One source's freshness: ``newest_event`` (the log's latest ``events.at``),
    ``newest_delivery`` (ISO text, when a webhook last arrived) and ``counts`` by state."""

    source: str
    newest_event: datetime | None
    newest_delivery: str | None
    counts: dict[str, int] = field(default_factory=dict)

    def counts_text(self) -> str:
        """``12 applied, 1 failed`` (empty without deliveries)."""
        return ", ".join(f"{self.counts[s]:,} {s}" for s in STATES if self.counts.get(s))


def liveness(store: Store, folder: Path, names: list[str]) -> list[Liveness]:
    """The freshness of sources ``names`` of the workspace at ``folder`` (an absent inbox is
    no delivery yet: it is not created here)."""
    rows = store.arrow('SELECT source, max("at") AS newest FROM events GROUP BY 1').to_pylist()
    newest = {r["source"]: r["newest"] for r in rows}
    counts: dict[str, dict[str, int]] = {}
    delivered: dict[str, str] = {}
    if (folder / INBOX_FILE).exists():
        inbox = Inbox(folder / INBOX_FILE)
        try:
            counts, delivered = inbox.counts(), inbox.newest()
        finally:
            inbox.close()
    return [
        Liveness(name, newest.get(name), delivered.get(name), counts.get(name, {}))
        for name in names
    ]
