"""Damage to a file stays with the rows it touches: one case per kind of bad input, each with its
quarantine and no good row lost; a file that cannot be read at all is one line naming it."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from supportops.errors import InputError
from supportops.model.importer import import_files
from supportops.store import DuckDBStore, Store

HEAD = "ticket_id,created_at,channel,status\n"


def good(n: int, start: int = 1) -> str:
    return "".join(f"G{i},2026-03-02T09:00:00Z,email,open\n" for i in range(start, start + n))


@pytest.fixture
def store() -> Store:
    s = DuckDBStore(None)
    s.ensure_schema()
    return s


def imported(
    store: Store, folder: Path, text: str | bytes, **options: object
) -> list[list[object]]:
    folder.mkdir(exist_ok=True)
    path = folder / "tickets.csv"
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    report = import_files(store, [path], **options)  # type: ignore[arg-type]
    rep = report.table("tickets")
    assert rep.rows_read == rep.imported + rep.quarantined
    rows = store.query('SELECT "row", "column", reason FROM quarantine ORDER BY "row"')
    return [[int(r), c, why] for r, c, why in rows.values.tolist()]


def test_a_ragged_row_is_quarantined_with_its_row_and_the_others_keep_their_numbers(
    store: Store, tmp_path: Path
) -> None:
    text = HEAD + good(1) + "B2,2026-03-02T09:00:00Z,email,open,x,y,z\n" + good(1, 3)
    text += "B4,2026-03-02T09:00:00Z\nG5,2026-03-02T09:00:00Z,email,nope\n" + good(2, 6)
    got = imported(store, tmp_path, text)
    assert got == [
        [2, "record", "expected 4 fields, got 7"],
        [4, "record", "expected 4 fields, got 2"],
        [
            5,
            "status",
            "unknown value (expected one of new, open, pending, on_hold, solved, closed)",
        ],
    ]
    assert store.count("tickets") == 4


def test_a_nul_byte_quarantines_its_row(store: Store, tmp_path: Path) -> None:
    text = HEAD + good(2) + "B\x003,2026-03-02T09:00:00Z,email,open\n" + good(2, 4)
    assert imported(store, tmp_path, text) == [[3, "ticket_id", "NUL byte in the value"]]
    assert store.count("tickets") == 4


def test_an_instant_outside_1970_to_the_horizon_quarantines_its_row(
    store: Store, tmp_path: Path
) -> None:
    text = HEAD + good(1) + "B2,9999-01-01T00:00:00Z,email,open\n"
    text += "B3,1969-12-31T23:59:59Z,email,open\n" + good(1, 4)
    reason = "implausible instant (before 1970 or more than 365 days after the import)"
    got = imported(store, tmp_path, text)
    assert got == [[2, "created_at", reason], [3, "created_at", reason]]
    assert store.count("tickets") == 2


def test_the_horizon_is_configurable(store: Store, tmp_path: Path) -> None:
    text = HEAD + "B1,2099-01-01T00:00:00Z,email,open\n"
    assert imported(store, tmp_path, text, horizon_days=365 * 100) == []


def test_a_value_not_in_the_encoding_quarantines_its_row_with_a_hint(
    store: Store, tmp_path: Path
) -> None:
    rows = HEAD + good(2000) + "Bé2001,2026-03-02T09:00:00Z,email,open\n" + good(9, 2002)
    data = rows.encode("cp1252")
    got = imported(store, tmp_path, data)
    reason = "not valid utf-8 (the file decodes as cp1252: pass --encoding cp1252)"
    assert got == [[2001, "ticket_id", reason]]
    assert store.count("tickets") == 2009
    record = store.scalar("SELECT record FROM quarantine")
    assert '"B\\ufffd2001"' in record


def test_another_encoding_is_read_when_named(store: Store, tmp_path: Path) -> None:
    data = (HEAD + good(1) + "Bé2,2026-03-02T09:00:00Z,email,open\n").encode("cp1252")
    assert imported(store, tmp_path, data, encoding="cp1252") == []
    assert store.scalar("SELECT count(*) FROM tickets WHERE ticket_id = 'Bé2'") == 1


def test_a_jsonl_file_not_in_the_encoding_is_one_line_naming_it_with_a_hint(
    store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "tickets.jsonl"
    line = '{"ticket_id": "Bé", "created_at": "2026-03-02T09:00:00Z", "channel": "email", '
    path.write_bytes((line + '"status": "open"}\n').encode("cp1252"))
    with pytest.raises(InputError, match="--encoding cp1252") as info:
        import_files(store, [path])
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_a_header_naming_a_column_twice_is_an_error_naming_it(store: Store, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="column status named more than once") as info:
        imported(store, tmp_path, "ticket_id,created_at,channel,status,status\n")
    assert info.value.column == "status"  # type: ignore[attr-defined]


@pytest.mark.parametrize("kind", ["parquet", "jsonl"])
def test_a_damaged_parquet_or_jsonl_file_is_one_line_naming_it(
    store: Store, tmp_path: Path, kind: str
) -> None:
    path = tmp_path / f"tickets.{kind}"
    if kind == "parquet":
        table = pa.table({"ticket_id": ["a"], "created_at": ["2026-03-02T09:00:00Z"]})
        pq.write_table(table, path)
        path.write_bytes(path.read_bytes()[:-20])  # truncated
    else:
        path.write_text('{"ticket_id": "a", "created_at": \n')
    with pytest.raises(InputError) as info:
        import_files(store, [path])
    assert str(path) in str(info.value) and "\n" not in str(info.value)
    assert store.count("tickets") == 0


def test_a_mapped_export_is_read_in_the_encoding_named(store: Store, tmp_path: Path) -> None:
    golden = Path(__file__).parent / "golden" / "derived"
    text = (golden / "export.csv").read_text().replace("G2", "Équipe 2")
    (tmp_path / "export.csv").write_bytes(text.encode("cp1252"))
    import_files(
        store, [tmp_path / "export.csv"], mapping=golden / "mapping.yaml", encoding="cp1252"
    )
    assert store.scalar("SELECT \"group\" FROM tickets WHERE ticket_id = 'I1'") == "Équipe 2"
