"""supportops.yaml: typed, defaults in one place, and errors that name the key and its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from supportops.config import load_config
from supportops.durations import parse_duration
from supportops.errors import ConfigError

GOOD = """\
report_timezone: America/New_York
calendars:
  us:
    timezone: America/New_York
    hours:
      mon-fri: ["08:00-12:00", "13:00-18:00"]
sla_policies:
  - name: standard
    calendar: us
    targets:
      first_reply: 4h
      resolution: {target: 3d}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "supportops.yaml"
    path.write_text(text)
    return path


def test_a_valid_config_is_typed_with_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    assert config.store == "duckdb" and config.currency == "USD"
    policy = config.sla_policies[0]
    assert dict(policy.targets.items())["first_reply"].target == 4 * 3600
    assert dict(policy.targets.items())["resolution"].target == 3 * 86400


@pytest.mark.parametrize(
    ("change", "key", "line", "why"),
    [
        (
            ("first_reply: 4h", "first_reply: soon"),
            "sla_policies.0.targets.first_reply",
            11,
            "not a duration",
        ),
        (
            ("      first_reply: 4h", "      first_reply: 4h\n      first_response: 1h"),
            "sla_policies.0.targets.first_response",
            12,
            "unknown key",
        ),
        (
            ("report_timezone: America/New_York", "report_timezone: Mars/Olympus"),
            "report_timezone",
            1,
            "unknown IANA time zone",
        ),
        (
            ('mon-fri: ["08:00-12:00"', 'mon-fry: ["08:00-12:00"'),
            "calendars.us.hours",
            5,
            "unknown day",
        ),
        (("calendar: us", "calendar: eu"), "(top level)", None, "unknown calendar 'eu'"),
    ],
)
def test_a_bad_config_names_the_key_its_line_and_what_was_expected(
    tmp_path: Path, change: tuple[str, str], key: str, line: int | None, why: str
) -> None:
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.key == key
    assert info.value.line == line
    assert why in str(info.value)
    assert str(path) in str(info.value)


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="line 3"):
        load_config(write(tmp_path, "store: duckdb\ncalendars:\n  us: [unclosed\n"))


@pytest.mark.parametrize(
    ("text", "seconds"), [("30m", 1800), ("4h", 14400), ("3d", 259200), ("1h30m", 5400), (90, 90)]
)
def test_durations_read_like_a_person_writes_them(text: str | int, seconds: int) -> None:
    assert parse_duration(text) == seconds


def test_the_init_template_is_a_valid_config() -> None:
    from importlib import resources

    from supportops.config import parse_config, read_yaml

    ref = resources.files("supportops.templates").joinpath("supportops.yaml")
    with resources.as_file(ref) as path:
        config = parse_config(read_yaml(path))
    assert len(config.calendars) >= 2 and len(config.sla_policies) >= 2
