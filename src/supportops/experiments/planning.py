"""``supportops experiment plan NAME``: how long the experiment must run to detect an effect, or
what it can detect in its days — simulated on the primary metric's history (:mod:`.power`).

The history is the tickets created in the ``history_days`` before the experiment's start (or
before today when it has started); the daily volume is theirs, split by the arms' weights.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import numpy as np

from supportops.errors import ExperimentError
from supportops.experiments.design import checked, find
from supportops.experiments.power import (
    PowerPlan,
    baseline_of,
    detectable_effect,
    required_per_arm,
)

if TYPE_CHECKING:
    from supportops.workspace import Workspace

__all__ = ["plan_experiment"]


def plan_experiment(
    ws: Workspace,
    name: str,
    effect: float | None = None,
    days: float | None = None,
    history_days: int = 56,
    power: float = 0.8,
) -> PowerPlan:
    """The plan for ``effect`` (relative, −0.1 = 10% lower) or for ``days`` (the experiment's
    own length when neither is given)."""
    from supportops.metrics.experiment_outcomes import ticket_outcomes

    config = find(ws.config.experiments, name)
    design = checked(config, ws.config.report_timezone)
    spec = design.specs[0]
    end = min(design.low, ws.clock.now())
    values = ticket_outcomes(ws, [spec.label], end - timedelta(days=history_days), end)
    history = values[spec.label].dropna().to_numpy(float)
    if history.size < 50:
        raise ExperimentError(
            f"experiment {name!r}: only {history.size} tickets with {spec.label} in the "
            f"{history_days} days before {end:%Y-%m-%d}: too little history to simulate",
            experiment=name,
        )
    share = min(config.arms.values()) / sum(config.arms.values())
    per_day = history.size / history_days * share
    rng = np.random.default_rng(0)
    base = baseline_of(history, spec)
    if effect is not None:
        n = required_per_arm(history, spec, effect, rng, power, config.alpha)
        return PowerPlan(n, n / per_day, effect, base, power, 4000)
    length = days if days is not None else (design.high - design.low).total_seconds() / 86400
    n = int(per_day * length)
    found = detectable_effect(history, spec, n, rng, power, config.alpha)
    return PowerPlan(n, length, found, base, power, 4000)
