"""The plan end to end, its what-ifs, and the CLI commands that drive it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from supportops.cli.workforce import register
from supportops.errors import ConfigError
from supportops.workforce.forecast import forecast
from supportops.workforce.plan import ChannelSettings, Scenario, compare, parse_what_if, run_plan
from supportops.workforce.schedule import parse_shift_templates

SHIFTS = [
    {"name": "early", "days": "mon-fri", "start": "08:00", "length": "8h30m",
     "breaks": [{"after": "4h", "length": "30m"}]},
    {"name": "late", "days": "mon-fri", "start": "10:30", "length": "8h30m",
     "breaks": [{"after": "4h", "length": "30m"}]},
    {"name": "half", "days": "mon-fri", "start": "11:00", "length": "4h"},
]  # fmt: skip


def _history(weeks: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    index = pd.date_range("2024-01-01", periods=weeks * 7 * 48, freq="30min")
    slot = (index.hour * 2 + index.minute // 30).to_numpy()
    shape = np.where((index.dayofweek < 5) & (slot >= 16) & (slot < 38), 1.0, 0.0)
    shape *= 1 + np.sin((slot - 16) / 22 * np.pi)
    return pd.concat(
        pd.DataFrame({"unique_id": ch, "ds": index, "y": rng.poisson(shape * scale)})
        for ch, scale in (("phone", 40), ("email", 15))
    )


def test_what_if_text_becomes_multipliers() -> None:
    assert parse_what_if("volume=+20% aht=-10%") == Scenario("volume=+20% aht=-10%", 1.2, 0.9)
    assert parse_what_if("shrinkage=0.35").shrinkage == 0.35
    assert parse_what_if("patience=2x").patience == 2.0
    with pytest.raises(ValueError, match="volume=\\+20%"):
        parse_what_if("calls=+20%")


@pytest.fixture(scope="module")
def planned() -> pd.DataFrame:
    fc = forecast(_history(), pd.Timedelta("30min"), pd.Timedelta(days=7))
    settings = {
        "phone": ChannelSettings(aht=240, patience=120),
        "email": ChannelSettings(model="backlog", aht=300, window=4 * 3600),
    }
    templates = parse_shift_templates(SHIFTS)
    summary, _ = run_plan(fc.frame, settings, templates, [parse_what_if("volume=+20%")], 3)
    return summary


def test_a_plan_covers_every_channel_and_scenario(planned: pd.DataFrame) -> None:
    assert set(zip(planned["scenario"], planned["channel"], strict=True)) == {
        ("base", "email"), ("base", "phone"), ("volume=+20%", "email"), ("volume=+20%", "phone")
    }  # fmt: skip
    phone = planned[planned["channel"] == "phone"].set_index("scenario")
    assert phone.loc["base", "service_level"] >= 0.75  # scheduled heads less shrinkage, simulated
    email = planned[planned["channel"] == "email"].set_index("scenario")
    assert email.loc["base", "on_time_share"] >= 0.9


def test_more_volume_needs_more_agent_hours(planned: pd.DataFrame) -> None:
    changes = compare(planned).set_index(["channel", "metric"])["change"]
    for channel in ("phone", "email"):
        assert changes[(channel, "volume")] > 0
        assert changes[(channel, "required_agent_hours")] > 0


runner = CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def test_staff_erlang_prints_the_json_contract() -> None:
    args = ["staff", "erlang", "--volume", "100", "--interval", "1800", "--aht", "180",
            "--target-sl", "0.8", "--target-time", "20", "--shrinkage", "0.3",
            "--format", "json"]  # fmt: skip
    result = runner.invoke(_app(), args)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert list(payload) == ["agents", "scheduled", "service_level", "asa", "occupancy",
                             "probability_wait", "abandon_rate"]  # fmt: skip
    assert (payload["agents"], payload["scheduled"], payload["abandon_rate"]) == (14, 20, None)
    assert payload["service_level"] == pytest.approx(0.8884, abs=1e-4)


def test_staff_erlang_with_agents_and_patience_reports_those_agents() -> None:
    args = ["staff", "erlang", "--volume", "100", "--aht", "180", "--patience", "30",
            "--agents", "11", "--format", "json"]  # fmt: skip
    payload = json.loads(runner.invoke(_app(), args).stdout)
    assert payload["agents"] == 11
    assert payload["service_level"] == pytest.approx(0.8332, abs=1e-4)
    assert payload["abandon_rate"] == pytest.approx(0.1274, abs=1e-4)


def test_forecast_then_staff_from_csv_files(tmp_path: Path) -> None:
    history = tmp_path / "history.csv"
    _history().to_csv(history, index=False)
    fc, chart = tmp_path / "forecast.csv", tmp_path / "forecast.vl.json"
    args = ["forecast", "--from-csv", str(history), "--channel", "email", "--horizon", "7d",
            "--format", "csv", "--output", str(fc), "--chart", str(chart)]  # fmt: skip
    assert runner.invoke(_app(), args).exit_code == 0
    assert json.loads(chart.read_text())["$schema"].endswith("vega-lite/v5.json")
    frame = pd.read_csv(fc)
    assert len(frame) == 7 * 48 and set(frame["unique_id"]) == {"email"}
    args = ["staff", "email", "--from-csv", str(fc), "--aht", "300", "--window", "4h",
            "--format", "json"]  # fmt: skip
    payload = json.loads(runner.invoke(_app(), args).stdout)
    assert payload["share"] >= 0.9
    assert all(r["agents"] == 0 for r in payload["rows"] if not r["open"])


def test_plan_command_writes_the_plan_and_compares_the_what_if(tmp_path: Path) -> None:
    history, shifts = tmp_path / "history.csv", tmp_path / "shifts.yaml"
    _history().query("unique_id == 'phone'").to_csv(history, index=False)
    shifts.write_text(json.dumps(SHIFTS))  # JSON is YAML
    args = ["plan", "--from-csv", str(history), "--horizon", "7d", "--shifts", str(shifts),
            "--patience", "120", "--what-if", "volume=+20% aht=-10%", "--replications", "2",
            "--output", str(tmp_path / "plan"), "--format", "json"]  # fmt: skip
    result = runner.invoke(_app(), args)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert [r["scenario"] for r in payload["rows"]] == ["base", "volume=+20% aht=-10%"]
    assert {c["metric"] for c in payload["comparison"]} >= {"required_agent_hours", "asa"}
    written = {p.name for p in (tmp_path / "plan").iterdir()}
    assert written == {"forecast.csv", "intervals.csv", "shifts.csv", "gaps.csv",
                       "summary.csv", "plan.vl.json"}  # fmt: skip


def test_a_bad_shift_file_is_a_config_error(tmp_path: Path) -> None:
    history, shifts = tmp_path / "history.csv", tmp_path / "shifts.yaml"
    _history().query("unique_id == 'phone'").to_csv(history, index=False)
    shifts.write_text("- {name: x, start: '8am', length: 8h}\n")
    args = ["plan", "--from-csv", str(history), "--horizon", "7d", "--shifts", str(shifts)]
    result = runner.invoke(_app(), args)
    assert isinstance(result.exception, ConfigError)
    assert result.exception.key == "shift_templates.0.start"  # type: ignore[attr-defined]


def _plan_args(tmp_path: Path, *extra: str) -> list[str]:
    history = tmp_path / "history.csv"
    _history(weeks=3).query("unique_id == 'phone'").to_csv(history, index=False)
    return ["plan", "--from-csv", str(history), "--horizon", "2d", "--replications", "0",
            "--format", "json", *extra]  # fmt: skip


@pytest.mark.parametrize(
    ("what_if", "scenarios"),
    [
        (["--what-if", "volume=+20%", "aht=-10%"], ["volume=+20% aht=-10%"]),
        (["--what-if", "volume=+20% aht=-10%"], ["volume=+20% aht=-10%"]),
        (["--what-if=volume=+20%", "aht=-10%"], ["volume=+20% aht=-10%"]),
        (["--what-if", "volume=+20%", "--what-if", "aht=-10%", "patience=2x"],
         ["volume=+20%", "aht=-10% patience=2x"]),
    ],
)  # fmt: skip
def test_a_what_if_takes_the_assignments_after_it_and_repeats(
    tmp_path: Path, what_if: list[str], scenarios: list[str]
) -> None:
    result = runner.invoke(_app(), _plan_args(tmp_path, *what_if, "--shifts", _shifts(tmp_path)))
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["rows"]
    assert [r["scenario"] for r in rows] == ["base", *scenarios]


def test_a_bad_what_if_assignment_is_named(tmp_path: Path) -> None:
    args = _plan_args(tmp_path, "--what-if", "volume=+20%", "calls=+5%")
    result = runner.invoke(_app(), args)
    assert result.exit_code == 2
    assert "--what-if" in result.output and "'calls=+5%'" in result.output


def _shifts(tmp_path: Path, text: str | None = None) -> str:
    path = tmp_path / "shifts.yaml"
    path.write_text(text if text is not None else json.dumps(SHIFTS), encoding="utf-8")
    return str(path)


def test_shifts_takes_the_shift_templates_section_as_in_the_docs(tmp_path: Path) -> None:
    section = "report_timezone: UTC\nshift_templates:\n" + "".join(
        f"  - {json.dumps(t)}\n" for t in SHIFTS
    )
    listed = runner.invoke(_app(), _plan_args(tmp_path, "--shifts", _shifts(tmp_path)))
    sectioned = runner.invoke(_app(), _plan_args(tmp_path, "--shifts", _shifts(tmp_path, section)))
    assert listed.exit_code == sectioned.exit_code == 0, sectioned.output
    assert json.loads(listed.stdout)["rows"] == json.loads(sectioned.stdout)["rows"]
    assert json.loads(listed.stdout)["rows"][0]["shift_heads"] > 0


def test_a_bad_template_in_a_section_names_the_file_line_and_key(tmp_path: Path) -> None:
    text = (
        "shift_templates:\n  - {name: a, start: '08:00', length: 8h}\n  - {name: b, start: 8am}\n"
    )
    result = runner.invoke(_app(), _plan_args(tmp_path, "--shifts", _shifts(tmp_path, text)))
    error = result.exception
    assert isinstance(error, ConfigError)
    assert error.context["key"] == "shift_templates.1.start" and error.context["line"] == 3
    assert str(error).startswith(f"{tmp_path / 'shifts.yaml'}, line 3: shift_templates.1.start")


def test_without_templates_a_csv_plan_is_staffed_round_the_clock(tmp_path: Path) -> None:
    result = runner.invoke(_app(), _plan_args(tmp_path))
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)["rows"]
    assert row["shift_heads"] > 0 and row["under_agent_hours"] == 0
