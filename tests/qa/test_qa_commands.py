"""``supportops qa`` as a QA lead types it, on a small demo workspace."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from supportops.cli import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_scores_per_agent_carry_an_interval(qa_demo: Path) -> None:
    code, out = run("qa", "scores", "-w", str(qa_demo), "--format", "json")
    assert code == 0, out
    rows = json.loads(out)
    assert rows and {"agent_id", "n", "score", "low", "high"} <= set(rows[0])
    many = [r for r in rows if r["n"] > 1]
    assert all(r["low"] <= r["score"] <= r["high"] for r in many)


def test_categories_come_lowest_first(qa_demo: Path) -> None:
    code, out = run("qa", "categories", "-w", str(qa_demo), "--format", "json")
    rows = json.loads(out)
    assert code == 0 and [r["category"] for r in rows]
    assert [r["score"] for r in rows] == sorted(r["score"] for r in rows)


def test_calibration_flags_tone(qa_demo: Path) -> None:
    code, out = run("qa", "calibration", "-w", str(qa_demo), "--format", "json")
    assert code == 0, out
    rows = {r["category"]: r for r in json.loads(out)}
    assert set(rows) == {"solution", "process", "tone", "grammar"}
    assert rows["tone"]["reliable"].startswith("no")


def test_sample_writes_a_plan_with_risk_picks_apart(qa_demo: Path, tmp_path: Path) -> None:
    plan = tmp_path / "plan.csv"
    code, out = run(
        "qa",
        "sample",
        "-w",
        str(qa_demo),
        "--period",
        "2026-11",
        "--quota",
        "4",
        "--reviewer",
        "qa-lead",
        "--reviewer",
        "qa-tom",
        "--format",
        "csv",
        "--output",
        str(plan),
    )
    assert code == 0, out
    text = plan.read_text()
    assert text.startswith("kind,agent_id,source,ticket_id")
    assert "\nsample," in text and "\nrisk," in text


def test_sample_names_a_bad_period(qa_demo: Path) -> None:
    code, out = run("qa", "sample", "-w", str(qa_demo), "--period", "someday")
    assert code == 2 and "--period" in out


def test_auto_checks_are_gated_by_agreement_with_the_graders(qa_demo: Path) -> None:
    result = runner.invoke(app, ["qa", "auto", "-w", str(qa_demo), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = {r["check"]: r for r in json.loads(result.stdout)}  # the encoder logs to stderr
    assert set(rows) == {"first_reply_within", "no_reopen", "courtesy"}
    assert {r["kind"] for r in rows.values()} == {"rule", "text"}
    assert rows["courtesy"]["category"] == "tone" and rows["courtesy"]["kind"] == "text"
    assert rows["no_reopen"]["status"] == "advisory"  # reopens do not predict solution ratings
    for row in rows.values():
        passes = row["alpha_auto"] >= 0.667 and row["alpha_auto"] >= row["alpha_humans"]
        assert row["status"] == ("counts" if passes else "advisory")


def test_a_coaching_note_from_the_command_line(tmp_path: Path, qa_demo: Path) -> None:
    import shutil

    folder = tmp_path / "ws"
    shutil.copytree(qa_demo, folder)
    code, out = run(
        "qa",
        "note",
        "agent-x",
        "--text",
        "Ask before solving",
        "--focus",
        "process",
        "--author",
        "lead",
        "-w",
        str(folder),
    )
    assert code == 0 and "note note-" in out, out
    bad = runner.invoke(
        app, ["qa", "note", "agent-x", "--text", "x", "--focus", "nope", "-w", str(folder)]
    )
    assert "focus category 'nope' is on no scorecard" in str(bad.exception)
    code, out = run("qa", "notes", "agent-x", "--format", "json", "-w", str(folder))
    rows = json.loads(out)
    assert code == 0 and [(r["author"], r["focus"], r["text"]) for r in rows] == [
        ("lead", "process", "Ask before solving")
    ]


def test_proficiency_gives_curves_by_start_cohort_and_week_of_tenure(
    qa_demo: Path, tmp_path: Path
) -> None:
    out_file = tmp_path / "curves.json"
    code, out = run(
        "qa", "proficiency", "-w", str(qa_demo), "-f", "json", "--output", str(out_file)
    )
    assert code == 0, out
    rows = json.loads(out_file.read_text())
    assert len({r["cohort"] for r in rows}) == 2  # the demo's two hiring months
    first = [r for r in rows if r["cohort"] == rows[0]["cohort"]]
    assert [r["week"] for r in first] == list(range(len(first)))
    assert first[0]["aht"] > first[-1]["aht"]  # new hires get faster
    code, out = run("qa", "proficiency", "-w", str(qa_demo))
    assert code == 0 and "Weeks to proficiency" in out and "first activity" in out
    code, out = run("qa", "proficiency", "-w", str(qa_demo), "--grain", "fortnight")
    assert code != 0 and "fortnight" in out
