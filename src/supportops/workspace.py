"""A workspace: a folder holding ``supportops.yaml`` and, by default, the embedded store."""

from __future__ import annotations

import copy
import os
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from supportops.config import CONFIG_FILE, WorkspaceConfig, load_config
from supportops.errors import StoreCorruptError, WorkspaceError
from supportops.instants import Clock, default_clock
from supportops.store import STORE_FILE, Store, open_store

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ENV_VAR", "REPAIR", "Workspace", "resolve_path"]

ENV_VAR = "SUPPORTOPS_WORKSPACE"
REPAIR = (
    "No command rewrites a damaged DuckDB file in place: move the file away (keep it), then "
    "re-import the source files into a new store (`supportops import FILES`, which creates "
    "it, then `supportops metrics refresh`), or restore the file from a backup."
)


def resolve_path(path: Path | str | None) -> Path:
    """The workspace folder: ``path``, else ``$SUPPORTOPS_WORKSPACE``, else the current folder."""
    if path is not None:
        return Path(path)
    env = os.environ.get(ENV_VAR)
    return Path(env) if env else Path.cwd()


def _private(store_file: Path, new: bool) -> None:
    """Only the owner may read the store (and, for a new store, enter the workspace)."""
    if new:
        store_file.parent.chmod(0o700)
    for path in (store_file, store_file.with_name(store_file.name + ".wal")):
        if path.exists() and path.stat().st_mode & 0o077:
            path.chmod(0o600)


class Workspace:
    """A workspace folder: its validated config and its store.

    >>> ws = Workspace.open("demo-workspace")          # doctest: +SKIP
    >>> ws.store.count("tickets")                      # doctest: +SKIP
    """

    def __init__(
        self, path: Path | str | None = None, read_only: bool = False, clock: Clock | None = None
    ) -> None:
        self.path = resolve_path(path)
        self.read_only = read_only
        self.clock: Clock = clock or default_clock()
        config_file = self.path / CONFIG_FILE
        if not config_file.is_file():
            raise WorkspaceError(
                f"{self.path} is not a workspace: no {CONFIG_FILE} "
                "(create one with `supportops init DIR`, or pass --workspace DIR)",
                path=str(self.path),
            )
        self.config: WorkspaceConfig = load_config(config_file)

    @classmethod
    def open(
        cls, path: Path | str | None = None, read_only: bool = False, clock: Clock | None = None
    ) -> Workspace:
        """Open the workspace at ``path`` (see :func:`resolve_path`); ``clock`` says what time
        it is (default: the system clock, see :func:`supportops.instants.default_clock`)."""
        return cls(path, read_only=read_only, clock=clock)

    @cached_property
    def store(self) -> Store:
        """The store named by the config's ``store`` key, with its tables created (a store
        file that cannot be opened is a :class:`StoreCorruptError` with the way back).

        A store file this creates makes the workspace private: the folder 0700, the file
        0600; a store file readable by others is made 0600 when opened for writing."""
        embedded = self.path / STORE_FILE if self.config.store == "duckdb" else None
        new = embedded is not None and not embedded.exists()
        try:
            store = open_store(self.config.store, self.path, read_only=self.read_only)
        except StoreCorruptError as exc:
            raise StoreCorruptError(
                f"{exc.message}. {REPAIR}", path=str(embedded), repair=REPAIR
            ) from exc
        if not self.read_only:
            if embedded is not None:
                _private(embedded, new)
            store.ensure_schema()
        return store

    def check_store(self) -> None:
        """:class:`StoreCorruptError` naming the damaged tables and the way back, unless every
        table of the store reads through."""
        damaged = self.store.damaged()
        if damaged:
            tables = "; ".join(f"{name}: {error}" for name, error in damaged)
            raise StoreCorruptError(
                f"the store {self.path / STORE_FILE} is damaged ({tables}). {REPAIR}",
                path=str(self.path / STORE_FILE),
                repair=REPAIR,
            )

    def query(self, sql: str, params: list[Any] | None = None) -> pd.DataFrame:
        """Run SQL on the store and return a DataFrame."""
        return self.store.query(sql, params)

    def with_store(self, store: Store) -> Workspace:
        """This workspace (its folder, config and clock) over ``store``: a view of its store,
        or the store of a transaction in progress. Closing the copy does not close ``store``'s
        owner; the caller keeps it."""
        view = copy.copy(self)
        view.__dict__["store"] = store
        return view

    def close(self) -> None:
        """Close the store if it was opened."""
        if "store" in self.__dict__:
            self.store.close()
            del self.__dict__["store"]

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def metrics(self, metric_ids: list[str] | str, **options: Any) -> pd.DataFrame:
        """Metrics of the catalog, one row per group (see :func:`supportops.metrics.metrics`)."""
        from supportops.metrics.query import metrics

        return metrics(self, metric_ids, **options)

    def tickets(self, **options: Any) -> pd.DataFrame:
        """One row per ticket with its facts (see :func:`supportops.metrics.drilldown.tickets`)."""
        from supportops.metrics.drilldown import tickets

        facts: pd.DataFrame = tickets(self, **options)
        return facts
