"""The Knowledge page: the topics of the date range's tickets that no article covers, ranked by
the agent hours an article would save, with sample tickets, a suggested title and outline and
the nearest articles; and each article's deflection opportunity.

The page compares texts in the TF-IDF space (seconds, no torch); ``supportops knowledge gaps``
uses the sentence encoder when it is installed.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from supportops.knowledge.report import workspace_gaps
from supportops.web.pages import User, Ws, cached, render, router, view_filters
from supportops.web.ticket_links import ticket_path

__all__ = ["TOP", "knowledge"]

TOP = 10


@router.get("/knowledge", response_class=HTMLResponse)
def knowledge(request: Request, ws: Ws, _: User) -> Response:
    """Knowledge gaps of the date range."""
    filters = view_filters(request, ws)
    found = cached(
        request,
        ws,
        ("knowledge", filters.start, filters.end),
        lambda: workspace_gaps(ws, filters.start, filters.end),
    )
    gaps = found.gaps.head(TOP).to_dict("records") if found.tickets else []
    sources = found.found.tickets.set_index("ticket_id")["source"] if found.tickets else None
    for gap in gaps:
        gap["sample_links"] = [
            (t, ticket_path(str(sources.loc[t]) if sources is not None else "", str(t)))
            for t in gap["samples"]
        ]
    return render(
        request,
        ws,
        "knowledge.html",
        filters,
        found=found,
        gaps=gaps,
        articles=found.articles_table.to_dict("records") if found.tickets else [],
    )
