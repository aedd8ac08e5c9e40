"""Vega-Lite specs for the pages, and the formatting of the numbers beside them.

Every bar carries the URL of the tickets behind it (the ``href`` channel): a click opens them.
Data is inlined in the spec, so a page makes no request for its charts.
"""

from __future__ import annotations

import math
from typing import Any, Literal

__all__ = ["Unit", "bar", "fmt", "stacked", "trend"]

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


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt(value: Any, unit: Unit) -> str:
    """A number as a manager reads it: 1,234 · 3h 12m · 87.5% · 4.2; an em dash for no data."""
    if _missing(value):
        return "—"
    number = float(value)
    if unit == "count":
        return f"{number:,.0f}"
    if unit == "rate":
        return f"{number * 100:.1f}%"
    if unit == "seconds":
        return duration(number)
    return f"{number:,.2f}"


def duration(seconds: float) -> str:
    """``95`` → ``1m 35s``; ``11520`` → ``3h 12m``; ``200000`` → ``2d 7h``."""
    seconds = round(seconds)
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    if minutes:
        return f"{minutes}m {secs}s"
    return f"{secs}s"


def trend(current: Any, previous: Any, better: str) -> dict[str, str] | None:
    """Change against the previous period: text (``+12.3%``) and a class (good, bad, flat)."""
    if _missing(current) or _missing(previous) or float(previous) == 0:
        return None
    change = (float(current) - float(previous)) / abs(float(previous))
    if abs(change) < 0.0005:
        return {"text": "±0%", "class": "flat"}
    direction = "up" if change > 0 else "down"
    mood = "flat" if better == "none" else ("good" if direction == better else "bad")
    return {"text": f"{change * 100:+.1f}%", "class": mood}
