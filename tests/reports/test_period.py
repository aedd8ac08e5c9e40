"""Report periods and what they are compared with: golden cases."""

from __future__ import annotations

from datetime import date

import pytest

from supportops.errors import InputError
from supportops.reports.period import baseline, parse_period


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026-10", date(2026, 10, 1), date(2026, 10, 31)),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
        ("2026-W01", date(2025, 12, 29), date(2026, 1, 4)),
        ("2026-w46", date(2026, 11, 9), date(2026, 11, 15)),
    ],
)
def test_a_period_is_its_first_and_last_day(text: str, start: date, end: date) -> None:
    period = parse_period(text)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize(
    ("text", "compare", "expected"),
    [
        ("2026-10", "previous", "2026-09"),
        ("2026-01", "previous", "2025-12"),
        ("2026-10", "year", "2025-10"),
        ("2026-Q1", "previous", "2025-Q4"),
        ("2026-Q3", "year", "2025-Q3"),
        ("2026-W01", "previous", "2025-W52"),
        ("2026-W53", "year", "2025-W52"),
        ("2021-W01", "previous", "2020-W53"),
    ],
)
def test_the_comparison_period(text: str, compare: str, expected: str) -> None:
    assert baseline(parse_period(text), compare).label == expected


@pytest.mark.parametrize("text", ["2026-13", "October", "2026-Q5", "2026-W60", ""])
def test_a_malformed_period_is_an_input_error(text: str) -> None:
    with pytest.raises(InputError, match="not a period"):
        parse_period(text)


def test_an_unknown_comparison_is_an_input_error() -> None:
    with pytest.raises(InputError, match="--compare"):
        baseline(parse_period("2026-10"), "last")
