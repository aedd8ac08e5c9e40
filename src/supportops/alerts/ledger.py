"""What was sent: ``WORKSPACE/alerts_ledger.json``, one entry per rule and occurrence key.

A file, not a table of the store, like ``api_tokens.json``: ``supportops alerts run`` and the
server's minute loop both use it, and the server holds the DuckDB store open. A run takes an
exclusive lock (``alerts_ledger.lock``, :func:`fcntl.flock`) so two runs never send the same
occurrence; the file is replaced atomically. An occurrence is recorded only once delivered, so a
failed delivery is tried again on the next run. Entries older than :data:`KEEP` are pruned.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

__all__ = ["KEEP", "LEDGER_FILE", "Ledger"]

LEDGER_FILE = "alerts_ledger.json"
KEEP = timedelta(days=60)


class Ledger:
    """The occurrences sent, per rule: ``{rule: {key: sent_at}}``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sent: dict[str, dict[str, str]] = {}

    @classmethod
    def of_workspace(cls, folder: Path) -> Ledger:
        """The ledger of the workspace at ``folder``."""
        return cls(folder / LEDGER_FILE)

    @contextmanager
    def locked(self) -> Iterator[Ledger]:
        """Hold the lock, read the file, and write it back when the block ends."""
        lock = self.path.with_suffix(".lock")
        with lock.open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                self.load()
                try:
                    yield self
                finally:
                    self.save()  # what was delivered stays recorded, whatever happened next
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def load(self) -> None:
        """Read the file (an absent file is an empty ledger)."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            data = {}
        self.sent = {str(k): dict(v) for k, v in data.get("sent", {}).items()}

    def has(self, rule: str, key: str) -> bool:
        """Whether the occurrence ``key`` of ``rule`` was sent."""
        return key in self.sent.get(rule, {})

    def record(self, rule: str, keys: list[str], at: datetime) -> None:
        """Remember that the occurrences ``keys`` of ``rule`` were sent at ``at``."""
        stamp = at.astimezone(UTC).isoformat()
        self.sent.setdefault(rule, {}).update(dict.fromkeys(keys, stamp))

    def prune(self, now: datetime) -> None:
        """Forget entries sent more than :data:`KEEP` before ``now``."""
        oldest = (now - KEEP).astimezone(UTC).isoformat()
        self.sent = {
            rule: kept
            for rule, keys in self.sent.items()
            if (kept := {k: at for k, at in keys.items() if at >= oldest})
        }

    def save(self) -> None:
        """Write the file atomically (a temporary file renamed over it)."""
        text = json.dumps({"version": 1, "sent": self.sent}, indent=1, sort_keys=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".alerts_ledger.")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, self.path)
