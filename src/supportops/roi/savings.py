"""Handle time saved and money — pure, with 95% intervals.

``money saved = hours saved × fully loaded hourly cost − tool cost``

- **Observational** (no holdout): each verified bot resolution is a ticket nobody had to handle,
  so hours saved = verified resolutions × the mean handle time of comparable manual tickets
  (human-handled tickets of the same channels). The interval is that mean's t interval; the
  figure is labelled *observational*: the customers the bot kept may have had easier questions.
- **Holdout** (a share of eligible tickets left unautomated, assigned like an experiment arm):
  saving per ticket = mean handle time of the holdout − of the automated tickets (Welch), times
  the automated tickets. Assignment at random makes this the causal saving.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats

from supportops.experiments.intervals import welch

__all__ = ["FORMULA", "Saving", "holdout_saving", "observational_saving"]

FORMULA = "money saved = hours saved × fully loaded hourly cost − tool cost"


@dataclass(frozen=True)
class Saving:
    """Hours and money saved by one automation, each with its 95% interval."""

    automation: str
    basis: Literal["observational", "holdout", "dry run"]
    count: int
    hours: float
    hours_low: float
    hours_high: float
    hourly_cost: float
    tool_cost: float

    def money(self, hours: float) -> float:
        """``hours × hourly cost − tool cost``."""
        return hours * self.hourly_cost - self.tool_cost

    @property
    def money_saved(self) -> tuple[float, float, float]:
        """Money saved and its interval."""
        return self.money(self.hours), self.money(self.hours_low), self.money(self.hours_high)


def observational_saving(
    automation: str,
    resolved: int,
    manual_seconds: np.ndarray,
    hourly_cost: float,
    tool_cost: float = 0.0,
    alpha: float = 0.05,
) -> Saving:
    """Hours saved by ``resolved`` verified resolutions at the manual tickets' mean handle time."""
    mean = float(manual_seconds.mean()) if manual_seconds.size else 0.0
    if manual_seconds.size > 1:
        se = float(manual_seconds.std(ddof=1) / np.sqrt(manual_seconds.size))
        half = float(stats.t.ppf(1 - alpha / 2, manual_seconds.size - 1)) * se
    else:
        half = 0.0
    hours, low, high = (float(v) * resolved / 3600 for v in (mean, mean - half, mean + half))
    return Saving(automation, "observational", resolved, hours, low, high, hourly_cost, tool_cost)


def holdout_saving(
    automation: str,
    automated: np.ndarray,
    holdout: np.ndarray,
    hourly_cost: float,
    tool_cost: float = 0.0,
    alpha: float = 0.05,
) -> Saving:
    """Hours saved on the ``automated`` tickets against the ``holdout`` (handle seconds each)."""
    diff = welch(holdout, automated, alpha)  # seconds saved per automated ticket
    scale = automated.size / 3600
    return Saving(
        automation,
        "holdout",
        int(automated.size),
        diff.estimate * scale,
        diff.low * scale,
        diff.high * scale,
        hourly_cost,
        tool_cost,
    )
