"""Business calendars, case by case: each test states a rule and a hand-worked figure."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from supportops.calendar import BusinessCalendar
from supportops.config import CalendarConfig
from supportops.errors import ConfigError

HOUR = 3600
NINE_TO_FIVE = {"timezone": "America/New_York", "hours": {"mon-fri": ["09:00-17:00"]}}


def local(text: str, zone: str) -> np.datetime64:
    """A wall-clock time that exists once in ``zone``, as a UTC ``datetime64[s]``."""
    aware = datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone))
    return np.datetime64(aware.astimezone(UTC).replace(tzinfo=None), "s")


def utc(*texts: str) -> np.ndarray:
    return np.array(texts, dtype="datetime64[s]")


def between(calendar: dict[str, Any], start: str, end: str) -> float:
    """Business seconds between two local wall-clock times of the calendar's zone."""
    zone = calendar.get("timezone", "UTC")
    clock = BusinessCalendar.from_config(calendar)
    return float(clock.business_seconds([local(start, zone)], [local(end, zone)])[0])


# --- hours ---------------------------------------------------------------------------------


def test_split_shift_counts_both_ranges_and_not_the_lunch_break() -> None:
    split = {"timezone": "America/New_York", "hours": {"mon-fri": ["08:00-12:00", "13:00-18:00"]}}
    assert between(split, "2026-01-05 07:00", "2026-01-05 19:00") == 9 * HOUR
    assert between(split, "2026-01-05 11:00", "2026-01-05 14:00") == 2 * HOUR
    assert between(split, "2026-01-05 12:15", "2026-01-05 12:45") == 0


def test_days_can_be_listed_with_commas_and_ranges_wrap_the_week() -> None:
    calendar = {"hours": {"mon,wed": ["09:00-10:00"], "sat-sun": ["00:00-24:00"]}}
    # 2026-01-05 is a Monday: Mon 1h + Wed 1h + Sat 24h + Sun 24h
    assert between(calendar, "2026-01-05 00:00", "2026-01-12 00:00") == 50 * HOUR


def test_overnight_range_belongs_to_the_day_it_starts_on() -> None:
    night = {"timezone": "Europe/Berlin", "hours": {"mon-fri": ["22:00-06:00"]}}
    # Friday 22:00 to Saturday 06:00 is open; Sunday night is not (Sunday has no range)
    assert between(night, "2026-01-09 20:00", "2026-01-12 08:00") == 8 * HOUR
    assert between(night, "2026-01-10 00:00", "2026-01-10 06:00") == 6 * HOUR


def test_twenty_four_hundred_ends_at_the_next_midnight() -> None:
    late = {"hours": {"mon": ["20:00-24:00"], "tue": ["00:00-02:00"]}}
    assert between(late, "2026-01-05 00:00", "2026-01-07 00:00") == 6 * HOUR


def test_overlapping_ranges_count_once() -> None:
    overlap = {"hours": {"mon": ["09:00-12:00", "11:00-13:00"], "sun": ["22:00-10:00"]}}
    # Sunday night runs into Monday until 10:00; Monday's ranges make 09:00-13:00
    assert between(overlap, "2026-01-05 00:00", "2026-01-06 00:00") == 13 * HOUR


# --- holidays, partial days, versions --------------------------------------------------------


def test_country_holidays_close_the_day_including_observed_days() -> None:
    us = {**NINE_TO_FIVE, "holidays": {"country": "US", "subdivision": "NY"}}
    # 2026-07-03 (Fri) is Independence Day observed: four working days that week
    assert between(us, "2026-06-29 00:00", "2026-07-06 00:00") == 4 * 8 * HOUR


def test_extra_closed_dates_add_to_country_holidays() -> None:
    us = {**NINE_TO_FIVE, "holidays": {"country": "US", "dates": ["2026-07-01"]}}
    assert between(us, "2026-06-29 00:00", "2026-07-06 00:00") == 3 * 8 * HOUR


def test_a_holiday_on_the_start_day_removes_the_whole_overnight_range() -> None:
    night = {"timezone": "Europe/Berlin", "hours": {"mon-fri": ["22:00-06:00"]}}
    closed_friday = {**night, "holidays": {"dates": ["2026-01-09"]}}
    assert between(closed_friday, "2026-01-09 20:00", "2026-01-10 08:00") == 0
    # Thursday's night shift runs into the Friday holiday untouched
    assert between(closed_friday, "2026-01-08 20:00", "2026-01-09 08:00") == 8 * HOUR


def test_a_partial_day_replaces_the_usual_hours() -> None:
    short = {**NINE_TO_FIVE, "holidays": {"partial": {"2026-11-27": ["08:00-12:00"]}}}
    assert between(short, "2026-11-27 00:00", "2026-11-28 00:00") == 4 * HOUR
    assert between(short, "2026-11-27 08:30", "2026-11-27 09:30") == 1 * HOUR


def test_a_partial_day_wins_over_a_public_holiday() -> None:
    thanksgiving = {"country": "US", "partial": {"2026-11-26": ["10:00-12:00"]}}
    calendar = {**NINE_TO_FIVE, "holidays": thanksgiving}
    assert between(calendar, "2026-11-26 00:00", "2026-11-27 00:00") == 2 * HOUR


def test_a_version_holds_the_hours_in_force_before_its_until() -> None:
    calendar = {
        "hours": {"mon-fri": ["08:00-18:00"]},
        "versions": [
            {"until": "2026-01-01", "hours": {"mon-fri": ["09:00-17:00"]}},
            {"until": "2025-12-01", "hours": {"mon-fri": ["10:00-12:00"]}},
        ],
    }
    assert between(calendar, "2025-11-28 00:00", "2025-11-29 00:00") == 2 * HOUR  # until 12-01
    assert between(calendar, "2025-12-01 00:00", "2025-12-02 00:00") == 8 * HOUR  # until 01-01
    assert between(calendar, "2026-01-01 00:00", "2026-01-02 00:00") == 10 * HOUR  # top level


def test_the_version_of_an_overnight_range_is_chosen_by_its_start_day() -> None:
    calendar = {
        "hours": {"mon-sun": ["20:00-04:00"]},
        "versions": [{"until": "2026-01-01", "hours": {"mon-sun": ["22:00-02:00"]}}],
    }
    # Wednesday 2025-12-31 22:00 to Thursday 02:00 is the old version's range
    assert between(calendar, "2025-12-31 12:00", "2026-01-01 12:00") == 4 * HOUR


def test_always_open_is_calendar_time() -> None:
    always = BusinessCalendar.from_config({"always_open": True})
    starts, ends = utc("2026-03-07T12:00", "2026-03-08T00:00"), utc("2026-03-09T12:00", "NaT")
    assert always.business_seconds(starts, ends)[0] == 48 * HOUR
    assert np.isnan(always.business_seconds(starts, ends)[1])
    due = always.add_business_seconds(starts, [90, 3 * HOUR])
    assert list(due) == list(utc("2026-03-07T12:01:30", "2026-03-08T03:00"))
    assert always.is_open(starts).all()


# --- daylight saving time ------------------------------------------------------------------


def test_spring_forward_makes_a_one_to_four_range_two_real_hours() -> None:
    sunday = {"timezone": "America/New_York", "hours": {"sun": ["01:00-04:00"]}}
    assert between(sunday, "2026-03-08 00:00", "2026-03-09 00:00") == 2 * HOUR


def test_a_range_starting_in_the_spring_gap_opens_when_the_clock_skips_past_it() -> None:
    zone = "America/New_York"
    # clocks jump from 02:00 EST (07:00Z) to 03:00 EDT: 02:30 is reached at 07:00Z
    sunday = BusinessCalendar.from_config({"timezone": zone, "hours": {"sun": ["02:30-05:00"]}})
    day = sunday.business_seconds(utc("2026-03-08T00:00"), utc("2026-03-09T00:00"))
    assert day[0] == 2 * HOUR
    assert list(sunday.is_open(utc("2026-03-08T06:59:59", "2026-03-08T07:00"))) == [False, True]


def test_a_range_ending_in_the_spring_gap_closes_when_the_clock_skips_past_it() -> None:
    saturday = {"timezone": "America/New_York", "hours": {"sat": ["22:00-02:30"]}}
    clock = BusinessCalendar.from_config(saturday)
    assert between(saturday, "2026-03-07 12:00", "2026-03-08 12:00") == 4 * HOUR
    assert list(clock.is_open(utc("2026-03-08T06:59:59", "2026-03-08T07:00"))) == [True, False]


def test_a_range_inside_the_spring_gap_never_opens() -> None:
    skipped = {"timezone": "America/New_York", "hours": {"sun": ["02:00-02:30"]}}
    assert between(skipped, "2026-03-08 00:00", "2026-03-09 00:00") == 0


def test_fall_back_repeats_an_hour_and_a_range_over_it_is_longer() -> None:
    sunday = {"timezone": "America/New_York", "hours": {"sun": ["00:00-03:00"]}}
    assert between(sunday, "2026-11-01 00:00", "2026-11-02 00:00") == 4 * HOUR


def test_a_boundary_in_the_repeated_hour_happens_at_its_first_occurrence() -> None:
    fold = BusinessCalendar.from_config(
        {"timezone": "America/New_York", "hours": {"sun": ["01:30-05:00"], "sat": ["22:00-01:30"]}}
    )
    # Saturday 22:00 EDT (02:00Z) to the first 01:30 EDT (05:30Z); Sunday's range opens at the
    # same instant and runs to 05:00 EST (10:00Z): nothing changes in the repeated 01:30 EST
    seconds = fold.business_seconds(utc("2026-11-01T00:00"), utc("2026-11-02T00:00"))
    assert seconds[0] == 3.5 * HOUR + 4.5 * HOUR
    saturday_only = BusinessCalendar.from_config(
        {"timezone": "America/New_York", "hours": {"sat": ["22:00-01:30"]}}
    )
    assert list(saturday_only.is_open(utc("2026-11-01T05:29:59", "2026-11-01T06:45"))) == [
        True,
        False,
    ]


def test_berlin_days_are_23_and_25_hours_long_on_transition_sundays() -> None:
    berlin = {"timezone": "Europe/Berlin", "hours": {"sun": ["00:00-24:00"]}}
    assert between(berlin, "2026-03-29 00:00", "2026-03-30 00:00") == 23 * HOUR
    assert between(berlin, "2026-10-25 00:00", "2026-10-26 00:00") == 25 * HOUR


def test_lord_howe_shifts_by_half_an_hour() -> None:
    whole = {"timezone": "Australia/Lord_Howe", "hours": {"sun": ["00:00-24:00"]}}
    assert between(whole, "2026-10-04 00:00", "2026-10-05 00:00") == 23.5 * HOUR
    assert between(whole, "2026-04-05 00:00", "2026-04-06 00:00") == 24.5 * HOUR
    # 02:00-02:30 is skipped on 2026-10-04; 01:30-02:00 repeats on 2026-04-05
    early = {"timezone": "Australia/Lord_Howe", "hours": {"sun": ["02:00-03:00"]}}
    assert between(early, "2026-10-04 00:00", "2026-10-05 00:00") == 0.5 * HOUR
    repeat = {"timezone": "Australia/Lord_Howe", "hours": {"sun": ["01:00-02:00"]}}
    assert between(repeat, "2026-04-05 00:00", "2026-04-06 00:00") == 1.5 * HOUR


# --- spans, edges and the inverse ----------------------------------------------------------


def test_several_weeks_across_fall_back_and_a_holiday() -> None:
    us = {**NINE_TO_FIVE, "holidays": {"country": "US"}}
    # 2026-10-19 to 2026-11-16: 20 weekdays less Veterans Day (11-11), local hours
    assert between(us, "2026-10-19 00:00", "2026-11-16 00:00") == 19 * 8 * HOUR


def test_equal_instants_give_zero_and_reversed_instants_a_negative() -> None:
    calendar = {"timezone": "America/New_York", "hours": {"mon-fri": ["09:00-17:00"]}}
    assert between(calendar, "2026-01-05 10:00", "2026-01-05 10:00") == 0
    assert between(calendar, "2026-01-10 10:00", "2026-01-10 10:00") == 0
    assert between(calendar, "2026-01-05 12:00", "2026-01-05 10:00") == -2 * HOUR


def test_a_start_outside_hours_counts_from_the_next_opening() -> None:
    assert between(NINE_TO_FIVE, "2026-01-10 12:00", "2026-01-12 10:00") == 1 * HOUR
    clock = BusinessCalendar.from_config(NINE_TO_FIVE)
    due = clock.add_business_seconds([local("2026-01-10 12:00", "America/New_York")], [1])
    assert due[0] == local("2026-01-12 09:00:01", "America/New_York")


def test_a_target_ending_with_a_range_is_due_at_the_close_not_the_next_opening() -> None:
    zone = "America/New_York"
    split = {"timezone": zone, "hours": {"mon-fri": ["08:00-12:00", "13:00-18:00"]}}
    clock = BusinessCalendar.from_config(split)
    monday = local("2026-01-05 08:00", zone)
    due = clock.add_business_seconds([monday, monday, monday], [4 * HOUR, 9 * HOUR, 0])
    expected = [local(t, zone) for t in ("2026-01-05 12:00", "2026-01-05 18:00")] + [monday]
    assert list(due) == expected


def test_negative_amounts_count_back_to_the_latest_instant() -> None:
    zone = "America/New_York"
    clock = BusinessCalendar.from_config(NINE_TO_FIVE)
    monday = local("2026-01-05 10:00", zone)
    due = clock.add_business_seconds([monday, monday], [-HOUR, -2 * HOUR])
    assert list(due) == [local("2026-01-05 09:00", zone), local("2026-01-02 16:00", zone)]


def test_a_due_instant_far_beyond_the_first_table_grows_the_table() -> None:
    clock = BusinessCalendar.from_config(NINE_TO_FIVE)
    start = local("2026-01-05 09:00", "America/New_York")
    due = clock.add_business_seconds([start], [52 * 5 * 8 * HOUR])  # 52 working weeks
    assert due[0] == local("2027-01-01 17:00", "America/New_York")  # no holidays configured
    assert clock.business_seconds([start], due)[0] == 52 * 5 * 8 * HOUR


def test_a_calendar_that_never_opens_has_no_due_instant() -> None:
    never = BusinessCalendar.from_config({"hours": {}})
    due = never.add_business_seconds(utc("2026-01-05T00:00", "2026-01-05T00:00"), [60, 0])
    assert np.isnat(due[0]) and due[1] == utc("2026-01-05T00:00")[0]


# --- inputs --------------------------------------------------------------------------------


def test_every_supported_input_type_gives_the_same_answer() -> None:
    clock = BusinessCalendar.from_config(NINE_TO_FIVE)
    starts = utc("2026-01-05T13:30:00", "NaT", "2026-01-09T20:00:00")
    ends = utc("2026-01-06T15:00:00", "2026-01-06T15:00:00", "2026-01-12T16:00:00")
    expected = clock.business_seconds(starts, ends)
    # Monday 08:30 EST to Tuesday 10:00; Friday 15:00 EST to Monday 11:00
    assert expected[0] == 9 * HOUR and np.isnan(expected[1]) and expected[2] == 4 * HOUR
    ny_starts = (
        pd.Series(pd.to_datetime(starts)).dt.tz_localize("UTC").dt.tz_convert("America/New_York")
    )
    aware_list = [
        None if pd.isna(t) else t.to_pydatetime().astimezone(ZoneInfo("Asia/Tokyo"))
        for t in ny_starts
    ]
    variants: list[Any] = [
        starts.astype("datetime64[ms]"),
        pd.Series(pd.to_datetime(starts)),
        ny_starts,
        pd.DatetimeIndex(ny_starts).as_unit("us"),
        pa.array(ny_starts),
        pa.chunked_array([pa.array(pd.Series(pd.to_datetime(starts)).dt.as_unit("ns"))]),
        aware_list,
    ]
    for variant in variants:
        np.testing.assert_array_equal(clock.business_seconds(variant, ends), expected)


def test_sub_second_instants_are_floored_to_the_second() -> None:
    clock = BusinessCalendar.from_config({"always_open": True})
    starts = np.array(["2026-01-05T10:00:00.900"], dtype="datetime64[ms]")
    ends = np.array(["2026-01-05T10:00:02.100"], dtype="datetime64[ms]")
    assert clock.business_seconds(starts, ends)[0] == 2


def test_missing_amounts_give_nat_and_pandas_nullable_amounts_work() -> None:
    clock = BusinessCalendar.from_config(NINE_TO_FIVE)
    starts = utc("2026-01-05T14:00", "2026-01-05T14:00")
    due = clock.add_business_seconds(starts, pd.Series([60, None], dtype="Int64"))
    assert due[0] == utc("2026-01-05T14:01")[0] and np.isnat(due[1])


# --- the clock as a table --------------------------------------------------------------------


def test_open_intervals_clip_to_the_window_and_count_from_its_start() -> None:
    clock = BusinessCalendar.from_config(NINE_TO_FIVE)
    table = clock.open_intervals(utc("2026-01-05T15:00")[0], utc("2026-01-07T00:00")[0])
    assert list(table.columns) == ["opens_at", "closes_at", "cum_business_seconds_before"]
    assert str(table["opens_at"].dt.tz) == "UTC"
    assert list(table["opens_at"].dt.strftime("%m-%d %H:%M")) == ["01-05 15:00", "01-06 14:00"]
    assert list(table["cum_business_seconds_before"]) == [0, 7 * HOUR]


def test_the_interval_table_gives_the_same_business_time_in_sql() -> None:
    calendar = {**NINE_TO_FIVE, "hours": {"mon-fri": ["08:00-12:00", "13:00-18:00"]}}
    clock = BusinessCalendar.from_config({**calendar, "holidays": {"country": "US"}})
    intervals = clock.open_intervals(utc("2026-01-01T00:00")[0], utc("2026-03-01T00:00")[0])
    rng = np.random.default_rng(7)
    starts = utc("2026-01-02T00:00") + rng.integers(0, 40 * 86_400, 200).astype("timedelta64[s]")
    ends = starts + rng.integers(0, 10 * 86_400, 200).astype("timedelta64[s]")
    pairs = pd.DataFrame(  # noqa: F841 — read by DuckDB
        {
            "id": range(200),
            "s": pd.to_datetime(starts, utc=True),
            "e": pd.to_datetime(ends, utc=True),
        }
    )
    reading = """(SELECT coalesce(max(i.cum_business_seconds_before + least(
        extract(epoch FROM x.{0}) - extract(epoch FROM i.opens_at),
        extract(epoch FROM i.closes_at) - extract(epoch FROM i.opens_at))), 0)
        FROM intervals i WHERE i.opens_at <= x.{0})"""
    sql = f"SELECT {reading.format('e')} - {reading.format('s')} FROM pairs x ORDER BY id"
    got = [row[0] for row in duckdb.connect().execute(sql).fetchall()]
    assert intervals.shape[0] > 30
    np.testing.assert_array_equal(np.array(got, dtype=float), clock.business_seconds(starts, ends))


# --- configuration errors ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("calendar", "key"),
    [
        ({"hours": {"mon-fri": ["9-17"]}}, "calendars.desk.hours"),
        (
            {"hours": {"mon-fri": ["09:00-17:00"], "fri": ["09:00-13:00"]}},
            "calendars.desk.hours.fri",
        ),
        ({"holidays": {"country": "XX"}}, "calendars.desk.holidays.country"),
        ({"holidays": {"subdivision": "NY"}}, "calendars.desk.holidays.subdivision"),
        (
            {"holidays": {"dates": ["2026-12-24"], "partial": {"2026-12-24": ["09:00-12:00"]}}},
            "calendars.desk.holidays.partial.2026-12-24",
        ),
        ({"always_open": True, "hours": {"mon": ["09:00-17:00"]}}, "calendars.desk.always_open"),
        ({"timezone": "Mars/Olympus"}, "calendars.desk.timezone"),
    ],
)
def test_a_wrong_calendar_is_a_config_error_naming_the_key(
    calendar: dict[str, Any], key: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        BusinessCalendar.from_config(calendar, name="desk")
    assert caught.value.context["key"].startswith(key)


def test_a_validated_config_model_is_accepted_as_is() -> None:
    config = CalendarConfig.model_validate(NINE_TO_FIVE)
    clock = BusinessCalendar.from_config(config, name="us")
    assert clock.name == "us" and clock.config is config


def test_a_shared_calendar_is_built_once_per_name_and_config() -> None:
    config = CalendarConfig.model_validate(NINE_TO_FIVE)
    first = BusinessCalendar.shared(config, "us")
    assert BusinessCalendar.shared(CalendarConfig.model_validate(NINE_TO_FIVE), "us") is first
    assert BusinessCalendar.shared(config, "ny") is not first
    later = CalendarConfig.model_validate({**NINE_TO_FIVE, "hours": {"mon-fri": ["10:00-17:00"]}})
    other = BusinessCalendar.shared(later, "us")
    assert other is not first
    monday = [local("2026-03-02T09:00", "America/New_York")]
    ten = [local("2026-03-02T10:00", "America/New_York")]
    assert first.business_seconds(monday, ten)[0] == HOUR
    assert other.business_seconds(monday, ten)[0] == 0


def test_the_docs_example_runs() -> None:
    text = (Path(__file__).parents[1] / "docs" / "calendar.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    assert blocks
    for block in blocks:
        exec(compile(block, "docs/calendar.md", "exec"), {})


def test_instants_given_as_one_datetime_work_for_open_intervals() -> None:
    clock = BusinessCalendar.from_config(NINE_TO_FIVE)
    start = datetime(2026, 1, 5, tzinfo=UTC)
    table = clock.open_intervals(start, start + timedelta(days=1))
    assert table.shape[0] == 1
