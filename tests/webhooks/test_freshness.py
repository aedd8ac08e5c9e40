"""Pages say how fresh their data is: the newest event, in the report time zone."""

from __future__ import annotations

from datetime import UTC, datetime
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


def test_the_data_quality_page_shows_each_sources_lag_and_webhooks(
    workspace_dir: Path, secrets_env: dict[str, str], zendesk_fake: FakeServer
) -> None:
    """Per source: the last successful sync and the lag since, the newest event, and the
    webhook deliveries by state."""
    from supportops.web import create_app
    from supportops.webhooks.inbox import Inbox
    from supportops.webhooks.payloads import Delivery

    add_sources(workspace_dir, zendesk_fake.url)
    with Workspace.open(workspace_dir) as ws:
        sync_source(ws.store, "zendesk-main", ws.config.sources["zendesk-main"])
        newest = ws.store.scalar('SELECT max("at") FROM events WHERE source = ?', ["zendesk-main"])
        zone = ws.config.report_timezone
    inbox = Inbox.of_workspace(workspace_dir)
    at = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    inbox.append(Delivery("zendesk-main", "d1", "146", "zen:x", at, at, b"{}"))
    inbox.refuse("zendesk-main", "wrong signature", at)
    inbox.close()
    _, token = TokenFile.of_workspace(workspace_dir).create("reader", "read")
    app = create_app(workspace_dir)
    try:
        session_id, _ = app.state.web.tokens.open_session(token)
        html = TestClient(app, cookies={COOKIE: session_id}).get("/quality").text
    finally:
        app.state.web.close()
    table = html[html.index('id="quality-sources"') :].split("</table>")[0]
    assert "zendesk-main" in table and "never" not in table.split("zendesk-main")[1][:200]
    assert local(newest, zone) in table
    assert "1 received, 1 rejected" in table


def test_every_api_answer_says_its_data_as_of_the_newest_event(
    workspace_dir: Path, secrets_env: dict[str, str], zendesk_fake: FakeServer
) -> None:
    from supportops.web import create_app

    add_sources(workspace_dir, zendesk_fake.url)
    with Workspace.open(workspace_dir) as ws:
        sync_source(ws.store, "zendesk-main", ws.config.sources["zendesk-main"])
        newest = ws.store.scalar('SELECT max("at") FROM events')
    _, token = TokenFile.of_workspace(workspace_dir).create("reader", "read")
    app = create_app(workspace_dir)
    try:
        client = TestClient(app)
        answers = [
            client.get(path, headers={"Authorization": f"Bearer {token}"})
            for path in ("/api/quality", "/api/sla/at-risk", "/api/definitions")
        ]
        refused = client.get("/api/quality")
    finally:
        app.state.web.close()
    assert all(a.status_code == 200 for a in answers)
    assert {a.headers["Data-As-Of"] for a in answers} == {newest.isoformat()}
    assert refused.status_code == 401 and "Data-As-Of" not in refused.headers  # not to strangers
