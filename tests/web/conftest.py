"""Fixtures of the web tests: one small imported workspace, tokens of each scope, a client."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from supportops.model.importer import import_files
from supportops.tokens import TokenFile
from supportops.web import create_app
from supportops.web.auth import COOKIE
from supportops.workspace import Workspace
from tests.web.workspace_data import name_organizations, write_event_log


@pytest.fixture(scope="session")
def web_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace holding 400 tickets over January–February 2024."""
    from supportops.cli.workspace import write_config

    folder = tmp_path_factory.mktemp("web-ws")
    write_config(folder, "supportops.yaml", "supportops.templates", force=False)
    files = write_event_log(tmp_path_factory.mktemp("web-files"))
    with Workspace.open(folder) as ws:
        import_files(ws.store, [files])
        name_organizations(ws.store)
    return folder


@pytest.fixture(scope="session")
def tokens(web_workspace: Path) -> dict[str, str]:
    """A token of each scope, by scope."""
    file = TokenFile.of_workspace(web_workspace)
    return {scope: file.create(f"test-{scope}", scope)[1] for scope in ("read", "write", "admin")}


@pytest.fixture(scope="session")
def app(web_workspace: Path, tokens: dict[str, str]) -> Iterator[FastAPI]:
    """The app over the test workspace (one per session: it holds the DuckDB store)."""
    application = create_app(web_workspace)
    yield application
    application.state.web.close()


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    """A client without credentials."""
    return TestClient(app)


def session(app: Any, token: str) -> dict[str, str]:
    """The cookies of a page session of ``app`` opened with ``token`` (as the login does)."""
    session_id, _ = app.state.web.tokens.open_session(token)
    return {COOKIE: session_id}


def bearer(token: str) -> dict[str, str]:
    """The Authorization header of ``token``."""
    return {"Authorization": f"Bearer {token}"}


@contextmanager
def live(app: FastAPI) -> Iterator[str]:
    """``app`` on a real uvicorn at http://127.0.0.1:PORT, in a thread, while the block runs."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@contextmanager
def signed_in_tab(app: FastAPI, token: str) -> Iterator[tuple[Any, list[str]]]:
    """A headless chromium tab signed in to ``app`` (served live) with ``token``, and the
    console and page errors it met; skips without Playwright or chromium."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    from scripts.chromium import ARGS, CHROMIUM

    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    problems: list[str] = []
    with live(app) as url, playwright_api.sync_playwright() as play:
        chromium = play.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        tab = chromium.new_context(base_url=url).new_page()
        tab.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        tab.on("pageerror", lambda e: problems.append(str(e)))
        tab.goto("/login")
        tab.fill("#token", token)
        tab.click("button[type=submit]")
        tab.wait_for_url(f"{url}/")
        try:
            yield tab, problems
        finally:
            chromium.close()
