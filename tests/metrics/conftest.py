"""The ``engine`` fixture: every metric test runs on DuckDB and on PostgreSQL.

PostgreSQL is the server ``make test`` starts (``scripts/postgres.sh``), named by
``SUPPORTOPS_TEST_PG_URL``. Without it the PostgreSQL half skips locally and fails in CI.
Each test gets its own schema, dropped afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from supportops.workspace import Workspace
from tests.postgres import pg_schema

from .eventlog import load

ENGINES = ("duckdb", "postgresql")


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> Iterator[str]:
    """The store URL of the engine under test (a fresh PostgreSQL schema per test)."""
    if request.param == "duckdb":
        yield "duckdb"
        return
    with pg_schema() as url:
        yield url


WorkspaceFactory = Callable[..., Workspace]


@pytest.fixture
def make_ws(engine: str, tmp_path: Path) -> Iterator[WorkspaceFactory]:
    """Build a workspace on the engine under test from a log and a config mapping."""
    opened: list[Workspace] = []

    def build(
        log: dict[str, Any] | None = None, config: dict[str, Any] | None = None, name: str = "ws"
    ) -> Workspace:
        folder = tmp_path / name
        folder.mkdir()
        text = json.dumps({"store": engine, **(config or {})})  # JSON is YAML
        (folder / "supportops.yaml").write_text(text, encoding="utf-8")
        ws = Workspace(folder)
        opened.append(ws)
        load(ws.store, log or {})
        return ws

    yield build
    for ws in opened:
        ws.close()
