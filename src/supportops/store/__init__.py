"""Where the event log lives: the embedded DuckDB store, or PostgreSQL for a server."""

from __future__ import annotations

from pathlib import Path

from supportops.errors import ConfigError
from supportops.store.base import Capabilities, Store, UpsertCounts
from supportops.store.duckdb_store import STORE_FILE, DuckDBStore

__all__ = ["STORE_FILE", "Capabilities", "DuckDBStore", "Store", "UpsertCounts", "open_store"]


def open_store(url: str, folder: Path, read_only: bool = False) -> Store:
    """Open the store named by ``url`` (``duckdb`` or ``postgresql://...``) for ``folder``."""
    if url == "duckdb":
        return DuckDBStore(folder / STORE_FILE, read_only=read_only)
    if url.startswith(("postgresql://", "postgres://")):
        from supportops.store.postgres_store import PostgresStore  # type: ignore[import-not-found]

        store: Store = PostgresStore(url)
        return store
    raise ConfigError(
        f"store: {url!r} is not a store (expected duckdb or postgresql://user@host/db)", key="store"
    )
