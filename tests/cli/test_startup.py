"""The command line starts without its engines: ``import supportops.cli``, ``supportops --help``,
``supportops metrics --list`` and every group's ``--help`` load no DuckDB, pandas, NumPy, Arrow,
SciPy, HTTP client, web framework, nor the store, metric engine, SLA, web or workforce packages.

Each case runs in a fresh interpreter (the test process has them all loaded already). A command
module added to ``COMMAND_MODULES`` is covered as soon as it registers: the cases are read from
the app itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"

HEAVY = (
    "duckdb",
    "pandas",
    "numpy",
    "pyarrow",
    "scipy",
    "sklearn",
    "statsforecast",
    "httpx",
    "fastapi",
    "starlette",
    "jinja2",
    "uvicorn",
    "supportops.store",
    "supportops.metrics.query",
    "supportops.sla",
    "supportops.web",
    "supportops.workforce",
    "supportops.workspace",
    "supportops.config",
)

# Runs each command line in turn and prints, per line, the heavy modules it loaded first.
PROBE = """
import contextlib, io, json, sys
heavy = tuple(sys.argv[1].split(","))
under = tuple(h + "." for h in heavy)
def loaded():
    return sorted(m for m in sys.modules if m in heavy or m.startswith(under))
import supportops.cli
from typer.main import get_command
seen = {"import supportops.cli": loaded()}
root = get_command(supportops.cli.app)
lines = [["--help"], ["metrics", "--list"]] + [[name, "--help"] for name in sorted(root.commands)]
for args in lines:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        supportops.cli.app(args, prog_name="supportops")
    seen[" ".join(args)] = [m for m in loaded() if m not in sum(seen.values(), [])]
print(json.dumps(seen))
"""


@pytest.fixture(scope="module")
def loaded_by_command() -> dict[str, list[str]]:
    env = {**os.environ, "PYTHONPATH": str(SRC), "COLUMNS": "100"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, ",".join(HEAVY)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    seen: dict[str, list[str]] = json.loads(done.stdout)
    return seen


def test_importing_the_cli_loads_no_engine(loaded_by_command: dict[str, list[str]]) -> None:
    assert loaded_by_command["import supportops.cli"] == []


def test_help_and_the_metric_list_load_no_engine(loaded_by_command: dict[str, list[str]]) -> None:
    assert loaded_by_command["--help"] == []
    assert loaded_by_command["metrics --list"] == []


def test_every_command_help_loads_no_engine(loaded_by_command: dict[str, list[str]]) -> None:
    helps = {k: v for k, v in loaded_by_command.items() if k.endswith(" --help") and k != "--help"}
    assert {"metrics --help", "tickets --help", "sla --help", "plan --help"} <= set(helps)
    assert {k: v for k, v in helps.items() if v} == {}


def test_the_probe_reports_what_a_command_loads() -> None:
    """The check can fail: a module the command line does load (typer, rich) is reported."""
    env = {**os.environ, "PYTHONPATH": str(SRC), "COLUMNS": "100"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "typer,rich"], capture_output=True, text=True, env=env
    )
    seen = json.loads(done.stdout)
    assert "typer" in seen["import supportops.cli"] and "rich" in seen["import supportops.cli"]
