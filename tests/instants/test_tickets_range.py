"""``supportops tickets --from/--to/--period`` keeps the tickets created on those days: the
same tickets ``tickets_created`` counts for that range."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from supportops.cli import app
from tests.instants.conftest import NOW

runner = CliRunner()
ENV = {"SUPPORTOPS_NOW": NOW.isoformat()}


def _json(folder: Path, *args: str) -> list[dict[str, object]]:
    result = runner.invoke(app, [*args, "--format", "json", "-w", str(folder)], env=ENV)
    assert result.exit_code == 0, result.output
    rows: list[dict[str, object]] = json.loads(result.stdout)
    return rows


@pytest.mark.parametrize(
    "days",
    [
        ["--period", "2024-02"],
        ["--period", "2024-W05"],
        ["--from", "2024-01-20", "--to", "2024-01-31"],
    ],
)
def test_the_tickets_of_a_range_are_those_tickets_created_counts(
    cli_workspace: Path, days: list[str]
) -> None:
    listed = _json(cli_workspace, "tickets", *days)
    counted = _json(cli_workspace, "metrics", "tickets_created", *days)
    assert listed and len(listed) == counted[0]["tickets_created"]
    everything = _json(cli_workspace, "tickets")
    assert len(listed) < len(everything)


def test_tickets_refuse_a_range_they_cannot_read(cli_workspace: Path) -> None:
    result = runner.invoke(
        app,
        ["tickets", "--period", "2024-02", "--from", "2024-02-01", "-w", str(cli_workspace)],
        env=ENV,
    )
    assert result.exit_code == 2 and "not both" in result.output
