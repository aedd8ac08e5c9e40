"""The review form ``/qa/review/{source}/{id}``: the ticket's conversation from its timeline
beside the scorecard that applies to it (the first whose scope it matches, latest version).

``GET`` shows the form to any page session; ``POST`` needs a ``write`` token and the session's
CSRF token (:func:`~supportops.web.auth.page_writer`) and writes one review, all its ratings,
through the checks and the importer of :mod:`supportops.qa.entry`. The reviewer is the session
token's name; the agent is the ticket's assignee unless another is picked. A bad answer shows
the form again with what was wrong, nothing written; a good one goes to the ticket's page,
where the review is listed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

import pandas as pd
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from supportops.errors import QaError
from supportops.metrics.inventory import distinct_values
from supportops.metrics.ticket_story import Story
from supportops.qa.entry import NA, Entered, entered_rows, write_review
from supportops.qa.scorecard import Category, Scorecard
from supportops.tokens import TokenRecord
from supportops.web.auth import page_writer
from supportops.web.pages import User, Ws, labels, render, router, view_filters
from supportops.web.ticket_links import ticket_path
from supportops.web.ticket_page import shown, told_of
from supportops.workspace import Workspace

__all__ = ["options", "scorecard_for"]

Writer = Annotated[TokenRecord, Depends(page_writer)]


async def _form(request: Request) -> FormData:
    return await request.form()


Form = Annotated[FormData, Depends(_form)]


def scorecard_for(ws: Workspace, told: Story) -> Scorecard | None:
    """The scorecard that applies to the ticket (None when none does)."""
    from supportops.qa.workspace import scorecard_of

    cards = ws.config.qa.scorecards
    key = scorecard_of(pd.DataFrame([told.fields]), cards).iloc[0] if cards else None
    return ws.config.qa.scorecard(key) if key else None


def options(category: Category) -> list[tuple[str, str]]:
    """(value, label) of each answer of the category's scale, then N/A where it is allowed."""
    if category.scale == "binary":
        found = [("1", "yes"), ("0", "no")]
    else:
        found = [(str(v), str(v)) for v in range(int(category.high), int(category.low) - 1, -1)]
    return found + ([(NA, "N/A")] if category.na else [])


def _page(
    request: Request,
    ws: Ws,
    user: TokenRecord,
    told: Story,
    answers: Mapping[str, str],
    error: QaError | None = None,
) -> Response:
    card = scorecard_for(ws, told)
    agents = distinct_values(ws.store, "assignee_id")
    assignee = told.fields.get("assignee_id")
    response = render(
        request,
        ws,
        "qa_review.html",
        view_filters(request, ws),
        story=told,
        subject=told.fields.get("subject") or "",
        conversation=[e for e in shown(told)["events"] if e["kind"] == "message"],
        card=card,
        categories=[
            {"category": c, "options": options(c), "chosen": answers.get(f"rating-{c.id}", "")}
            for c in (card.categories if card else ())
        ],
        agents=labels(request, ws, "assignee_id", agents),
        agent=answers.get("agent") or (str(assignee) if assignee is not None else ""),
        comment=answers.get("comment", ""),
        reviewer=user.name,
        can_write=user.allows("write"),
        error=error.message if error else None,
        error_key=error.context.get("key") if error else None,
        ticket_url=ticket_path(told.source, told.ticket_id),
    )
    if error is not None:
        response.status_code = 400
    return response


@router.get("/qa/review/{source}/{ticket_id:path}", response_class=HTMLResponse)
def review_form(request: Request, ws: Ws, user: User, source: str, ticket_id: str) -> Response:
    """The ticket's conversation beside its scorecard, each category's scale and a comment."""
    return _page(request, ws, user, told_of(request, ws, source, ticket_id), {})


@router.post("/qa/review/{source}/{ticket_id:path}", response_class=HTMLResponse)
def submit_review(
    request: Request, ws: Ws, user: Writer, form: Form, source: str, ticket_id: str
) -> Response:
    """Write one review of the ticket, then go to the ticket's page; a bad answer shows the
    form again with the reason."""
    told = told_of(request, ws, source, ticket_id)
    answers = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    card = scorecard_for(ws, told)
    try:
        if card is None:
            raise QaError(f"no scorecard of supportops.yaml applies to ticket {ticket_id}")
        if not answers.get("agent", "").strip():
            raise QaError("pick the agent reviewed", key="agent")
        entry = Entered(
            source=told.source,
            ticket_id=told.ticket_id,
            agent_id=answers["agent"].strip(),
            reviewer_id=user.name,
            at=ws.clock.now(),
            card=card,
            comment=answers.get("comment", "").strip(),
        )
        ratings = {c.id: answers.get(f"rating-{c.id}", "") for c in card.categories}
        rows = entered_rows(entry, ratings)
    except QaError as exc:
        return _page(request, ws, user, told, answers, exc)
    state = request.app.state.web
    with state.write_lock, state.workspace(remember=False) as writing:
        try:
            write_review(writing.store, rows)
        finally:
            state.cache.clear()
    return RedirectResponse(ticket_path(told.source, told.ticket_id) + "#qa-reviews", 303)
