"""Help-center articles through the connectors: Zendesk Guide's list and Freshdesk's solutions
tree, mapped to the ``articles`` table (drafts and tombstones are no coverage), synced over real
HTTP on every engine; a second sync writes nothing, and an article gone from the list becomes a
tombstone by snapshot diff (live again if it comes back as it was)."""

from __future__ import annotations

import copy
import dataclasses
import re
from typing import Any

import pytest

from supportops.connectors.pagination import ListCursor, PageNumber
from supportops.connectors.runner import Network, rebuild_source, sync_source
from supportops.connectors.spec import MappingContext, Stream, Vendor
from supportops.connectors.vendors import freshdesk, zendesk
from supportops.http import RateLimit
from supportops.store.base import Store
from tests.connectors.conftest import ENV, zendesk_source
from tests.connectors.fakes.freshdesk import FreshdeskAccount, FreshdeskFake, recorded_solutions
from tests.connectors.fakes.server import Answer, FakeServer, Seen
from tests.connectors.fakes.zendesk import ZendeskAccount, ZendeskFake, article
from tests.connectors.test_freshdesk import ENV as FRESHDESK_ENV
from tests.connectors.test_freshdesk import _source as freshdesk_source
from tests.connectors.test_sync import snapshot


def _articles(store: Store, source: str) -> dict[str, dict[str, Any]]:
    rows = store.arrow("SELECT * FROM articles WHERE source = ?", [source]).to_pylist()
    return {str(r["article_id"]): r for r in rows}


def _collapsed(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_recorded_solution_articles_map_to_their_plain_text_and_drafts_are_drafts() -> None:
    recorded = recorded_solutions()["articles"]
    rows = freshdesk.map_solution_articles({"": recorded}, MappingContext("fd")).tables["articles"]
    assert [r["article_id"] for r in rows] == [str(a["id"]) for a in recorded]
    for row, data in zip(rows, recorded, strict=True):
        # the HTML description read by the one HTML reader says what Freshdesk's own plain
        # text says, word for word
        assert row["text"] == _collapsed(data["description_text"])
        assert "<" not in row["text"] and row["title"] == data["title"]
        assert row["status"] == {1: "draft", 2: "published"}[data["status"]]
        assert (row["source"], row["updated_at"]) == ("fd", data["updated_at"])
    assert {r["status"] for r in rows} == {"draft", "published"}  # the recording has both


def test_a_solution_article_links_to_its_page_on_the_accounts_portal() -> None:
    recorded = recorded_solutions()["articles"]
    context = MappingContext("fd", url="https://acme.freshdesk.com/")
    rows = freshdesk.map_solution_articles({"": recorded}, context).tables["articles"]
    assert [r["url"] for r in rows] == [
        f"https://acme.freshdesk.com/support/solutions/articles/{a['id']}" for a in recorded
    ]
    unlinked = freshdesk.map_solution_articles({"": recorded}, MappingContext("fd"))
    assert {r["url"] for r in unlinked.tables["articles"]} == {None}  # no base URL, no link


def test_a_zendesk_article_maps_its_page_locale_and_draft_flag() -> None:
    published = article(7, "Refunds", "<p>Open <b>Billing</b>.</p><ul><li>Pick</li></ul>")
    draft = article(8, "Soon", "<p>Later</p>", draft=True, locale="fr")
    rows = zendesk.map_articles({"articles": [published, draft]}, MappingContext("z"))
    first, second = rows.tables["articles"]
    assert first["text"] == "Open Billing. Pick"
    assert (first["url"], first["locale"]) == (published["html_url"], "en-us")
    assert (first["status"], second["status"], second["locale"]) == ("published", "draft", "fr")


def test_a_tombstone_maps_to_a_deleted_article() -> None:
    gone = {"_gone": article(9, "Old", "<p>Gone</p>")}
    row = zendesk.map_articles({"articles": [gone]}, MappingContext("z")).tables["articles"][0]
    assert (row["article_id"], row["status"], row["title"]) == ("9", "deleted", "Old")


def test_a_zendesk_sync_lands_the_articles_and_a_second_writes_nothing(
    any_store: Store, zendesk_account: ZendeskAccount
) -> None:
    with FakeServer(ZendeskFake(zendesk_account, page_size=10)) as fake:
        source = zendesk_source(fake.url)
        sync_source(any_store, "zendesk", source, network=Network(env=ENV))
        before = snapshot(any_store)
        again = sync_source(any_store, "zendesk", source, network=Network(env=ENV))
    stored = _articles(any_store, "zendesk")
    assert set(stored) == {str(a["id"]) for a in zendesk_account.articles}
    for data in zendesk_account.articles:
        row = stored[str(data["id"])]
        assert row["status"] == ("draft" if data["draft"] else "published")
        assert row["url"] == data["html_url"] and row["title"] == data["title"]
    assert stored["360002"]["text"] == (
        "Forgot it? Click Forgot password. Follow the e-mail's link."
    )
    assert again.streams["articles"].requests == 1 and again.streams["articles"].rows == 0
    assert snapshot(any_store) == before
    assert any_store.count("quarantine") == 0


def test_a_freshdesk_sync_walks_the_solutions_tree_and_a_second_writes_nothing(
    any_store: Store,
) -> None:
    account = FreshdeskAccount.from_recorded()
    with FakeServer(FreshdeskFake(account)) as fake:
        source = freshdesk_source(fake.url)
        sync_source(any_store, "freshdesk", source, network=Network(env=FRESHDESK_ENV))
        before = snapshot(any_store)
        again = sync_source(any_store, "freshdesk", source, network=Network(env=FRESHDESK_ENV))
        asked = [s.path for s in fake.seen if "/solutions/" in s.path]
    stored = _articles(any_store, "freshdesk")
    assert set(stored) == {str(a["id"]) for a in account.solution_articles}
    assert {k: r["status"] for k, r in stored.items()} == {
        str(a["id"]): "draft" if a["status"] == 1 else "published"
        for a in account.solution_articles
    }
    assert asked.count("/api/v2/solutions/categories/2/folders") == 2  # every run
    assert asked.count("/api/v2/solutions/folders/3/articles") == 2
    assert all(s.rows == 0 for s in again.streams.values())
    assert snapshot(any_store) == before


def test_an_archived_zendesk_article_becomes_a_tombstone_and_comes_back_live(
    any_store: Store, zendesk_account: ZendeskAccount
) -> None:
    account = copy.deepcopy(zendesk_account)
    with FakeServer(ZendeskFake(account, page_size=10)) as fake:
        source = zendesk_source(fake.url)
        sync_source(any_store, "zendesk", source, network=Network(env=ENV))
        archived = account.articles.pop(0)  # archived: no longer listed
        sync_source(any_store, "zendesk", source, network=Network(env=ENV))
        gone = _articles(any_store, "zendesk")[str(archived["id"])]
        after = snapshot(any_store)
        third = sync_source(any_store, "zendesk", source, network=Network(env=ENV))
        assert snapshot(any_store) == after  # the tombstone is written once
        rebuild_source(any_store, "zendesk", source)
        rebuilt = _articles(any_store, "zendesk")[str(archived["id"])]["status"]
        account.articles.insert(0, archived)  # restored unchanged
        sync_source(any_store, "zendesk", source, network=Network(env=ENV))
    assert (gone["status"], gone["title"], gone["url"]) == (
        "deleted",
        archived["title"],
        archived["html_url"],
    )
    assert third.streams["articles"].rows == 0 and rebuilt == "deleted"
    assert _articles(any_store, "zendesk")[str(archived["id"])]["status"] == "published"
    others = [a for a in _articles(any_store, "zendesk").values() if a["status"] == "deleted"]
    assert others == []


def test_a_deleted_freshdesk_folder_buries_its_articles(any_store: Store) -> None:
    account = FreshdeskAccount.from_recorded()
    with FakeServer(FreshdeskFake(account)) as fake:
        source = freshdesk_source(fake.url)
        sync_source(any_store, "freshdesk", source, network=Network(env=FRESHDESK_ENV))
        account.solution_folders = []
        report = sync_source(any_store, "freshdesk", source, network=Network(env=FRESHDESK_ENV))
    assert report.error is None
    assert {r["status"] for r in _articles(any_store, "freshdesk").values()} == {"deleted"}


def test_a_run_that_stops_midway_buries_nothing_and_the_next_reads_from_the_start(
    any_store: Store, zendesk_account: ZendeskAccount
) -> None:
    account = copy.deepcopy(zendesk_account)
    account.articles += [article(360100 + n, f"Guide {n}", f"<p>Step {n}</p>") for n in range(3)]
    small = dataclasses.replace(
        zendesk.VENDOR,
        streams=tuple(
            dataclasses.replace(s, pagination=ListCursor(size=2)) if s.name == "articles" else s
            for s in zendesk.VENDOR.streams
        ),
    )
    served = ZendeskFake(account, page_size=10)
    refusing = {"on": False}

    def app(seen: Seen, base: str) -> Answer:
        later = seen.path.endswith("help_center/articles.json") and "page[after]" in seen.query
        if refusing["on"] and later:
            return Answer(403, {"error": "Forbidden"})
        return served(seen, base)

    def run() -> Any:
        return sync_source(any_store, "zendesk", source, network=Network(env=ENV), vendor=small)

    with FakeServer(app) as fake:
        source = zendesk_source(fake.url)
        run()
        refusing["on"] = True
        stopped = run()  # the first page of articles, then a refusal
        assert "page[after]" in any_store.scalar(
            "SELECT cursor FROM sync_state WHERE stream = 'articles'"
        )
        assert "deleted" not in {r["status"] for r in _articles(any_store, "zendesk").values()}
        refusing["on"] = False
        archived = account.articles.pop()
        first = len(fake.seen)
        run()
        asked = [s for s in fake.seen[first:] if s.path.endswith("help_center/articles.json")]
    assert stopped.error is not None
    assert "page[after]" not in asked[0].query  # a snapshot starts from its first page
    assert len(asked) == 3  # five articles, two a page
    statuses = {k: r["status"] for k, r in _articles(any_store, "zendesk").items()}
    assert [k for k, v in statuses.items() if v == "deleted"] == [str(archived["id"])]


def test_a_child_read_only_for_changed_parents_is_never_buried(any_store: Store) -> None:
    account = FreshdeskAccount.from_recorded()
    streams = tuple(
        dataclasses.replace(s, snapshot=False) if s.name == "solution_articles" else s
        for s in freshdesk.VENDOR.streams
    )
    changed_only = dataclasses.replace(freshdesk.VENDOR, streams=streams)
    with FakeServer(FreshdeskFake(account)) as fake:
        source = freshdesk_source(fake.url)
        for _ in range(2):  # the second reads no articles: their folder did not change
            sync_source(
                any_store, "freshdesk", source, network=Network(env=FRESHDESK_ENV),
                vendor=changed_only,
            )  # fmt: skip
        asked = [s.path for s in fake.seen if s.path.endswith("/articles")]
    assert len(asked) == 1
    statuses = {r["status"] for r in _articles(any_store, "freshdesk").values()}
    assert statuses == {"draft", "published"}


def test_a_snapshot_child_of_a_parent_not_read_whole_is_refused() -> None:
    parent = Stream("folders", "/folders", PageNumber(), "")
    child = Stream("docs", "/folders/{parent}/docs", PageNumber(), "", for_each="folders")
    with pytest.raises(ValueError, match="not read whole"):
        Vendor(
            "desk",
            (parent, dataclasses.replace(child, snapshot=True)),
            "bearer",
            RateLimit(),
            freshdesk.VENDOR.check,
        )
