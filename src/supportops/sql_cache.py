"""Generated SQL kept by its source, as Python keeps bytecode: render once, read back after.

:func:`supportops.metrics.compiler.render` parses a query's DuckDB text with SQLGlot and
generates it for the store's dialect: for a short command that is most of its start-up
(SQLGlot's import and one parse of the drill-down, about 0.3 s). The generated text and the
order of its placeholders depend only on the source text, the dialect and SQLGlot's version,
so they are kept under a digest of the three:

- in memory, for the life of the process (the web app renders the same queries again);
- on disk, one small JSON file per query in the user's cache folder
  (``$SUPPORTOPS_CACHE_DIR``, else ``$XDG_CACHE_HOME/supportops/sql``, else
  ``~/.cache/supportops/sql``), so the next command reads it back without importing SQLGlot.

A file is written whole or not at all (a temporary file moved into place). A file that cannot
be read or does not hold an entry is a miss and is written again; a folder that cannot be
written only costs the next command the parse. The folder keeps at most :data:`MAX_FILES`
entries: past that, the older half is removed. ``SUPPORTOPS_CACHE_DIR=off`` turns the disk
cache off.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["MAX_FILES", "Rendered", "cache_dir", "rendered"]

MAX_FILES = 2000
_MAX_MEMORY = 1024
_MEMORY: dict[str, Rendered] = {}


@dataclass(frozen=True)
class Rendered:
    """A query generated for a dialect: its text (positional placeholders) and the names of
    the parameters in the order of its placeholders."""

    sql: str
    names: tuple[str, ...]


def cache_dir() -> Path | None:
    """The folder of the disk cache, or None when it is turned off."""
    chosen = os.environ.get("SUPPORTOPS_CACHE_DIR")
    if chosen == "off":
        return None
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "supportops" / "sql"


def rendered(text: str, dialect: str, render: Callable[[], Rendered]) -> Rendered:
    """``text`` generated for ``dialect``: from memory, from the disk cache, or by ``render``
    (then kept in both)."""
    key = _key(text, dialect)
    found = _MEMORY.get(key)
    if found is not None:
        return found
    folder = cache_dir()
    found = _read(folder / f"{key}.json") if folder is not None else None
    if found is None:
        found = render()
        if folder is not None:
            _write(folder, key, found)
    if len(_MEMORY) >= _MAX_MEMORY:
        _MEMORY.clear()
    _MEMORY[key] = found
    return found


def _key(text: str, dialect: str) -> str:
    digest = hashlib.sha256()
    for part in (_sqlglot_version(), dialect, text):
        digest.update(part.encode())
        digest.update(b"\x00")
    return digest.hexdigest()[:40]


@functools.cache
def _sqlglot_version() -> str:
    """SQLGlot's installed version, read from its metadata (importing it is what we avoid)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("sqlglot")
    except PackageNotFoundError:  # pragma: no cover - sqlglot is a dependency
        return "unknown"


def _read(path: Path) -> Rendered | None:
    try:
        entry = json.loads(path.read_bytes())
        sql, names = entry["sql"], entry["names"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(sql, str) or not isinstance(names, list):
        return None
    if not all(isinstance(n, str) for n in names):
        return None
    return Rendered(sql, tuple(names))


def _write(folder: Path, key: str, entry: Rendered) -> None:
    body = json.dumps({"sql": entry.sql, "names": list(entry.names)}).encode()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(body)
            os.replace(tmp, folder / f"{key}.json")
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _prune(folder)
    except OSError:
        return  # a cache that cannot be written costs the next command a parse, nothing more


def _prune(folder: Path) -> None:
    entries = [p for p in folder.iterdir() if p.suffix == ".json" and not p.name.startswith(".")]
    if len(entries) <= MAX_FILES:
        return
    entries.sort(key=lambda p: p.stat().st_mtime)
    for old in entries[: len(entries) // 2]:
        old.unlink(missing_ok=True)
