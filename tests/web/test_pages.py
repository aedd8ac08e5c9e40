"""The pages' numbers: each count opens exactly its tickets, and agrees with the metrics query.

Served by the app in-process (no browser): the HTML is parsed for the links to ``/tickets`` and
each link's list is asked for. The browser tests (``test_browser.py``) check the same pages
render and click in chromium.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from supportops import numbers
from supportops.web import data
from supportops.web.filters import lenient
from tests.web.conftest import session

AS_OF = "2024-02-29T12:00"
COUNTED = re.compile(r"^[\d,]+$")
PER_TARGET = ("sla_breaches", "sla_active")  # counts of SLA targets: a ticket may have several


class Links(HTMLParser):
    """Every ``<a href="/tickets...">`` with its ``data-metric`` and its number: the text, or
    in a card the text of its ``value``."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[dict[str, Any]] = []
        self._open: dict[str, Any] | None = None
        self._in_value = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "a" and (attributes.get("href") or "").startswith("/tickets?"):
            self._open = {**attributes, "text": "", "value": ""}
        self._in_value = self._open is not None and attributes.get("class") == "value"

    def handle_data(self, text: str) -> None:
        if self._open is not None:
            self._open["value" if self._in_value else "text"] += text

    def handle_endtag(self, tag: str) -> None:
        self._in_value = False
        if tag == "a" and self._open is not None:
            found = self._open
            found["text"] = (found.pop("value") or found["text"]).strip()
            self.found.append(found)
            self._open = None


@pytest.fixture
def reader(client: TestClient, tokens: dict[str, str]) -> TestClient:
    """A client with a read session."""
    client.cookies.update(session(client.app, tokens["read"]))
    return client


def _links(reader: TestClient, path: str) -> list[dict[str, Any]]:
    page = reader.get(path)
    assert page.status_code == 200, page.text[:500]
    parser = Links()
    parser.feed(page.text)
    return parser.found


def _total(reader: TestClient, href: str) -> int:
    page = reader.get(href)
    match = re.search(r'id="ticket-total">([\d,]+)<', page.text)
    assert match, href
    return int(match.group(1).replace(",", ""))


def _sample(links: list[dict[str, Any]], most: int) -> list[dict[str, Any]]:
    counted = [a for a in links if COUNTED.match(a["text"])]
    step = max(len(counted) // most, 1)
    return counted[::step][:most]


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/channels",
        "/backlog",
        "/backlog?grain=week&start=2024-01-01&end=2024-02-29&channel=email",
        f"/sla?as_of={AS_OF}&within=86400",
        "/automation",
        "/quality?priority=high",
    ],
)
def test_every_count_opens_exactly_its_tickets(reader: TestClient, path: str) -> None:
    links = _sample(_links(reader, path), most=12)
    assert links, f"{path} links no count to its tickets"
    for link in links:
        shown = int(link["text"].replace(",", ""))
        listed = _total(reader, link["href"])
        if link.get("data-metric") in PER_TARGET:  # SLA targets, on fewer tickets
            assert 0 < listed <= shown or listed == shown == 0, link
        else:
            assert listed == shown, link


def test_every_page_links_its_numbers_with_the_page_filters(reader: TestClient) -> None:
    for path in ("/sla", "/backlog", "/automation", "/quality"):
        links = _links(reader, f"{path}?start=2024-02-01&end=2024-02-20&channel=chat")
        assert links, path
        for link in links:
            query = parse_qs(urlsplit(link["href"]).query)
            assert query["start"] == ["2024-02-01"] or "start" not in query, link
            assert query.get("channel") == ["chat"], (path, link)


def _card(html: str, metric: str) -> str:
    match = re.search(
        rf'data-metric="{metric}">\s*<span class="label">[^<]*</span>\s*'
        r'<span class="value">([^<]*)</span>',
        html,
    )
    assert match, metric
    return match.group(1)


def test_sla_compliance_is_the_metric_sla_achieved_rate(reader: TestClient, app: FastAPI) -> None:
    path = "/sla?start=2024-01-10&end=2024-02-20&group=Billing"
    shown = _card(reader.get(path).text, "sla_achieved_rate")
    filters = lenient({"start": "2024-01-10", "end": "2024-02-20", "group": "Billing"})
    with app.state.web.workspace() as ws:
        value = data.metrics(ws, ["sla_achieved_rate"], filters)["sla_achieved_rate"].iloc[0]
    assert shown == numbers.fmt(value, "rate") != "—"


def test_backlog_at_the_end_is_the_metric_backlog(reader: TestClient, app: FastAPI) -> None:
    shown = _card(reader.get("/backlog?start=2024-02-01&end=2024-02-15").text, "backlog")
    filters = lenient({"start": "2024-02-01", "end": "2024-02-15"})
    with app.state.web.workspace() as ws:
        value = data.metrics(ws, ["backlog"], filters)["backlog"].iloc[0]
    assert shown == numbers.fmt(value, "count")


@pytest.mark.parametrize("path", ["/sla", "/backlog", "/automation", "/quality"])
def test_a_filter_changes_the_numbers(reader: TestClient, path: str) -> None:
    every = [a["text"] for a in _links(reader, path)]
    chat = [a["text"] for a in _links(reader, f"{path}?channel=chat")]
    assert every != chat


def test_the_sla_api_answers_instances_and_at_risk(
    client: TestClient, tokens: dict[str, str]
) -> None:
    read = {"Authorization": f"Bearer {tokens['read']}"}
    page = client.get("/api/sla/instances", params={"limit": 5}, headers=read).json()
    assert page["total"] > 0 and len(page["items"]) == 5
    assert {"ticket_id", "policy", "target", "status", "due_at"} <= set(page["items"][0])
    risky = client.get(
        "/api/sla/at-risk", params={"as_of": "2024-02-29T12:00:00Z", "within": 86400}, headers=read
    ).json()
    assert risky and all(0 <= r["due_in_seconds"] <= 86400 for r in risky)
    assert [r["due_in_seconds"] for r in risky] == sorted(r["due_in_seconds"] for r in risky)
