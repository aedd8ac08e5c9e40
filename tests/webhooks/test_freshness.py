"""Pages and the API say how fresh their data is: the newest event, in the report time zone on
pages and in UTC in the API's `Data-As-Of`; the Data quality page says it per source, with the
webhook deliveries by state."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from supportops.connectors.runner import sync_source
from supportops.numbers import local
from supportops.tokens import TokenFile
from supportops.web.auth import COOKIE
from supportops.workspace import Workspace
from tests.connectors.fakes.server import FakeServer
from tests.webhooks.conftest import add_sources


@dataclass(frozen=True)
class Synced:
    """A workspace synced from the Zendesk fake: its newest event, its zone, a read token."""

    folder: Path
    newest: datetime
    zone: str
    token: str


@pytest.fixture
def synced(workspace_dir: Path, secrets_env: dict[str, str], zendesk_fake: FakeServer) -> Synced:
    add_sources(workspace_dir, zendesk_fake.url)
    with Workspace.open(workspace_dir) as ws:
        sync_source(ws.store, "zendesk-main", ws.config.sources["zendesk-main"])
        newest = ws.store.scalar('SELECT max("at") FROM events')
        zone = ws.config.report_timezone
    assert newest is not None
    _, token = TokenFile.of_workspace(workspace_dir).create("reader", "read")
    return Synced(workspace_dir, newest, zone, token)


@pytest.fixture
def client(synced: Synced) -> Iterator[TestClient]:
    """A client of the app over the synced workspace (no cookie: add one for pages)."""
    from supportops.web import create_app

    app = create_app(synced.folder)
    try:
        yield TestClient(app)
    finally:
        app.state.web.close()


def _page(client: TestClient, token: str, path: str) -> str:
    session_id, _ = client.app.state.web.tokens.open_session(token)  # type: ignore[attr-defined]
    return client.get(path, cookies={COOKIE: session_id}).text


def test_every_page_shows_data_as_of_the_newest_event(synced: Synced, client: TestClient) -> None:
    html = _page(client, synced.token, "/sla")
    assert 'id="data-as-of"' in html
    assert f"Data as of {local(synced.newest, synced.zone)}" in html


def test_the_data_quality_page_shows_each_sources_lag_and_webhooks(synced: Synced) -> None:
    """Per source: the last successful sync and the lag since, the newest event, and the
    webhook deliveries by state."""
    from supportops.web import create_app
    from supportops.webhooks.inbox import Inbox
    from supportops.webhooks.payloads import Delivery

    inbox = Inbox.of_workspace(synced.folder)
    at = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    inbox.append(Delivery("zendesk-main", "d1", "146", "zen:x", at, at, b"{}"))
    inbox.refuse("zendesk-main", "wrong signature", at)
    inbox.close()
    app = create_app(synced.folder)
    try:
        html = _page(TestClient(app), synced.token, "/quality")
    finally:
        app.state.web.close()
    table = html[html.index('id="quality-sources"') :].split("</table>")[0]
    assert "zendesk-main" in table and "never" not in table.split("zendesk-main")[1][:200]
    assert local(synced.newest, synced.zone) in table
    assert "1 received, 1 rejected" in table


def test_every_api_answer_says_its_data_as_of_the_newest_event(
    synced: Synced, client: TestClient
) -> None:
    answers = [
        client.get(path, headers={"Authorization": f"Bearer {synced.token}"})
        for path in ("/api/quality", "/api/sla/at-risk", "/api/definitions")
    ]
    refused = client.get("/api/quality")
    assert all(a.status_code == 200 for a in answers)
    assert {a.headers["Data-As-Of"] for a in answers} == {synced.newest.isoformat()}
    assert refused.status_code == 401 and "Data-As-Of" not in refused.headers  # not to strangers
