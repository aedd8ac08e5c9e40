"""Fixtures of the web tests: one small imported workspace, tokens of each scope, a client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from supportops.model.importer import import_files
from supportops.tokens import TokenFile
from supportops.web import create_app
from supportops.workspace import Workspace
from tests.web.workspace_data import write_event_log


@pytest.fixture(scope="session")
def web_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace holding 400 tickets over January–February 2024."""
    from supportops.cli.workspace import write_config

    folder = tmp_path_factory.mktemp("web-ws")
    write_config(folder, "supportops.yaml", "supportops.templates", force=False)
    files = write_event_log(tmp_path_factory.mktemp("web-files"))
    with Workspace.open(folder) as ws:
        import_files(ws.store, [files])
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


def bearer(token: str) -> dict[str, str]:
    """The Authorization header of ``token``."""
    return {"Authorization": f"Bearer {token}"}
