"""Pages say how fresh their data is: the newest event, in the report time zone."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from supportops.connectors.runner import sync_source
from supportops.numbers import local
from supportops.tokens import TokenFile
from supportops.web.auth import COOKIE
from supportops.workspace import Workspace
from tests.connectors.fakes.server import FakeServer
from tests.webhooks.conftest import add_sources


def test_every_page_shows_data_as_of_the_newest_event(
    workspace_dir: Path, secrets_env: dict[str, str], zendesk_fake: FakeServer
) -> None:
    from supportops.web import create_app

    add_sources(workspace_dir, zendesk_fake.url)
    with Workspace.open(workspace_dir) as ws:
        sync_source(ws.store, "zendesk-main", ws.config.sources["zendesk-main"])
        newest = ws.store.scalar('SELECT max("at") FROM events')
        zone = ws.config.report_timezone
    _, token = TokenFile.of_workspace(workspace_dir).create("reader", "read")
    app = create_app(workspace_dir)
    try:
        session_id, _ = app.state.web.tokens.open_session(token)
        client = TestClient(app, cookies={COOKIE: session_id})
        html = client.get("/sla").text
    finally:
        app.state.web.close()
    assert newest is not None
    assert 'id="data-as-of"' in html and f"Data as of {local(newest, zone)}" in html
