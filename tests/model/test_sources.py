"""Rows that name no source attach to their ticket; each bad derived row is quarantined once.

Golden cases in ``golden/split_source`` (the same log with and without a source column outside
``tickets``), ``golden/orphans`` (rows whose ticket is missing or ambiguous) and
``golden/derived`` (a mapped export whose one bad row yields two events); on every engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from supportops.model.importer import ImportReport, import_files
from supportops.store import Store

from .conftest import StoreFactory

GOLDEN = Path(__file__).parent / "golden"
SPLIT = GOLDEN / "split_source" / "split"
WHOLE = GOLDEN / "split_source" / "whole"
TABLES = ("tickets", "events", "surveys", "work", "contacts", "bot_sessions")


def expected(case: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((GOLDEN / case / "expected.yaml").read_text())
    return data


def contents(store: Store, table: str) -> list[str]:
    """A table's rows as sorted text: comparable across stores of one engine."""
    frame = store.query(f'SELECT * FROM "{table}"')
    return sorted(repr(sorted(row.items())) for row in frame.astype(str).to_dict("records"))


def adds_up(report: ImportReport) -> None:
    for name, t in report.tables.items():
        total = t.imported + t.updated + t.duplicates + t.quarantined
        assert t.rows_read == total, (name, t)


def quarantined(store: Store) -> list[list[Any]]:
    rows = store.query('SELECT table_name, "row", "column", reason FROM quarantine')
    return sorted([t, int(r), c, why] for t, r, c, why in rows.values.tolist())


def test_split_exports_give_the_same_store_as_exports_that_all_carry_the_source(
    new_store: StoreFactory,
) -> None:
    split, whole = new_store(), new_store()
    report = import_files(split, [SPLIT])
    import_files(whole, [WHOLE])
    assert report.total("quarantined") == 0
    adds_up(report)
    for table in TABLES:
        assert split.count(table) > 0, table
        assert contents(split, table) == contents(whole, table), table
    orphans = split.scalar(
        "SELECT count(*) FROM events e WHERE NOT EXISTS (SELECT 1 FROM tickets t "
        "WHERE t.source = e.source AND t.ticket_id = e.ticket_id)"
    )
    assert orphans == 0
    csat = split.query(
        "SELECT t.channel, s.score FROM surveys s JOIN tickets t "
        "ON t.source = s.source AND t.ticket_id = s.ticket_id ORDER BY t.channel"
    )
    assert csat.values.tolist() == [["email", 5.0], ["web", 2.0]]


def test_rows_without_a_source_attach_to_the_one_stored_ticket_with_their_id(
    new_store: StoreFactory,
) -> None:
    split, whole = new_store(), new_store()
    import_files(split, [SPLIT / "tickets.csv"])
    report = import_files(split, sorted(p for p in SPLIT.iterdir() if p.stem != "tickets"))
    import_files(whole, [WHOLE])
    assert report.total("quarantined") == 0
    for table in TABLES:
        assert contents(split, table) == contents(whole, table), table


def test_the_imports_own_tickets_win_over_stored_tickets_of_another_source(
    any_store: Store, tmp_path: Path
) -> None:
    (tmp_path / "tickets.csv").write_text(
        "ticket_id,source,created_at,channel,status\nZ1,legacy,2026-03-01T00:00:00Z,email,open\n"
    )
    import_files(any_store, [tmp_path / "tickets.csv"])
    report = import_files(any_store, [SPLIT / "tickets.csv", SPLIT / "events.csv"])
    assert report.total("quarantined") == 0
    by_ticket = any_store.query("SELECT DISTINCT ticket_id, source FROM events")
    assert dict(by_ticket.values.tolist())["Z1"] == "zendesk"


def test_a_ticket_id_stored_under_two_sources_is_ambiguous(
    any_store: Store, tmp_path: Path
) -> None:
    import_files(any_store, [SPLIT / "tickets.csv"])
    (tmp_path / "tickets.csv").write_text(
        "ticket_id,source,created_at,channel,status\nZ1,legacy,2026-03-01T00:00:00Z,email,open\n"
    )
    import_files(any_store, [tmp_path / "tickets.csv"])
    report = import_files(any_store, [SPLIT / "events.csv"])
    reasons = report.table("events").reasons
    assert reasons == {
        "ticket_id: ticket_id is ambiguous across sources (give a source column or --source)": 4
    }
    assert any_store.count("events") == 3


def test_source_applies_to_every_table_of_an_import(any_store: Store) -> None:
    report = import_files(any_store, [SPLIT], source="zendesk")
    sources = {
        t: any_store.query(f'SELECT DISTINCT source FROM "{t}"').source.tolist()
        for t in ("events", "surveys", "work", "contacts", "bot_sessions")
    }
    # tickets carry their own source; every other table takes --source, so F1's rows
    # (a freshdesk ticket) name a zendesk ticket that does not exist: they are kept as given
    assert all(v == ["zendesk"] for v in sources.values()), sources
    adds_up(report)


def test_rows_whose_ticket_is_missing_or_ambiguous_are_quarantined_with_the_reason(
    any_store: Store,
) -> None:
    exp = expected("orphans")
    report = import_files(any_store, [GOLDEN / "orphans"])
    assert {t: any_store.count(t) for t in exp["counts"]} == exp["counts"]
    assert quarantined(any_store) == sorted(exp["quarantine"])
    assert report.total("quarantined") == len(exp["quarantine"])
    adds_up(report)
    for table, owners in exp["sources"].items():
        got = any_store.query(f'SELECT ticket_id, source FROM "{table}"')
        assert dict(got.values.tolist()) == owners, table


def test_a_source_row_with_several_bad_derived_events_is_quarantined_once_per_event(
    any_store: Store,
) -> None:
    exp = expected("derived")
    case = GOLDEN / "derived"
    report = import_files(any_store, [case / "export.csv"], mapping=case / "mapping.yaml")
    for name, counts in exp["tables"].items():
        got = report.table(name)
        assert {k: getattr(got, k) for k in counts} == counts, name
    adds_up(report)
    rows = any_store.query('SELECT table_name, "row", "column", reason, record FROM quarantine')
    import json

    got_rows = sorted(
        [t, int(r), c, why, json.loads(rec)["kind"]] for t, r, c, why, rec in rows.values.tolist()
    )
    assert got_rows == sorted(exp["quarantine"])
    assert "_seq" not in rows.record[0]


def test_servicenow_summary_adds_up_and_each_bad_event_is_quarantined_once(
    shared_data: Path, any_store: Store
) -> None:
    from .test_real_data import SERVICENOW

    report = import_files(any_store, [shared_data / SERVICENOW], mapping="servicenow")
    adds_up(report)
    events = report.table("events")
    assert (events.rows_read, events.imported, events.quarantined) == (7121, 7103, 18)
    assert any_store.count("quarantine") == 18
    distinct = any_store.scalar("SELECT count(DISTINCT record) FROM quarantine")
    assert distinct == 18
