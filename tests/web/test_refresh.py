"""`supportops serve` keeps the materialised facts and the SLA snapshot fresh: it rebuilds them
in the background at start when stale and after each import through the API."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from supportops.cli.workspace import write_config
from supportops.metrics.materialize import is_fresh
from supportops.model.importer import import_files
from supportops.tokens import TokenFile
from supportops.web import create_app
from supportops.workspace import Workspace
from tests.web.conftest import bearer
from tests.web.workspace_data import write_event_log


def _settle(app: FastAPI, seconds: float = 120) -> None:
    """Wait for the background refresh to end."""
    deadline = time.monotonic() + seconds
    while app.state.web.refreshing and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not app.state.web.refreshing, "the refresh did not end"


def _fresh(app: FastAPI) -> bool:
    with app.state.web.workspace(remember=False) as ws:
        return is_fresh(ws)


def test_the_server_refreshes_at_start_and_after_an_api_import(tmp_path: Path) -> None:
    write_config(tmp_path, "supportops.yaml", "supportops.templates", force=False)
    with Workspace.open(tmp_path) as ws:
        import_files(ws.store, [write_event_log(tmp_path / "files", tickets=120)])
    file = TokenFile.of_workspace(tmp_path)
    read, write = (file.create(scope, scope)[1] for scope in ("read", "write"))
    app = create_app(tmp_path, refresh=True)
    try:
        assert not _fresh(app)
        with TestClient(app) as client:  # runs the lifespan: the refresh starts
            _settle(app)
            assert _fresh(app)
            body = "ticket_id,created_at,channel,status\nNEW1,2024-02-20T10:00:00Z,email,open\n"
            files = {"files": ("tickets.csv", body.encode(), "text/csv")}
            answer = client.post("/api/imports", files=files, headers=bearer(write))
            assert answer.status_code == 200, answer.text
            _settle(app)
            assert _fresh(app)
            query = {"metric": "tickets_created"}
            found = client.get("/api/metrics", params=query, headers=bearer(read)).json()
            assert found[0]["tickets_created"] == 121
    finally:
        app.state.web.close()


def test_without_refresh_the_server_leaves_the_tables_alone(tmp_path: Path) -> None:
    write_config(tmp_path, "supportops.yaml", "supportops.templates", force=False)
    with Workspace.open(tmp_path) as ws:
        import_files(ws.store, [write_event_log(tmp_path / "files", tickets=50)])
    app = create_app(tmp_path)
    try:
        with TestClient(app):
            assert not app.state.web.refreshing
        assert not _fresh(app)
    finally:
        app.state.web.close()
