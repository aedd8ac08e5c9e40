"""The CSV a store writes itself (``copy_csv``, DuckDB's COPY on all its threads) is the CSV the
rows written part by part make (``write_parts``): the same header, quoting, formula-safe text,
lists, instants and numbers, byte for byte; and the file appears whole or not at all."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from supportops.cli.demo import build_demo
from supportops.errors import SupportOpsError
from supportops.metrics import drilldown
from supportops.metrics.ticket_files import copy_csv, csv_bytes, write_parts
from supportops.store.duckdb_store import DuckDBStore
from supportops.workspace import Workspace


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ticket-csv") / "ws"
    build_demo(folder, tickets=1_500, seed=3, progress=False)
    return folder


AWKWARD = pa.table(
    {
        "i": pa.array([1, 2, 3, 4], pa.int64()),
        "text": ["=HYPERLINK(1)", 'say "hi", twice', None, "-3 plain\nline"],
        "tags": pa.array([["a", "b"], [], None, ["+x"]], pa.list_(pa.string())),
        "at": pa.array(
            [datetime(2026, 3, 2, 14, 0, 0, 123456, tzinfo=UTC), None, datetime(1999, 1, 1), None],
            pa.timestamp("us", tz="UTC"),
        ),
        "seconds": [3600.0, 0.5, None, 1234.25],
        "n": pa.array([None, 7, -2, 0], pa.int64()),
        "ok": [True, None, False, True],
    }
)


def test_awkward_cells_come_out_as_the_parts_writer_writes_them(tmp_path: Path) -> None:
    with DuckDBStore(tmp_path / "s.duckdb") as store:
        store.con.register("awkward_src", AWKWARD)
        store.execute("CREATE TABLE awkward AS SELECT * FROM awkward_src")
        sql = "SELECT * FROM awkward ORDER BY i"
        out = tmp_path / "out.csv"
        assert copy_csv(store, sql, [], out) == 4
        expected = csv_bytes(store.arrow(sql), header=True)
    assert out.read_bytes() == expected
    assert b"'=HYPERLINK(1)" in expected and b'"\'+x"' in expected  # formulas are text


def test_the_demo_drill_down_is_the_same_file_either_way(demo: Path, tmp_path: Path) -> None:
    order = [("created_at", False), ("ticket_id", True)]
    with Workspace.open(demo, read_only=True) as ws:
        sql, params = drilldown.ticket_sql(ws, sort=order)
        copied = tmp_path / "copied.csv"
        rows = copy_csv(ws.store, sql, params, copied)
        parted = tmp_path / "parted.csv"
        assert write_parts(drilldown.ticket_rows(ws, sort=order), parted, "csv") == rows
    assert rows is not None and rows > 1_000
    assert copied.read_bytes() == parted.read_bytes()
    header = copied.read_text(encoding="utf-8").splitlines()[0]
    assert '"assignee_name"' in header and '"organization_name"' in header


def test_a_failed_write_leaves_the_file_before_and_no_litter(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    out.write_text("before\n", encoding="utf-8")
    with DuckDBStore(tmp_path / "s.duckdb") as store:
        store.execute("CREATE TABLE t AS SELECT 'x' AS s, 1 AS n")
        broken = "SELECT s, CAST(s AS INTEGER) AS n FROM t"  # fails while the rows are written
        with pytest.raises(SupportOpsError):
            copy_csv(store, broken, [], out)
    assert out.read_text(encoding="utf-8") == "before\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "s.duckdb"]


def test_the_cli_file_and_the_cli_stream_hold_the_same_rows(demo: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from supportops.cli import app

    out = tmp_path / "all.csv"
    args = ["tickets", "--format", "csv", "-w", str(demo)]
    written = CliRunner().invoke(app, [*args, "--output", str(out)])
    streamed = CliRunner().invoke(app, args)
    assert written.exit_code == 0 and streamed.exit_code == 0, written.output
    file_lines = out.read_text(encoding="utf-8").splitlines()
    stream_lines = streamed.stdout.splitlines()
    assert file_lines[0] == stream_lines[0]
    assert sorted(file_lines[1:]) == sorted(stream_lines[1:])


def test_the_header_is_the_one_arrows_writer_writes() -> None:
    import pyarrow as pa

    from supportops.metrics.ticket_files import _header, csv_bytes

    names = ["ticket_id", 'odd "name"', "group", "a,b"]
    empty = pa.table({n: pa.array([], pa.string()) for n in names})
    assert _header(names) == csv_bytes(empty, header=True)
