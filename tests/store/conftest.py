"""The store of every engine: DuckDB, and PostgreSQL when a server is given."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from supportops.store import Store, open_store
from tests.postgres import pg_schema


@pytest.fixture(params=["duckdb", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "duckdb":
        with open_store("duckdb", tmp_path) as opened:
            yield opened
        return
    with pg_schema() as url, open_store(url, tmp_path) as opened:
        yield opened
