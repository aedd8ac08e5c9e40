"""The ticket page: every list links each ticket id to it, it tells the ticket's story with
times in the report zone and names for ids, and an unknown ticket is a 404 page.

Served in-process, then in the real chromium: a click on a ticket id of a drill-down opens it.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from supportops.metrics.ticket_story import Instance, Story, story
from supportops.sla.spans import Span
from supportops.web.ticket_links import ticket_path
from supportops.web.ticket_page import bars_spec, horizon
from tests.web.conftest import session

from .test_browser import browser, page, server  # noqa: F401  (the live server's fixtures)

LINK = re.compile(r'href="(/tickets/csv/[^"]+)" class="ticket-link">([^<]+)<')


@pytest.fixture
def reader(client: TestClient, tokens: dict[str, str]) -> TestClient:
    client.cookies.update(session(client.app, tokens["read"]))
    return client


def _first_link(reader: TestClient, path: str) -> tuple[str, str]:
    found = LINK.findall(reader.get(path).text)
    assert found, f"no ticket link on {path}"
    return found[0]


def test_every_ticket_of_the_list_links_to_its_page(reader: TestClient) -> None:
    html = reader.get("/tickets").text
    links = LINK.findall(html)
    assert len(links) == 50
    assert all(href == f"/tickets/csv/{ticket}" for href, ticket in links)


def test_the_at_risk_list_links_to_its_tickets(reader: TestClient) -> None:
    href, ticket = _first_link(reader, "/sla?as_of=2024-02-29T12:00&within=86400")
    assert href.endswith(f"/{ticket}")
    assert reader.get(href).status_code == 200


def test_the_page_path_quotes_each_part() -> None:
    assert ticket_path("csv", "a/b c") == "/tickets/csv/a%2Fb%20c"


def test_the_csv_has_a_url_per_ticket(reader: TestClient) -> None:
    rows = list(csv.DictReader(io.StringIO(reader.get("/tickets.csv?channel=chat").text)))
    assert rows and all(
        r["url"] == f"http://testserver/tickets/{r['source']}/{r['ticket_id']}" for r in rows
    )


def test_the_page_tells_the_story(reader: TestClient, app: Any) -> None:
    with app.state.web.workspace() as ws:
        zone = ws.config.report_timezone
        told = story(ws, "T00007")
    answer = reader.get("/tickets/csv/T00007")
    assert answer.status_code == 200
    html = answer.text
    assert 'id="ticket-title">Ticket <code>T00007</code>' in html
    assert f'<strong id="ticket-zone">{zone}</strong>' in html
    for event in told.events:
        assert f'id="event-{event["ref"]}"' in html
    for fact in told.facts:
        assert f'id="fact-{fact.name}"' in html
    assignee = told.fields["assignee_id"]
    assert f"<th>assignee_id</th><td>{told.name(assignee)}</td>" in html
    if told.instances:
        assert 'id="spec-clocks"' in html


def test_an_unknown_ticket_is_a_404_page(reader: TestClient) -> None:
    answer = reader.get("/tickets/csv/NOPE")
    assert answer.status_code == 404
    assert "no ticket &#39;NOPE&#39; in source &#39;csv&#39;" in answer.text
    assert reader.get("/tickets/zendesk/T00007").status_code == 404


def test_the_page_needs_a_session(client: TestClient) -> None:
    client.cookies.clear()
    answer = client.get("/tickets/csv/T00007", follow_redirects=False)
    assert answer.status_code == 303


@pytest.mark.browser
def test_a_ticket_of_a_drill_down_opens_its_story(page: Any) -> None:  # noqa: F811
    page.goto("/tickets?channel=chat")
    link = page.locator("a.ticket-link").first
    ticket = link.inner_text()
    link.click()
    page.wait_for_url(f"**/tickets/csv/{ticket}")
    assert page.inner_text("#ticket-title").startswith(f"Ticket {ticket}")
    assert page.locator("#timeline tbody tr").count() >= 1
    page.locator("figure[data-chart=clocks] svg").first.wait_for()  # the SLA bars drew


def _told(stopped: bool) -> Story:
    at = datetime(2026, 3, 2, 9, tzinfo=UTC)
    start, stop = int(at.timestamp()), int(at.timestamp()) + 3600
    spans = (Span("running", start, stop), Span("stopped", stop, start + 30 * 86_400))
    instance = Instance(
        "standard",
        "first_reply",
        1,
        "24x7",
        "achieved",
        7200,
        3600,
        at,
        at + timedelta(hours=1) if stopped else None,
        None,
        None,
        spans if stopped else spans[:1],
    )
    events = [{"ref": "created", "kind": "created", "at": at, "at_s": start}]
    return Story(
        "csv", "t1", "Europe/Paris", at + timedelta(days=30), {}, {}, events, [instance], []
    )


def test_the_bars_end_soon_after_the_last_stop_unless_a_clock_still_runs() -> None:
    done, running = _told(stopped=True), _told(stopped=False)
    start = int(done.events[0]["at_s"])
    assert horizon(done) == start + 3600 + 360  # a tenth of the story after the last stop
    assert horizon(running) == int(running.as_of.timestamp())
    ends = [s["end"] for s in bars_spec(done)["layer"][0]["data"]["values"]]
    assert ends == ["2026-03-02T11:00:00", "2026-03-02T11:06:00"]  # Paris wall clock


def test_the_csv_url_quotes_every_id_as_the_page_link_does() -> None:
    import pyarrow as pa

    from supportops.web.ticket_links import ticket_path, with_urls

    sources, ids = ["csv", None, "z d"], ["T1", "a\\b&c+é;", "x/y?#%"]
    urls = with_urls(pa.table({"source": sources, "ticket_id": ids}), "http://h/")
    expected = ["http://h" + ticket_path(s or "csv", i) for s, i in zip(sources, ids, strict=True)]
    assert urls["url"].to_pylist() == expected
