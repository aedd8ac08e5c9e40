"""The knowledge-gap report of a workspace: its tickets of a period (subject and first
customer message, handle time) against a folder of articles. The I/O edge of the package."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from supportops.knowledge.articles import read_articles
from supportops.knowledge.gaps import Gaps, find_gaps
from supportops.knowledge.space import embed, space_kind
from supportops.store.texts import ticket_texts
from supportops.triage.texts import ticket_text
from supportops.workspace import Workspace

__all__ = [
    "MIN_TICKETS",
    "SHARED_SPACE",
    "GapReport",
    "gap_report",
    "period_tickets",
    "workspace_gaps",
]

MIN_TICKETS = 10
"""Fewer tickets with text in the period than this: no topics are looked for."""


@dataclass(frozen=True)
class GapReport:
    """What ``supportops knowledge gaps`` and the Knowledge page show."""

    first: date | None
    last: date | None
    space: str
    tickets: int
    topics: int
    articles: int
    found: Gaps

    @property
    def gaps(self) -> pd.DataFrame:
        return self.found.gaps

    @property
    def articles_table(self) -> pd.DataFrame:
        return self.found.articles

    def data(self, top: int) -> dict[str, Any]:
        """The report as plain data (JSON output, API)."""
        head = self.gaps.head(top).drop(columns=["cohesion"], errors="ignore")  # none: no gaps
        return {
            "from": self.first,
            "to": self.last,
            "space": self.space,
            "tickets": self.tickets,
            "topics": self.topics,
            "articles": self.articles,
            "gaps": head.to_dict("records"),
            "deflection": self.articles_table.to_dict("records"),
        }


SHARED_SPACE = "tfidf"  # the page's, the API's and the report's: seconds, no torch


def workspace_gaps(ws: Workspace, first: date | None, last: date | None) -> GapReport:
    """The gaps of ``first``–``last`` against the workspace's ``articles/`` folder, in
    :data:`SHARED_SPACE`: what the Knowledge page, ``GET /api/knowledge/gaps`` and the executive
    report show."""
    return gap_report(ws, ws.path / "articles", first, last, SHARED_SPACE)


def period_tickets(ws: Workspace, first: date | None, last: date | None) -> pd.DataFrame:
    """The workspace's tickets created from ``first`` to ``last`` (report time zone days),
    with their ``text``; tickets without text are left out."""
    frame = ticket_texts(ws.store)
    zone = ZoneInfo(ws.config.report_timezone)
    local = frame["created_at"].dt.tz_convert(zone).dt.date
    keep = pd.Series(True, index=frame.index)
    if first is not None:
        keep &= local >= first
    if last is not None:
        keep &= local <= last
    frame = frame[keep].copy()
    frame["text"] = ticket_text(frame["subject"], frame["first_message"])
    return frame[frame["text"].ne("")].reset_index(drop=True)


def _nothing(articles: pd.DataFrame) -> Gaps:
    empty = pd.DataFrame(columns=["topic", "title", "tickets", "handle_hours", "score"])
    table = pd.DataFrame(columns=["article", "title", "tickets", "handle_hours"])
    return Gaps(empty, pd.DataFrame(columns=["source", "ticket_id", "topic"]), table)


def gap_report(
    ws: Workspace, folder: Path, first: date | None, last: date | None, space: str = "auto"
) -> GapReport:
    """Gaps of the period's tickets against the articles under ``folder`` (none when the
    default folder does not exist)."""
    tickets = period_tickets(ws, first, last)
    articles = (
        read_articles(folder)
        if folder.exists()
        else pd.DataFrame(columns=["article", "title", "text"])
    )
    kind = space_kind(space)
    if len(tickets) < MIN_TICKETS:
        tickets = tickets.iloc[:0]
    article_texts = (articles["title"] + ". " + articles["text"]).tolist()
    if tickets.empty:
        return GapReport(first, last, kind, 0, 0, len(articles), _nothing(articles))
    vectors, article_vectors = embed([tickets["text"].tolist(), article_texts], kind)
    found = find_gaps(tickets, vectors, articles, article_vectors)
    return GapReport(first, last, kind, len(tickets), len(found.gaps), len(articles), found)
