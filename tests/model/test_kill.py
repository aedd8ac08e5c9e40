"""SIGKILL during a multi-table import (a child process of the CLI): the store is exactly the
state before it or the state after it, never between, and ``status`` names an import killed
after it began."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from supportops.demo import write_files
from supportops.model.schema import TABLES
from supportops.store import DuckDBStore

GOLDEN = Path(__file__).parent / "golden"
KILLS = 10
STATE = [*TABLES, "quarantine", "imports"]
EACH_RUN = {"quarantine": "import_id", "imports": 'import_id, "at"'}  # differ in every run


def cli(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "supportops", *args],
        capture_output=True,
        text=True,
        env=env,
        check=check,
    )


def status(folder: Path, fmt: str) -> str:
    """``supportops status`` run in this process (a child's start-up costs seconds)."""
    from typer.testing import CliRunner

    from supportops.cli import app

    result = CliRunner().invoke(app, ["status", "--format", fmt, "-w", str(folder)])
    assert result.exit_code == 0, result.output
    return result.output


def state(folder: Path) -> dict[str, object]:
    """Every table's rows, as counts and an order-free checksum of their text."""
    store = DuckDBStore(folder / "supportops.duckdb")
    try:
        out: dict[str, object] = {}
        for table in STATE:
            columns = f"* EXCLUDE ({EACH_RUN[table]})" if table in EACH_RUN else "*"
            rows = f'(SELECT {columns} FROM "{table}")'
            out[table] = store.arrow(
                f"SELECT count(*) AS n, sum(hash(CAST(t AS VARCHAR))) AS h FROM {rows} t"
            ).to_pylist()[0]
        return out
    finally:
        store.close()


def reading(child: subprocess.Popen[bytes], folder: Path) -> float:
    """Wait until ``child`` opens a file of ``folder`` (its import has begun); the instant."""
    fds = Path(f"/proc/{child.pid}/fd")
    while child.poll() is None:
        try:
            links = [os.readlink(fd) for fd in fds.iterdir()]
        except OSError:  # a descriptor closed while listing
            continue
        if any(link.startswith(str(folder)) for link in links):
            return time.monotonic()
        time.sleep(0.005)
    raise AssertionError("the import ended before it read its files")


def importing(data: Path, ws: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "supportops", "import", str(data), "-w", str(ws)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_a_killed_import_leaves_the_before_or_the_after_state(tmp_path: Path) -> None:
    data = tmp_path / "log"
    write_files(data, tickets=800, seed=3, fmt="csv")
    base = tmp_path / "base"
    cli("init", str(base))
    cli("import", str(GOLDEN / "basic"), "-w", str(base))
    before = state(base)
    done = tmp_path / "done"
    shutil.copytree(base, done)
    child = importing(data, done)
    began = reading(child, data)
    assert child.wait() == 0
    length = time.monotonic() - began  # from the first read to the end of the process
    after = state(done)
    assert after != before
    rng = random.Random(11)
    outcomes = []
    latest = length  # kills land at random before it; a kill found "after" lowers it (load varies)
    for i in range(KILLS):
        ws = tmp_path / f"kill{i}"
        shutil.copytree(base, ws)
        child = importing(data, ws)
        began = reading(child, data)
        delay = rng.uniform(0, latest)
        time.sleep(max(0.0, began + delay - time.monotonic()))
        child.send_signal(signal.SIGKILL)
        child.wait()
        got = state(ws)
        assert got in (before, after), f"kill {i}: a state between before and after"
        named = [u["import_id"] for u in json.loads(status(ws, "json"))["unfinished_imports"]]
        if got == before and child.returncode == -signal.SIGKILL:
            outcomes.append("before" if not named else "interrupted")
            text = status(ws, "table")
            assert all(f"import {n}" in text and "interrupted" in text for n in named)
        else:
            outcomes.append("after")
            assert named == []
            latest = delay
    print(f"\nimport {length:.1f} s after its first read; kills: {outcomes}")
    assert "interrupted" in outcomes, outcomes  # some kills landed inside the import
