"""Verified bot resolutions — pure.

A vendor counts a session as resolved when its bot says so: that is its billing unit. Here a
resolution is **verified** only when the same customer (``requester_id``) opens no ticket on any
channel within ``window`` (default 7 days) after the session started. A resolved session with no
customer id cannot be verified and does not count as verified. The false-resolution rate is the
share of vendor-reported resolutions that are not verified.

One ``merge_asof`` per call finds each session's next human contact: no loop over sessions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["WINDOW", "Verification", "verified", "verify"]

WINDOW = 7 * 86400


@dataclass(frozen=True)
class Verification:
    """Sessions, vendor-reported and verified resolutions, and the false-resolution rate."""

    sessions: int
    reported: int
    verified: int
    confirmed: int

    @property
    def false_resolution_rate(self) -> float | None:
        """Reported resolutions that did not hold, as a share of reported ones."""
        return 1 - self.verified / self.reported if self.reported else None


def verified(sessions: pd.DataFrame, contacts: pd.DataFrame, window: int = WINDOW) -> pd.Series:
    """Per session (``started_at``, ``outcome``, ``requester_id``): whether its resolution is
    verified; ``contacts`` are the customers' tickets (``requester_id``, ``at``)."""
    left = sessions[["started_at", "requester_id"]].copy()
    left["row"] = np.arange(len(left))
    left["started_at"] = pd.to_datetime(left["started_at"], utc=True)
    right = contacts[["requester_id", "at"]].dropna().copy()
    right["at"] = pd.to_datetime(right["at"], utc=True)
    right["next_contact"] = right["at"]
    known = left["requester_id"].notna()
    found = pd.merge_asof(
        left[known].sort_values("started_at"),
        right.sort_values("at"),
        left_on="started_at",
        right_on="at",
        by="requester_id",
        direction="forward",
    ).set_index("row")
    gap = (found["next_contact"] - found["started_at"]).dt.total_seconds()
    quiet = pd.Series(False, index=left["row"])
    quiet[found.index] = (gap.isna() | (gap > window)).to_numpy()
    resolved = (sessions["outcome"] == "resolved").to_numpy()
    return pd.Series(resolved & quiet.to_numpy(), index=sessions.index, name="verified")


def verify(sessions: pd.DataFrame, contacts: pd.DataFrame, window: int = WINDOW) -> Verification:
    """The counts of :func:`verified` for a set of sessions."""
    ok = verified(sessions, contacts, window)
    resolved = sessions["outcome"] == "resolved"
    said = sessions.get("resolution_confirmed", pd.Series(False, index=sessions.index))
    confirmed = resolved & said.astype("boolean").fillna(False).astype(bool)
    return Verification(len(sessions), int(resolved.sum()), int(ok.sum()), int(confirmed.sum()))
