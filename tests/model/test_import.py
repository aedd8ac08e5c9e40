"""Importing the Support Event Log: golden logs with exact counts, idempotency, quarantine."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from supportops.errors import InputError
from supportops.model.importer import import_files
from supportops.store import DuckDBStore, Store

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture
def store() -> Store:
    s = DuckDBStore(None)
    s.ensure_schema()
    return s


def expected(case: str) -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((GOLDEN / case / "expected.yaml").read_text())


def test_a_small_log_imports_with_exact_counts_and_clean_values(store: Store) -> None:
    exp = expected("basic")
    report = import_files(store, [GOLDEN / "basic"])
    assert {t: store.count(t) for t in exp["counts"]} == exp["counts"]
    assert report.total("quarantined") == exp["quarantined"]
    rows = store.query("SELECT * FROM tickets").set_index("ticket_id")
    for ticket_id, values in exp["tickets"].items():
        for column, value in values.items():
            got = rows.loc[ticket_id, column]
            if column == "created_at":
                assert got.isoformat() == value
            elif isinstance(value, list):
                assert list(got) == value
            elif value is None:
                assert got is None
            else:
                assert got == value, (ticket_id, column)


def test_an_internal_note_is_a_private_message_and_a_message_without_public_is_public(
    store: Store,
) -> None:
    import_files(store, [GOLDEN / "basic"])
    public = dict(store.query("SELECT event_id, public FROM events WHERE kind = 'message'").values)
    assert public["e2"] is True and public["e3"] is False and public["e5"] is True


def test_importing_the_same_rows_twice_changes_nothing(store: Store) -> None:
    import_files(store, [GOLDEN / "basic"])
    before = {t: store.query(f"SELECT * FROM {t} ORDER BY ALL") for t in ("tickets", "events")}
    second = import_files(store, [GOLDEN / "basic"])
    assert second.total("imported") == 0 and second.total("updated") == 0
    assert second.table("tickets").duplicates == 3 and second.table("events").duplicates == 6
    for table, frame in before.items():
        assert store.query(f"SELECT * FROM {table} ORDER BY ALL").equals(frame)


def test_a_later_row_updates_the_ticket_and_repeated_keys_are_merged(store: Store) -> None:
    report = import_files(store, [GOLDEN / "update"])
    assert store.count("tickets") == 2
    assert store.scalar("SELECT status FROM tickets WHERE ticket_id = 'T1'") == "pending"
    assert report.table("tickets").duplicates == 1


def test_a_changed_ticket_replaces_the_stored_row(store: Store, tmp_path: Path) -> None:
    import_files(store, [GOLDEN / "basic"])
    changed = (
        (GOLDEN / "basic" / "tickets.csv")
        .read_text()
        .replace("T2,2026-03-02T10:30:00Z,Chat,open", "T2,2026-03-02T10:30:00Z,Chat,solved")
    )
    (tmp_path / "tickets.csv").write_text(changed)
    report = import_files(store, [tmp_path / "tickets.csv"])
    assert (report.table("tickets").updated, report.table("tickets").duplicates) == (1, 2)
    assert store.scalar("SELECT status FROM tickets WHERE ticket_id = 'T2'") == "solved"


def test_every_kind_of_bad_row_is_quarantined_with_its_reason_and_good_rows_are_kept(
    store: Store,
) -> None:
    exp = expected("bad_rows")
    report = import_files(store, [GOLDEN / "bad_rows"])
    assert {t: store.count(t) for t in exp["counts"]} == exp["counts"]
    got = store.query(
        'SELECT table_name, CAST("row" AS INTEGER) AS r, "column", reason FROM quarantine '
        "ORDER BY table_name DESC, r"
    )
    want = sorted(
        exp["quarantine"], key=lambda q: ({"tickets": 0, "events": 1, "surveys": 2}[q[0]], q[1])
    )
    got_rows = sorted(
        got.values.tolist(), key=lambda q: ({"tickets": 0, "events": 1, "surveys": 2}[q[0]], q[1])
    )
    assert got_rows == want
    assert report.total("quarantined") == len(want)
    record = store.scalar("SELECT record FROM quarantine WHERE reason LIKE 'cannot parse%'")
    assert '"yesterday"' in record


def test_naive_timestamps_are_read_in_the_given_zone(store: Store) -> None:
    import_files(store, [GOLDEN / "bad_rows" / "tickets.csv"], timezone="America/New_York")
    created = store.scalar("SELECT created_at FROM tickets WHERE ticket_id = 'B1'")
    assert created.isoformat() == "2026-03-02T14:00:00+00:00"


def test_a_missing_required_column_is_fatal_and_named(store: Store, tmp_path: Path) -> None:
    (tmp_path / "tickets.csv").write_text(
        "ticket_id,created_at,status\n1,2026-01-01T00:00:00Z,open\n"
    )
    with pytest.raises(InputError, match="missing required column channel") as info:
        import_files(store, [tmp_path / "tickets.csv"])
    assert info.value.column == "channel"
    assert store.count("tickets") == 0


def test_a_missing_file_is_fatal_and_named(store: Store, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        import_files(store, [tmp_path / "nope.csv"])


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl"])
def test_importing_an_export_gives_the_same_store(store: Store, tmp_path: Path, fmt: str) -> None:
    from supportops.model.exporter import export_log

    import_files(store, [GOLDEN / "basic"])
    export_log(store, tmp_path, fmt)  # type: ignore[arg-type]
    again = DuckDBStore(None)
    again.ensure_schema()
    import_files(again, [tmp_path])
    for table in ("tickets", "events", "surveys"):
        assert again.query(f"SELECT * FROM {table} ORDER BY ALL").equals(
            store.query(f"SELECT * FROM {table} ORDER BY ALL")
        ), table
