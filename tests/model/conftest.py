"""Stores on every engine: ``new_store()`` makes an empty store on DuckDB and on PostgreSQL
(a fresh schema each, dropped afterwards); ``any_store`` is one of them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack

import pytest

from supportops.store import DuckDBStore, Store
from tests.postgres import pg_schema

ENGINES = ("duckdb", "postgresql")

StoreFactory = Callable[[], Store]


@pytest.fixture(params=ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    """The engine under test."""
    return str(request.param)


@pytest.fixture
def new_store(engine_name: str) -> Iterator[StoreFactory]:
    """Make empty stores on the engine under test."""
    with ExitStack() as stack:

        def make() -> Store:
            if engine_name == "duckdb":
                store: Store = DuckDBStore(None)
            else:
                from supportops.store.postgres_store import PostgresStore

                store = PostgresStore(stack.enter_context(pg_schema()))
            stack.callback(store.close)
            store.ensure_schema()
            return store

        yield make


@pytest.fixture
def any_store(new_store: StoreFactory) -> Store:
    """One empty store on the engine under test."""
    return new_store()
