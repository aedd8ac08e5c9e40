"""Stored instants at the edges (1900, 2099, 9999-12-31T23:59:59Z) do not take pages down: the
readers convert them without int32 seconds or a year 10000, and ranges over such data are
clamped or refused with a 400 that says why."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from supportops.instants import FrozenClock
from supportops.model.importer import import_files
from supportops.tokens import TokenFile
from supportops.web import create_app
from supportops.workspace import Workspace
from tests.instants.conftest import NOW
from tests.web.workspace_data import write_event_log

PAGES = ("/", "/sla", "/backlog", "/plan", "/tickets", "/tickets?metric=sla_active", "/quality")
API = ("/api/sla/at-risk", "/api/sla/instances", "/api/quality", "/api/tickets", "/api/plan")


def _with_ticket_at(folder: Path, stamp: str) -> Path:
    """The test event log plus one ticket (and its events) copied to ``stamp``."""
    files = write_event_log(folder)
    tickets, events = pd.read_csv(files / "tickets.csv"), pd.read_csv(files / "events.csv")
    first = tickets.iloc[0]["ticket_id"]
    extreme = tickets.iloc[[0]].assign(ticket_id="EXTREME", created_at=stamp)
    stamps = [c for c in tickets.columns if c.endswith("_at") and c != "created_at"]
    extreme[stamps] = extreme[stamps].where(extreme[stamps].isna(), stamp)
    moved = events[events["ticket_id"] == first].assign(ticket_id="EXTREME", at=stamp)
    if "event_id" in moved:
        moved["event_id"] = moved["event_id"].astype(str) + "-extreme"
    pd.concat([tickets, extreme]).to_csv(files / "tickets.csv", index=False)
    pd.concat([events, moved]).to_csv(files / "events.csv", index=False)
    return files


@pytest.fixture(
    scope="module", params=["1900-01-01T00:00:00Z", "2099-01-01T00:00:00Z", "9999-12-31T23:59:59Z"]
)
def extreme(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    from supportops.cli.workspace import write_config

    folder = tmp_path_factory.mktemp("extreme")
    write_config(folder, "supportops.yaml", "supportops.templates", force=False)
    with Workspace.open(folder) as ws:
        import_files(ws.store, [_with_ticket_at(tmp_path_factory.mktemp("files"), request.param)])
        assert ws.store.scalar("SELECT count(*) FROM tickets WHERE ticket_id = 'EXTREME'") == 1
    token = TokenFile.of_workspace(folder).create("extreme", "read")[1]
    app = create_app(folder, clock=FrozenClock(NOW))
    client = TestClient(
        app, raise_server_exceptions=False, headers={"Authorization": f"Bearer {token}"}
    )
    client.cookies.set("sops_session", token)
    yield client
    app.state.web.close()


@pytest.mark.parametrize("path", PAGES + API)
def test_a_stored_instant_at_the_edge_does_not_take_a_page_down(
    extreme: TestClient, path: str
) -> None:
    answer = extreme.get(path)
    assert answer.status_code == 200, answer.text[:300]


def test_a_range_over_such_data_is_refused_when_it_makes_too_many_periods(
    extreme: TestClient,
) -> None:
    answer = extreme.get("/api/metrics", params={"metric": "backlog", "grain": "day"})
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert (
        "more than max_periods (5,000)" in error["message"] and error["details"]["key"] == "grain"
    )
    monthly = extreme.get("/api/metrics", params={"metric": "backlog", "grain": "year"})
    assert monthly.status_code == 200, monthly.text[:300]
