"""The Triage page: for each saved model, what it measured on tickets it never saw — the
coverage/accuracy curve with its threshold, calibration, per-class precision and recall, the
confusions that matter — and how it does since training (accuracy, class-mix drift, a retrain
hint). Priority models are shown against the majority class."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from supportops import charts
from supportops.triage.page_data import model_names, since_training
from supportops.triage.saved import read_card
from supportops.web.pages import User, Ws, cached, render, router, view_filters

__all__ = ["triage"]


def _specs(card: dict[str, Any]) -> dict[str, Any]:
    judged = card["test"] or card["validation"]
    return {
        "curve": charts.curve(
            card["curve"],
            "coverage",
            "accuracy",
            title="Accuracy of the auto-routed tickets by share routed",
            x_title="share routed automatically",
            y_title="accuracy of those routed",
            mark=judged["coverage"],
        ),
        "reliability": charts.curve(
            [r for r in card["reliability"] if r["tickets"]],
            "confidence",
            "accuracy",
            title="Reliability: accuracy at each confidence (diagonal = calibrated)",
            x_title="confidence",
            y_title="accuracy",
        ),
    }


@router.get("/triage", response_class=HTMLResponse)
def triage(request: Request, ws: Ws, _: User, model: str | None = None) -> Response:
    """The saved triage models, one at a time."""
    filters = view_filters(request, ws)
    names = model_names(ws.path)
    chosen = model if model in names else (names[0] if names else None)
    if chosen is None:
        return render(request, ws, "triage.html", filters, card=None, names=[])
    card = read_card(ws.path, chosen)
    key = ("triage", chosen, card["trained_at"])
    monitoring = cached(request, ws, key, lambda: since_training(ws.path, ws.store, chosen))
    judged = card["test"] or card["validation"]
    return render(
        request,
        ws,
        "triage.html",
        filters,
        card=card,
        names=names,
        chosen=chosen,
        judged=judged,
        judged_on="test (later tickets, never seen in training)" if card["test"] else "validation",
        monitoring=monitoring,
        beats_majority=judged["accuracy"] > card["majority_accuracy"],
        specs=_specs(card),
    )
