"""``supportops experiment analyze NAME``: the stored arms joined to each ticket's metric values,
compared arm by arm (:mod:`.analysis`), with CUPED's pre-period values when asked.

The pre-period is as long as the experiment, just before it. Its covariate is the unit's mean
value there: the requester's for an experiment by ticket (a ticket has no past of its own), the
unit's otherwise; a switchback has none.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from supportops.errors import ExperimentError
from supportops.experiments.analysis import Analysis, Options, analyze_frame
from supportops.experiments.assign import UNIT_COLUMNS
from supportops.experiments.design import Design, checked, find

if TYPE_CHECKING:
    from supportops.workspace import Workspace

__all__ = ["Result", "analyze", "experiment_frame"]

_KEY = ["source", "ticket_id"]


@dataclass(frozen=True)
class Result:
    """An experiment's design and its analysis."""

    design: Design
    analysis: Analysis


def _seed(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big")


def experiment_frame(ws: Workspace, design: Design) -> pd.DataFrame:
    """One row per assigned ticket (carry-over slots dropped): arm, unit id, metric values and,
    with CUPED, the ``pre:<label>`` covariates."""
    from supportops.metrics.experiment_outcomes import stored_arms, ticket_outcomes, ticket_units

    config = design.config
    arms = stored_arms(ws, config.name)
    if arms.empty:
        raise ExperimentError(
            f"experiment {config.name!r} has no stored arms: run "
            f"`supportops experiment assign {config.name}` first",
            experiment=config.name,
        )
    arms = arms[~arms["carryover"].fillna(False).astype(bool)]
    values = ticket_outcomes(ws, design.labels, design.low, design.high)
    frame = arms.merge(values, on=_KEY, how="inner")
    if not config.cuped or config.unit == "slot":
        return frame
    span = design.high - design.low
    before = ticket_outcomes(ws, design.labels, design.low - span, design.low)
    column = UNIT_COLUMNS["requester" if config.unit == "ticket" else config.unit]
    who = ticket_units(ws, design.low - span, design.high)[[*_KEY, column]]
    past = before.merge(who, on=_KEY).groupby(column)[design.labels].mean()
    now = frame.merge(who, on=_KEY, how="left")
    for label in design.labels:
        frame[f"pre:{label}"] = now[column].map(past[label]).to_numpy(float)
    return frame


def analyze(ws: Workspace, name: str) -> Result:
    """The analysis of experiment ``name`` on the workspace's data as of its clock."""
    config = find(ws.config.experiments, name)
    design = checked(config, ws.config.report_timezone)
    frame = experiment_frame(ws, design)
    options = Options(
        alpha=config.alpha,
        resamples=config.resamples,
        cuped=config.cuped,
        always_valid=config.peeking == "always_valid",
        median_method=config.median_method,
        seed=_seed(config.name),
    )
    finished = config.peeking == "always_valid" or ws.clock.now() >= design.high
    analysis = analyze_frame(frame, config.arms, list(design.specs), config.unit, options, finished)
    return Result(design, analysis)
