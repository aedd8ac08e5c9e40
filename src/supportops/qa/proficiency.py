"""Time-to-proficiency: IQS and handle time of new agents by start cohort and week of tenure.

An agent's **cohort** is the period (month by default) holding their start. A review or a unit
of handle time falls in **tenure week** ⌊(instant − start) / 7 days⌋ of its agent: week 0 is
the first seven days. A review is placed at the reviewed ticket's creation (the work the
review judges), never before the agent's start; a handle-time unit at its first stretch.

Per cohort × tenure week: IQS with its 95% t interval (:func:`supportops.qa.scores.scores_by`;
one review has no interval), the reviews behind it, AHT (the mean of the ``handle_time``
units) and the agents active (with a review or a unit in that week).

**Weeks to proficiency** of a cohort is the first tenure week *w* with reviews such that the
cohort's IQS is at or above the target in week *w* and in every later week with reviews
(weeks without reviews neither break nor make it). A cohort whose last reviewed week is below
the target has none yet.

Agents whose start falls in the first seven days of the log were most likely working before
it: their tenure is unknown, so they are left out (:data:`SETTLING`).
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from supportops.qa.scores import mean_interval, scores_by

__all__ = ["SETTLING", "WEEK", "cohorts", "curves", "weeks_to_proficiency"]

WEEK = pd.Timedelta(days=7)
SETTLING = pd.Timedelta(days=7)  # starts this close to the log's first event: tenure unknown

_CURVE = ["cohort", "week", "agents", "reviews", "iqs", "low", "high", "handle_units", "aht"]


def cohorts(
    starts: pd.DataFrame, grain: str, zone: str, log_start: datetime | None = None
) -> pd.DataFrame:
    """(agent_id, start, cohort) of the agents whose tenure is known: ``grain`` is a pandas
    period code (``M``, ``W-SUN``, ``Q``) applied to the start in time zone ``zone``."""
    start = pd.to_datetime(starts["start"], utc=True)
    keep = start.notna()
    if log_start is not None:
        keep &= start >= pd.Timestamp(log_start) + SETTLING
    local = start[keep].dt.tz_convert(zone).dt.tz_localize(None)
    return pd.DataFrame(
        {
            "agent_id": starts.loc[keep, "agent_id"].astype(str),
            "start": start[keep],
            "cohort": local.dt.to_period(grain).dt.start_time,
        }
    ).reset_index(drop=True)


def _placed(frame: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (agent_id, at, ...) joined to its agent's cohort, with the tenure week."""
    joined = frame.assign(agent_id=frame["agent_id"].astype(str)).merge(people, on="agent_id")
    gap = pd.to_datetime(joined["at"], utc=True) - joined["start"]
    weeks = np.floor(gap.dt.total_seconds().to_numpy() / WEEK.total_seconds())
    return joined.assign(week=np.maximum(weeks, 0).astype(int))


def curves(reviews: pd.DataFrame, handle: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    """Per cohort × tenure week (the columns of the module docstring). ``reviews``: agent_id,
    at, score; ``handle``: agent_id, at, seconds; ``people``: :func:`cohorts`."""
    rated = _placed(reviews[["agent_id", "at", "score"]], people)
    worked = _placed(handle[["agent_id", "at", "seconds"]], people)
    keys = ["cohort", "week"]
    iqs = scores_by(rated, keys).rename(columns={"n": "reviews", "score": "iqs"})
    aht = mean_interval(worked, keys, "seconds").rename(columns={"n": "handle_units"})
    active = pd.concat([rated[[*keys, "agent_id"]], worked[[*keys, "agent_id"]]])
    agents = active.groupby(keys).agent_id.nunique().rename("agents").reset_index()
    out = agents.merge(iqs.drop(columns=["sd"]), on=keys, how="left")
    out = out.merge(aht[[*keys, "handle_units", "score"]], on=keys, how="left")
    out = out.rename(columns={"score": "aht"})
    for column in ("reviews", "handle_units"):
        out[column] = out[column].fillna(0).astype(int)
    return out[_CURVE].sort_values(keys).reset_index(drop=True)


def weeks_to_proficiency(curve: pd.DataFrame, people: pd.DataFrame, target: float) -> pd.DataFrame:
    """(cohort, agents, weeks): per cohort of ``people`` (:func:`cohorts`), its agents and the
    first tenure week of ``curve`` from which IQS stays at or above ``target`` (NA when the
    last reviewed week is below it, or none has reviews)."""
    rated = curve[curve["reviews"] > 0].sort_values(["cohort", "week"], ascending=[True, False])
    below = (rated["iqs"] < target).astype(int)
    # walking back from the last reviewed week: weeks before the first one below the target
    tail = below.groupby(rated["cohort"]).cummax() == 0
    found = rated[tail].groupby("cohort").week.min().rename("weeks")
    size = people.groupby("cohort").agent_id.nunique().rename("agents")
    out = pd.concat([size, found], axis=1).rename_axis("cohort").reset_index()
    return out.astype({"weeks": "Int64"})[["cohort", "agents", "weeks"]]
