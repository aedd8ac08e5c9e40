"""The knowledge-gap report of a workspace: its tickets of a period (subject and first
customer message, handle time) against its help center, a folder of articles and the
published articles its sources synced. The I/O edge of the package."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from supportops.knowledge.articles import help_center
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
    origins: dict[str, int] = field(default_factory=dict)  # articles by where they came from

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
            "articles_from": self.origins,
            "gaps": head.to_dict("records"),
            "deflection": self.articles_table.to_dict("records"),
        }


SHARED_SPACE = "tfidf"  # the page's, the API's and the report's: seconds, no torch


def workspace_gaps(ws: Workspace, first: date | None, last: date | None) -> GapReport:
    """The gaps of ``first``–``last`` against the workspace's ``articles/`` folder and its
    synced articles, in
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
    table = pd.DataFrame(columns=["article", "title", "tickets", "handle_hours", "url"])
    return Gaps(empty, pd.DataFrame(columns=["source", "ticket_id", "topic"]), table)


def _with_urls(found: Gaps, articles: pd.DataFrame) -> Gaps:
    """``found`` with each article's page (None for a file) beside its id: in the deflection
    table and among each gap's nearest articles."""
    pairs = zip(articles["article"], articles["url"], strict=True)
    urls = {article: url if isinstance(url, str) else None for article, url in pairs}
    pages = [urls.get(a) for a in found.articles["article"]]
    table = found.articles.assign(url=pd.Series(pages, index=found.articles.index, dtype=object))
    near = [
        [{**one, "url": urls.get(one["article"])} for one in row]
        for row in found.gaps["nearest_articles"]
    ]
    gaps = found.gaps.assign(nearest_articles=pd.Series(near, index=found.gaps.index, dtype=object))
    return Gaps(gaps, found.tickets, table)


def gap_report(
    ws: Workspace,
    folder: Path | None,
    first: date | None,
    last: date | None,
    space: str = "auto",
) -> GapReport:
    """Gaps of the period's tickets against the help center: the articles under ``folder``
    (none when it is None or does not exist) and the store's published synced articles."""
    tickets = period_tickets(ws, first, last)
    articles = help_center(folder, ws.store)
    origins = {str(k): int(v) for k, v in articles["origin"].value_counts(sort=False).items()}
    kind = space_kind(space)
    if len(tickets) < MIN_TICKETS:
        tickets = tickets.iloc[:0]
    article_texts = (articles["title"] + ". " + articles["text"]).tolist()
    count = len(articles)
    if tickets.empty:
        return GapReport(first, last, kind, 0, 0, count, _nothing(articles), origins)
    vectors, article_vectors = embed([tickets["text"].tolist(), article_texts], kind)
    found = _with_urls(find_gaps(tickets, vectors, articles, article_vectors), articles)
    return GapReport(first, last, kind, len(tickets), len(found.gaps), count, found, origins)
