"""Vega-Lite specs for the pages, and the trend arrows beside their numbers (the numbers
themselves are written by :mod:`supportops.numbers`).

Every bar carries the URL of the tickets behind it (the ``href`` channel): a click opens them.
Data is inlined in the spec, so a page makes no request for its charts.
"""

from __future__ import annotations

from typing import Any, Literal

from supportops.numbers import missing

__all__ = ["Unit", "bar", "stacked", "trend"]

Unit = Literal["count", "seconds", "rate", "score"]
SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"


def bar(
    rows: list[dict[str, Any]],
    x: str,
    y: str,
    *,
    title: str,
    temporal: bool = False,
    y_title: str | None = None,
) -> dict[str, Any]:
    """A bar chart of ``rows`` (each with ``x``, ``y`` and ``url``); bars open their ``url``."""
    x_enc: dict[str, Any] = {"field": x, "title": None}
    if temporal:
        x_enc |= {"type": "temporal", "timeUnit": "yearmonthdate", "bandPosition": 0}
    else:
        x_enc |= {"type": "nominal", "sort": "-y"}
    return {
        "$schema": SCHEMA,
        "title": title,
        "width": "container",
        "height": 220,
        "data": {"values": rows},
        "mark": {"type": "bar", "cursor": "pointer", "tooltip": True},
        "encoding": {
            "x": x_enc,
            "y": {"field": y, "type": "quantitative", "title": y_title or y},
            "href": {"field": "url", "type": "nominal"},
        },
        "config": {"view": {"stroke": None}, "axis": {"labelFontSize": 11}},
    }


def stacked(
    rows: list[dict[str, Any]],
    x: str,
    y: str,
    color: str,
    *,
    title: str,
    order: list[str],
    y_title: str | None = None,
) -> dict[str, Any]:
    """Bars of ``x`` stacked by ``color`` (in ``order``); each segment opens its ``url``."""
    rank = {value: i for i, value in enumerate(order)}
    values = [{**row, "rank": rank.get(row[color], len(order))} for row in rows]
    return {
        "$schema": SCHEMA,
        "title": title,
        "width": "container",
        "height": 240,
        "data": {"values": values},
        "mark": {"type": "bar", "cursor": "pointer", "tooltip": True},
        "encoding": {
            "x": {"field": x, "type": "ordinal", "title": None},
            "y": {"field": y, "type": "quantitative", "title": y_title or y, "stack": "zero"},
            "color": {
                "field": color,
                "type": "nominal",
                "scale": {"domain": order, "scheme": "orangered"},
                "title": color,
            },
            "order": {"field": "rank", "type": "quantitative"},
            "href": {"field": "url", "type": "nominal"},
        },
        "config": {"view": {"stroke": None}, "axis": {"labelFontSize": 11}},
    }


def trend(current: Any, previous: Any, better: str) -> dict[str, str] | None:
    """Change against the previous period: text (``+12.3%``) and a class (good, bad, flat)."""
    if missing(current) or missing(previous) or float(previous) == 0:
        return None
    change = (float(current) - float(previous)) / abs(float(previous))
    if abs(change) < 0.0005:
        return {"text": "±0%", "class": "flat"}
    direction = "up" if change > 0 else "down"
    mood = "flat" if better == "none" else ("good" if direction == better else "bad")
    return {"text": f"{change * 100:+.1f}%", "class": mood}
