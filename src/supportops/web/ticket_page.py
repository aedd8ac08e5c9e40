"""The ticket page ``/tickets/{source}/{id}``: one ticket's story (see
:mod:`supportops.metrics.ticket_story`) — its fields, SLA bars, facts with the events they came
from, its data-quality findings and every event — with times in the workspace's
``report_timezone`` and names instead of ids.

Every ticket id of every list links here (:func:`~supportops.metrics.ticket_story.ticket_path`).
An unknown ticket is a 404 page. The story is cached per ticket and minute.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from supportops import numbers
from supportops.charts import SCHEMA
from supportops.errors import TicketNotFound
from supportops.metrics.names import NAMED
from supportops.metrics.ticket_story import Story, story
from supportops.sla.spans import SPAN_STATES
from supportops.web import data
from supportops.web.pages import User, Ws, cached, render, router, view_filters
from supportops.web.ticket_links import review_path
from supportops.workspace import Workspace

__all__ = ["STATE_COLORS", "bars_spec", "horizon", "shown", "told_of"]

STATE_COLORS = dict(zip(SPAN_STATES, ("#2b8a3e", "#adb5bd", "#f08c00", "#dee2e6"), strict=True))
_FORMAT = "%Y-%m-%d %H:%M:%S"


def _local(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime(_FORMAT) if moment is not None else ""


def _wall(epoch: int, zone: ZoneInfo) -> str:
    """An instant as the report zone's wall clock, without offset: Vega reads it as shown."""
    return datetime.fromtimestamp(epoch, zone).strftime("%Y-%m-%dT%H:%M:%S")


def horizon(told: Story) -> int:
    """Where the timeline ends: ``as_of`` while a clock runs; else a little after the last
    event, stop, breach or due instant (a stopped clock's span to ``as_of`` is cut there)."""
    end = int(told.as_of.timestamp())
    if any(i.stopped_at is None for i in told.instances):
        return end
    moments = [e["at_s"] for e in told.events if e.get("at_s") is not None]
    for i in told.instances:
        moments += [int(m.timestamp()) for m in (i.stopped_at, i.breached_at, i.due_at) if m]
    start = min((s.start for i in told.instances for s in i.spans), default=end)
    last = max(moments, default=end)
    return min(end, last + max((last - start) // 10, 60))


def bars_spec(told: Story) -> dict[str, Any]:
    """A Vega-Lite timeline: a bar per SLA instance (its spans coloured by state), its due
    and breach instants, and a tick per event — up to :func:`horizon`."""
    zone = ZoneInfo(told.timezone)
    spans, marks = [], []
    cut = horizon(told)
    for i in told.instances:
        label = f"{i.target} #{i.instance}"
        for s in (s for s in i.spans if s.start < cut):
            spans.append(
                {
                    "bar": label,
                    "state": s.state,
                    "start": _wall(s.start, zone),
                    "end": _wall(min(s.end, cut), zone),
                    "calendar": i.calendar,
                    "policy": i.policy,
                }
            )
        for what, at in (("due", i.due_at), ("breached", i.breached_at)):
            if at is not None:
                marks.append({"bar": label, "mark": what, "at": _wall(int(at.timestamp()), zone)})
    ticks = [
        {"bar": "events", "kind": e["kind"], "at": _wall(e["at_s"], zone)}
        for e in told.events
        if e.get("at_s") is not None
    ]
    order = [*dict.fromkeys(s["bar"] for s in spans), "events"]
    y = {"field": "bar", "type": "nominal", "title": None, "sort": order}
    axis_title = f"time ({told.timezone})"
    return {
        "$schema": SCHEMA,
        "title": "SLA clocks",
        "width": "container",
        "height": 28 * len(order) + 40,
        "layer": [
            {
                "data": {"values": spans},
                "mark": {"type": "bar", "tooltip": True},
                "encoding": {
                    "y": y,
                    "x": {
                        "field": "start",
                        "type": "temporal",
                        "title": axis_title,
                        "axis": {"format": "%b %d %H:%M", "labelOverlap": True},
                    },
                    "x2": {"field": "end"},
                    "color": {
                        "field": "state",
                        "type": "nominal",
                        "scale": {
                            "domain": list(STATE_COLORS),
                            "range": list(STATE_COLORS.values()),
                        },
                        "title": "clock",
                    },
                },
            },
            {
                "data": {"values": marks},
                "mark": {"type": "point", "filled": True, "size": 80, "tooltip": True},
                "encoding": {
                    "y": y,
                    "x": {"field": "at", "type": "temporal"},
                    "shape": {"field": "mark", "type": "nominal", "title": "instant"},
                    "color": {"value": "#c92a2a"},
                },
            },
            {
                "data": {"values": ticks},
                "mark": {"type": "tick", "tooltip": True},
                "encoding": {"y": y, "x": {"field": "at", "type": "temporal"}},
            },
        ],
        "config": {"view": {"stroke": None}, "axis": {"labelFontSize": 11}},
    }


def _value(value: Any, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "seconds":
        return numbers.fmt(value, "seconds")
    if unit == "flag":
        return "yes" if value else "no"
    return str(value)


def shown(told: Story) -> dict[str, Any]:
    """The story as the template shows it: local times, names, formatted values."""
    zone = ZoneInfo(told.timezone)
    fields = dict(told.fields)
    for name in ("created_at", "solved_at"):
        if fields.get(name) is not None:
            fields[name] = _local(fields[name], zone)
    for named in NAMED:  # the name where the log knows it, else the id
        name = fields.pop(named.name_column, None)
        if fields.get(named.column) is not None:
            fields[named.column] = name or fields[named.column]
    events = []
    for e in told.events:
        actor = e.get("actor")
        who = told.name(e.get("actor_id")) if actor == "agent" else e.get("actor_id")
        value, previous = e.get("value"), e.get("previous")
        if e["kind"] == "assignee":  # names, not ids
            value, previous = told.name(value), told.name(previous)
        if e["kind"] == "group":
            value = told.group_names.get(str(value), value) if value is not None else None
            previous = told.group_names.get(str(previous), previous) if previous else previous
        events.append(
            {
                **e,
                "time": _local(e["at"], zone) if e.get("at") is not None else "",
                "who": " · ".join(str(p) for p in (actor, who) if p),
                "visibility": "internal"
                if e.get("public") is False
                else "public"
                if e["kind"] == "message"
                else "",
                "value": value,
                "previous": previous,
            }
        )
    instances = [
        {
            **i.__dict__,
            "started": _local(i.started_at, zone),
            "stopped": _local(i.stopped_at, zone),
            "due": _local(i.due_at, zone),
            "breached": _local(i.breached_at, zone),
            "target_text": numbers.fmt(i.target_seconds, "seconds"),
            "elapsed_text": numbers.fmt(i.elapsed_seconds, "seconds"),
        }
        for i in told.instances
    ]
    facts = [{**f.__dict__, "text": _value(f.value, f.unit)} for f in told.facts]
    return {"fields": fields, "events": events, "instances": instances, "facts": facts}


def told_of(request: Request, ws: Workspace, source: str, ticket_id: str) -> Story:
    """The ticket's story as of this minute, cached (raises :class:`TicketNotFound`)."""
    moment = data.instant(None, ws.config.report_timezone, ws.clock)
    told: Story = cached(
        request,
        ws,
        ("ticket", source, ticket_id, moment),
        lambda: story(ws, ticket_id, source, moment),
    )
    return told


def _reviews(ws: Workspace, told: Story) -> list[dict[str, Any]]:
    """The ticket's QA reviews, newest first, scored by the workspace's scorecards."""
    from supportops.qa.entry import ticket_reviews

    cards = list(ws.config.qa.scorecards)
    if not cards:
        return []
    zone = ZoneInfo(told.timezone)
    found = ticket_reviews(ws.store, cards, told.source, told.ticket_id)
    return [
        {
            "review_id": r["review_id"],
            "agent": told.name(r["agent_id"]),
            "reviewer": r["reviewer_id"],
            "at": _local(r["at"].to_pydatetime(), zone),
            "scorecard": r["scorecard"],
            "score": numbers.fmt(r["score"], "score"),
            "calibration": "" if pd.isna(r["calibration_session"]) else r["calibration_session"],
            "comment": r["comment"],
        }
        for _, r in found.iterrows()
    ]


@router.get("/tickets/{source}/{ticket_id:path}", response_class=HTMLResponse)
def ticket(request: Request, ws: Ws, _: User, source: str, ticket_id: str) -> Response:
    """One ticket's story; a ticket the log does not hold is a 404 page."""
    filters = view_filters(request, ws)
    try:
        told = told_of(request, ws, source, ticket_id)
    except TicketNotFound as exc:
        response = render(
            request,
            ws,
            "ticket.html",
            filters,
            missing=exc.message,
            source=source,
            ticket_id=ticket_id,
        )
        response.status_code = 404
        return response
    return render(
        request,
        ws,
        "ticket.html",
        filters,
        missing=None,
        story=told,
        view=shown(told),
        specs={"clocks": bars_spec(told)} if told.instances else {},
        reviews=_reviews(ws, told),
        review_url=review_path(told.source, told.ticket_id) if ws.config.qa.scorecards else None,
        as_of=_local(told.as_of, ZoneInfo(told.timezone)),
    )
