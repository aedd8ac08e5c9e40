"""The ``experiments:`` section: typed, errors naming the key, its line and the closest name."""

from __future__ import annotations

from pathlib import Path

import pytest

from supportops.config import load_config
from supportops.errors import ConfigError
from supportops.experiments.design import checked, find

BASE = """\
experiments:
  - name: refund-macro
    unit: requester
    arms: {control: 50, macro: 50}
    salt: s1
    start: 2026-11-02
    end: 2026-11-15
    primary: full_resolution_time:median
    guardrails: [csat, {metric: reopen_rate, tolerance: 0.1}]
"""


def _config(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "supportops.yaml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def test_an_experiment_reads_with_its_defaults(tmp_path: Path) -> None:
    config = _config(tmp_path, BASE).experiments[0]
    assert config.control == "control"
    assert config.peeking == "fixed_horizon"
    assert [g.metric for g in config.guardrails] == ["csat", "reopen_rate"]
    design = checked(config, "America/New_York")
    assert [s.kind for s in design.specs] == ["quantile", "rate", "rate"]
    assert design.specs[1].higher_is_better and not design.specs[2].higher_is_better
    assert design.low.isoformat() == "2026-11-02T05:00:00+00:00"  # local midnight, in UTC
    assert design.high.isoformat() == "2026-11-16T05:00:00+00:00"


def test_an_unknown_metric_names_the_key_and_the_closest_metric(tmp_path: Path) -> None:
    config = _config(tmp_path, BASE.replace("full_resolution_time", "full_resolutoin_time"))
    with pytest.raises(ConfigError) as err:
        checked(config.experiments[0], "UTC")
    assert "experiments.refund-macro.primary" in str(err.value)
    assert "supportops.yaml, line 8:" in str(err.value)
    assert "the closest is full_resolution_time" in str(err.value)


def test_an_unknown_guardrail_names_its_line(tmp_path: Path) -> None:
    config = _config(tmp_path, BASE.replace("guardrails: [csat,", "guardrails: [cast,"))
    with pytest.raises(ConfigError, match=r"line 9: experiments.refund-macro.guardrails.0"):
        checked(config.experiments[0], "UTC")


def test_an_unknown_unit_names_key_and_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        _config(tmp_path, BASE.replace("unit: requester", "unit: customer"))
    assert "line 3" in str(err.value) and "experiments.0.unit" in str(err.value)


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        ("arms: {control: 50, macro: 50}", "arms: {control: 1}", "at least two arms"),
        ("arms: {control: 50, macro: 50}", "arms: {control: 1, b: 0}", "positive"),
        ("end: 2026-11-15", "end: 2026-10-15", "before it starts"),
        ("salt: s1", "salt: s1\n    slot: 7m", "divides a day"),
        ("salt: s1", "salt: s1\n    colour: red", "unknown key"),
    ],
)
def test_bad_settings_are_refused(tmp_path: Path, old: str, new: str, says: str) -> None:
    with pytest.raises(ConfigError, match=says):
        _config(tmp_path, BASE.replace(old, new))


def test_two_experiments_of_one_name_are_refused(tmp_path: Path) -> None:
    twice = BASE + BASE.split("\n", 1)[1]
    with pytest.raises(ConfigError, match="two experiments are named 'refund-macro'"):
        _config(tmp_path, twice)


def test_an_unknown_experiment_suggests_the_closest(tmp_path: Path) -> None:
    config = _config(tmp_path, BASE)
    with pytest.raises(ConfigError, match="did you mean refund-macro"):
        find(config.experiments, "refund-macr")


def test_a_sum_is_not_compared(tmp_path: Path) -> None:
    config = _config(tmp_path, BASE.replace("full_resolution_time:median", "handle_time:sum"))
    with pytest.raises(ConfigError, match="not a sum or a count"):
        checked(config.experiments[0], "UTC")
