"""A wrong condition is one clear error: the key's path, its YAML line, the closest valid name."""

from __future__ import annotations

import pytest
from ruamel.yaml import YAML

from supportops.conditions import parse_condition
from supportops.errors import ConditionError, ConfigError

POLICY = """\
when:
  any:
    - priority: [high, urgent]
    - all:
        - channel: chat
        - asignee_id: a1
"""


def _error(text: str, key: str = "when") -> ConditionError:
    raw = YAML(typ="rt").load(text)
    with pytest.raises(ConditionError) as caught:
        parse_condition(raw[key], key=key)
    return caught.value


def test_an_unknown_field_names_its_key_line_and_the_closest_name() -> None:
    error = _error(POLICY)
    assert (error.key, error.line, error.suggestion) == (
        "when.any.1.all.1.asignee_id",
        6,
        "assignee_id",
    )
    assert (
        str(error)
        == "line 6: when.any.1.all.1.asignee_id: unknown field (did you mean 'assignee_id'?)"
    )
    assert isinstance(error, ConfigError)


def test_an_unknown_comparison_suggests_the_closest() -> None:
    error = _error("when:\n  created_at: {ge: 2026-01-01, betwen: [2026-01-01, 2026-02-01]}\n")
    assert (error.key, error.line, error.suggestion) == ("when.created_at.betwen", 2, "between")


def test_a_field_far_from_every_name_has_no_suggestion() -> None:
    error = _error("when:\n  zzzz: 1\n")
    assert error.suggestion is None
    assert "unknown field" in str(error)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("when: {field: created_at, between: [2026-01-01]}\n", "between takes two values"),
        ("when: {field: priority, lt: high}\n", "lt compares numbers and instants"),
        ("when: {field: created_at, ge: soon}\n", "not an instant"),
        ("when: {field: assignee_id, null: maybe}\n", "null takes true"),
        ("when: {field: tags, has: [a]}\n", "tags take one of any_of"),
        ("when: {any: {priority: high}}\n", "any takes a list"),
        ("when: {custom.a-b: 1}\n", "custom.<key>"),
        ("when: {field: priority, in: []}\n", "in takes at least one value"),
    ],
)
def test_a_wrong_value_says_what_was_expected(text: str, reason: str) -> None:
    assert reason in str(_error(text))
