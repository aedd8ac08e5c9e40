"""Pages read quickly share one transaction, and nothing of what a page guaranteed is lost: a
failure commits the pages read before it, so the rerun starts after the last one read; pages
that overlap in one transaction keep one raw row per record (a fake Zendesk over real HTTP, on
every engine)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pytest

from supportops.connectors import runner
from supportops.connectors.runner import Network, sync_source
from supportops.connectors.spec import PageRequest
from supportops.store import sync_log
from supportops.store.base import Store
from tests.connectors.conftest import ENV, zendesk_source
from tests.connectors.fakes.server import Answer, FakeServer
from tests.connectors.fakes.zendesk import ZendeskAccount, ZendeskFake
from tests.connectors.test_sync import FakeClock, snapshot


def _imports(store: Store, stream: str) -> int:
    """The transactions that wrote rows of ``stream`` (each writes one ``imports`` row)."""
    return int(
        store.scalar(
            "SELECT count(*) FROM imports WHERE files LIKE ?", [f"sync zendesk/{stream}:%"]
        )
        or 0
    )


def test_fast_pages_share_a_transaction_and_give_the_store_of_page_by_page(
    new_store: Any, zendesk_account: ZendeskAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    batched, single = new_store(), new_store()
    with FakeServer(ZendeskFake(zendesk_account, page_size=10)) as fake:
        report = sync_source(batched, "zendesk", zendesk_source(fake.url), network=Network(env=ENV))
        monkeypatch.setattr(runner, "BATCH_PAGES", 1)  # every page alone, as before
        alone = sync_source(single, "zendesk", zendesk_source(fake.url), network=Network(env=ENV))
    assert report.error is None and alone.error is None
    pages = report.streams["ticket_events"].pages
    assert pages > 3
    assert alone.streams["ticket_events"].pages == pages
    assert _imports(single, "ticket_events") == pages
    assert _imports(batched, "ticket_events") < pages  # the pages shared transactions
    assert snapshot(batched) == snapshot(single)


def test_a_failure_keeps_the_pages_read_before_it_and_the_rerun_starts_after_them(
    new_store: Any, zendesk_account: ZendeskAccount
) -> None:
    clock = FakeClock()
    network = Network(env=ENV, sleep=clock.sleep, monotonic=clock.monotonic)
    with FakeServer(ZendeskFake(zendesk_account, page_size=10)) as fake:
        clean = new_store()
        sync_source(clean, "zendesk", zendesk_source(fake.url), network=network)
        asked = [s for s in fake.seen]
    events = [i for i, s in enumerate(asked, 1) if "ticket_events" in s.path]
    fail_at = events[3]  # the fourth page of ticket events, every retry of it too
    faults = {fail_at + k: Answer(503, {"error": "unavailable"}) for k in range(12)}
    store = new_store()
    with FakeServer(ZendeskFake(zendesk_account, page_size=10), faults=faults) as fake:
        failed = sync_source(store, "zendesk", zendesk_source(fake.url), network=network)
        cursor = store.scalar(
            "SELECT cursor FROM sync_state WHERE source = 'zendesk' AND stream = 'ticket_events'"
        )
        resumed = PageRequest.from_json(str(cursor))
        seen = len(fake.seen)
        again = sync_source(store, "zendesk", zendesk_source(fake.url), network=network)
        first_again = next(s for s in fake.seen[seen:] if "ticket_events" in s.path)
    assert failed.error is not None and "503" in failed.error
    assert failed.streams["ticket_events"].pages == 3  # read, and committed before the error
    assert again.error is None
    # the rerun asks first the page that failed, not the stream's first page
    assert first_again.query == dict(resumed.params)
    assert first_again.query == asked[fail_at - 1].query
    assert snapshot(store) == snapshot(clean)


def test_a_record_given_twice_in_one_transaction_is_kept_once(any_store: Store) -> None:
    at = pa.array([datetime(2026, 3, 2, tzinfo=UTC)] * 3, pa.timestamp("us", tz="UTC"))
    rows = pa.table(
        {
            "source": ["zendesk"] * 3,
            "stream": ["ticket_events"] * 3,
            "part": ["ticket_events"] * 3,
            "vendor_id": ["1", "1", "2"],
            "fetched_at": at,
            "digest": ["a", "a", "b"],
            "record": ['{"id": 1}', '{"id": 1}', '{"id": 2}'],
        }
    )
    assert sync_log.one_per_key(rows).column("vendor_id").to_pylist() == ["1", "2"]
    with any_store.transaction():
        assert sync_log.keep_raw(any_store, rows) == 2
    assert any_store.count("raw_records") == 2
    assert sync_log.keep_raw(any_store, rows) == 0  # stored already


def test_pages_held_as_columns_join_as_the_rows_of_one_page_would() -> None:
    """A page's mapped rows become columns when it is read: pages of one transaction that lack
    a column another has (an all-empty column is left out) or spell it narrower join into the
    table their rows would have made together."""
    rows: list[list[dict[str, Any]]] = [
        [{"ticket_id": "1", "kind": "message", "body": None, "value": 1}],
        [{"ticket_id": "2", "kind": "message", "body": "hello", "value": 2.5}],
        [{"ticket_id": "3", "kind": "status", "value": None, "custom": {"b": 1, "a": 2}}],
    ]
    pages = iter([{"events": runner._table(page)} for page in rows])
    [(name, _, batches, _)] = list(runner._streams(pages, "label"))
    joined = pa.Table.from_batches(list(batches))
    together = runner._table([row for page in rows for row in page])
    assert name == "events"
    assert joined.select(together.column_names).to_pylist() == together.to_pylist()
    assert joined.column("custom").to_pylist() == [None, None, '{"a": 2, "b": 1}']


@pytest.mark.parametrize(
    "rows",
    [
        [{"a": "x", "n": 1}, {"b": "y", "n": 2.5}, {"a": None, "e": None}],
        [{"a": "x", "custom": {"k": 1}}, {"a": "y", "custom": None}],
        [{"at": datetime(2026, 1, 2, 3, 4, tzinfo=UTC)}, {"at": "2026-01-02T03:05:00Z"}],
        [{"tags": ["a", "b"], "public": True}, {"tags": [], "public": None}],
    ],
    ids=["keys differ", "a JSON object", "an instant beside text", "lists and flags"],
)
def test_mapped_rows_become_columns_of_every_key_with_objects_and_instants_as_text(
    rows: list[dict[str, Any]],
) -> None:
    table = runner._table(rows)
    expected = {
        key: [runner._cell(row.get(key)) for row in rows]
        for key in dict.fromkeys(k for row in rows for k in row)
        if any(row.get(key) is not None for row in rows)
    }
    assert table.to_pydict() == expected
