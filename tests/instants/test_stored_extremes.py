"""Stored instants at the edges (1900, 2099, 9999-12-31T23:59:59Z) do not take pages down: the
readers convert them without int32 seconds or a year 10000, and ranges over such data are
clamped or refused with a 400 that says why."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from supportops.instants import FrozenClock
from supportops.model.importer import import_files
from supportops.model.schema import TABLES
from supportops.store.base import Store
from supportops.tokens import TokenFile
from supportops.web import create_app
from supportops.workspace import Workspace
from tests.instants.conftest import NOW
from tests.web.conftest import session
from tests.web.workspace_data import write_event_log

PAGES = ("/", "/sla", "/backlog", "/plan", "/tickets", "/tickets?metric=sla_active", "/quality")
API = ("/api/sla/at-risk", "/api/sla/instances", "/api/quality", "/api/tickets", "/api/plan")


def _copy_ticket_to(store: Store, stamp: str) -> None:
    """One stored ticket (and its events) copied as ``EXTREME`` with every instant at ``stamp``.

    Written into the store directly: the importer quarantines such instants (outside 1970 ..
    the import horizon), but a store may still hold them (older imports, a shared warehouse),
    and the readers must not crash on them."""
    for table, key in (("tickets", None), ("events", "event_id")):
        stamps = [c.name for c in TABLES[table].columns if c.type == "timestamp"]
        moved = f"TIMESTAMPTZ '{stamp}'"
        swaps = [f'CASE WHEN "{c}" IS NULL THEN NULL ELSE {moved} END AS "{c}"' for c in stamps]
        swaps.append("'EXTREME' AS ticket_id")
        if key:
            swaps.append(f"{key} || '-extreme' AS {key}")
        store.execute(
            f"INSERT INTO {table} SELECT * REPLACE ({', '.join(swaps)}) FROM {table} "
            "WHERE ticket_id = (SELECT min(ticket_id) FROM tickets)"
        )


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
        import_files(ws.store, [write_event_log(tmp_path_factory.mktemp("files"))])
        _copy_ticket_to(ws.store, request.param)
        assert ws.store.scalar("SELECT count(*) FROM tickets WHERE ticket_id = 'EXTREME'") == 1
    token = TokenFile.of_workspace(folder).create("extreme", "read")[1]
    app = create_app(folder, clock=FrozenClock(NOW))
    client = TestClient(
        app, raise_server_exceptions=False, headers={"Authorization": f"Bearer {token}"}
    )
    client.cookies.update(session(app, token))
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
