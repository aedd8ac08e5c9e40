"""The QA pages: ``/qa`` (IQS against target by week, IQS per agent with its interval, the
categories that fail most with the tickets behind them, grader agreement, the
time to proficiency of new agents by start cohort) and
``/qa/agents/{agent_id}``, the coaching page of one agent (scores with intervals against the
team's, the trend, the reviews to talk about).

Reviews given in the page's date range are read and scored once per data version
(:mod:`supportops.qa.workspace`); the channel, group and agent filters narrow them by the
reviewed ticket's columns. Calibration-session reviews only feed the agreement table.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pandas as pd
from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from supportops import numbers
from supportops.instants import local_midnight
from supportops.qa.scores import category_scores, scores_by
from supportops.web import charts
from supportops.web.coaching_notes import notes_context
from supportops.web.filters import Filters
from supportops.web.pages import User, Ws, cached, render, router, tickets_url, view_filters
from supportops.web.ticket_links import review_path, ticket_path
from supportops.workspace import Workspace

__all__ = ["failing_tickets", "narrowed"]

_WORST = 5  # tickets shown under each failing category


def _range(ws: Workspace, filters: Filters) -> tuple[datetime | None, datetime | None]:
    zone = ws.config.report_timezone
    low = local_midnight(filters.start, zone) if filters.start else None
    high = local_midnight(filters.end + timedelta(days=1), zone) if filters.end else None
    return low, high


def _scored(request: Request, ws: Workspace, filters: Filters) -> Any:
    from supportops.qa.workspace import scored

    low, high = _range(ws, filters)
    return cached(request, ws, ("qa", low, high), lambda: scored(ws, low, high))


def narrowed(frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Rows (reviews or ratings) of the reviewed tickets the filters keep."""
    keep = pd.Series(True, index=frame.index)
    for column, value in (
        ("channel", filters.channel),
        ("group", filters.group),
        ("agent_id", filters.assignee_id),
    ):
        if value is not None and column in frame:
            keep &= frame[column].astype(str) == value
    return frame[keep]


def _interval(row: Any) -> str:
    if pd.isna(row["low"]):
        return "—"
    return f"{row['low']:.1f} – {row['high']:.1f}"


def _agents(reviews: pd.DataFrame, target: float) -> list[dict[str, Any]]:
    table = scores_by(reviews, ["agent_id"]).sort_values("score")
    return [
        {
            "agent": row["agent_id"],
            "url": f"/qa/agents/{row['agent_id']}",
            "reviews": int(row["n"]),
            "score": f"{row['score']:.1f}",
            "interval": _interval(row),
            "below": bool(row["high"] < target) if not pd.isna(row["high"]) else False,
        }
        for _, row in table.iterrows()
    ]


def failing_tickets(rows: pd.DataFrame, limit: int = _WORST) -> dict[str, list[dict[str, Any]]]:
    """Per category, its lowest-rated reviewed tickets (worst first) with the comment."""
    rated = rows.dropna(subset=["pct"])
    rated = rated[rated["kind"] != "auto_fail"].sort_values(["category", "pct", "at"])
    worst = rated.groupby("category", sort=False).head(limit)
    return {
        str(category): [
            {
                "ticket": str(r["ticket_id"]),
                "url": ticket_path(str(r["source"]), str(r["ticket_id"])),
                "review": review_path(str(r["source"]), str(r["ticket_id"])),
                "agent": str(r["agent_id"]),
                "pct": f"{r['pct']:.0f}",
                "comment": "" if pd.isna(r["comment"]) else str(r["comment"]),
            }
            for _, r in part.iterrows()
        ]
        for category, part in worst.groupby("category", sort=False)
    }


def _categories(rows: pd.DataFrame) -> list[dict[str, Any]]:
    if rows.empty:
        return []
    table = category_scores(rows).sort_values("score")
    return [
        {
            "category": row["category"],
            "score": f"{row['score']:.1f}" if not pd.isna(row["score"]) else "—",
            "interval": _interval(row),
            "n": int(row["n"]) if not pd.isna(row["n"]) else 0,
        }
        for _, row in table.iterrows()
    ]


def _trend(reviews: pd.DataFrame, filters: Filters, target: float) -> dict[str, Any]:
    weekly = scores_by(reviews, ["period"])
    rows = [
        {
            "period": pd.Timestamp(r["period"]).date().isoformat(),
            "iqs": round(float(r["score"]), 2),
            "url": tickets_url(filters, metric="iqs"),
        }
        for _, r in weekly.iterrows()
    ]
    return charts.line(rows, "iqs", unit="score", title="IQS by week (%)", target=target)


def _calibration(request: Request, ws: Workspace) -> Any:
    from supportops.qa.workspace import calibration

    return cached(request, ws, ("qa-calibration",), lambda: calibration(ws, draws=500))


def _proficiency(request: Request, ws: Workspace) -> dict[str, Any]:
    """The time-to-proficiency section: per cohort an IQS and an AHT chart by week of tenure,
    the table behind them and each cohort's weeks to proficiency."""
    from supportops.qa.workspace import proficiency

    found = cached(request, ws, ("qa-proficiency",), lambda: proficiency(ws))
    specs: dict[str, Any] = {}
    for cohort, part in found.curve.groupby("cohort", sort=True):
        name = pd.Timestamp(cohort).strftime("%Y-%m")
        rows = [
            {"week": int(r["week"]), "iqs": r["iqs"], "aht": r["aht"]} for _, r in part.iterrows()
        ]
        lines: tuple[tuple[str, charts.Unit, str, float | None], ...] = (
            ("iqs", "score", f"IQS by week of tenure (%), started {name}", found.target),
            ("aht", "seconds", f"AHT by week of tenure, started {name}", None),
        )
        for y, unit, title, target in lines:
            shown = [r for r in rows if not pd.isna(r[y])]
            specs[f"tenure-{y}-{name}"] = charts.line(
                shown, y, unit=unit, title=title, x="week", target=target, steps="week of tenure"
            )
    table = [
        {
            "cohort": pd.Timestamp(r["cohort"]).strftime("%Y-%m"),
            "week": int(r["week"]),
            "agents": int(r["agents"]),
            "reviews": int(r["reviews"]),
            "iqs": numbers.fmt(r["iqs"], "score"),
            "interval": _interval(r),
            "aht": numbers.fmt(r["aht"], "seconds"),
        }
        for _, r in found.curve.iterrows()
    ]
    cohorts = [
        {
            "cohort": pd.Timestamp(r["cohort"]).strftime("%Y-%m"),
            "agents": int(r["agents"]),
            "weeks": "not yet" if pd.isna(r["weeks"]) else str(r["weeks"]),
        }
        for _, r in found.cohorts.iterrows()
    ]
    return {"specs": specs, "rows": table, "cohorts": cohorts, "left_out": found.left_out}


def _auto(request: Request, ws: Workspace) -> Any:
    from supportops.qa.workspace import auto_agreement

    return cached(request, ws, ("qa-auto",), lambda: auto_agreement(ws))


@router.get("/qa", response_class=HTMLResponse)
def qa(request: Request, ws: Ws, _: User) -> Response:
    """IQS against target, per agent with intervals, failing categories, agreement."""
    filters = view_filters(request, ws)
    target = ws.config.qa.target
    found = _scored(request, ws, filters)
    reviews, rows = narrowed(found.reviews, filters), narrowed(found.rows, filters)
    overall = scores_by(reviews).iloc[0] if len(reviews) else None
    cal = _calibration(request, ws)
    return render(
        request,
        ws,
        "qa.html",
        filters,
        target=target,
        reviews=len(reviews),
        iqs=numbers.fmt(overall["score"], "score") if overall is not None else "—",
        interval=_interval(overall) if overall is not None else "—",
        tickets=tickets_url(filters, metric="iqs"),
        specs={"iqs": _trend(reviews, filters, target)} if len(reviews) else {},
        agents=_agents(reviews, target),
        categories=_categories(rows),
        worst=failing_tickets(rows),
        agreement=cal.categories,
        bias=cal.bias.to_dict("records"),
        sessions=cal.sessions,
        auto=_auto(request, ws),
        conversations=cal.conversations,
        tenure=_proficiency(request, ws),
    )


@router.get("/qa/agents/{agent_id}", response_class=HTMLResponse)
def coaching(request: Request, agent_id: str, ws: Ws, _: User) -> Response:
    """One agent's scores with intervals against the team's, trend and reviews to discuss."""
    filters = view_filters(request, ws)
    target = ws.config.qa.target
    found = _scored(request, ws, filters)
    team_reviews, team_rows = narrowed(found.reviews, filters), narrowed(found.rows, filters)
    reviews = team_reviews[team_reviews["agent_id"].astype(str) == agent_id]
    rows = team_rows[team_rows["agent_id"].astype(str) == agent_id]
    mine = {c["category"]: c for c in _categories(rows)}
    team = {c["category"]: c for c in _categories(team_rows)}
    compared = [{**row, "team": team.get(name, {}).get("score", "—")} for name, row in mine.items()]
    overall = scores_by(reviews).iloc[0] if len(reviews) else None
    ordered = reviews.sort_values(["score", "at"])
    examples = [
        {
            "ticket": str(r["ticket_id"]),
            "url": ticket_path(str(r["source"]), str(r["ticket_id"])),
            "review": review_path(str(r["source"]), str(r["ticket_id"])),
            "score": f"{r['score']:.0f}" if not pd.isna(r["score"]) else "—",
            "reviewer": str(r["reviewer_id"]),
            "subject": "" if pd.isna(r["subject"]) else str(r["subject"]),
            "at": str(pd.Timestamp(r["at"]).date()),
        }
        for _, r in pd.concat([ordered.head(5), ordered.tail(3)])
        .drop_duplicates("review_id")
        .iterrows()
    ]
    return render(
        request,
        ws,
        "qa_agent.html",
        filters,
        agent=agent_id,
        target=target,
        reviews=len(reviews),
        iqs=numbers.fmt(overall["score"], "score") if overall is not None else "—",
        interval=_interval(overall) if overall is not None else "—",
        specs={"iqs": _trend(reviews, filters, target)} if len(reviews) else {},
        categories=compared,
        examples=examples,
        **notes_context(request, ws, agent_id),
    )
