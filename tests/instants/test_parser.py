"""The reader of instants, periods and durations, against golden tables (a frozen clock, a
report time zone west of UTC, DST days) and against a slow reference for random instants."""

from __future__ import annotations

from dataclasses import astuple
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from supportops.errors import InputError, InstantError
from supportops.instants import (
    FrozenClock,
    Period,
    SystemClock,
    default_clock,
    parse_day,
    parse_duration,
    parse_instant,
    parse_period,
    resolve_range,
)

GOLDEN = Path(__file__).parent / "golden"


def _golden(name: str) -> dict[str, Any]:
    """A golden table, every scalar as text (``2026-11`` is an input, not a date)."""
    loaded: dict[str, Any] = yaml.load((GOLDEN / name).read_text(encoding="utf-8"), yaml.BaseLoader)
    return loaded


INSTANTS, PERIODS, ERRORS = (_golden(f"{n}.yaml") for n in ("instants", "periods", "errors"))


def _clock(table: dict[str, Any]) -> FrozenClock:
    return FrozenClock(datetime.fromisoformat(table["now"].replace("Z", "+00:00")))


@pytest.mark.parametrize(("text", "expected"), INSTANTS["cases"].items())
def test_instants_read_as_the_golden_table_says(text: str, expected: str) -> None:
    got = parse_instant(text, INSTANTS["zone"], _clock(INSTANTS))
    assert got is not None and got.tzinfo is not None
    assert got.isoformat().replace("+00:00", "Z") == expected


@pytest.mark.parametrize(("text", "expected"), PERIODS["cases"].items())
def test_periods_read_as_the_golden_table_says(text: str, expected: list[str] | str) -> None:
    zone, clock = PERIODS["zone"], _clock(PERIODS)
    if expected == "null":
        with pytest.raises(InstantError, match="period: not a period"):
            parse_period(text, zone, clock)
        return
    assert parse_period(text, zone, clock) == Period(*map(date.fromisoformat, expected))


@pytest.mark.parametrize(
    ("kind", "text", "words"),
    [
        (kind, text, words)
        for kind in ("instant", "period", "duration")
        for text, words in ERRORS[kind].items()
    ],
)
def test_unreadable_input_is_one_line_naming_the_key(kind: str, text: str, words: str) -> None:
    zone, clock = ERRORS["zone"], _clock(ERRORS)
    read = {
        "instant": lambda: parse_instant(text, zone, clock, key="--as-of"),
        "period": lambda: parse_period(text, zone, clock, key="--as-of"),
        "duration": lambda: parse_duration(text, key="--as-of"),
    }[kind]
    with pytest.raises(InstantError) as caught:
        read()
    message = str(caught.value)
    assert message.startswith("--as-of: ") and words in message and "\n" not in message
    assert caught.value.key == "--as-of"
    assert isinstance(caught.value, InputError) and isinstance(caught.value, ValueError)


def test_refusals_list_the_accepted_forms() -> None:
    with pytest.raises(InstantError, match=r"accepted: .*last week.*2026-Q4") as caught:
        parse_instant("soon", "UTC", SystemClock(), key="as_of")
    assert "2026-W46" in caught.value.expected


def test_a_period_spans_local_midnight_to_local_midnight_across_dst() -> None:
    march = parse_period("2026-03", "America/New_York", SystemClock())
    assert march.start("America/New_York") == datetime(2026, 3, 1, 5, tzinfo=UTC)
    assert march.end("America/New_York") == datetime(2026, 4, 1, 4, tzinfo=UTC)
    assert march.days == 31


def test_day_bounds_take_the_first_and_last_day_of_a_period() -> None:
    clock = _clock(PERIODS)
    first, last = resolve_range("2026-10", "2026-Q4", None, "America/New_York", clock)
    assert (first, last) == (date(2026, 10, 1), date(2026, 12, 31))
    assert parse_day("2026-11-02T03:30Z", "America/New_York", clock, "start") == date(2026, 11, 1)
    assert resolve_range(None, None, None, "UTC", clock) == (None, None)


@pytest.mark.parametrize(
    ("start", "end", "period", "words"),
    [
        ("2026-11-15", "2026-11-01", None, "start: 2026-11-15 is after end 2026-11-01"),
        ("2026-11-01", None, "last week", "period: give either period or start/end"),
        ("0", None, None, "start: not a day"),
        (None, "9999-12-31", None, "end: '9999-12-31' is outside"),
    ],
)
def test_ranges_refuse_what_cannot_be_a_range(
    start: str | None, end: str | None, period: str | None, words: str
) -> None:
    with pytest.raises(InstantError, match=words.replace("(", r"\(")):
        resolve_range(start, end, period, "UTC", _clock(PERIODS))


def test_the_default_clock_is_frozen_by_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPPORTOPS_NOW", "2026-11-01T12:00Z")
    assert default_clock().now() == datetime(2026, 11, 1, 12, tzinfo=UTC)
    monkeypatch.delenv("SUPPORTOPS_NOW")
    assert isinstance(default_clock(), SystemClock)


ZONES = st.sampled_from(
    ["UTC", "America/New_York", "Europe/Paris", "Asia/Kolkata", "Pacific/Chatham"]
)
WALLS = st.datetimes(min_value=datetime(1901, 1, 1), max_value=datetime(2199, 12, 1))


def _reference(wall: datetime, zone: str) -> datetime:
    """Slow and obvious: try every offset the zone used that day; keep the first that maps
    back to ``wall`` (the earlier occurrence), or, in a gap, the offset before the change."""
    tz = ZoneInfo(zone)
    offsets = []
    for hours in range(-36, 37, 3):
        probe = (wall - timedelta(hours=hours)).replace(tzinfo=UTC).astimezone(tz)
        offset = probe.utcoffset()
        if offset is not None and offset not in offsets:
            offsets.append(offset)
    exact = sorted(
        (wall - off).replace(tzinfo=UTC)
        for off in offsets
        if (wall - off).replace(tzinfo=UTC).astimezone(tz).replace(tzinfo=None) == wall
    )
    if exact:
        return exact[0]
    before = (wall - timedelta(hours=36)).replace(tzinfo=UTC).astimezone(tz).utcoffset()
    assert before is not None
    return (wall - before).replace(tzinfo=UTC)


@given(WALLS, ZONES)
def test_a_naive_instant_is_read_in_the_report_zone(wall: datetime, zone: str) -> None:
    text = wall.isoformat(timespec="microseconds")
    assert parse_instant(text, zone, SystemClock()) == _reference(wall, zone)


@given(WALLS, ZONES, st.integers(min_value=-14 * 60, max_value=14 * 60))
def test_an_aware_instant_keeps_its_offset_whatever_the_zone(
    wall: datetime, zone: str, minutes: int
) -> None:
    offset = timedelta(minutes=minutes)
    text = (
        wall.isoformat()
        + f"{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    )
    assert parse_instant(text, zone, SystemClock()) == (wall - offset).replace(tzinfo=UTC)


@given(
    st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
    st.integers(min_value=0, max_value=10_000),
    st.sampled_from(["d", "h", "m", "s"]),
    st.sampled_from(["-", "+"]),
)
def test_relative_instants_move_the_clock(now: datetime, count: int, unit: str, sign: str) -> None:
    step = timedelta(seconds=count * {"d": 86_400, "h": 3_600, "m": 60, "s": 1}[unit])
    got = parse_instant(f"{sign}{count}{unit}", "Asia/Kolkata", FrozenClock(now))
    assert got == (now - step if sign == "-" else now + step)


@pytest.mark.parametrize(
    ("text", "label"),
    [("last month", "2026-10"), ("this quarter", "2026-Q4"), ("Last Week", "2026-W43")],
)
def test_the_report_reads_named_periods_through_the_one_reader(text: str, label: str) -> None:
    from supportops.reports.period import parse_period as report_period

    period = report_period(text, PERIODS["zone"], _clock(PERIODS))
    assert period.label == label
    assert (period.start, period.end) == astuple(
        parse_period(text, PERIODS["zone"], _clock(PERIODS))
    )
