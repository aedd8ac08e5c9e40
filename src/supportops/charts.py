"""The one chart stack: Vega-Lite specs as plain data, drawn by Vega-Embed on the pages and by
``vl-convert`` in the executive report (:mod:`supportops.reports.charts`).

A spec here holds what a chart says — its data inline, encodings, the target line of a
``report:`` target, axes in the manager's units (``3h 9m``, ``88.1%``: tick labels written by
:mod:`supportops.numbers`) — and a *look* (fonts, colours, size) that the page or the report
lays over it (:data:`PAGE`, ``reports.charts.REPORT``). Rows that carry a ``url`` make their
marks open it (the ``href`` channel); ``usermeta.csv`` names the columns of the chart's data
download and ``usermeta.file`` its file name.

>>> spec = line(rows, "csat", unit="rate", title="CSAT by week", target=0.85)  # doctest: +SKIP
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, Literal

from supportops.numbers import fmt, missing, short

__all__ = [
    "ACCENT",
    "MUTED",
    "PAGE",
    "PALETTE",
    "TARGET",
    "WEEKS",
    "Unit",
    "axis",
    "bar",
    "category_axis",
    "compare",
    "curve",
    "flow",
    "interval",
    "line",
    "stacked",
    "weeks",
]

Unit = Literal["count", "seconds", "rate", "score", "currency", "hours"]
SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
PALETTE = ("#2457a6", "#d9822b", "#1f7a3f", "#b3261e", "#6b4fa3")
ACCENT, TARGET, MUTED, PREVIOUS = PALETTE[0], PALETTE[3], "#5b6577", "#b8c2d1"
PAGE: dict[str, Any] = {"view": {"stroke": None}, "axis": {"labelFontSize": 11}}
LABEL_PX = 6.5  # the width of a character of an 11 px axis label, about
_DAY = re.compile(r"^\d{4}-\d\d-\d\d$")
# Round steps of an axis, by unit; other units step by 1, 2, 2.5 or 5 × 10^k.
MINUTES = (1, 5, 10, 30, 60, 300, 600, 900, 1800)
HOURS = (3600, 7200, 10800, 14400, 21600, 43200, 86400, 172800, 432000, 864000, 1728000)
STEPS: dict[str, tuple[float, ...]] = {
    "seconds": (*MINUTES, *HOURS),
    "rate": (0.01, 0.02, 0.05, 0.1, 0.2, 0.25),
}
MAX_TICKS = 5
DIGITS = {"seconds": 0, "rate": 6, "count": 2, "currency": 2, "hours": 2}  # decimals kept
WEEKS = 13  # the fewest weeks a weekly trend shows


def weeks(start: date, end: date, least: int = WEEKS) -> tuple[date, date]:
    """The days a weekly trend of ``start``–``end`` covers: whole weeks (from a Monday) up to
    ``end``, at least ``least`` of them, so that four weeks of filters still show a trend."""
    first = min(start, end - timedelta(weeks=least - 1))
    return first - timedelta(days=first.weekday()), end


def _steps(unit: str, span: float) -> list[float]:
    fixed = STEPS.get(unit)
    if fixed:
        return list(fixed)
    power = 10.0 ** math.floor(math.log10(span / MAX_TICKS)) if span > 0 else 1.0
    found = [m * power * k for k in (1, 10) for m in (1.0, 2.0, 2.5, 5.0)]
    whole = [s for s in found if s >= 1 and s == int(s)]  # a count ticks at whole numbers
    return (whole if unit == "count" else found) or [1.0]


def axis(
    values: Sequence[Any], unit: str, *, include: Sequence[float] = (), signed: bool = False
) -> dict[str, Any]:
    """A quantitative scale and axis over ``values`` (and ``include``, e.g. a target): round
    ticks, their labels in ``unit`` as :func:`supportops.numbers.short` writes them. Rates zoom
    to the values (within 0–100%, unless ``signed``: differences of rates); the rest start at
    zero."""
    found = [float(v) for v in (*values, *include) if not missing(v) and math.isfinite(float(v))]
    low = min([*found, 0.0] if unit != "rate" else found or [0.0])
    high = max([*found, low])
    step = next(
        (
            s
            for s in _steps(unit, high - low)
            if math.ceil(high / s) - math.floor(low / s) <= MAX_TICKS
        ),
        _steps(unit, high - low)[-1],
    )
    first = math.floor(low / step + 1e-9) * step
    last = max(math.ceil(high / step - 1e-9) * step, first + step)
    if unit == "rate" and not signed:
        first, last = max(first, 0.0), min(last, 1.0) if high <= 1 else last
        first = min(first, max(last - step, 0.0))  # all at 100%: one step below, not no range
    count = round((last - first) / step)
    ticks = [round(first + i * step, 10) for i in range(count + 1)]
    labels = json.dumps([short(t, unit) for t in ticks])
    return {
        "scale": {"domain": [ticks[0], ticks[-1]], "nice": False, "zero": False},
        "axis": {
            "values": ticks,
            "labelExpr": f"{labels}[round((datum.value - {ticks[0]}) / {step})]",
        },
    }


def category_axis(values: Sequence[Any], width: float = 640) -> dict[str, Any]:
    """An axis of categories a reader reads without turning the head: level labels when they
    fit side by side in ``width`` pixels, else slanted; days (``2026-11-02``) as ``Nov 02``,
    as many as fit."""
    texts = [str(v) for v in values if v is not None]
    if texts and all(_DAY.match(t) for t in texts):
        day = "timeFormat(timeParse(datum.value, '%Y-%m-%d'), '%b %d')"
        return {"labelExpr": day, "labelAngle": 0, "labelOverlap": "greedy"}
    longest = max((len(t) for t in texts), default=0)
    level = len(set(texts)) * (longest * LABEL_PX + 8) <= width
    return {"labelAngle": 0 if level else -35, "labelLimit": 160} | (
        {} if level else {"labelAlign": "right"}
    )


def _base(title: str | None, height: int, usermeta: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = {"$schema": SCHEMA, "width": "container", "height": height}
    if title:
        spec["title"] = title
    return spec | {"usermeta": usermeta, "config": PAGE}


def _csv(file: str, columns: Sequence[tuple[str, str]]) -> dict[str, Any]:
    return {"file": file, "csv": [list(c) for c in columns]}


def _target_layers(value: float, unit: str, channel: str = "y") -> list[dict[str, Any]]:
    """A dashed line at ``value`` and its label (``target 90%``), on their own one-row data."""
    row = {"target": value, "label": f"target {short(value, unit)}"}
    position = {channel: {"field": "target", "type": "quantitative"}}
    text = {"type": "text", "color": TARGET, "fontSize": 10}
    text |= (
        {"align": "left", "baseline": "bottom", "dx": 2, "dy": -2}
        if channel == "y"
        else {"align": "center", "baseline": "bottom", "dy": -1, "y": 0}
    )
    return [
        {
            "name": "target",
            "data": {"values": [row]},
            "mark": {"type": "rule", "color": TARGET, "strokeDash": [4, 3], "strokeWidth": 1.2},
            "encoding": position,
        },
        {
            "name": "target_label",
            "data": {"values": [row]},
            "mark": text,
            "encoding": {**position, "text": {"field": "label"}}
            | ({"x": {"value": 0}} if channel == "y" else {}),
        },
    ]


def _texts(
    rows: Sequence[dict[str, Any]], fields: Sequence[str], unit: str
) -> list[dict[str, Any]]:
    """``rows`` with each of ``fields`` rounded to what a chart can show (:data:`DIGITS`: the
    float noise of one engine or another stays out of the page) and also written for people
    (``<field>_text``)."""
    return [
        {
            **row,
            **{f: _round(row.get(f), unit) for f in fields if f in row},
            **{f"{f}_text": fmt(row.get(f), unit) for f in fields},
        }
        for row in rows
    ]


def _round(value: Any, unit: str) -> Any:
    if missing(value) or not isinstance(value, float):
        return None if missing(value) else value
    return round(value, DIGITS.get(unit, 4))


def line(
    rows: Sequence[dict[str, Any]],
    y: str,
    *,
    unit: Unit,
    title: str | None,
    x: str = "period",
    target: float | None = None,
    file: str = "trend",
    height: int = 200,
    steps: str | None = None,
) -> dict[str, Any]:
    """A line of ``y`` over the weeks or days ``x`` (ISO dates), a point per row (which opens
    its ``url``); a dashed target line when ``target`` is given. With ``steps`` (its axis
    title), ``x`` is a whole number instead (week of tenure 0, 1, 2...)."""
    values = _texts(rows, [y], unit)
    linked = any("url" in row for row in rows)
    y_enc = {
        "field": y,
        "type": "quantitative",
        "title": None,
        **axis([r.get(y) for r in rows], unit, include=[target] if target is not None else []),
    }
    encoding: dict[str, Any] = {
        "x": {
            "field": x,
            "type": "temporal",
            "title": None,
            "axis": {"format": "%d %b", "labelOverlap": "greedy", "labelFlush": False},
        },
        "y": y_enc,
        "tooltip": [
            {"field": x, "type": "temporal", "title": "from", "format": "%Y-%m-%d"},
            {"field": f"{y}_text", "title": title or y},
        ],
    }
    if steps is not None:
        whole = {"format": "d", "tickMinStep": 1}
        encoding["x"] = {"field": x, "type": "quantitative", "title": steps, "axis": whole}
        encoding["tooltip"][0] = {"field": x, "type": "quantitative", "title": steps}
    if linked:
        encoding["href"] = {"field": "url", "type": "nominal"}
    point = {"type": "point", "filled": True, "size": 36, "color": ACCENT}
    layers: list[dict[str, Any]] = [
        {
            "name": "line",
            "mark": {"type": "line", "color": ACCENT, "strokeWidth": 1.8},
            "encoding": encoding,
        },
        {
            "name": "points",
            "mark": point | ({"cursor": "pointer"} if linked else {}),
            "encoding": encoding,
        },
    ]
    if target is not None:
        layers += _target_layers(target, unit)
    return _base(title, height, _csv(file, [(x, x), (y, y)])) | {
        "data": {"values": values},
        "layer": layers,
    }


def flow(
    rows: Sequence[dict[str, Any]],
    series: dict[str, str],
    *,
    title: str | None,
    x: str = "period",
    unit: Unit = "count",
    file: str = "flow",
    height: int = 220,
) -> dict[str, Any]:
    """Several counts over days, a line each (``series``: field → legend name), e.g. tickets
    created against solved; a row's ``<field>_url`` opens the tickets behind that point."""
    names = list(series.values())
    long = [
        {
            x: row[x],
            "series": name,
            "value": _round(row.get(field), unit),
            "text": fmt(row.get(field), unit),
            **({"url": row[f"{field}_url"]} if f"{field}_url" in row else {}),
        }
        for row in rows
        for field, name in series.items()
    ]
    linked = any("url" in r for r in long)
    encoding: dict[str, Any] = {
        "x": {
            "field": x,
            "type": "temporal",
            "title": None,
            "axis": {"format": "%d %b", "labelOverlap": "greedy", "labelFlush": False},
        },
        "y": {
            "field": "value",
            "type": "quantitative",
            "title": None,
            **axis([r["value"] for r in long], unit),
        },
        "color": {
            "field": "series",
            "type": "nominal",
            "title": None,
            "scale": {"domain": names, "range": list(PALETTE[: len(names)])},
            "legend": {"orient": "top"},
        },
        "tooltip": [
            {"field": x, "type": "temporal", "title": "day", "format": "%Y-%m-%d"},
            {"field": "series", "title": "series"},
            {"field": "text", "title": "tickets"},
        ],
    }
    if linked:
        encoding["href"] = {"field": "url", "type": "nominal"}
    layers = [
        {"name": "line", "mark": {"type": "line", "strokeWidth": 1.6}, "encoding": encoding},
        {
            "name": "points",
            "mark": {"type": "point", "filled": True, "size": 18}
            | ({"cursor": "pointer"} if linked else {}),
            "encoding": encoding,
        },
    ]
    columns = [(x, x), ("series", "series"), ("value", "value")]
    return _base(title, height, _csv(file, columns)) | {"data": {"values": long}, "layer": layers}


def compare(
    rows: Sequence[dict[str, Any]],
    label: str,
    *,
    unit: Unit,
    title: str | None,
    now: str = "now",
    before: str | None = None,
    target: float | None = None,
    file: str = "compare",
) -> dict[str, Any]:
    """Horizontal bars of ``now`` by ``label``, the ``before`` value as a thin grey bar beneath
    each, the value written at the bar's end, a dashed target line when ``target`` is given."""
    fields = [now] + ([before] if before else [])
    values = _texts(rows, fields, unit)
    order = [str(r[label]) for r in rows]
    shown = [r.get(f) for r in rows for f in fields]
    x_axis = axis(shown, unit, include=[0.0] + ([target] if target is not None else []))
    y = {"field": label, "type": "nominal", "title": None, "sort": order}
    x = {"field": now, "type": "quantitative", "title": None, **x_axis}
    layers: list[dict[str, Any]] = []
    if before:
        layers.append(
            {
                "name": "before",
                "mark": {"type": "bar", "color": PREVIOUS, "height": 4, "yOffset": 7},
                "encoding": {"y": y, "x": {**x, "field": before}},
            }
        )
    layers += [
        {
            "name": "now",
            "mark": {"type": "bar", "color": ACCENT, "height": 11, "yOffset": -2, "tooltip": True},
            "encoding": {
                "y": y,
                "x": x,
                "tooltip": [{"field": label}, {"field": f"{now}_text", "title": "value"}],
            },
        },
        {
            "name": "values",
            "mark": {"type": "text", "align": "left", "dx": 3, "dy": -2, "color": MUTED},
            "encoding": {"y": y, "x": x, "text": {"field": f"{now}_text"}},
        },
    ]
    if target is not None:
        layers += _target_layers(target, unit, channel="x")
    columns = [(label, label)] + [(f, f) for f in fields]
    height = 22 * max(len(rows), 1)
    return _base(title, height, _csv(file, columns)) | {"data": {"values": values}, "layer": layers}


def bar(
    rows: list[dict[str, Any]],
    x: str,
    y: str,
    *,
    title: str,
    temporal: bool = False,
    y_title: str | None = None,
    unit: Unit = "count",
    target: float | None = None,
) -> dict[str, Any]:
    """A bar chart of ``rows`` (each with ``x``, ``y`` and ``url``); bars open their ``url``.
    The y axis is in ``unit``; a dashed target line when ``target`` is given."""
    x_enc: dict[str, Any] = {"field": x, "title": None}
    if temporal:
        x_enc |= {"type": "temporal", "timeUnit": "yearmonthdate", "bandPosition": 0}
    else:
        x_enc |= {"type": "nominal", "sort": "-y", "axis": category_axis([r.get(x) for r in rows])}
    y_axis = axis(
        [r.get(y) for r in rows], unit, include=[0.0] + ([target] if target is not None else [])
    )
    x_tip: dict[str, Any] = {"field": x, "title": x}
    if temporal:
        x_tip |= {"type": "temporal", "format": "%Y-%m-%d"}
    layer: dict[str, Any] = {
        "name": "bars",
        "mark": {"type": "bar", "cursor": "pointer"},
        "encoding": {
            "x": x_enc,
            "y": {"field": y, "type": "quantitative", "title": y_title or y, **y_axis},
            "href": {"field": "url", "type": "nominal"},
            "tooltip": [x_tip, {"field": f"{y}_text", "title": y_title or y}],
        },
    }
    layers = [layer] + (_target_layers(target, unit) if target is not None else [])
    spec = _base(title, 220, _csv(y, [(x, x), (y, y)])) | {
        "data": {"values": _texts(rows, [y], unit)}
    }
    return spec | {"layer": layers}


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
    return _base(title, 240, _csv(y, [(x, x), (color, color), (y, y)])) | {
        "data": {"values": values},
        "mark": {"type": "bar", "cursor": "pointer", "tooltip": True},
        "encoding": {
            "x": {
                "field": x,
                "type": "ordinal",
                "title": None,
                "axis": category_axis([r.get(x) for r in rows]),
            },
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
    }


def curve(
    rows: Sequence[dict[str, Any]],
    x: str,
    y: str,
    *,
    title: str,
    x_title: str,
    y_title: str,
    mark: float | None = None,
) -> dict[str, Any]:
    """A line of ``y`` against a quantitative ``x`` (shares 0–1, shown as %), with a dashed
    rule at ``x = mark`` when given (a chosen operating point)."""
    values = [{x: _round(r.get(x), "rate"), y: _round(r.get(y), "rate")} for r in rows]
    encoding = {
        "x": {"field": x, "type": "quantitative", "title": x_title, "axis": {"format": "%"}},
        "y": {
            "field": y,
            "type": "quantitative",
            "title": y_title,
            "axis": {"format": "%"},
            "scale": {"zero": False},
        },
        "tooltip": [
            {"field": x, "type": "quantitative", "format": ".1%", "title": x_title},
            {"field": y, "type": "quantitative", "format": ".1%", "title": y_title},
        ],
    }
    layers: list[dict[str, Any]] = [
        {"mark": {"type": "line", "color": ACCENT, "point": True}, "encoding": encoding}
    ]
    if mark is not None:
        layers.append(
            {
                "data": {"values": [{x: mark}]},
                "mark": {"type": "rule", "color": TARGET, "strokeDash": [4, 4]},
                "encoding": {"x": {"field": x, "type": "quantitative"}},
            }
        )
    return _base(title, 220, _csv(y, [(x, x), (y, y)])) | {
        "data": {"values": values},
        "layer": layers,
    }


def interval(
    rows: Sequence[dict[str, Any]],
    label: str,
    *,
    unit: Unit,
    title: str | None,
    file: str = "intervals",
) -> dict[str, Any]:
    """A forest plot: for each row (by ``label``) its ``estimate`` as a point on the rule from
    ``low`` to ``high`` (a 95% interval), beside a dashed line at zero — an interval that
    crosses it is no evidence either way."""
    fields = ["estimate", "low", "high"]
    values = _texts(rows, fields, unit)
    order = [str(r[label]) for r in rows]
    shown = [r.get(f) for r in rows for f in fields]
    x_axis = axis(shown, unit, include=[0.0], signed=True)
    y = {"field": label, "type": "nominal", "title": None, "sort": order}
    x = {"field": "low", "type": "quantitative", "title": None, **x_axis}
    tooltip = [{"field": label}] + [{"field": f"{f}_text", "title": f} for f in fields]
    layers: list[dict[str, Any]] = [
        {
            "name": "zero",
            "data": {"values": [{"zero": 0.0}]},
            "mark": {"type": "rule", "color": MUTED, "strokeDash": [4, 3]},
            "encoding": {"x": {"field": "zero", "type": "quantitative"}},
        },
        {
            "name": "interval",
            "mark": {"type": "rule", "color": ACCENT, "strokeWidth": 2},
            "encoding": {"y": y, "x": x, "x2": {"field": "high"}, "tooltip": tooltip},
        },
        {
            "name": "estimate",
            "mark": {"type": "point", "filled": True, "size": 60, "color": ACCENT},
            "encoding": {"y": y, "x": {**x, "field": "estimate"}, "tooltip": tooltip},
        },
    ]
    columns = [(label, label)] + [(f, f) for f in fields]
    height = max(26 * len(rows), 52)
    return _base(title, height, _csv(file, columns)) | {"data": {"values": values}, "layer": layers}
