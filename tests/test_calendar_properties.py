"""The business-time clock against a slow, obviously-correct reference, on random calendars.

The reference walks the timeline minute by minute. At each minute it reads the local wall clock,
keeps the furthest reading reached so far (so a repeated fall-back hour changes nothing and a
skipped spring-forward hour is jumped over), and asks the day rules whether that reading lies in a
range of its day or of the day before (an overnight range). Every zone used has offsets and
transitions on whole minutes, so openness is constant within each UTC minute and the reference can
count seconds exactly.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import numpy as np
import pytz
from businesstimedelta import HolidayRule, Rules, WorkDayRule
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supportops.calendar import BusinessCalendar
from supportops.config import _expand_days

DAY = 86_400
WINDOW_DAYS = 16
TRANSITIONS = {  # local dates of the 2026 clock changes; UTC has none
    "America/New_York": (date(2026, 3, 8), date(2026, 11, 1)),
    "Europe/Berlin": (date(2026, 3, 29), date(2026, 10, 25)),
    "Australia/Lord_Howe": (date(2026, 4, 5), date(2026, 10, 4)),
    "UTC": (date(2026, 3, 8), date(2026, 12, 31)),
}
LAYOUTS = (  # day keys that name each day at most once
    ("mon-fri",),
    ("mon-fri", "sat", "sun"),
    ("mon-sun",),
    ("fri-mon", "tue,thu"),
    ("mon", "tue", "wed", "thu", "fri", "sat", "sun"),
    ("sat-sun", "mon,wed,fri"),
)
RELAXED = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- the reference ---------------------------------------------------------------------------


def clock_text(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def wall_span(day: date, text: str) -> tuple[datetime, datetime]:
    """A range of ``day`` as local wall-clock datetimes; an end not after the start is tomorrow."""
    midnight = datetime.combine(day, time())
    first, last = (
        midnight + timedelta(hours=int(part[:2]), minutes=int(part[3:])) for part in text.split("-")
    )
    return first, last if last > first else last + timedelta(days=1)


class Reference:
    """Day rules read straight from the YAML mapping, and minute-by-minute openness."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.zone = ZoneInfo(config.get("timezone", "UTC"))
        listed = config.get("holidays", {})
        self.partial = {date.fromisoformat(k): v for k, v in listed.get("partial", {}).items()}
        self.closed = {date.fromisoformat(d) for d in listed.get("dates", [])}
        country = listed.get("country")
        self.public = holidays.country_holidays(country) if country else {}
        self.ranges = cache(self._ranges)

    def _ranges(self, day: date) -> list[tuple[datetime, datetime]]:
        if day in self.partial:
            texts = self.partial[day]
        elif day in self.closed or day in self.public:
            texts = []
        else:
            hours = self.config.get("hours", {})
            for version in sorted(self.config.get("versions", []), key=lambda v: v["until"]):
                if day < date.fromisoformat(version["until"]):
                    hours = version["hours"]
                    break
            texts = [
                t for key, ts in hours.items() if day.weekday() in _expand_days(key) for t in ts
            ]
        return [wall_span(day, text) for text in texts]

    def open_minutes(self, first: int, count: int) -> np.ndarray:
        """Openness of each UTC minute from epoch second ``first`` (warmed up a day early)."""
        furthest = datetime.min
        flags = []
        for minute in range(-24 * 60, count):
            reading = datetime.fromtimestamp(first + 60 * minute, self.zone).replace(tzinfo=None)
            furthest = max(furthest, reading)
            days = (furthest.date(), furthest.date() - timedelta(days=1))
            flags.append(any(a <= furthest < b for d in days for a, b in self.ranges(d)))
        return np.array(flags[24 * 60 :], dtype=bool)


class Timeline:
    """Open seconds of a window, as a prefix sum: business time is a difference of two reads."""

    def __init__(self, config: dict[str, Any], first: int, days: int) -> None:
        self.first = first
        self.seconds = np.repeat(Reference(config).open_minutes(first, days * 24 * 60), 60)
        self.prefix = np.concatenate([[0], np.cumsum(self.seconds)])

    def business(self, start: int, end: int) -> int:
        return int(self.prefix[end - self.first] - self.prefix[start - self.first])

    def due(self, start: int, amount: int) -> int:
        """The instant nearest ``start`` at which ``amount`` business seconds have elapsed."""
        if amount == 0:
            return start
        target = self.prefix[start - self.first] + amount
        if amount > 0:  # the earliest instant showing the target
            return self.first + int(np.searchsorted(self.prefix, target, side="left"))
        return self.first + int(np.searchsorted(self.prefix, target, side="right")) - 1


# --- random calendars ------------------------------------------------------------------------

# readings around the clock changes (01:00-03:00): in, at and after the gaps and folds
near_a_change = st.sampled_from([0, 60, 75, 90, 105, 120, 135, 150, 165, 180, 1320, 1440])
minute_of_day = st.one_of(near_a_change, st.integers(0, 1440))


@st.composite
def time_range(draw: st.DrawFn, minutes: st.SearchStrategy[int] = minute_of_day) -> str:
    start = draw(minutes.filter(lambda m: m < 1440))
    end = draw(minutes.filter(lambda m: m != start))
    return f"{clock_text(start)}-{clock_text(end)}"


ranges = st.lists(time_range(), max_size=3)


@st.composite
def week_hours(draw: st.DrawFn) -> dict[str, list[str]]:
    return {key: draw(ranges) for key in draw(st.sampled_from(LAYOUTS))}


@st.composite
def calendars(draw: st.DrawFn) -> tuple[dict[str, Any], int]:
    """A random calendar and the UTC midnight starting a window around one of its DST changes."""
    zone = draw(st.sampled_from(sorted(TRANSITIONS)))
    change = draw(st.sampled_from(TRANSITIONS[zone]))
    first_day = change - timedelta(days=draw(st.integers(0, 12)))
    days = st.integers(-2, WINDOW_DAYS + 1).map(lambda n: first_day + timedelta(days=n))
    closed = draw(st.lists(days, max_size=3, unique=True))
    partial = draw(st.dictionaries(days.filter(lambda d: d not in closed), ranges, max_size=2))
    probe = change - timedelta(days=draw(st.integers(0, 1)))  # the change day or the night before
    if draw(st.booleans()) and probe not in closed:
        partial[probe] = draw(st.lists(time_range(near_a_change), min_size=1, max_size=2))
    untils = draw(st.lists(days, max_size=2, unique=True))
    config = {
        "timezone": zone,
        "hours": draw(week_hours()),
        "holidays": {
            "country": draw(st.sampled_from([None, "US", "DE", "AU"])),
            "dates": [d.isoformat() for d in closed],
            "partial": {d.isoformat(): texts for d, texts in partial.items()},
        },
        "versions": [{"until": d.isoformat(), "hours": draw(week_hours())} for d in untils],
    }
    first = int(datetime.combine(first_day, time(), UTC).timestamp())
    return config, first


offsets = st.integers(DAY, (WINDOW_DAYS - 1) * DAY)


# --- properties ------------------------------------------------------------------------------


@settings(RELAXED, max_examples=45)
@given(calendars(), st.lists(st.tuples(offsets, offsets), min_size=1, max_size=40))
def test_business_seconds_and_is_open_match_the_minute_by_minute_reference(
    calendar: tuple[dict[str, Any], int], pairs: list[tuple[int, int]]
) -> None:
    config, first = calendar
    timeline = Timeline(config, first, WINDOW_DAYS)
    clock = BusinessCalendar.from_config(config)
    starts = np.array([first + s for s, _ in pairs])
    ends = np.array([first + e for _, e in pairs])
    got = clock.business_seconds(starts.astype("datetime64[s]"), ends.astype("datetime64[s]"))
    expected = [timeline.business(s, e) for s, e in zip(starts, ends, strict=True)]
    np.testing.assert_array_equal(got, expected, err_msg=json.dumps(config))
    # every instant where the reference opens or closes, and the second before it
    flips = first + np.flatnonzero(np.diff(timeline.seconds.astype(np.int8))) + 1
    instants = np.concatenate([flips, flips - 1, starts])
    got_open = clock.is_open(instants.astype("datetime64[s]"))
    np.testing.assert_array_equal(got_open, timeline.seconds[instants - first], json.dumps(config))


@settings(RELAXED, max_examples=40)
@given(
    calendars(),
    st.lists(st.tuples(offsets, st.floats(-1, 1), st.booleans()), min_size=1, max_size=30),
)
def test_add_business_seconds_matches_the_reference_due_instant(
    calendar: tuple[dict[str, Any], int], rows: list[tuple[int, float, bool]]
) -> None:
    config, first = calendar
    timeline = Timeline(config, first, WINDOW_DAYS)
    clock = BusinessCalendar.from_config(config)
    flips = first + np.flatnonzero(np.diff(timeline.seconds.astype(np.int8))) + 1
    starts = np.array([first + offset for offset, _, _ in rows])
    amounts = []
    for start, (_, share, to_a_flip) in zip(starts, rows, strict=True):
        if to_a_flip and flips.size:  # exactly the business time to an opening or a close
            amounts.append(timeline.business(start, flips[int(abs(share) * (flips.size - 1))]))
        else:  # any share of the business time left in the window, either way
            room = timeline.business(start, first + WINDOW_DAYS * DAY if share >= 0 else first)
            amounts.append(int(share * abs(room)))
    got = clock.add_business_seconds(starts.astype("datetime64[s]"), amounts)
    expected = [timeline.due(s, x) for s, x in zip(starts, amounts, strict=True)]
    np.testing.assert_array_equal(got.view(np.int64), expected, err_msg=json.dumps(config))


@settings(RELAXED, max_examples=100)
@given(
    calendars(),
    st.lists(st.tuples(offsets, st.integers(-30 * DAY, 30 * DAY)), min_size=1, max_size=50),
)
def test_add_business_seconds_is_the_exact_and_nearest_inverse(
    calendar: tuple[dict[str, Any], int], rows: list[tuple[int, int]]
) -> None:
    config, first = calendar
    clock = BusinessCalendar.from_config(config)
    starts = np.array([first + offset for offset, _ in rows]).astype("datetime64[s]")
    amounts = np.array([amount for _, amount in rows])
    due = clock.add_business_seconds(starts, amounts)
    reached = ~np.isnat(due)  # a calendar open too rarely gives no due instant
    np.testing.assert_array_equal(clock.business_seconds(starts, due)[reached], amounts[reached])
    # nearest: one second closer to the start, less business time has elapsed
    closer = due - np.sign(amounts).astype("timedelta64[s]")
    nearer = clock.business_seconds(starts, closer)[reached]
    np.testing.assert_array_equal(nearer, (amounts - np.sign(amounts))[reached])


# --- against businesstimedelta -------------------------------------------------------------


@settings(RELAXED, max_examples=40)
@given(
    st.sampled_from(["America/New_York", "Europe/Berlin", "Australia/Lord_Howe"]),
    st.tuples(st.integers(6, 11), st.integers(13, 20)),
    st.lists(st.integers(0, 60), max_size=4, unique=True),
    st.lists(st.tuples(st.integers(0, 50 * DAY), st.integers(0, 9 * DAY)), min_size=1, max_size=20),
)
def test_a_single_range_workday_with_holidays_agrees_with_businesstimedelta(
    zone: str, hours: tuple[int, int], holiday_offsets: list[int], pairs: list[tuple[int, int]]
) -> None:
    base = date(2026, 2, 2)
    # businesstimedelta fails when no holiday lies ahead: a far one keeps it going
    closed = [base + timedelta(days=n) for n in holiday_offsets] + [date(2029, 1, 2)]
    config = {
        "timezone": zone,
        "hours": {"mon-fri": [f"{hours[0]:02d}:00-{hours[1]:02d}:00"]},
        "holidays": {"dates": [d.isoformat() for d in closed]},
    }
    tz = pytz.timezone(zone)
    rule = Rules(
        [
            WorkDayRule(time(hours[0]), time(hours[1]), [0, 1, 2, 3, 4], tz=tz),
            HolidayRule(closed, tz=tz),
        ]
    )
    origin = datetime.combine(base, time(), UTC)
    spans = [(origin + timedelta(seconds=s), timedelta(seconds=d)) for s, d in pairs]
    expected = [rule.difference(s, s + d).timedelta.total_seconds() for s, d in spans]
    clock = BusinessCalendar.from_config(config)
    got = clock.business_seconds([s for s, _ in spans], [s + d for s, d in spans])
    np.testing.assert_array_equal(got, expected)
