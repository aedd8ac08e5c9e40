"""Small inline SVG charts for the executive report: horizontal bars, columns and lines.

Dependency-free on purpose: Vega-Lite cannot be rendered to SVG offline from Python, and the
report must render (in a browser, and to PDF through WeasyPrint) without network or JavaScript.
Each function returns one ``<svg>`` element as a string; labels are escaped.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

__all__ = ["PALETTE", "Bar", "columns", "hbars", "line", "nice"]

PALETTE = ("#2457a6", "#d9822b", "#1f7a3f", "#b3261e", "#6b4fa3")
GRID = "#dde2ea"
MUTED = "#5b6577"
FONT = 'font-family="DejaVu Sans, sans-serif" font-size="9"'
Fmt = Callable[[float], str]


@dataclass(frozen=True)
class Bar:
    """One bar: its label, value and, optionally, the value it is compared with."""

    label: str
    value: float
    previous: float | None = None


def _svg(width: int, height: int, body: list[str], title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _text(x: float, y: float, text: str, anchor: str = "start", color: str = MUTED) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{color}" {FONT}>'
        f"{escape(text)}</text>"
    )


def hbars(
    bars: Sequence[Bar],
    *,
    title: str,
    fmt: Fmt = lambda v: f"{v:,.0f}",
    width: int = 330,
    target: float | None = None,
) -> str:
    """Horizontal bars, the previous value as a grey bar beneath each, a dashed target."""
    label_w, value_w, row_h = 96, 58, 22
    height = row_h * len(bars) + 14
    values = [b.value for b in bars] + [b.previous or 0 for b in bars]
    top = max([*values, target or 0, 1e-9])
    scale = (width - label_w - value_w) / top
    body = []
    for i, bar in enumerate(bars):
        y = 4 + i * row_h
        body.append(_text(label_w - 6, y + 11, bar.label[:18], "end", "#1d2430"))
        body.append(
            f'<rect x="{label_w}" y="{y + 2}" width="{max(bar.value * scale, 1):.1f}" '
            f'height="11" fill="{PALETTE[0]}"/>'
        )
        if bar.previous is not None:
            body.append(
                f'<rect x="{label_w}" y="{y + 14}" width="{max(bar.previous * scale, 1):.1f}" '
                f'height="4" fill="#b8c2d1"/>'
            )
        body.append(_text(label_w + bar.value * scale + 4, y + 11, fmt(bar.value)))
    if target is not None:
        x = label_w + target * scale
        body.append(
            f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height - 10}" stroke="{PALETTE[3]}" '
            'stroke-dasharray="3,2"/>'
        )
        body.append(_text(x, height - 1, f"target {fmt(target)}", "middle", PALETTE[3]))
    return _svg(width, height, body, title)


def nice(top: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10^k at or above ``top`` (an axis' round maximum)."""
    if top <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(top))
    return next(m * power for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * power >= top * (1 - 1e-9))


def _axis(top: float, width: int, height: int, left: int, fmt: Fmt) -> list[str]:
    body = []
    for step in range(5):
        value = top * step / 4
        y = height - 16 - (height - 26) * step / 4
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(_text(left - 4, y + 3, fmt(value), "end"))
    return body


def _x_labels(labels: Sequence[str], x: Callable[[int], float], height: int) -> list[str]:
    last = len(labels) - 1
    anchors = {0: "start", last // 2: "middle", last: "end"} if labels else {}
    return [_text(x(i), height - 3, labels[i], anchor) for i, anchor in anchors.items()]


def columns(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    fmt: Fmt = lambda v: f"{v:,.0f}",
    width: int = 330,
    height: int = 130,
) -> str:
    """Vertical columns, one per label (e.g. tickets per day)."""
    left = 34
    top = nice(max([*values, 0.0]))
    slot = (width - left) / max(len(values), 1)
    body = _axis(top, width, height, left, fmt)
    for i, value in enumerate(values):
        h = (height - 26) * value / top
        body.append(
            f'<rect x="{left + i * slot + slot * 0.1:.1f}" y="{height - 16 - h:.1f}" '
            f'width="{slot * 0.8:.1f}" height="{h:.1f}" fill="{PALETTE[0]}"/>'
        )
    body += _x_labels(labels, lambda i: left + (i + 0.5) * slot, height)
    return _svg(width, height, body, title)


def line(
    labels: Sequence[str],
    series: dict[str, Sequence[float | None]],
    *,
    title: str,
    fmt: Fmt = lambda v: f"{v:,.0f}",
    width: int = 330,
    height: int = 130,
) -> str:
    """One line per series over ``labels``, a legend above; gaps where a value is missing."""
    left = 34
    numbers = [v for values in series.values() for v in values if v is not None]
    top = nice(max([*numbers, 0.0]))
    step = (width - left - 6) / max(len(labels) - 1, 1)
    body = _axis(top, width, height, left, fmt)
    for n, (name, values) in enumerate(series.items()):
        color = PALETTE[n % len(PALETTE)]
        points = [
            f"{left + i * step:.1f},{height - 16 - (height - 26) * v / top:.1f}"
            for i, v in enumerate(values)
            if v is not None
        ]
        body.append(
            f'<polyline points="{" ".join(points)}" fill="none" stroke="{color}" '
            'stroke-width="1.6"/>'
        )
        body.append(_text(left + 4 + n * 110, 8, f"— {name}", color=color))
    body += _x_labels(labels, lambda i: left + i * step, height)
    return _svg(width, height, body, title)
