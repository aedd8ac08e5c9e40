"""The pages' charts and the trend arrows beside their numbers (the numbers themselves are
written by :mod:`supportops.numbers`).

The specs are the one chart stack's (:mod:`supportops.charts`, which the report draws too): every
bar or point carries the URL of the tickets behind it (the ``href`` channel), and data is inlined
in the spec, so a page makes no request for its charts.
"""

from __future__ import annotations

from typing import Any

from supportops.charts import Unit, bar, compare, flow, interval, line, stacked
from supportops.numbers import missing

__all__ = ["Unit", "bar", "compare", "flow", "interval", "line", "stacked", "trend"]


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
