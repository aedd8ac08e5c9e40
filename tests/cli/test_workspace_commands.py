"""The workspace commands as a user types them: init, import, quarantine, export, status."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from supportops.cli import app

GOLDEN = Path(__file__).resolve().parents[1] / "model" / "golden"
runner = CliRunner()


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env=env)
    if result.exception and not isinstance(result.exception, SystemExit):
        from supportops.errors import SupportOpsError

        assert isinstance(result.exception, SupportOpsError), result.exception
        return 2, str(result.exception)
    return result.exit_code, result.output


def test_init_writes_a_commented_config_and_an_empty_store(tmp_path: Path) -> None:
    code, out = run("init", str(tmp_path / "ws"))
    assert code == 0, out
    assert (tmp_path / "ws" / "supportops.yaml").read_text().startswith("# supportops")
    assert (tmp_path / "ws" / "supportops.duckdb").exists()
    code, out = run("init", str(tmp_path / "ws"))
    assert code == 2 and "exists already" in out


def test_import_reports_counts_and_quarantine_lists_the_bad_rows(tmp_path: Path) -> None:
    run("init", str(tmp_path))
    code, out = run("import", str(GOLDEN / "bad_rows"), "--workspace", str(tmp_path))
    assert code == 0, out
    assert "Quarantined by reason" in out and "solved before creation" in out
    code, out = run("quarantine", "--format", "json", "--limit", "0", "-w", str(tmp_path))
    rows = json.loads(out)
    assert len(rows) == 13
    assert {"file", "row", "column", "reason", "record"} <= set(rows[0])


def test_the_workspace_comes_from_the_environment_when_not_given(tmp_path: Path) -> None:
    run("init", str(tmp_path))
    run("import", str(GOLDEN / "basic"), "-w", str(tmp_path))
    code, out = run("status", "--format", "json", env={"SUPPORTOPS_WORKSPACE": str(tmp_path)})
    assert code == 0, out
    assert json.loads(out)["tables"]["tickets"] == 3


def test_a_folder_without_config_is_not_a_workspace(tmp_path: Path) -> None:
    code, out = run("status", "-w", str(tmp_path))
    assert code == 2 and "is not a workspace" in out and "supportops init" in out


def test_export_writes_one_file_per_table(tmp_path: Path) -> None:
    run("init", str(tmp_path / "ws"))
    run("import", str(GOLDEN / "basic"), "-w", str(tmp_path / "ws"))
    code, out = run("export", str(tmp_path / "out"), "--format", "csv", "-w", str(tmp_path / "ws"))
    assert code == 0, out
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "events.csv",
        "surveys.csv",
        "tickets.csv",
    ]


def test_the_entry_point_prints_one_clear_line_and_exits_2(tmp_path: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "supportops",
            "import",
            str(tmp_path / "missing.csv"),
            "-w",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "error:" in done.stderr and "is not a workspace" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_failed_import_keeps_nothing_and_status_names_it(tmp_path: Path) -> None:
    from tests.model.test_atomic import broken_folder

    run("init", str(tmp_path / "ws"))
    run("import", str(GOLDEN / "basic"), "-w", str(tmp_path / "ws"))
    code, out = run("import", str(broken_folder(tmp_path)), "-w", str(tmp_path / "ws"))
    assert code == 2 and "events.jsonl" in out
    code, out = run("status", "--format", "json", "-w", str(tmp_path / "ws"))
    data = json.loads(out)
    assert data["tables"]["tickets"] == 3 and data["tables"]["events"] == 6
    [unfinished] = data["unfinished_imports"]
    assert "events.jsonl" in unfinished["error"]
    code, out = run("status", "-w", str(tmp_path / "ws"))
    assert code == 0 and f"import {unfinished['import_id']}" in out and "did not finish" in out


def test_an_import_into_a_refreshed_workspace_refreshes_the_tickets_it_changed(
    tmp_path: Path,
) -> None:
    ws = str(tmp_path / "ws")
    run("init", ws)
    run("import", str(GOLDEN / "basic" / "tickets.csv"), "-w", ws)
    code, out = run("metrics", "refresh", "--full", "-w", ws)
    assert code == 0 and "refreshed every ticket" in out, out
    code, out = run("import", str(GOLDEN / "basic" / "events.jsonl"), "-w", ws)
    # every ticket changed: more than a fifth of them, so all are rebuilt
    assert code == 0 and "refreshed every ticket" in out and "after imports" not in out, out
    code, out = run("metrics", "refresh", "-w", ws)  # nothing noted since: nothing to redo
    assert code == 0 and "refreshed 0 changed tickets" in out, out
