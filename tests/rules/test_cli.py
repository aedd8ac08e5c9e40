"""``supportops rules``: lint's output and exit status, import of the real Zendesk records,
replay over the demo history, and export."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from supportops.cli import app
from supportops.errors import RuleError

GOLDEN = Path(__file__).parent / "golden" / "lint"


def _run(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, result.output


def test_lint_exits_1_on_errors_with_one_json_object_per_finding(tmp_path: Path) -> None:
    code, out = _run("rules", "lint", GOLDEN / "conflict.yaml", "--format", "json", "-w", tmp_path)
    assert code == 1
    findings = [json.loads(line) for line in out.splitlines()]
    assert [f["kind"] for f in findings] == ["conflict", "conflict"]
    assert set(findings[0]) == {"severity", "kind", "rules", "explanation", "example"}


def test_lint_of_a_clean_set_exits_0(tmp_path: Path) -> None:
    code, out = _run("rules", "lint", GOLDEN / "clean_routing.yaml", "-w", tmp_path)
    assert code == 0, out
    assert "0 error(s), 0 warning(s)" in out


def test_lint_reads_the_zendesk_records(shared_data: Path, tmp_path: Path) -> None:
    path = shared_data / "api" / "zendesk" / "expected_records_subset.jsonl"
    code, out = _run("rules", "lint", path, "--from", "zendesk", "-w", tmp_path)
    assert code == 0, out  # warnings only
    assert "unsupported" in out and "via_id" in out


def test_import_writes_yaml_that_reads_back(shared_data: Path, tmp_path: Path) -> None:
    path = shared_data / "api" / "zendesk" / "expected_records_subset.jsonl"
    target = tmp_path / "zendesk.yaml"
    code, out = _run("rules", "import", path, "--from", "zendesk", "--output", target)
    assert code == 0, out
    code, out = _run("rules", "export", target, "--to", "zendesk")
    assert code == 0, out
    exported = json.loads(out)
    assert exported["automations"][0]["actions"] == [{"field": "status", "value": "closed"}]


def test_replay_over_the_demo_reports_fires_differences_and_the_consequence(
    rules_demo: Path, routing_file: Path
) -> None:
    code, out = _run(
        "rules", "replay", routing_file, "--period", "2026-11", "--format", "json", "-w", rules_demo
    )
    assert code == 0, out
    report = json.loads(out)
    fires = {r["rule"]: r for r in report["rules"]}
    assert fires["chat-high"]["fires"] > 0 and fires["urgent-to-tier2"]["tickets"] > 0
    assert report["differ"]["priority"] > 0
    assert "same hour" in report["consequence"]["assumption"]
    assert report["consequence"]["sla_first_reply_replayed"] is not None


def test_an_unknown_group_is_found_against_the_workspace(rules_demo: Path, tmp_path: Path) -> None:
    path = tmp_path / "typo.yaml"
    path.write_text(
        "rules:\n  - name: typo\n    on: [create]\n    when: {channel: chat}\n"
        "    actions: [{set: {group: techincal}}]\n",
        encoding="utf-8",
    )
    code, out = _run("rules", "lint", path, "-w", rules_demo)
    assert code == 1
    assert "unknown_reference" in out and "techincal" in out


def test_a_wrong_rule_file_names_the_file_key_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "rules:\n  - name: x\n    when: {channel: chat}\n    actions: []\n", encoding="utf-8"
    )
    result = CliRunner().invoke(app, ["rules", "lint", str(path), "-w", str(tmp_path)])
    assert isinstance(result.exception, RuleError)
    assert result.exception.key == "rules.0.actions" and result.exception.line == 4
    assert "bad.yaml, line 4" in str(result.exception)
