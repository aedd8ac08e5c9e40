"""Forecasting from a workspace: volume from the store, closed days from its calendar."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from supportops.calendar import BusinessCalendar
from supportops.cli.demo import build_demo
from supportops.cli.workforce import register
from supportops.workforce.volume import closed_dates, parse_grain, workspace_volume
from supportops.workspace import Workspace


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("workforce") / "demo"
    build_demo(folder, tickets=3_000, progress=False)
    return folder


def test_volume_per_channel_and_interval_counts_every_contact_and_ticket(demo: Path) -> None:
    with Workspace.open(demo, read_only=True) as ws:
        volume = workspace_volume(ws, parse_grain("30min"))
        contacts = ws.query("SELECT channel, count(*) AS n FROM contacts GROUP BY 1")
        tickets = ws.query("SELECT channel, count(*) AS n FROM tickets GROUP BY 1")
    totals = volume.groupby("unique_id")["y"].sum()
    for row in contacts.itertuples():
        assert totals[row.channel] == row.n
    for row in tickets[~tickets["channel"].isin(contacts["channel"])].itertuples():
        assert totals[row.channel] == row.n
    per_day = volume.groupby("unique_id")["ds"].count() / 48
    assert (per_day == per_day.round()).all()  # whole days, empty intervals as 0


def test_forecast_from_the_workspace_is_zero_on_the_calendars_closed_days(demo: Path) -> None:
    app = typer.Typer()
    register(app)
    args = ["forecast", "-w", str(demo), "--channel", "email", "--horizon", "21d",
            "--format", "json"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    rows = pd.DataFrame(json.loads(result.stdout)["rows"])
    rows["ds"] = pd.to_datetime(rows["ds"])
    with Workspace.open(demo, read_only=True) as ws:
        name = ws.config.default_calendar
        assert name is not None
        calendar = BusinessCalendar.from_config(ws.config.calendars[name], name)
    shut = closed_dates(calendar, rows["ds"].min(), rows["ds"].max())
    assert any(d.weekday() < 5 for d in shut) or len(shut) >= 3  # Sundays at least
    on_closed = rows["ds"].dt.date.isin(shut)
    assert (rows.loc[on_closed, "y_hat"] == 0).all()
    assert rows.loc[~on_closed, "y_hat"].sum() > 0
