"""Every KPI card on every page carries its definition as a tooltip and links to its entry on
the Definitions page; the pages show names, not ids, and their times in the report zone."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.web.conftest import session
from tests.web.workspace_data import AGENT_NAMES, ORGANIZATION_NAMES

CARD_PAGES = ["/", "/sla?as_of=2024-02-29T12:00", "/backlog", "/automation", "/plan"]
PAGES = [*CARD_PAGES, "/channels", "/agents", "/customers", "/quality", "/tickets"]
UTC_TEXT = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d)?(\.\d+)?(Z|[+-]00:?00)|\bUTC\b")


class Cards(HTMLParser):
    """Each ``<div class="kpi">``: its card's ``title`` and its definition link's ``href``."""

    def __init__(self) -> None:
        super().__init__()
        self.cards: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        classes = (found.get("class") or "").split()
        if "kpi" in classes:
            self.cards.append({})
        elif "card" in classes and self.cards:
            self.cards[-1]["title"] = found.get("title")
        elif "define" in classes and self.cards:
            self.cards[-1]["href"] = found.get("href")


@pytest.fixture(scope="module")
def reader(app: FastAPI, tokens: dict[str, str]) -> TestClient:
    return TestClient(app, cookies=session(app, tokens["read"]))


def _main(html: str) -> str:
    """The page's content: what follows the navigation and the filter form."""
    return html.split("<main>", 1)[1]


@pytest.mark.parametrize("path", CARD_PAGES)
def test_every_card_has_its_definition_as_tooltip_and_a_link_to_its_entry(
    reader: TestClient, path: str
) -> None:
    parser = Cards()
    parser.feed(reader.get(path).text)
    assert parser.cards, f"{path} shows no card"
    entries = set(re.findall(r'<dt id="([^"]+)"', reader.get("/definitions").text))
    for card in parser.cards:
        assert card.get("title"), f"{path}: a card without a definition: {card}"
        anchor = (card.get("href") or "#").split("#", 1)[1]
        assert card["href"].startswith("/definitions") and anchor in entries, (path, card)


@pytest.mark.parametrize("path", PAGES)
def test_no_page_shows_a_utc_time_and_each_names_the_report_zone(
    reader: TestClient, path: str
) -> None:
    html = reader.get(path).text
    shown = re.sub(r'(href|value)="[^"]*"|<script[^>]*>.*?</script>', "", _main(html), flags=re.S)
    assert not UTC_TEXT.search(shown), UTC_TEXT.search(shown)
    assert re.search(r'id="page-zone"[^>]*>Times in America/New_York<', html)


def test_the_agents_and_customers_pages_show_names_where_the_log_has_them(
    reader: TestClient,
) -> None:
    agents = _main(reader.get("/agents").text)
    for name in AGENT_NAMES.values():
        assert f'<th scope="row">{name}</th>' in agents
    assert '<th scope="row">agent6</th>' in agents  # no name: its id
    customers = _main(reader.get("/customers").text)
    for org, name in ORGANIZATION_NAMES.items():
        assert f'<th scope="row">{name}</th>' in customers and f">{org}<" not in customers


def test_the_ticket_list_shows_names_and_its_csv_keeps_ids_beside_them(
    reader: TestClient,
) -> None:
    html = _main(reader.get("/tickets?assignee_id=agent1").text)
    assert "<th>assignee</th>" in html and "· assignee = <code>Ada Lovelace</code>" in html
    assert html.count("<td>Ada Lovelace</td>") >= 1 and "<td>agent1</td>" not in html
    lines = reader.get("/tickets.csv?assignee_id=agent1").text.splitlines()
    header = lines[0].split(",")
    at = header.index('"assignee_id"')
    assert header[at + 1] == '"assignee_name"'
    assert {
        line.split(",")[at : at + 2] == ['"agent1"', '"Ada Lovelace"'] for line in lines[1:]
    } == {True}
