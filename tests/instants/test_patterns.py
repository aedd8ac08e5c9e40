"""The API's patterns for days, periods and instants: every string they match is read by the
one instant reader, and every documented form (but ``FROM..TO``) matches."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supportops.instant_patterns import DAY_PATTERN, INSTANT_PATTERN, PERIOD_PATTERN
from supportops.instants import (
    DAY_FORMS,
    INSTANT_FORMS,
    FrozenClock,
    parse_day,
    parse_instant,
    parse_period,
)

CLOCKS = [
    FrozenClock(datetime(2026, 11, 23, 9, tzinfo=UTC)),
    FrozenClock(datetime(1990, 1, 1, tzinfo=UTC)),
    FrozenClock(datetime(2110, 12, 31, 23, tzinfo=UTC)),
]
ZONES = ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"]  # +14 h and -11 h: the widest offsets


def _forms(text: str) -> list[str]:
    return [f.split(" (")[0] for f in text.split(", ") if f != "FROM..TO"]


@pytest.mark.parametrize("form", _forms(DAY_FORMS))
def test_every_documented_day_form_matches(form: str) -> None:
    assert re.fullmatch(DAY_PATTERN, form) and re.fullmatch(PERIOD_PATTERN, form)


@pytest.mark.parametrize("form", _forms(INSTANT_FORMS))
def test_every_documented_instant_form_matches(form: str) -> None:
    assert re.fullmatch(INSTANT_PATTERN, form)


@pytest.mark.parametrize(
    "text",
    ["2023-02-29", "2021-W53", "1900-01-01", "2200-01-01", "2026-13", "2026-Q5", "0.5", "0", "x"],
)
def test_what_the_reader_refuses_or_a_regex_cannot_follow_does_not_match(text: str) -> None:
    assert not re.fullmatch(DAY_PATTERN, text) and not re.fullmatch(INSTANT_PATTERN, text)


@settings(max_examples=400, deadline=None)
@given(st.from_regex(DAY_PATTERN, fullmatch=True), st.sampled_from(ZONES), st.sampled_from(CLOCKS))
def test_every_matching_day_is_read(text: str, zone: str, clock: FrozenClock) -> None:
    assert parse_day(text, zone, clock, "start") is not None
    assert parse_day(text, zone, clock, "end", last=True) is not None
    assert parse_period(text, zone, clock) is not None


@settings(max_examples=400, deadline=None)
@given(
    st.from_regex(INSTANT_PATTERN, fullmatch=True),
    st.sampled_from(ZONES),
    st.sampled_from(CLOCKS),
)
def test_every_matching_instant_is_read(text: str, zone: str, clock: FrozenClock) -> None:
    assert parse_instant(text, zone, clock) is not None
