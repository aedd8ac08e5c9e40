"""Fixtures of the instant tests: two copies of one small workspace (one for the CLI, one held
open by the app) in New York time, a frozen clock, and clients."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from supportops.instants import FrozenClock
from supportops.model.importer import import_files
from supportops.tokens import TokenFile
from supportops.web import create_app
from supportops.workspace import Workspace
from tests.web.conftest import session
from tests.web.workspace_data import write_event_log

NOW = datetime(2024, 3, 1, 15, 0, tzinfo=UTC)  # the test data ends on 1 March 2024
ZONE = "America/New_York"  # the template's report_timezone


def _workspace(factory: pytest.TempPathFactory, name: str) -> Path:
    from supportops.cli.workspace import write_config

    folder = factory.mktemp(name)
    write_config(folder, "supportops.yaml", "supportops.templates", force=False)
    with Workspace.open(folder) as ws:
        assert ws.config.report_timezone == ZONE
        import_files(ws.store, [write_event_log(factory.mktemp(f"{name}-files"))])
    return folder


@pytest.fixture(scope="session")
def cli_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The workspace the CLI commands open."""
    return _workspace(tmp_path_factory, "instants-cli")


@pytest.fixture(scope="session")
def web_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The workspace the app holds open."""
    return _workspace(tmp_path_factory, "instants-web")


@pytest.fixture(scope="session")
def read_token(web_folder: Path) -> str:
    """A read token of the app's workspace."""
    return TokenFile.of_workspace(web_folder).create("instants", "read")[1]


@pytest.fixture(scope="session")
def frozen_app(web_folder: Path, read_token: str) -> Iterator[FastAPI]:
    """The app over the web workspace, its clock frozen at :data:`NOW`."""
    application = create_app(web_folder, clock=FrozenClock(NOW))
    yield application
    application.state.web.close()


@pytest.fixture(scope="session")
def api(frozen_app: FastAPI, read_token: str) -> TestClient:
    """A client with a read token (API) and a read session (pages)."""
    client = TestClient(frozen_app, headers={"Authorization": f"Bearer {read_token}"})
    client.cookies.update(session(frozen_app, read_token))
    return client
