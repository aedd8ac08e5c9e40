"""One meaning of an instant: for random naive and aware instants and relative forms, the CLI,
the API and the pages resolve the same instant, and the SLA engine and the metrics query
receive it unchanged (intercepted where each layer is entered)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pandas as pd
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import supportops.metrics.query as metric_query
import supportops.sla.workspace as sla_workspace
from supportops.cli import app
from tests.instants.conftest import NOW, ZONE

runner = CliRunner()
LOCAL = ZoneInfo(ZONE)
WALLS = st.datetimes(min_value=datetime(2023, 6, 1), max_value=datetime(2024, 6, 1))


def _naive() -> st.SearchStrategy[tuple[str, datetime]]:
    return WALLS.map(
        lambda w: (w.isoformat(timespec="seconds"), pd.Timestamp(w.replace(microsecond=0), tz=ZONE))
    )


def _aware() -> st.SearchStrategy[tuple[str, datetime]]:
    def build(wall: datetime, minutes: int) -> tuple[str, datetime]:
        wall = wall.replace(microsecond=0)
        sign = "+" if minutes >= 0 else "-"
        text = f"{wall.isoformat()}{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
        return text, pd.Timestamp(wall - timedelta(minutes=minutes), tz="UTC")

    return st.builds(build, WALLS, st.integers(min_value=-12 * 60, max_value=14 * 60))


def _relative() -> st.SearchStrategy[tuple[str, datetime]]:
    local_today = NOW.astimezone(LOCAL).date()
    midnight = pd.Timestamp(local_today, tz=ZONE)
    fixed = st.sampled_from(
        [
            ("now", pd.Timestamp(NOW)),
            ("today", midnight),
            ("yesterday", pd.Timestamp(local_today - timedelta(days=1), tz=ZONE)),
            ("this month", pd.Timestamp(local_today.replace(day=1), tz=ZONE)),
        ]
    )
    moved = st.builds(
        lambda n, unit: (f"-{n}{unit}", pd.Timestamp(NOW) - pd.Timedelta(n, unit=unit)),
        st.integers(min_value=0, max_value=400),
        st.sampled_from(["h", "m", "d"]),
    )
    return fixed | moved


FORMS = _naive() | _aware() | _relative()


@contextmanager
def _received() -> Iterator[dict[str, list[Any]]]:
    """What the SLA engine (``as_of``) and the metrics query (the :class:`Query`) receive."""
    seen: dict[str, list[Any]] = {"sla": [], "metrics": []}
    engine, prepare = sla_workspace.evaluate, metric_query.prepare

    def evaluate(tickets: Any, events: Any, config: Any, as_of: Any, *rest: Any) -> Any:
        seen["sla"].append(pd.Timestamp(as_of))
        return engine(tickets, events, config, as_of, *rest)

    def prepared(ws: Any, query: Any, execute: bool = True) -> Any:
        seen["metrics"].append(query)
        return prepare(ws, query, execute)

    with (
        mock.patch.object(sla_workspace, "evaluate", evaluate),
        mock.patch.object(metric_query, "prepare", prepared),
    ):
        yield seen


def _cli(folder: Path, *args: str) -> None:
    result = runner.invoke(app, [*args, "-w", str(folder)], env={"SUPPORTOPS_NOW": NOW.isoformat()})
    assert result.exit_code == 0, result.output


def _clear(api: TestClient) -> None:
    api.app.state.web.cache.clear()  # type: ignore[attr-defined]


@settings(
    max_examples=12, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(FORMS)
def test_every_surface_hands_the_engine_and_the_query_the_same_instant(
    cli_workspace: Path, api: TestClient, form: tuple[str, pd.Timestamp]
) -> None:
    text, expected = form
    _clear(api)
    with _received() as seen:
        _cli(cli_workspace, "sla", "at-risk", "--as-of", text, "--format", "json")
        _cli(cli_workspace, "metrics", "tickets_created", "--as-of", text, "--format", "json")
        assert api.get("/api/sla/at-risk", params={"as_of": text}).status_code == 200
        assert (
            api.get("/api/metrics", params={"metric": "tickets_created", "as_of": text}).status_code
            == 200
        )
        _clear(api)  # the API's instances at that instant would answer the page
        assert api.get("/sla", params={"as_of": text}).status_code == 200
    assert len(seen["sla"]) == 3 and len(seen["metrics"]) == 2
    assert all(moment == expected for moment in seen["sla"]), (text, seen["sla"])
    assert all(pd.Timestamp(q.as_of) == expected for q in seen["metrics"]), text


DAYS = st.dates(min_value=date(2023, 6, 1), max_value=date(2024, 6, 1))
PERIODS = st.one_of(
    DAYS.map(lambda d: d.isoformat()),
    DAYS.map(lambda d: f"{d:%Y-%m}"),
    DAYS.map(lambda d: f"{d.isocalendar().year}-W{d.isocalendar().week:02d}"),
    DAYS.map(lambda d: f"{d.year}-Q{(d.month - 1) // 3 + 1}"),
    st.sampled_from(
        ["today", "yesterday", "-7d", "-30d", "last week", "this month", "last month", "2024"]
    ),
)


@settings(
    max_examples=8, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(PERIODS)
def test_every_surface_hands_the_query_the_same_days_for_a_period(
    cli_workspace: Path, api: TestClient, period: str
) -> None:
    _clear(api)
    with _received() as seen:
        _cli(cli_workspace, "metrics", "tickets_created", "--period", period, "--format", "json")
        assert (
            api.get(
                "/api/metrics", params={"metric": "tickets_created", "period": period}
            ).status_code
            == 200
        )
        assert api.get("/", params={"period": period}).status_code == 200
    cli, answered, *page = seen["metrics"]
    assert cli.start is not None and cli.end is not None and cli.start <= cli.end
    assert (answered.start, answered.end) == (cli.start, cli.end)
    assert page and (page[0].start, page[0].end) == (cli.start, cli.end)


def test_alerts_read_a_naive_as_of_in_the_report_zone_and_default_to_the_clock(
    cli_workspace: Path,
) -> None:
    from supportops.alerts.runner import run_alerts
    from supportops.instants import FrozenClock
    from supportops.workspace import Workspace

    with Workspace.open(cli_workspace, clock=FrozenClock(NOW)) as ws:
        report = run_alerts(ws, datetime(2024, 2, 1, 9, 0))
        default = run_alerts(ws)
    assert report.at == pd.Timestamp("2024-02-01T14:00:00Z")  # 09:00 in New York
    assert default.at == NOW
