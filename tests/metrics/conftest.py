"""The ``engine`` fixture: every metric test runs on DuckDB and on PostgreSQL.

PostgreSQL is the server ``make test`` starts (``scripts/postgres.sh``), named by
``SUPPORTOPS_TEST_PG_URL``. Without it the PostgreSQL half skips locally and fails in CI.
Each test gets its own schema, dropped afterwards.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from supportops.workspace import Workspace

from .eventlog import load

PG_ENV = "SUPPORTOPS_TEST_PG_URL"
ENGINES = ("duckdb", "postgresql")


def _pg_url() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        reason = f"{PG_ENV} is not set: start PostgreSQL with `scripts/postgres.sh` (make test)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return url


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> Iterator[str]:
    """The store URL of the engine under test (a fresh PostgreSQL schema per test)."""
    if request.param == "duckdb":
        yield "duckdb"
        return
    import psycopg

    base = _pg_url()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as con:
        con.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}options=-csearch_path%3D{schema}"
    with psycopg.connect(base, autocommit=True) as con:
        con.execute(f"DROP SCHEMA {schema} CASCADE")


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
