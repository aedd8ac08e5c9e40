"""The per-period review plan: a fair sample for IQS, risk picks apart, reviewers assigned.

Each agent gets a quota sized for the chosen IQS precision (:func:`~supportops.qa.scores.
reviews_needed`), spread over the agent's strata (channel × contact reason) in proportion to
their size with a minimum per stratum, and drawn at random within each stratum. A stratum
given more than its share (the minimum) is weighted down: each pick carries
``weight = stratum tickets / stratum picks`` (the inverse of its chance of being picked), so the
weighted mean of the sample's scores estimates the agent's IQS without bias.

Risk picks — low CSAT, reopened, SLA breached, long resolution, escalated — are drawn from the
tickets left over and reported as their own rows (``kind = risk``, weight 0): they are worth
reviewing, and mixing them into IQS would bias it. Tickets already reviewed are skipped, and
each pick goes to a reviewer other than its agent, in turn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["RISKS", "PlanSettings", "plan", "weighted_iqs"]

RISKS = ("low_csat", "reopened", "sla_breached", "long_resolution", "escalated")


@dataclass(frozen=True)
class PlanSettings:
    """How the plan is drawn: reviews per agent, minimum per stratum, risk picks per agent."""

    quota: int
    minimum: int = 1
    risk: int = 2
    strata: tuple[str, ...] = ("channel", "reason")
    seed: int = 0


def plan(
    tickets: pd.DataFrame,
    settings: PlanSettings,
    reviewers: Sequence[str] = (),
    reviewed: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The plan over ``tickets`` (one row per ticket: source, ticket_id, agent_id, the strata
    columns and the :data:`RISKS` flags): one row per pick with ``kind`` (sample or risk),
    ``stratum``, ``weight``, ``risk`` (the reasons, for risk picks) and ``reviewer_id``."""
    pool = _unreviewed(tickets.dropna(subset=["agent_id"]), reviewed)
    rng = np.random.default_rng(settings.seed)
    parts = [pool[c].astype("string").fillna("-") for c in settings.strata]
    stratum = pd.Series("all", index=pool.index, dtype="string")
    if parts:
        stratum = parts[0]
        for part in parts[1:]:
            stratum = stratum + " × " + part
    pool = pool.assign(stratum=stratum, _draw=rng.random(len(pool)))
    sample = _stratified(pool, settings)
    rest = pool[~pool.index.isin(sample.index)]
    risky = _risk_picks(rest, settings)
    picks = pd.concat([sample, risky]).drop(columns=["_draw"])
    picks = picks.sort_values(["agent_id", "kind", "stratum", "ticket_id"], kind="stable")
    picks["reviewer_id"] = _assign(picks["agent_id"].to_numpy(), list(reviewers))
    return picks.reset_index(drop=True)


def _unreviewed(tickets: pd.DataFrame, reviewed: pd.DataFrame | None) -> pd.DataFrame:
    if reviewed is None or reviewed.empty:
        return tickets
    seen = pd.MultiIndex.from_frame(reviewed[["source", "ticket_id"]].astype(str))
    mine = pd.MultiIndex.from_frame(tickets[["source", "ticket_id"]].astype(str))
    return tickets[~mine.isin(seen)]


def _stratified(pool: pd.DataFrame, settings: PlanSettings) -> pd.DataFrame:
    """Per agent, ``quota`` picks over its strata: proportional, at least ``minimum`` each."""
    sizes = pool.groupby(["agent_id", "stratum"]).size().rename("size").reset_index()
    totals = sizes.groupby("agent_id")["size"].transform("sum")
    quota = np.minimum(settings.quota, totals)
    share = np.floor(sizes["size"] * quota / totals).astype(int)
    wanted = np.minimum(np.maximum(share, settings.minimum), sizes["size"])
    sizes["picks"] = wanted
    ranked = pool.assign(_rank=pool.groupby(["agent_id", "stratum"])["_draw"].rank(method="first"))
    merged = ranked.reset_index().merge(sizes, on=["agent_id", "stratum"]).set_index("index")
    chosen = merged[merged["_rank"] <= merged["picks"]]
    return chosen.assign(kind="sample", weight=chosen["size"] / chosen["picks"], risk="").drop(
        columns=["_rank", "size", "picks"]
    )


def _risk_picks(rest: pd.DataFrame, settings: PlanSettings) -> pd.DataFrame:
    flags = rest.reindex(columns=list(RISKS)).astype("boolean").fillna(False).astype(bool)
    reasons = pd.Series("", index=rest.index, dtype=object)
    for name in RISKS:  # five columns, not rows
        reasons = reasons + np.where(flags[name], name + ", ", "")
    any_risk = flags.any(axis=1)
    risky = rest[any_risk].assign(risk=reasons[any_risk].str.removesuffix(", "))
    rank = risky.groupby("agent_id")["_draw"].rank(method="first")
    return risky[rank <= settings.risk].assign(kind="risk", weight=0.0)


def _assign(agents: np.ndarray, reviewers: list[str]) -> np.ndarray:
    """Reviewers in turn, skipping the one who is the pick's agent."""
    if not reviewers:
        return np.full(len(agents), None, dtype=object)
    pool = np.array(reviewers, dtype=object)
    turn = np.arange(len(agents)) % len(pool)
    own = pool[turn] == agents
    return np.where(own & (len(pool) > 1), pool[(turn + 1) % len(pool)], pool[turn])


def weighted_iqs(scores: pd.DataFrame, by: Sequence[str] = ("agent_id",)) -> pd.DataFrame:
    """IQS per group from a scored plan: Σ weight · score / Σ weight (risk picks weigh 0)."""
    data = scores.dropna(subset=["score"])
    data = data.assign(_ws=data["score"] * data["weight"])
    sums = data.groupby(list(by))[["_ws", "weight"]].sum()
    return (sums["_ws"] / sums["weight"]).rename("iqs").reset_index()
