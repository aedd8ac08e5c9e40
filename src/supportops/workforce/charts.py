"""Self-contained Vega-Lite specs (data inline) for the forecast and the plan.

Open them in any Vega-Lite viewer (the online editor, VS Code, Jupyter); no dependency needed.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["forecast_chart", "plan_chart"]

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%Y-%m-%dT%H:%M:%S")
    return [{str(k): v for k, v in row.items()} for row in out.to_dict(orient="records")]


def forecast_chart(history: pd.DataFrame, forecast: pd.DataFrame, title: str) -> dict[str, Any]:
    """History (ds, y) as a line, the forecast (ds, y_hat, lo_80, hi_80) as a line and band."""
    x = {"field": "ds", "type": "temporal", "title": None}
    return {
        "$schema": SCHEMA,
        "title": title,
        "width": 900,
        "height": 300,
        "layer": [
            {
                "data": {"values": _records(forecast[["ds", "lo_80", "hi_80"]])},
                "mark": {"type": "area", "opacity": 0.25, "color": "#4c78a8"},
                "encoding": {
                    "x": x,
                    "y": {"field": "lo_80", "type": "quantitative"},
                    "y2": {"field": "hi_80"},
                },
            },
            {
                "data": {"values": _records(forecast[["ds", "y_hat"]])},
                "mark": {"type": "line", "color": "#4c78a8"},
                "encoding": {
                    "x": x,
                    "y": {"field": "y_hat", "type": "quantitative", "title": "volume per interval"},
                },
            },
            {
                "data": {"values": _records(history[["ds", "y"]])},
                "mark": {"type": "line", "color": "#888888"},
                "encoding": {"x": x, "y": {"field": "y", "type": "quantitative"}},
            },
        ],
    }


def plan_chart(intervals: pd.DataFrame, title: str) -> dict[str, Any]:
    """Heads required vs scheduled per interval, one row per channel and scenario."""
    columns = ["scenario", "channel", "ds", "heads", "scheduled"]
    long = intervals[columns].melt(
        id_vars=["scenario", "channel", "ds"], var_name="series", value_name="agents"
    )
    return {
        "$schema": SCHEMA,
        "title": title,
        "data": {"values": _records(long)},
        "mark": {"type": "line", "interpolate": "step-after"},
        "encoding": {
            "x": {"field": "ds", "type": "temporal", "title": None},
            "y": {"field": "agents", "type": "quantitative"},
            "color": {"field": "series", "type": "nominal"},
            "strokeDash": {"field": "scenario", "type": "nominal"},
            "row": {"field": "channel", "type": "nominal"},
        },
        "width": 900,
        "height": 160,
        "resolve": {"scale": {"y": "independent"}},
    }
