"""The report's charts: the pages' Vega-Lite specs (:mod:`supportops.charts`), drawn offline to
inline SVG by ``vl-convert`` (Vega-Lite compiled and rendered in-process: no browser, no
network), with the report's look laid over them.

The look is the printed page's: DejaVu Sans at 9 px, the report's colours, and a fixed size
(330 px wide, half of A4's text; lines 130 px high, bars 22 px a row) instead of the pages'
container width. The figure captions carry the titles, so the drawn chart has none.
"""

from __future__ import annotations

import json
from typing import Any

from supportops.charts import MUTED
from supportops.errors import ChartError

__all__ = ["FONT", "GRID", "HEIGHT", "REPORT", "VEGA_LITE", "WIDTH", "look", "svg"]

VEGA_LITE = "5.21"  # the version bundled with vl-convert nearest to the pages' vendored 5.23
FONT = "DejaVu Sans"
GRID = "#dde2ea"
WIDTH, HEIGHT = 330, 130
REPORT: dict[str, Any] = {
    "font": FONT,
    "background": None,
    "padding": 2,
    "view": {"stroke": None},
    "axis": {
        "labelFont": FONT,
        "labelFontSize": 9,
        "labelColor": MUTED,
        "gridColor": GRID,
        "domainColor": GRID,
        "tickColor": GRID,
        "ticks": False,
        "labelPadding": 4,
    },
    "axisX": {"grid": False, "labelAngle": 0},
    "axisY": {"domain": False},
    "legend": {"labelFont": FONT, "labelFontSize": 9, "labelColor": MUTED, "symbolSize": 40},
    "text": {"font": FONT, "fontSize": 9},
}


def look(spec: dict[str, Any], width: int = WIDTH, height: int | None = None) -> dict[str, Any]:
    """``spec`` as the report draws it: its look, a fixed size (``height`` or the spec's), no
    title."""
    drawn = {key: value for key, value in spec.items() if key not in ("title", "usermeta")}
    size = {"width": width, "height": height or int(spec.get("height", HEIGHT))}
    autosize = {"type": "fit", "contains": "padding"}
    return drawn | size | {"config": REPORT, "autosize": autosize}


def svg(spec: dict[str, Any], width: int = WIDTH, height: int | None = None) -> str:
    """The chart of ``spec`` as one ``<svg>`` element (fetching nothing)."""
    import vl_convert

    drawn = look(spec, width, height)
    name = str(spec.get("usermeta", {}).get("file", "chart"))
    try:
        out: str = vl_convert.vegalite_to_svg(
            json.dumps(drawn), vl_version=VEGA_LITE, allowed_base_urls=[]
        )
    except ValueError as exc:
        raise ChartError(f"chart {name!r} cannot be drawn: {exc}", chart=name) from exc
    return out[out.index("<svg") :]
