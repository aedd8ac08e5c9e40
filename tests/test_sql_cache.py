"""Generated SQL is kept by its source, dialect and SQLGlot version: a later command reads it
back instead of importing SQLGlot, and what it reads is what a fresh generation gives."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from supportops import sql_cache
from supportops.metrics.compiler import Compiled, render

QUERY = (
    "SELECT source, at, count(*) AS n FROM events "
    "WHERE at >= $from_ts AND kind = $kind AND at < $to_ts GROUP BY ALL"
)
PARAMS = {"from_ts": "2026-01-01", "to_ts": "2026-02-01", "kind": "message"}


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "sql"
    monkeypatch.setenv("SUPPORTOPS_CACHE_DIR", str(folder))
    monkeypatch.setattr(sql_cache, "_MEMORY", {})
    return folder


def _fresh(dialect: str) -> tuple[str, list[object]]:
    """The query generated without any cache."""
    from supportops.metrics import compiler

    done = compiler._generate(compiler.parse(QUERY), dialect, False)
    return done.sql, [PARAMS[n] for n in done.names]


@pytest.mark.parametrize("dialect", ["duckdb", "postgres", "snowflake"])
def test_a_kept_query_equals_a_fresh_generation(cache: Path, dialect: str) -> None:
    first = render(Compiled(QUERY, dict(PARAMS)), dialect)
    assert first == _fresh(dialect)
    if dialect == "duckdb":
        assert '"at"' in first[0]  # the name DuckDB reserves is quoted, as generation does
    assert first[1] == ["2026-01-01", "message", "2026-02-01"]  # values in placeholder order
    assert len(list(cache.glob("*.json"))) == 1
    sql_cache._MEMORY.clear()  # a new process: read back from disk
    assert render(Compiled(QUERY, dict(PARAMS)), dialect) == first


def test_each_dialect_and_text_has_its_own_entry(cache: Path) -> None:
    render(Compiled(QUERY, dict(PARAMS)), "duckdb")
    render(Compiled(QUERY, dict(PARAMS)), "postgres")
    render(Compiled(QUERY + " ORDER BY n", dict(PARAMS)), "duckdb")
    assert len(list(cache.glob("*.json"))) == 3


@pytest.mark.parametrize("damage", [b"", b"{not json", b'{"sql": 1, "names": []}', b"[]"])
def test_a_damaged_entry_is_generated_again_and_rewritten(cache: Path, damage: bytes) -> None:
    render(Compiled(QUERY, dict(PARAMS)), "postgres")
    (entry,) = cache.glob("*.json")
    entry.write_bytes(damage)
    sql_cache._MEMORY.clear()
    assert render(Compiled(QUERY, dict(PARAMS)), "postgres") == _fresh("postgres")
    assert json.loads(entry.read_bytes())["sql"] == _fresh("postgres")[0]


def test_a_folder_that_cannot_be_written_only_costs_the_parse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("SUPPORTOPS_CACHE_DIR", str(blocker / "sql"))
    monkeypatch.setattr(sql_cache, "_MEMORY", {})
    assert render(Compiled(QUERY, dict(PARAMS)), "duckdb") == _fresh("duckdb")


def test_off_turns_the_disk_cache_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPPORTOPS_CACHE_DIR", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(sql_cache, "_MEMORY", {})
    render(Compiled(QUERY, dict(PARAMS)), "duckdb")
    assert sql_cache.cache_dir() is None and not any(tmp_path.iterdir())


def test_the_folder_keeps_at_most_max_files(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sql_cache, "MAX_FILES", 4)
    for i in range(6):
        render(Compiled(f"SELECT {i} AS n", {}), "duckdb")
    kept = len(list(cache.glob("*.json")))
    assert 1 <= kept <= 4


def test_inlined_values_are_never_kept(cache: Path) -> None:
    sql, values = render(Compiled(QUERY, dict(PARAMS)), "duckdb", inline=True)
    assert "'message'" in sql and values == []
    assert not cache.exists() or not list(cache.glob("*.json"))


PROBE = """
import sys
from supportops.metrics.compiler import Compiled, render
print(render(Compiled(sys.argv[1], {"kind": "message"}), "duckdb")[0])
print("sqlglot loaded" if "sqlglot" in sys.modules else "sqlglot not loaded")
"""


def test_a_second_process_renders_without_importing_sqlglot(cache: Path) -> None:
    src = Path(__file__).resolve().parents[1] / "src"
    env = {**os.environ, "PYTHONPATH": str(src)}
    query = "SELECT at FROM events WHERE kind = $kind"

    def run() -> list[str]:
        argv = [sys.executable, "-c", PROBE, query]
        done = subprocess.run(argv, capture_output=True, text=True, env=env, check=True)
        return done.stdout.splitlines()

    first, second = run(), run()
    assert first == ['SELECT "at" FROM events WHERE kind = ?', "sqlglot loaded"]
    assert second == ['SELECT "at" FROM events WHERE kind = ?', "sqlglot not loaded"]
