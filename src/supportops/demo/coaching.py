"""The demo's coaching notes: the QA lead coaches the three agents with the most reviews,
halfway through their reviews, on the category they scored lowest until then — so the
coaching page has a note and a before/after to show. Deterministic: it reads only the
demo's stored reviews."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd

from supportops.qa.notes import add_note
from supportops.qa.scores import category_scores
from supportops.qa.workspace import scored
from supportops.workspace import Workspace

__all__ = ["AUTHOR", "write_notes"]

AUTHOR = "qa-lead"
_AGENTS = 3


def write_notes(ws: Workspace) -> int:
    """Add one note for each of the agents with the most reviews; how many were added."""
    found = scored(ws)
    counts = found.reviews.groupby("agent_id").size().reset_index(name="n")
    chosen = counts.sort_values(["n", "agent_id"], ascending=[False, True]).head(_AGENTS)
    for agent in chosen["agent_id"].astype(str):
        mine = found.reviews[found.reviews["agent_id"].astype(str) == agent].sort_values("at")
        middle = pd.Timestamp(mine["at"].iloc[len(mine) // 2]).to_pydatetime()
        rows = found.rows[(found.rows["agent_id"].astype(str) == agent)]
        before = rows[pd.to_datetime(rows["at"], utc=True) < middle]
        weakest = str(
            category_scores(before).sort_values(["score", "category"])["category"].iloc[0]
        )
        text = f"Went through recent reviews together; agreed to work on {weakest}."
        add_note(
            ws.store,
            ws.config.qa.scorecards,
            agent,
            AUTHOR,
            middle - timedelta(hours=1),
            text,
            [weakest],
        )
    return len(chosen)
