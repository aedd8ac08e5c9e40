"""The command line starts without its engines: ``import supportops.cli``, ``supportops --help``,
``supportops metrics --list`` and every group's ``--help`` load no DuckDB, pandas, NumPy, Arrow,
SciPy, HTTP client, web framework, nor the store, metric engine, SLA, web or workforce packages.

Each case runs in a fresh interpreter (the test process has them all loaded already). A command
command added to ``COMMANDS`` is covered as soon as it is listed, and a command a module registers
but the table does not list fails ``test_the_command_table_is_what_the_modules_register``.
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
seen = {"import supportops.cli": loaded()}
lines = [["--help"], ["metrics", "--list"]] + [[name, "--help"] for name in supportops.cli.COMMANDS]
for args in lines:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        supportops.cli.root.main(args, prog_name="supportops")  # the entry point's root
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
    """The check can fail: a module the command line does load (typer, the metrics command's
    module) is reported."""
    env = {**os.environ, "PYTHONPATH": str(SRC), "COLUMNS": "100"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "typer,supportops.cli.metrics"],
        capture_output=True,
        text=True,
        env=env,
    )
    seen = json.loads(done.stdout)
    assert "typer" in seen["import supportops.cli"]
    assert seen["metrics --list"] == ["supportops.cli.metrics"]


def test_help_imports_no_command_module() -> None:
    """``supportops --help`` lists the commands from the table, without building one of them."""
    probe = (
        "import contextlib, io, sys, supportops.cli\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    supportops.cli.root.main(['--help'], prog_name='supportops')\n"
        "print(sorted(m for m in sys.modules if m.startswith('supportops.cli.')))"
    )
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.strip() == "[]"


def test_the_command_table_is_what_the_modules_register() -> None:
    """Each module registers exactly the commands :data:`COMMANDS` gives it, with that help, and
    the table lists them in the order the whole app does."""
    from typer.main import get_group

    from supportops.cli import COMMANDS, typer_app

    registered = {
        name: (module, command.get_short_help_str(10**6))
        for module in dict.fromkeys(m for m, _ in COMMANDS.values())
        for name, command in get_group(typer_app((module,))).commands.items()
    }
    assert registered == COMMANDS
    assert list(get_group(typer_app()).commands) == list(COMMANDS)


def test_the_roots_help_is_the_whole_apps_help() -> None:
    from typer.main import get_group

    from supportops.cli import root, typer_app

    whole = get_group(typer_app())
    assert _help(root) == _help(whole)


def test_a_command_runs_from_the_lazy_root() -> None:
    env = {**os.environ, "PYTHONPATH": str(SRC), "COLUMNS": "200"}
    done = subprocess.run(
        [sys.executable, "-m", "supportops", "metrics", "--list"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert "first_reply_time" in done.stdout
    wrong = subprocess.run(
        [sys.executable, "-m", "supportops", "metrcs"], capture_output=True, text=True, env=env
    )
    assert wrong.returncode == 2 and "metrics" in wrong.stderr  # the closest command is named


def _help(command: object) -> str:
    from typer import _click as click

    assert isinstance(command, click.Command)
    with click.Context(command, info_name="supportops", terminal_width=100) as ctx:
        return command.get_help(ctx)
