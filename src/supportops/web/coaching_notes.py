"""Coaching notes on the coaching page ``/qa/agents/{agent_id}``: the agent's notes, the
change of their scores since the latest (:func:`supportops.qa.notes.since_note`, over all
their reviews outside calibration sessions, whatever the page's date range), and a form
adding a note — a ``write`` token and the session's CSRF token, as every page form
(:func:`~supportops.web.auth.page_writer`).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

import pandas as pd
from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from supportops import numbers
from supportops.errors import QaError
from supportops.qa.notes import TOO_FEW, add_note, agent_notes, since_note
from supportops.tokens import TokenRecord
from supportops.web.auth import page_writer
from supportops.web.pages import Ws, cached, router
from supportops.workspace import Workspace

__all__ = ["notes_context"]

Writer = Annotated[TokenRecord, Depends(page_writer)]


def _score(value: Any) -> str:
    return numbers.fmt(value, "score")


def _interval(low: Any, high: Any) -> str:
    return "—" if pd.isna(low) else f"{low:.1f} – {high:.1f}"


def _row(name: str, r: Any) -> dict[str, Any]:
    change = r["change"]
    return {
        "name": name,
        "before": _score(r["before_score"]),
        "before_interval": _interval(r["before_low"], r["before_high"]),
        "before_n": 0 if pd.isna(r["before_n"]) else int(r["before_n"]),
        "after": _score(r["after_score"]),
        "after_interval": _interval(r["after_low"], r["after_high"]),
        "after_n": 0 if pd.isna(r["after_n"]) else int(r["after_n"]),
        "change": "—" if pd.isna(change) else f"{change:+.1f}",
    }


def notes_context(request: Request, ws: Workspace, agent_id: str) -> dict[str, Any]:
    """What the coaching page shows of the agent's notes, and the change since the latest."""
    from supportops.qa.workspace import scored

    found = agent_notes(ws.store, agent_id)
    notes = [
        {**r, "at": numbers.local(r["at"], ws.config.report_timezone), "focus": r["focus"]}
        for r in found.to_dict("records")
    ]
    choices = dict.fromkeys(c.id for card in ws.config.qa.scorecards for c in card.categories)
    context: dict[str, Any] = {
        "notes": notes,
        "change": None,
        "too_few": TOO_FEW,
        "focus_choices": list(choices),
        "note_error": getattr(request.state, "note_error", None),
    }
    if found.empty:
        return context
    everything = cached(request, ws, ("qa", None, None), lambda: scored(ws))
    reviews = everything.reviews[everything.reviews["agent_id"].astype(str) == agent_id]
    rows = everything.rows[everything.rows["agent_id"].astype(str) == agent_id]
    change = since_note(reviews, rows, pd.Timestamp(found["at"].iloc[0]).to_pydatetime())
    focus = set(found["focus"].iloc[0])
    context["change"] = {
        "rows": [_row("IQS", r) for _, r in change.iqs.iterrows()]
        + [
            {**_row(str(r["category"]), r), "focus": r["category"] in focus}
            for _, r in change.categories.iterrows()
        ],
        "after": change.after,
        "unclear": change.too_few,
    }
    return context


@router.post("/qa/agents/{agent_id}/notes", response_class=HTMLResponse)
def add_coaching_note(
    request: Request,
    ws: Ws,
    user: Writer,
    agent_id: str,
    text: Annotated[str, Form(max_length=4000)] = "",
    focus: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Add a note for the agent, then show their coaching page; a bad note shows the page
    again (400) with what is wrong, nothing written."""
    state = request.app.state.web
    try:
        with state.write_lock, state.workspace(remember=False) as writing:
            try:
                cards = ws.config.qa.scorecards
                now = ws.clock.now()
                add_note(writing.store, cards, agent_id, user.name, now, text, focus or [])
            finally:
                state.cache.clear()
    except QaError as exc:
        from supportops.web.qa_page import coaching

        request.state.note_error = exc.message
        response = coaching(request, agent_id, ws, user)
        response.status_code = 400
        return response
    return RedirectResponse(f"/qa/agents/{quote(agent_id, safe='')}#coach-notes", 303)
