"""``Store.bulk_writes()``: many small commits in a row (a sync's pages) with the engine's file
rewritten once. Every commit stays durable; the engine's settings come back after the block."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from supportops.store import DuckDBStore, Store

KILLED_INSIDE = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from supportops.store import DuckDBStore

    store = DuckDBStore(Path(sys.argv[1]))
    store.execute("CREATE TABLE t (n INTEGER)")
    with store.bulk_writes(memory="64MiB"):
        for n in range(3):
            with store.transaction():
                store.execute("INSERT INTO t VALUES (?)", [n])
        print("committed", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    """
)


def _setting(store: DuckDBStore, name: str) -> str:
    return str(store.scalar("SELECT current_setting(?)", [name]))


def test_the_block_restores_the_checkpoint_threshold_and_the_memory_limit(tmp_path: Path) -> None:
    with DuckDBStore(tmp_path / "s.duckdb") as store:
        store.limit_memory("1GB")
        before = {n: _setting(store, n) for n in ("checkpoint_threshold", "memory_limit")}
        with store.bulk_writes(memory="64MiB"):
            assert _setting(store, "checkpoint_threshold") == "256.0 MiB"
            assert _setting(store, "memory_limit") == "64.0 MiB"
            with store.bulk_writes():  # nested: the outer block's settings hold
                assert _setting(store, "memory_limit") == "64.0 MiB"
            assert _setting(store, "checkpoint_threshold") == "256.0 MiB"
        assert {n: _setting(store, n) for n in before} == before


def test_commits_wait_in_the_log_and_the_block_ends_with_one_checkpoint(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    wal = Path(f"{path}.wal")
    with DuckDBStore(path) as store:
        store.execute("CREATE TABLE t (s VARCHAR)")
        store.execute("CHECKPOINT")
        with store.bulk_writes():
            for _ in range(3):  # 30 MB of text: past DuckDB's own 16 MB threshold
                with store.transaction():
                    store.execute("INSERT INTO t SELECT repeat('x', 1000) FROM range(10000)")
            assert wal.exists() and wal.stat().st_size > 16 * 2**20  # not checkpointed yet
        assert not wal.exists() or wal.stat().st_size == 0  # folded into the file
        assert store.count("t") == 30_000


def test_a_process_killed_inside_the_block_keeps_every_commit(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    run = subprocess.run(
        [sys.executable, "-c", KILLED_INSIDE, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2] / "src")},
    )
    assert run.returncode == -signal.SIGKILL and "committed" in run.stdout, run.stderr
    with DuckDBStore(path) as store:
        assert store.rows("SELECT n FROM t ORDER BY n").values == [(0,), (1,), (2,)]


def test_on_a_database_server_the_block_changes_nothing(store: Store) -> None:
    store.execute("CREATE TABLE t (n INTEGER)")
    with store.bulk_writes(memory="64MiB"), store.transaction():
        store.execute("INSERT INTO t VALUES (1)")
    assert store.count("t") == 1
