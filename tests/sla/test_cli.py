"""``supportops sla`` and its sub-commands, run through the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from supportops.cli import COMMAND_MODULES, app
from supportops.errors import ConfigError
from supportops.sla import COLUMNS

from .cases import GOLDEN, workspace_case

runner = CliRunner()
NEXT_REPLY = next(path for path in GOLDEN if path.stem == "next_reply")
MATCHING = next(path for path in GOLDEN if path.stem == "policy_matching")


def test_the_sla_commands_are_registered() -> None:
    assert "supportops.cli.sla" in COMMAND_MODULES
    result = runner.invoke(app, ["sla", "--help"])
    assert result.exit_code == 0
    for command in ("summary", "at-risk", "compare", "gaming"):
        assert command in result.stdout


def _workspace(path: Path, folder: Path) -> tuple[str, str]:
    case, ws = workspace_case(path, folder)
    ws.close()
    return str(folder), case["as_of"]


def _run(*args: str) -> str:
    result = runner.invoke(app, ["sla", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_sla_lists_every_instance_with_the_spec_columns_first(tmp_path: Path) -> None:
    folder, as_of = _workspace(NEXT_REPLY, tmp_path)
    rows = json.loads(_run("--as-of", as_of, "--format", "json", "--workspace", folder))
    assert list(rows[0]) == [*COLUMNS, "source"]
    slow = next(row for row in rows if row["ticket_id"] == "slow")
    assert slow["breached_at"] == "2026-03-04T11:00:00Z" and slow["due_at"] is None
    assert slow["elapsed_seconds"] == 7 * 3600 and slow["instance"] == 1


def test_sla_writes_csv_and_the_store_table(tmp_path: Path) -> None:
    folder, as_of = _workspace(NEXT_REPLY, tmp_path / "ws")
    out = tmp_path / "sla.csv"
    _run("--as-of", as_of, "--format", "csv", "--output", str(out), "--store", "-w", folder)
    frame = pd.read_csv(out)
    assert list(frame.columns) == [*COLUMNS, "source"] and len(frame) == 5
    stored = _run("summary", "--as-of", as_of, "--format", "csv", "-w", folder)
    assert "next_reply" in stored


def test_summary_gives_compliance_per_target_and_dimension(tmp_path: Path) -> None:
    folder, as_of = _workspace(MATCHING, tmp_path)
    text = _run("summary", "--by", "priority", "--as-of", as_of, "--format", "json", "-w", folder)
    rows = {row["priority"]: row for row in json.loads(text)}
    assert rows["urgent"]["breached"] == 1 and rows["urgent"]["active"] == 1
    assert rows["low"]["compliance"] == 0.0


def test_at_risk_lists_active_targets_soonest_first(tmp_path: Path) -> None:
    folder, as_of = _workspace(MATCHING, tmp_path)
    text = _run("at-risk", "--within", "2h", "--as-of", as_of, "--format", "json", "-w", folder)
    rows = json.loads(text)
    assert [(row["ticket_id"], row["due_in_seconds"]) for row in rows] == [("m2", 1800)]
    assert (
        json.loads(
            _run("at-risk", "--within", "10m", "--as-of", as_of, "--format", "json", "-w", folder)
        )
        == []
    )


def test_compare_shows_compliance_before_and_after_and_the_changes(tmp_path: Path) -> None:
    folder, as_of = _workspace(NEXT_REPLY, tmp_path / "ws")
    policies = tmp_path / "new.yaml"
    policies.write_text(
        "sla_policies:\n  - name: generous\n    calendar: office\n    targets: {next_reply: 1d}\n"
    )
    text = _run(
        "compare", "--policies", str(policies), "--as-of", as_of, "--format", "json", "-w", folder
    )
    result = json.loads(text)
    assert result["compliance"][0]["compliance_before"] == 0.75
    assert result["compliance"][0]["compliance_after"] == 1.0
    assert [(c["ticket_id"], c["status_before"], c["status_after"]) for c in result["changes"]] == [
        ("slow", "breached", "achieved")
    ]


def test_gaming_lists_pending_changes_near_a_breach(tmp_path: Path) -> None:
    case, ws = workspace_case(NEXT_REPLY, tmp_path / "ws")
    with ws:
        ws.store.execute(
            'INSERT INTO events (ticket_id, source, "at", kind, actor, actor_id, value, '
            "event_id) VALUES ('slow', 'csv', TIMESTAMPTZ '2026-03-03 12:30:00+00', 'status', "
            "'agent', 'a42', 'pending', 'p1')"
        )
    policies = tmp_path / "p.yaml"
    policies.write_text(
        "sla_policies:\n  - name: p\n    calendar: office\n    targets: {agent_work: 4h}\n"
    )
    common = ["--policies", str(policies), "--as-of", case["as_of"], "--format", "json"]
    folder = str(tmp_path / "ws")
    rows = json.loads(_run("gaming", "--window", "1h", *common, "-w", folder))
    assert [(r["ticket_id"], r["agent_id"], r["seconds_left"]) for r in rows] == [
        ("slow", "a42", 1800)
    ]
    assert rows[0]["would_breach_at"] == "2026-03-03T13:00:00Z"
    per_agent = json.loads(_run("gaming", "--by-agent", *common, "-w", folder))
    assert per_agent == [{"agent_id": "a42", "changes": 1, "tickets": 1}]
    assert json.loads(_run("gaming", "--window", "10m", *common, "-w", folder)) == []


def test_a_wrong_policies_file_is_a_config_error(tmp_path: Path) -> None:
    folder, _ = _workspace(NEXT_REPLY, tmp_path / "ws")
    policies = tmp_path / "bad.yaml"
    policies.write_text("sla_policies:\n  - name: p\n    targets: {next_replie: 1h}\n")
    result = runner.invoke(app, ["sla", "--policies", str(policies), "-w", folder])
    assert isinstance(result.exception, ConfigError)
    assert "line 3" in str(result.exception) and "next_replie" in str(result.exception)


@pytest.mark.parametrize(
    "args",
    [["--format", "parquet"], ["--format", "xml"], ["--as-of", "yesterday-ish"]],
)
def test_bad_options_are_usage_errors(tmp_path: Path, args: list[str]) -> None:
    folder, _ = _workspace(NEXT_REPLY, tmp_path)
    result = runner.invoke(app, ["sla", *args, "-w", folder])
    assert result.exit_code == 2


def test_a_period_keeps_the_targets_that_started_on_its_days(tmp_path: Path) -> None:
    from supportops.config import load_config

    folder, as_of = _workspace(NEXT_REPLY, tmp_path)
    zone = load_config(Path(folder) / "supportops.yaml").report_timezone
    every = json.loads(_run("--as-of", as_of, "--format", "json", "-w", folder))
    days = pd.to_datetime([row["started_at"] for row in every], utc=True).tz_convert(zone).date
    wanted = [row for row, day in zip(every, days, strict=True) if str(day) in ("2026-03-04",)]
    assert 0 < len(wanted) < len(every)  # the period keeps some, not all
    for args in (("--period", "2026-03-04"), ("--from", "2026-03-04", "--to", "2026-03-04")):
        kept = json.loads(_run("--as-of", as_of, *args, "--format", "json", "-w", folder))
        assert kept == wanted
    table = _run("summary", "--as-of", as_of, "--period", "2026-03-04", "-f", "json", "-w", folder)
    counted = json.loads(table)
    assert sum(r["achieved"] + r["breached"] + r["active"] + r["paused"] for r in counted) == len(
        wanted
    )
