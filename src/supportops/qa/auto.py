"""Auto-QA as one more rater: rule checks from the event log (and text checks of the agents'
messages, :mod:`supportops.qa.text`), allowed to count only where they agree with the human
graders.

Each check rates a ticket pass (100) or fail (0), or leaves it unrated (NaN) when the rule does
not apply (no escalation, never solved). On the calibration set, the check is scored against
the human consensus of the category it rates (the mean of the graders, at the category's
level): it **counts** only where α(auto, consensus) ≥ 0.667 *and* is not below the humans'
α among themselves; everywhere else it is **advisory** and labelled so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from supportops.qa.agreement import RELIABLE, Level, alpha
from supportops.qa.scorecard import AutoCheck

__all__ = ["REOPEN_WINDOW", "AutoAgreement", "check_ratings", "gate"]

REOPEN_WINDOW = 7 * 86_400  # seconds: a reopen within 7 days of the first solve fails


def _seconds(later: pd.Series, earlier: pd.Series) -> np.ndarray:
    gap = pd.to_datetime(later, utc=True) - pd.to_datetime(earlier, utc=True)
    return np.asarray(gap.dt.total_seconds(), dtype=float)


def check_ratings(facts: pd.DataFrame, check: AutoCheck) -> pd.Series:
    """The check's rating (100 pass, 0 fail, NaN not applicable) per row of
    :func:`supportops.metrics.reviews.check_facts`."""
    if check.check == "first_reply_within":
        wait = _seconds(facts["replied"], facts["created_at"])
        out = np.where(np.isnan(wait), np.nan, np.where(wait <= check.within, 100.0, 0.0))
    elif check.check == "note_before_escalation":
        escalated = facts["escalated"].notna().to_numpy()
        before = (_seconds(facts["escalated"], facts["noted"]) > 0) & facts["noted"].notna()
        out = np.where(escalated, np.where(before, 100.0, 0.0), np.nan)
    elif check.check == "confirmed_before_solve":
        solved = facts["solved"].notna().to_numpy()
        out = np.where(solved, np.where(facts["confirmations"] > 0, 100.0, 0.0), np.nan)
    else:  # no_reopen
        solved = facts["solved"].notna().to_numpy()
        gap = _seconds(facts["reopened"], facts["solved"])
        reopened = ~np.isnan(gap) & (gap <= REOPEN_WINDOW)
        out = np.where(solved, np.where(reopened, 0.0, 100.0), np.nan)
    return pd.Series(out, index=facts.index, name=check.check)


@dataclass(frozen=True)
class AutoAgreement:
    """How one check agrees with the humans on its category, and whether it counts."""

    check: str
    category: str
    alpha_auto: float
    alpha_humans: float
    units: int
    kind: str = "rule"

    @property
    def counts(self) -> bool:
        """α(auto, humans) ≥ 0.667 and not below the humans' own α."""
        return bool(
            np.isfinite(self.alpha_auto)
            and self.alpha_auto >= RELIABLE
            and self.alpha_auto >= np.nan_to_num(self.alpha_humans, nan=-np.inf)
        )

    @property
    def status(self) -> str:
        """``counts`` or ``advisory`` (the label the pages show)."""
        return "counts" if self.counts else "advisory"


def gate(
    humans: pd.DataFrame,
    auto: pd.Series,
    check: str,
    category: str,
    level: Level,
    kind: str = "rule",
) -> AutoAgreement:
    """``humans``: rows (unit, reviewer_id, pct) of one category on the calibration set;
    ``auto``: the check's pct per unit (``kind``: a ``rule`` or a ``text`` check). The
    consensus is the graders' mean per unit, on the scale's own steps for nominal and ordinal
    levels (rounded to the nearest rating seen)."""
    matrix = humans.pivot_table(index="reviewer_id", columns="unit", values="pct")
    consensus = matrix.mean(axis=0)
    if level in ("nominal", "ordinal"):
        steps = np.unique(matrix.to_numpy()[~np.isnan(matrix.to_numpy())])
        if len(steps):
            nearest = np.abs(consensus.to_numpy()[:, None] - steps[None, :]).argmin(axis=1)
            consensus = pd.Series(steps[nearest], index=consensus.index)
    paired = pd.DataFrame({"auto": auto.reindex(consensus.index), "humans": consensus}).T
    both = paired.loc[:, paired.notna().all(axis=0)]
    return AutoAgreement(
        check,
        category,
        alpha(paired.to_numpy(), level) if both.shape[1] >= 2 else float("nan"),
        alpha(matrix.to_numpy(), level),
        int(both.shape[1]),
        kind,
    )
