"""A workspace whose store is damaged is refused at start, with the way back; OS failures are
one line."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from supportops.errors import StoreCorruptError
from supportops.model.importer import import_files
from supportops.store import STORE_FILE
from supportops.workspace import REPAIR, Workspace
from tests.web.workspace_data import write_event_log


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A workspace with 400 tickets, and the source files it was imported from."""
    from supportops.cli.workspace import write_config

    folder = tmp_path_factory.mktemp("ws")
    write_config(folder, "supportops.yaml", "supportops.templates", force=False)
    files = write_event_log(tmp_path_factory.mktemp("files"))
    with Workspace.open(folder) as ws:
        import_files(ws.store, [files])
        ws.check_store()
    return folder, files


def _copy(good: tuple[Path, Path], tmp_path: Path, keep: float) -> Path:
    folder = tmp_path / "ws"
    shutil.copytree(good[0], folder)
    store = folder / STORE_FILE
    with store.open("r+b") as handle:
        handle.truncate(int(store.stat().st_size * keep))
    return folder


def test_a_torn_store_is_detected_with_its_tables_and_the_way_back(
    good: tuple[Path, Path], tmp_path: Path
) -> None:
    folder = _copy(good, tmp_path, keep=0.5)
    with Workspace.open(folder) as ws, pytest.raises(StoreCorruptError) as info:
        ws.check_store()
    assert "tickets: IO Error" in info.value.message and info.value.repair == REPAIR  # type: ignore[attr-defined]


def test_a_store_that_is_no_database_is_refused_at_open(
    good: tuple[Path, Path], tmp_path: Path
) -> None:
    folder = _copy(good, tmp_path, keep=0.0001)
    with Workspace.open(folder) as ws, pytest.raises(StoreCorruptError, match="re-import"):
        ws.store.count("tickets")


def test_the_advised_repair_works(good: tuple[Path, Path], tmp_path: Path) -> None:
    folder = _copy(good, tmp_path, keep=0.5)
    (folder / STORE_FILE).rename(tmp_path / "damaged.duckdb")  # "move the file away"
    with Workspace.open(folder) as ws:  # "re-import the source files into a new store"
        import_files(ws.store, [good[1]])
        ws.check_store()
        assert ws.store.count("tickets") == 400


def test_serve_on_a_torn_store_prints_one_line_and_exits_2(
    good: tuple[Path, Path], tmp_path: Path
) -> None:
    folder = _copy(good, tmp_path, keep=0.5)
    command = [sys.executable, "-m", "supportops", "serve", "--port", "1", "-w", str(folder)]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "damaged" in done.stderr and "supportops import" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_full_disk_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import supportops.cli as cli

    def full(**_: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "/ws/supportops.duckdb")

    monkeypatch.setattr(cli.root, "main", full)
    with pytest.raises(SystemExit) as info:
        cli.main()
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.strip() == "error: /ws/supportops.duckdb: No space left on device"
