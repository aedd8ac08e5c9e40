"""Shift templates and the CP-SAT schedule: exact cover when possible, named gaps when not."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from supportops.errors import ConfigError
from supportops.workforce.schedule import (
    CoverageCosts,
    ShiftTemplate,
    build_schedule,
    parse_shift_templates,
)

EARLY = {"name": "early", "days": "mon-fri", "start": "08:00", "length": "8h",
         "breaks": [{"after": "4h", "length": "30m"}]}  # fmt: skip
LATE = {"name": "late", "days": "mon-fri", "start": "12:00", "length": "8h"}


def _week() -> pd.DatetimeIndex:
    return pd.date_range("2024-03-04", periods=7 * 48, freq="30min")  # Monday


def _covered_by(templates: list[ShiftTemplate], counts: dict[str, int]) -> pd.Series:
    """Heads on duty per half-hour if every weekday runs ``counts`` of each template."""
    index = _week()
    heads = np.zeros(len(index))
    for t in templates:
        for day in pd.date_range(index[0], periods=5, freq="D"):
            start = day + pd.Timedelta(t.start + ":00")
            for a, b in t.worked(start):
                heads += counts[t.name] * ((index >= a) & (index < b))
    return pd.Series(heads, index=index)


def test_days_lengths_and_breaks_are_read_from_yaml_shapes() -> None:
    (t,) = parse_shift_templates([EARLY])
    assert t.days == ["mon", "tue", "wed", "thu", "fri"]
    assert t.length == 8 * 3600
    start = pd.Timestamp("2024-03-04 08:00")
    assert t.worked(start) == [
        (start, start + pd.Timedelta("4h")),
        (start + pd.Timedelta("4h30m"), start + pd.Timedelta("8h")),
    ]
    assert parse_shift_templates([{**LATE, "days": "sat,sun"}])[0].days == ["sat", "sun"]


@pytest.mark.parametrize(
    ("item", "key"),
    [
        ({**EARLY, "start": "8am"}, "shift_templates.0.start"),
        ({**EARLY, "length": "eight hours"}, "shift_templates.0.length"),
        ({**EARLY, "days": "weekdays"}, "shift_templates.0.days"),
        ({**EARLY, "breaks": [{"after": "4h"}]}, "shift_templates.0.breaks.0.length"),
        ({**EARLY, "colour": "blue"}, "shift_templates.0.colour"),
        ({**EARLY, "min_count": 3, "max_count": 2}, "shift_templates.0.max_count"),
    ],
)
def test_a_bad_template_is_a_config_error_naming_its_key(item: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_shift_templates([item])
    assert info.value.key == key  # type: ignore[attr-defined]


def test_demand_the_templates_can_meet_exactly_is_covered_exactly() -> None:
    templates = parse_shift_templates([EARLY, LATE])
    required = _covered_by(templates, {"early": 3, "late": 2})
    schedule = build_schedule(required, templates)
    assert schedule.status == "optimal"
    assert schedule.coverage["under"].sum() == 0
    assert schedule.coverage["over"].sum() == 0
    assert schedule.gaps.empty
    counts = schedule.shifts.groupby("template")["count"].unique()
    assert counts.to_dict() == {"early": [3], "late": [2]}


def test_uncoverable_demand_is_reported_where_and_by_how_much() -> None:
    templates = parse_shift_templates([{**EARLY, "max_count": 4}])
    required = pd.Series(0.0, index=_week())
    required[(required.index.dayofweek == 2) & (required.index.hour == 9)] = 6.0  # Wed 9–10
    required[(required.index.dayofweek == 5) & (required.index.hour == 11)] = 2.0  # Sat: closed
    schedule = build_schedule(required, templates, CoverageCosts(under=10.0, over=1.0))
    gaps = schedule.gaps
    assert len(gaps) == 2
    wednesday, saturday = gaps.itertuples(index=False)
    assert (wednesday.start, wednesday.end) == (
        pd.Timestamp("2024-03-06 09:00"),
        pd.Timestamp("2024-03-06 10:00"),
    )
    assert (wednesday.peak, wednesday.agent_hours) == (2.0, 2.0)  # 6 needed, at most 4
    assert (saturday.peak, saturday.agent_hours) == (2.0, 2.0)  # no Saturday shift at all


def test_minimum_counts_are_kept_even_without_demand() -> None:
    templates = parse_shift_templates([{**LATE, "min_count": 1}])
    schedule = build_schedule(pd.Series(0.0, index=_week()), templates)
    assert schedule.shifts["count"].tolist() == [1] * 5
    assert schedule.coverage["over"].sum() == 5 * 16


def test_costly_shifts_are_avoided_when_a_cheaper_one_covers_the_same() -> None:
    cheap = {**LATE, "name": "cheap", "cost_per_hour": 1}
    dear = {**LATE, "name": "dear", "cost_per_hour": 4}
    templates = parse_shift_templates([dear, cheap])
    required = _covered_by(templates[:1], {"dear": 2})
    schedule = build_schedule(required, templates)
    assert set(schedule.shifts["template"]) == {"cheap"}


def test_no_templates_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="shift_templates"):
        build_schedule(pd.Series(1.0, index=_week()), [])
