"""The automation ROI ledger of a workspace: for each automation, what it did and how often,
the handle time and money it saved (with intervals), and — against a holdout — its effect on
CSAT, reopen rate and time to resolution.

Automations read: the bot (``bot_sessions``: vendor-reported against verified resolutions),
every holdout of ``roi.holdouts`` (a macro, a routing rule, AI triage: any change whose tickets
were assigned like an experiment, its first arm left unautomated), and every rule of the rules
engine's action ledger (``rule_actions``). A rule's saving is observational: the handle time of
the tickets it wrote to against the tickets no rule wrote to on the same channels. Actions taken
in dry run are counted, never saved.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import pandas as pd

from supportops.experiments.analysis import MetricResult
from supportops.roi.savings import FORMULA, Saving, holdout_saving, observational_saving
from supportops.roi.verify import Verification, verify

if TYPE_CHECKING:
    from supportops.workspace import Workspace

__all__ = ["EFFECTS", "Ledger", "LedgerRow", "hourly_cost", "ledger"]

EFFECTS = ["csat", "reopen_rate", "full_resolution_time:median"]
_MONTH_DAYS = 30.4375


@dataclass(frozen=True)
class LedgerRow:
    """One automation: what it did, its saving, its verification (bots) and effects (holdouts)."""

    automation: str
    did: str
    saving: Saving
    verification: Verification | None = None
    effects: tuple[MetricResult, ...] = ()


@dataclass(frozen=True)
class Ledger:
    """The ledger of ``[low, high)``: its rows, the hourly cost used and the formula."""

    low: datetime
    high: datetime
    rows: list[LedgerRow] = field(default_factory=list)
    hourly_cost: float = 0.0
    formula: str = FORMULA


def hourly_cost(costs: pd.DataFrame, default: float | None) -> float:
    """The agents' hourly cost weighted by their handle seconds, else the configured default."""
    seconds = float(costs["handle_seconds"].sum())
    labour = costs["labour_cost"].dropna()
    if seconds > 0 and len(labour):
        return float(labour.sum()) / seconds * 3600
    return float(default or 0.0)


def _tool_cost(ws: Workspace, name: str, low: datetime, high: datetime) -> float:
    monthly = ws.config.roi.tool_costs.get(name, 0.0)
    return monthly * (high - low).total_seconds() / 86400 / _MONTH_DAYS


def _bot_row(
    ws: Workspace, low: datetime, high: datetime, costs: pd.DataFrame, hourly: float
) -> LedgerRow | None:
    from supportops.metrics.roi_sources import bot_sessions, human_contacts

    sessions = bot_sessions(ws, low, high)
    if sessions.empty:
        return None
    window = ws.config.roi.window
    contacts = human_contacts(ws, low, high + timedelta(seconds=window))
    checked = verify(sessions, contacts, window)
    channels = set(sessions["channel"].dropna())
    manual = costs[
        ~costs["bot_handoff"].astype(bool)
        & (costs["handle_seconds"] > 0)
        & costs["channel"].isin(channels)
    ]
    saving = observational_saving(
        "bot",
        checked.verified,
        manual["handle_seconds"].to_numpy(float),
        hourly,
        _tool_cost(ws, "bot", low, high),
    )
    did = (
        f"{checked.sessions:,} sessions; {checked.reported:,} resolutions reported by the "
        f"vendor, {checked.verified:,} verified"
    )
    return LedgerRow("bot", did, saving, checked)


def _holdout_row(ws: Workspace, name: str, experiment: str, hourly: float) -> LedgerRow:
    from supportops.experiments.analysis import Options, analyze_frame
    from supportops.experiments.design import checked, find, metric_specs
    from supportops.experiments.results import experiment_frame
    from supportops.metrics.roi_sources import ticket_costs

    config = find(ws.config.experiments, experiment)
    design = checked(config, ws.config.report_timezone)
    costs = ticket_costs(ws, design.low, design.high)
    arms = experiment_frame(ws, design)[["source", "ticket_id", "arm", "unit_id"]]
    handled = arms.merge(costs, on=["source", "ticket_id"])
    control = config.control
    held = handled[handled["arm"] == control]["handle_seconds"].to_numpy(float)
    auto = handled[handled["arm"] != control]["handle_seconds"].to_numpy(float)
    saving = holdout_saving(name, auto, held, hourly, _tool_cost(ws, name, design.low, design.high))
    specs = metric_specs(EFFECTS, experiment)
    frame = experiment_frame(ws, replace(design, specs=tuple(specs)))
    analysis = analyze_frame(frame, config.arms, specs, config.unit, Options(resamples=1000))
    did = f"{auto.size:,} tickets automated, {held.size:,} held out ({experiment})"
    return LedgerRow(name, did, saving, None, tuple(analysis.results))


def _rule_rows(
    ws: Workspace, low: datetime, high: datetime, costs: pd.DataFrame, hourly: float
) -> list[LedgerRow]:
    from supportops.metrics.roi_sources import rule_actions

    if not ws.store.has_table("rule_actions"):
        return []
    actions = rule_actions(ws, low, high)
    written = actions[actions["result"] == "written"]
    keys = ["source", "ticket_id"]
    touched = costs.merge(written[keys].drop_duplicates(), on=keys, how="left", indicator=True)
    untouched = touched[touched["_merge"] == "left_only"]
    rows = []
    for rule, own in actions.groupby("rule", sort=True):
        name, live = f"rule: {rule}", own[own["result"] == "written"]
        tickets = costs.merge(live[keys].drop_duplicates(), on=keys)
        manual = untouched[untouched["channel"].isin(set(tickets["channel"].dropna()))]
        tool = _tool_cost(ws, str(rule), low, high)  # roi.tool_costs by the rule's name
        if tickets.empty:
            saving = Saving(name, "dry run", 0, 0.0, 0.0, 0.0, hourly, tool)
        else:
            found = holdout_saving(
                name,
                tickets["handle_seconds"].to_numpy(float),
                manual["handle_seconds"].to_numpy(float),
                hourly,
                tool,
            )
            saving = replace(found, basis="observational")
        dry = int((own["mode"] == "dry_run").sum())
        did = f"{len(live):,} actions written on {len(tickets):,} tickets; {dry:,} in dry run"
        rows.append(LedgerRow(name, did, saving))
    return rows


def ledger(ws: Workspace, low: datetime, high: datetime) -> Ledger:
    """Every automation's row for the tickets and sessions of ``[low, high)``."""
    from supportops.metrics.roi_sources import ticket_costs

    costs = ticket_costs(ws, low, high)
    hourly = hourly_cost(costs, ws.config.cost.default_hourly_cost)
    rows = []
    bot = _bot_row(ws, low, high, costs, hourly)
    if bot is not None:
        rows.append(bot)
    for name, experiment in ws.config.roi.holdouts.items():
        rows.append(_holdout_row(ws, name, experiment, hourly))
    rows += _rule_rows(ws, low, high, costs, hourly)
    return Ledger(low, high, rows, hourly)
