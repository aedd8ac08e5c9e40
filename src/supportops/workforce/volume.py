"""Where interval volume comes from: the workspace store, or any CSV of ``ds, y``.

Both return the long frame the forecaster takes — ``unique_id`` (channel), ``ds`` (local,
timezone-naive interval start) and ``y`` (contacts or tickets in the interval).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from supportops.errors import InputError, NoVolume

__all__ = ["closed_dates", "parse_grain", "read_volume_csv", "volume_sql", "workspace_volume"]


def parse_grain(text: str) -> pd.Timedelta:
    """``30min``, ``30m``, ``1h`` or seconds → a Timedelta that divides a day."""
    from supportops.durations import parse_duration

    cleaned = text.strip().lower().replace("min", "m")
    try:
        grain = pd.Timedelta(seconds=parse_duration(cleaned))
    except ValueError as exc:
        raise InputError(f"not a grain {text!r} (expected e.g. 30min, 15m, 1h)") from exc
    if grain.total_seconds() <= 0 or pd.Timedelta(days=1) % grain:
        raise InputError(f"the grain {text!r} must divide a day")
    return grain


def read_volume_csv(path: Path, y_column: str = "y", channel: str | None = None) -> pd.DataFrame:
    """A CSV of ``ds`` and ``y_column`` (and ``unique_id`` or ``channel`` if several series).

    Rows flagged ``complete = false`` (partial buckets) are dropped.
    """
    try:
        frame = pd.read_csv(path)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read CSV: {exc}", file=str(path)) from exc
    for column in ("ds", y_column):
        if column not in frame.columns:
            raise InputError(f"{path}: no column {column!r}", file=str(path), column=column)
    if "complete" in frame.columns:
        frame = frame[frame["complete"].astype(str).str.lower().isin(["true", "1"])]
    try:
        ds = pd.to_datetime(frame["ds"]).dt.tz_localize(None)
    except (ValueError, TypeError) as exc:
        raise InputError(
            f"{path}: ds is not a timestamp: {exc}", file=str(path), column="ds"
        ) from exc
    y = pd.to_numeric(frame[y_column], errors="coerce")
    if y.isna().any():
        raise InputError(f"{path}: {y_column} has non-numbers", file=str(path), column=y_column)
    ids = frame.get("unique_id", frame.get("channel", pd.Series("all", index=frame.index)))
    out = pd.DataFrame({"unique_id": ids.astype(str), "ds": ds, "y": y.astype(float)})
    return out if channel is None else out[out["unique_id"] == channel]


_QUARTER = 900  # every time zone's offset is a whole number of quarter-hours


def volume_sql(grain_seconds: int, timezone: str) -> str:
    """Contacts (phone, chat, …) by ``offered_at`` and the other tickets by ``created_at``,
    counted per channel and local interval. Adjust here to count differently.

    For a grain of whole quarter-hours, rows are first counted per UTC quarter-hour (the same
    local interval for all of them), so the time-zone conversion runs once per quarter-hour
    rather than once per row."""
    zone = timezone.replace("'", "''")

    def bucket(column: str) -> str:
        local = f"extract(epoch FROM ({column} AT TIME ZONE '{zone}'))"
        return (
            f"to_timestamp(floor({local} / {grain_seconds}) * {grain_seconds}) AT TIME ZONE 'UTC'"
        )

    rows = """
        SELECT coalesce(channel, 'unknown') AS unique_id, offered_at AS stamp FROM contacts
        UNION ALL
        SELECT coalesce(channel, 'unknown'), created_at FROM tickets
        WHERE coalesce(channel, 'unknown') NOT IN (
            SELECT DISTINCT coalesce(channel, 'unknown') FROM contacts)"""
    if grain_seconds % _QUARTER:
        return f"""
            SELECT unique_id, {bucket("stamp")} AS ds, count(*) AS y FROM ({rows}) r
            GROUP BY 1, 2 ORDER BY 1, 2"""
    return f"""
        SELECT unique_id, {bucket(f"to_timestamp(qh * {_QUARTER})")} AS ds, sum(n) AS y
        FROM (SELECT unique_id, floor(extract(epoch FROM stamp) / {_QUARTER}) AS qh,
                     count(*) AS n FROM ({rows}) r GROUP BY 1, 2) q
        GROUP BY 1, 2 ORDER BY 1, 2"""


def _plausible(stamps: pd.Series) -> pd.Series:
    """Intervals inside the instants every engine holds (1900..2200): a stored 9999-12-31
    would stretch the zero-filled history past pandas' last timestamp."""
    from supportops.instants import EARLIEST, LATEST

    text = stamps.astype(str).str.slice(0, 10)
    return (text >= EARLIEST.isoformat()) & (text <= LATEST.isoformat())


def _with_zeros(frame: pd.DataFrame, grain: pd.Timedelta) -> pd.DataFrame:
    """An interval without a row had no contacts: add it with y = 0 (per channel, whole days)."""
    parts = []
    for uid, part in frame.groupby("unique_id", sort=True):
        start, end = part["ds"].min().normalize(), part["ds"].max().normalize()
        index = pd.date_range(start, end + pd.Timedelta(days=1) - grain, freq=grain)
        y = part.set_index("ds")["y"].reindex(index, fill_value=0.0)
        parts.append(pd.DataFrame({"unique_id": uid, "ds": index, "y": y.to_numpy()}))
    return pd.concat(parts, ignore_index=True) if parts else frame


def workspace_volume(
    workspace: Any, grain: pd.Timedelta, channel: str | None = None
) -> pd.DataFrame:
    """Interval volume per channel from the workspace store, in the report timezone."""
    sql = volume_sql(int(grain.total_seconds()), workspace.config.report_timezone)
    frame = workspace.query(sql)
    frame = frame[_plausible(frame["ds"])]
    frame["ds"] = pd.to_datetime(frame["ds"]).dt.tz_localize(None)
    frame["y"] = frame["y"].astype(float)
    if channel is not None:
        frame = frame[frame["unique_id"] == channel]
    frame = _with_zeros(frame, grain)
    if frame.empty:
        raise NoVolume(
            f"no volume in the workspace{f' for channel {channel!r}' if channel else ''}",
            channel=channel,
        )
    out: pd.DataFrame = frame.reset_index(drop=True)
    return out


def closed_dates(calendar: Any, start: pd.Timestamp, end: pd.Timestamp) -> list[date]:
    """Dates in ``[start, end)`` on which ``calendar`` (a BusinessCalendar) never opens."""
    days = pd.date_range(start.normalize(), end.normalize(), freq="D")
    probes = pd.date_range(days[0], days[-1] + pd.Timedelta(days=1), freq="15min", inclusive="left")
    local = probes.tz_localize(calendar.zone, ambiguous="NaT", nonexistent="shift_forward")
    valid = ~np.asarray(local.isna())
    is_open = np.asarray(calendar.is_open(local[valid]))
    days_of = probes[valid].normalize()
    opened = pd.Series(is_open, index=days_of).groupby(level=0).any()
    return [pd.Timestamp(str(d)).date() for d, flag in opened.items() if not flag]
