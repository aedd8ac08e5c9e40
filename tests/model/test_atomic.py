"""An import is one transaction: a file that cannot be read leaves the store exactly as before,
and the import is named as unfinished (with why) by the import log; on every engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from supportops.errors import InputError
from supportops.model.importer import import_files
from supportops.store import Store
from supportops.store.import_log import unfinished_imports

GOLDEN = Path(__file__).parent / "golden"
TABLES = ("tickets", "events", "surveys", "quarantine", "imports")


def snapshot(store: Store) -> dict[str, list[str]]:
    return {
        t: sorted(map(repr, store.query(f'SELECT * FROM "{t}"').astype(str).values.tolist()))
        for t in TABLES
    }


def broken_events() -> bytes:
    """An events.jsonl whose last line is cut short: reading fails after tickets were merged."""
    rows = "".join(
        f'{{"ticket_id": "N1", "at": "2026-03-05T09:{i:02d}:00Z", "kind": "message"}}\n'
        for i in range(50)
    )
    return (rows + '{"ticket_id": "N2", "at": \n').encode()


def broken_folder(tmp_path: Path) -> Path:
    """A good tickets.csv and an events.jsonl that cannot be read to its end."""
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "tickets.csv").write_text(
        "ticket_id,created_at,channel,status\nN1,2026-03-05T09:00:00Z,email,open\n"
        "N2,2026-03-05T09:00:00Z,chat,open\n"
    )
    (folder / "events.jsonl").write_bytes(broken_events())
    return folder


def test_a_failed_import_leaves_the_store_as_it_was_and_is_named(
    any_store: Store, tmp_path: Path
) -> None:
    import_files(any_store, [GOLDEN / "bad_rows"])
    before = snapshot(any_store)
    with pytest.raises(InputError, match=r"events\.jsonl"):
        import_files(any_store, [broken_folder(tmp_path)])
    assert snapshot(any_store) == before
    [unfinished] = unfinished_imports(any_store)
    assert "events.jsonl" in unfinished.files and "tickets.csv" in unfinished.files
    assert unfinished.error is not None and "events.jsonl" in unfinished.error


def test_a_finished_import_is_not_unfinished(any_store: Store) -> None:
    report = import_files(any_store, [GOLDEN / "basic"])
    assert unfinished_imports(any_store) == []
    assert any_store.scalar("SELECT import_id FROM import_runs") == report.import_id


def test_nested_transactions_commit_once_and_an_inner_error_undoes_everything(
    any_store: Store,
) -> None:
    import pyarrow as pa

    row = pa.table({"import_id": ["x"], "table_name": ["t"]})
    with pytest.raises(RuntimeError), any_store.transaction():
        any_store.append("quarantine", row)
        with any_store.transaction():
            any_store.append("quarantine", row)
            raise RuntimeError("inner")
    assert any_store.count("quarantine") == 0
    with any_store.transaction():
        any_store.append("quarantine", row)
        with any_store.transaction():
            any_store.append("quarantine", row)
    assert any_store.count("quarantine") == 2
