"""Interval volume forecasts per series, with the model chosen by a rolling-origin backtest.

Candidates (:data:`MODELS`) are fitted on the model series of :mod:`.layout`; each is scored on
the last ``windows`` blocks of ``horizon`` steps before the end of the history, refitting at every
origin, by WAPE (Σ|error| / Σ actual) and MASE (mean |error| over the in-sample mean |error| of
the weekly seasonal naive). The lowest mean WAPE wins and is refitted on the whole history.

Closed slots and closed dates are forecast as 0. The first open day after a closed day carries
part of the missed demand: its forecast is multiplied by the median uplift seen after the
history's own closed days (when there are at least two). Prediction intervals come from the
chosen model's backtest errors, standardised by √forecast (Poisson-like spread).

MSTL (daily and weekly seasons, an AutoETS trend) is fitted on the last eight weeks only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from statsforecast.models import MSTL, AutoETS, SeasonalNaive, SeasonalWindowAverage

from supportops.errors import InputError
from supportops.workforce.layout import Layout, ModelSeries, future_grid, model_series

__all__ = ["COMBINATIONS", "MODELS", "Forecast", "forecast", "forecast_series", "score"]

Array = NDArray[np.float64]
Model = Callable[[Array, int, Layout], Array]
_MSTL_WEEKS = 8  # seasonal shapes drift, and STL's cost grows with the length fitted


def _seasonal_naive(y: Array, h: int, layout: Layout) -> Array:
    return np.asarray(SeasonalNaive(layout.weekly).forecast(y=y, h=h)["mean"])


def _window_average(y: Array, h: int, layout: Layout) -> Array:
    weeks = min(4, len(y) // layout.weekly)
    model = SeasonalWindowAverage(season_length=layout.weekly, window_size=weeks)
    return np.asarray(model.forecast(y=y, h=h)["mean"])


def _mstl(y: Array, h: int, layout: Layout) -> Array:
    y = y[-_MSTL_WEEKS * layout.weekly :]
    seasons = [s for s in (layout.daily, layout.weekly) if s and s < layout.weekly]
    seasons.append(layout.weekly)
    model = MSTL(season_length=seasons, trend_forecaster=AutoETS(model="ZZN"))
    return np.asarray(model.forecast(y=y, h=h)["mean"])


MODELS: dict[str, Model] = {
    "seasonal_naive": _seasonal_naive,
    "seasonal_window_average": _window_average,
    "mstl_ets": _mstl,
}
COMBINATIONS: dict[str, tuple[str, ...]] = {
    "mstl_ets+window_average": ("mstl_ets", "seasonal_window_average"),
}


def _predict(y: Array, h: int, layout: Layout, models: dict[str, Model]) -> dict[str, Array]:
    """Every candidate's forecast; combinations average their members' (fitted once)."""
    out = {name: np.maximum(model(y, h, layout), 0.0) for name, model in models.items()}
    for name, members in COMBINATIONS.items():
        if all(m in out for m in members):
            out[name] = np.mean([out[m] for m in members], axis=0)
    return out


@dataclass(frozen=True)
class Forecast:
    """``frame``: unique_id, ds, y_hat, lo_80, hi_80, lo_95, hi_95, model per interval;
    ``scores``: unique_id, model, wape, mase, windows, chosen per candidate."""

    frame: pd.DataFrame
    scores: pd.DataFrame


def score(actual: Array, predicted: Array, scale: float) -> tuple[float, float]:
    """WAPE and MASE of ``predicted`` against ``actual``."""
    error = np.abs(actual - predicted)
    return float(error.sum() / max(actual.sum(), 1e-12)), float(error.mean() / scale)


def _uplift(series: ModelSeries, end: int) -> float:
    """Median ratio of first-days-after-closure to the same weekday ±1, ±2 weeks (≥ 2 cases)."""
    week, ratios = series.layout.weekly, []
    for start in np.flatnonzero(series.after_closed[:end]):
        if start > 0 and series.after_closed[start - 1]:
            continue
        day = series.ds[int(start)].normalize()
        steps = np.flatnonzero(series.ds.normalize()[:end] == day)
        refs = [steps + k * week for k in (-2, -1, 1, 2)]
        refs = [r for r in refs if r.min() >= 0 and r.max() < end and not series.filled[r].any()]
        reference = np.mean([series.y[r].sum() for r in refs]) if refs else 0.0
        if reference > 0 and not series.filled[steps].any():
            ratios.append(series.y[steps].sum() / reference)
    return float(np.clip(np.median(ratios), 1.0, 2.0)) if len(ratios) >= 2 else 1.0


def _backtest(series: ModelSeries, h: int, windows: int, models: dict[str, Model]) -> pd.DataFrame:
    rows, week = [], series.layout.weekly
    n = len(series.y)
    scale = float(np.mean(np.abs(series.y[week:] - series.y[:-week]))) or 1.0
    for w in range(windows, 0, -1):
        origin = n - w * h
        if origin < 2 * week:
            continue
        actual, keep = series.y[origin : origin + h], ~series.filled[origin : origin + h]
        lift = np.where(series.after_closed[origin : origin + h], _uplift(series, origin), 1.0)
        for name, values in _predict(series.y[:origin], h, series.layout, models).items():
            predicted = values * lift
            wape, mase = score(actual[keep], predicted[keep], scale)
            resid = (actual[keep] - predicted[keep]) / np.sqrt(np.maximum(predicted[keep], 1.0))
            rows.append({"model": name, "origin": origin, "wape": wape, "mase": mase, "z": resid})
    return pd.DataFrame(rows)


def _intervals(y_hat: Array, z: Array, levels: Iterable[int]) -> dict[str, Array]:
    out: dict[str, Array] = {}
    spread = np.sqrt(np.maximum(y_hat, 1.0))
    for level in levels:
        lo, hi = (
            np.quantile(z, [(100 - level) / 200, 1 - (100 - level) / 200]) if len(z) else (0, 0)
        )
        out[f"lo_{level}"] = np.maximum(y_hat + lo * spread, 0.0)
        out[f"hi_{level}"] = np.maximum(y_hat + hi * spread, 0.0)
    return out


def forecast_series(
    ds: pd.Series,
    y: pd.Series,
    grain: pd.Timedelta,
    horizon: pd.Timedelta,
    closed_dates: Iterable[date] = (),
    windows: int = 4,
    levels: tuple[int, ...] = (80, 95),
    models: dict[str, Model] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Forecast one series; returns (per-interval frame, per-model scores)."""
    series = model_series(ds, y, grain)
    if len(series.y) < 2 * series.layout.weekly:
        raise InputError(
            f"need at least two weeks of history at {grain}, got {len(series.y)} steps"
        )
    future = future_grid(series, horizon, closed_dates)
    h = int(future["step"].sum())
    candidates = models or MODELS
    runs = _backtest(series, h, windows, candidates)
    if runs.empty:
        chosen, z = next(iter(candidates)), np.zeros(0)
        scores = pd.DataFrame({"model": [chosen], "wape": np.nan, "mase": np.nan})
    else:
        scores = runs.groupby("model", sort=False)[["wape", "mase"]].mean().reset_index()
        chosen = str(scores["model"].iloc[int(np.argmin(scores["wape"].to_numpy()))])
        z = np.concatenate(runs.loc[runs["model"] == chosen, "z"].to_list())
    scores["windows"] = runs["origin"].nunique() if not runs.empty else 0
    scores["chosen"] = scores["model"] == chosen
    y_hat = np.zeros(len(future))
    members = {m: candidates[m] for m in COMBINATIONS.get(chosen, (chosen,))}
    y_hat[future["step"].to_numpy()] = _predict(series.y, h, series.layout, members)[chosen]
    lift = np.where(future["after_closed"], _uplift(series, len(series.y)), 1.0)
    y_hat = np.where(future["open"], y_hat * lift, 0.0)
    bands = {k: np.where(future["open"], v, 0.0) for k, v in _intervals(y_hat, z, levels).items()}
    frame = pd.DataFrame({"ds": future["ds"], "y_hat": y_hat, **bands})
    frame["model"] = np.where(future["open"], chosen, "closed")
    return frame, scores


def forecast(
    history: pd.DataFrame,
    grain: pd.Timedelta,
    horizon: pd.Timedelta,
    closed_dates: Iterable[date] = (),
    windows: int = 4,
    levels: tuple[int, ...] = (80, 95),
    models: dict[str, Model] | None = None,
) -> Forecast:
    """Forecast every ``unique_id`` of ``history`` (columns unique_id, ds, y); ``models``
    narrows the candidates (default: all of :data:`MODELS`)."""
    frames, scores = [], []
    for uid, part in history.groupby("unique_id", sort=True):
        part = part.sort_values("ds")
        frame, score_ = forecast_series(
            part["ds"], part["y"], grain, horizon, tuple(closed_dates), windows, levels, models
        )
        frames.append(frame.assign(unique_id=uid))
        scores.append(score_.assign(unique_id=uid))
    first = ["unique_id"]
    frame = pd.concat(frames, ignore_index=True)
    table = pd.concat(scores, ignore_index=True)
    return Forecast(
        frame[first + [c for c in frame.columns if c != "unique_id"]],
        table[first + [c for c in table.columns if c != "unique_id"]],
    )
