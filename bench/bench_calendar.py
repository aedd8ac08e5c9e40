"""Benchmark: business seconds of a million (start, end) pairs, against businesstimedelta.

The calendar is mon-fri 09:00-17:00 in America/New_York with US public holidays. Starts are
uniform over 2025; durations are log-uniform from one minute to 30 days. businesstimedelta (a loop
per pair) is timed on a sample and scaled; its answers on the sample must equal ours.

Run: ``.venv/bin/python bench/bench_calendar.py [pairs] [sample]``
"""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime
from datetime import time as clock_time

import holidays
import numpy as np
import pytz
from businesstimedelta import HolidayRule, Rules, WorkDayRule

from supportops.calendar import BusinessCalendar

DAY = 86_400
CONFIG = {
    "timezone": "America/New_York",
    "hours": {"mon-fri": ["09:00-17:00"]},
    "holidays": {"country": "US"},
}


def random_pairs(count: int, seed: int = 2026) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    starts = np.datetime64("2025-01-01T00:00:00") + rng.integers(0, 365 * DAY, count)
    durations = np.exp(rng.uniform(np.log(60), np.log(30 * DAY), count)).astype(np.int64)
    return starts.astype("datetime64[s]"), (starts + durations).astype("datetime64[s]")


def time_ours(starts: np.ndarray, ends: np.ndarray, repeat: int = 3) -> tuple[float, float]:
    """Best cold time (a fresh calendar: the interval table is built) and best warm time."""
    cold, warm = [], []
    for _ in range(repeat):
        calendar = BusinessCalendar.from_config(CONFIG)
        began = time.perf_counter()
        calendar.business_seconds(starts, ends)
        cold.append(time.perf_counter() - began)
        began = time.perf_counter()
        calendar.business_seconds(starts, ends)
        warm.append(time.perf_counter() - began)
    return min(cold), min(warm)


def businesstimedelta_seconds(starts: np.ndarray, ends: np.ndarray) -> tuple[list[float], float]:
    zone = pytz.timezone("America/New_York")
    workday = WorkDayRule(clock_time(9), clock_time(17), [0, 1, 2, 3, 4], tz=zone)
    rule = Rules([workday, HolidayRule(holidays.country_holidays("US"), tz=zone)])
    pairs = [
        (s.astype(datetime).replace(tzinfo=UTC), e.astype(datetime).replace(tzinfo=UTC))
        for s, e in zip(starts, ends, strict=True)
    ]
    began = time.perf_counter()
    seconds = [rule.difference(s, e).timedelta.total_seconds() for s, e in pairs]
    return seconds, time.perf_counter() - began


def main(count: int = 1_000_000, sample: int = 2_000) -> None:
    starts, ends = random_pairs(count)
    cold, warm = time_ours(starts, ends)
    ours = BusinessCalendar.from_config(CONFIG).business_seconds(starts[:sample], ends[:sample])
    theirs, elapsed = businesstimedelta_seconds(starts[:sample], ends[:sample])
    mismatches = int(np.count_nonzero(ours != np.array(theirs)))
    scaled = elapsed * count / sample
    rows = [
        ("supportops, cold (builds the table)", count, cold),
        ("supportops, warm (table cached)", count, warm),
        (f"businesstimedelta, {sample:,} pairs scaled", count, scaled),
    ]
    print(f"{'engine':<40} {'pairs':>11} {'seconds':>10} {'ns/pair':>10}")
    for name, pairs, seconds in rows:
        print(f"{name:<40} {pairs:>11,} {seconds:>10.3f} {seconds / pairs * 1e9:>10.0f}")
    print(f"speed-up (cold): {scaled / cold:,.0f}x   mismatches on the sample: {mismatches}")
    figures = {
        "bench": "calendar.business_seconds",
        "pairs": count,
        "supportops_cold_s": round(cold, 4),
        "supportops_warm_s": round(warm, 4),
        "businesstimedelta_sample": sample,
        "businesstimedelta_sample_s": round(elapsed, 3),
        "businesstimedelta_scaled_s": round(scaled, 1),
        "ratio_cold": round(scaled / cold),
        "ratio_warm": round(scaled / warm),
        "mismatches": mismatches,
    }
    print(json.dumps(figures))
    if mismatches:
        raise SystemExit("results differ from businesstimedelta")


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:3]))
