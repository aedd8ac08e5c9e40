"""QA over a workspace: its reviews scored by its scorecards, IQS and category scores per
dimension and period, the calibration report and the review plan of a period.

Reviews that belong to a calibration session measure the graders, not the agent: they are
left out of IQS and scores by category, and are what :func:`calibration` reads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from supportops.errors import QaError
from supportops.qa.agreement import Agreement, Level, agreement, grader_bias
from supportops.qa.auto import AutoAgreement, check_ratings, gate
from supportops.qa.sample import PlanSettings, plan
from supportops.qa.scorecard import Scorecard
from supportops.qa.scores import category_scores, reviews_needed, scores_by
from supportops.qa.scoring import rated, review_scores
from supportops.workspace import Workspace

__all__ = [
    "GRAINS",
    "Calibration",
    "Proficiency",
    "Scored",
    "auto_agreement",
    "calibration",
    "category_table",
    "iqs_table",
    "proficiency",
    "sample_plan",
    "scored",
]

GRAINS = {"day": "D", "week": "W-SUN", "month": "M", "quarter": "Q"}
_REVIEW_COLUMNS = [
    "review_id",
    "source",
    "ticket_id",
    "agent_id",
    "reviewer_id",
    "at",
    "scorecard",
    "channel",
    "group",
    "type",
    "subject",
    "calibration_session",
]


@dataclass(frozen=True)
class Scored:
    """Rating rows with their ``pct`` and one row per review with its ``score``."""

    rows: pd.DataFrame
    reviews: pd.DataFrame


def _cards(ws: Workspace) -> list[Scorecard]:
    cards = list(ws.config.qa.scorecards)
    if not cards:
        raise QaError("supportops.yaml declares no qa: scorecards", key="qa.scorecards")
    return cards


def scored(
    ws: Workspace,
    low: datetime | None = None,
    high: datetime | None = None,
    calibration_only: bool = False,
    grain: str = "week",
) -> Scored:
    """The reviews given in ``[low, high)`` scored (calibration sessions left out, or only
    those), each with its ``period`` (start of its ``grain`` in the report time zone)."""
    from supportops.metrics.reviews import review_rows

    raw = review_rows(ws.store, low, high, calibration=calibration_only)
    if raw.empty:
        empty = pd.DataFrame(columns=[*_REVIEW_COLUMNS, "score", "raw", "zeroed", "period"])
        return Scored(raw.assign(pct=np.nan, kind="scored", weight=1.0), empty)
    rows = rated(raw, _cards(ws))
    scores = review_scores(rows)
    first = rows.drop_duplicates("review_id")[_REVIEW_COLUMNS]
    reviews = first.merge(scores, on="review_id")
    zone = ws.config.report_timezone
    local = pd.to_datetime(reviews["at"], utc=True).dt.tz_convert(zone).dt.tz_localize(None)
    reviews["period"] = local.dt.to_period(GRAINS[grain]).dt.start_time
    rows = rows.merge(reviews[["review_id", "period"]], on="review_id")
    return Scored(rows, reviews)


def iqs_table(
    ws: Workspace,
    by: Sequence[str] = ("agent_id",),
    low: datetime | None = None,
    high: datetime | None = None,
    grain: str = "week",
) -> pd.DataFrame:
    """IQS with its 95% interval per group of ``by`` (agent_id, group, channel, period, ...)."""
    return scores_by(scored(ws, low, high, grain=grain).reviews, list(by))


def category_table(
    ws: Workspace,
    by: Sequence[str] = (),
    low: datetime | None = None,
    high: datetime | None = None,
) -> pd.DataFrame:
    """Scores by category (no critical zeroing), lowest first, per group of ``by``."""
    rows = scored(ws, low, high).rows
    if rows.empty:
        return pd.DataFrame(columns=[*by, "category", "n", "score", "sd", "low", "high"])
    return category_scores(rows, list(by)).sort_values([*by, "score"]).reset_index(drop=True)


@dataclass(frozen=True)
class Calibration:
    """Agreement per category and each grader's bias against the others, over the
    calibration sessions."""

    categories: list[Agreement]
    bias: pd.DataFrame
    sessions: int
    conversations: int


def calibration(ws: Workspace, target: float = 0.12, draws: int = 1000) -> Calibration:
    """Krippendorff's alpha per category (at the level its scale asks) with its bootstrap
    interval over conversations, the conversations an interval of ± ``target`` needs, and
    grader bias (in points of the category's 0–100 scale)."""
    rows = scored(ws, calibration_only=True).rows
    if rows.empty:
        return Calibration([], pd.DataFrame(columns=["reviewer_id", "bias", "ratings"]), 0, 0)
    rows = rows.assign(unit=rows["source"].astype(str) + "/" + rows["ticket_id"].astype(str))
    levels = {c.id: c.level for card in _cards(ws) for c in card.categories}
    found = []
    for category, part in rows.groupby("category", sort=True):  # one matrix per category
        matrix = part.pivot_table(index="reviewer_id", columns="unit", values="pct")
        found.append(
            agreement(matrix.to_numpy(), str(category), levels[str(category)], target, draws)
        )
    sessions = int(rows["calibration_session"].nunique())
    return Calibration(found, grader_bias(rows), sessions, int(rows["unit"].nunique()))


def auto_agreement(ws: Workspace) -> list[AutoAgreement]:
    """Each ``qa.auto`` rule check and ``qa.text`` text check scored against the human
    consensus of its category on the calibration set: counts, or advisory (see
    :mod:`supportops.qa.auto`)."""
    from supportops.metrics.reviews import check_facts

    checks = ws.config.qa.auto
    rows = scored(ws, calibration_only=True).rows
    if not (checks or ws.config.qa.text) or rows.empty:
        return []
    groups = tuple(n for n, g in ws.config.groups.items() if g.tier >= 2)
    facts = check_facts(ws.store, groups)
    units = facts["source"].astype(str) + "/" + facts["ticket_id"].astype(str)
    rows = rows.assign(unit=rows["source"].astype(str) + "/" + rows["ticket_id"].astype(str))
    levels = {c.id: c.level for card in _cards(ws) for c in card.categories}
    out = []
    for check in checks:
        auto = pd.Series(check_ratings(facts, check).to_numpy(), index=units.to_numpy())
        humans = rows[rows["category"] == check.category]
        out.append(gate(humans, auto, check.check, check.category, levels[check.category]))
    return out + _text_agreement(ws, rows, levels)


def _text_agreement(
    ws: Workspace, rows: pd.DataFrame, levels: Mapping[str, Level]
) -> list[AutoAgreement]:
    """The ``qa.text`` checks through the same gate, on the calibrated tickets' messages."""
    from supportops.metrics.reviews import agent_messages
    from supportops.qa.text import model_kind, text_ratings
    from supportops.triage.models import available_kinds

    if not ws.config.qa.text:
        return []
    said = agent_messages(ws.store)
    said["unit"] = said["source"].astype(str) + "/" + said["ticket_id"].astype(str)
    kinds = available_kinds()
    out = []
    for check in ws.config.qa.text:
        auto = text_ratings(said, check, model_kind(check, kinds))
        humans = rows[rows["category"] == check.category]
        level = levels[check.category]
        out.append(gate(humans, auto, check.name, check.category, level, "text"))
    return out


def scorecard_of(tickets: pd.DataFrame, cards: Sequence[Scorecard]) -> pd.Series:
    """Per ticket, the latest version of the first scorecard whose ``scope`` it matches
    (None when none does), evaluated as one mask per scorecard."""
    from supportops.conditions import mask

    latest: dict[str, Scorecard] = {}
    for card in sorted(cards, key=lambda c: c.version):
        latest[card.name] = card
    out = pd.Series(None, index=tickets.index, dtype=object)
    for name in dict.fromkeys(c.name for c in cards):  # in declaration order
        chosen = latest[name]
        free = out.isna().to_numpy() & mask(chosen.scope, tickets)
        out[free] = chosen.key
    return out.astype(object).where(out.notna(), None)


def sample_plan(
    ws: Workspace,
    low: datetime,
    high: datetime,
    reviewers: Sequence[str] = (),
    quota: int | None = None,
    minimum: int = 1,
    risk: int = 2,
    seed: int = 0,
) -> pd.DataFrame:
    """The review plan of tickets solved in ``[low, high)``: stratified by agent × channel ×
    contact reason (the ticket's ``type``), a quota per agent sized for the ``qa:``
    precision unless given, risk picks apart, tickets already reviewed skipped."""
    from supportops.metrics.reviews import reviewed_tickets, sample_candidates

    qa = ws.config.qa
    size = quota if quota is not None else reviews_needed(qa.score_sd, qa.precision)
    tickets = sample_candidates(ws, low, high)
    tickets["reason"] = tickets["type"]
    resolution = tickets["full_resolution_time"].astype(float)
    tickets["long_resolution"] = resolution > resolution.quantile(0.9)
    settings = PlanSettings(quota=size, minimum=minimum, risk=risk, seed=seed)
    picks = plan(tickets, settings, reviewers, reviewed_tickets(ws.store))
    picks["scorecard"] = scorecard_of(picks, ws.config.qa.scorecards)
    return picks[
        [
            "kind",
            "agent_id",
            "source",
            "ticket_id",
            "channel",
            "reason",
            "stratum",
            "weight",
            "risk",
            "reviewer_id",
            "scorecard",
            "subject",
        ]
    ]


@dataclass(frozen=True)
class Proficiency:
    """Time-to-proficiency over a workspace: the curves (cohort × tenure week), each cohort's
    weeks to proficiency, and the agents left out because they were active from the log's
    first week (see :mod:`supportops.qa.proficiency`)."""

    curve: pd.DataFrame
    cohorts: pd.DataFrame
    left_out: int
    target: float


def proficiency(ws: Workspace, grain: str = "month") -> Proficiency:
    """IQS and handle time of the agents by start cohort (of ``grain``) and week of tenure;
    a start is the agent's first activity in the log (the agents table has no start date)."""
    from supportops.metrics.tenure import agent_starts, handle_units
    from supportops.qa.proficiency import cohorts, curves, weeks_to_proficiency

    if grain not in GRAINS:
        raise QaError(f"grain: expected one of {', '.join(GRAINS)}, not {grain!r}", key="grain")
    starts, first = agent_starts(ws.store)
    people = cohorts(starts, GRAINS[grain], ws.config.report_timezone, first)
    found = scored(ws)
    reviews = found.reviews.merge(
        found.rows.drop_duplicates("review_id")[["review_id", "created_at"]], on="review_id"
    )
    reviews["at"] = reviews["created_at"].fillna(reviews["at"])
    curve = curves(reviews, handle_units(ws.store), people)
    target = ws.config.qa.target
    return Proficiency(
        curve, weeks_to_proficiency(curve, people, target), len(starts) - len(people), target
    )
