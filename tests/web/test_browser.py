"""The pages in a real browser: Debian's chromium, headless, driven by Playwright.

Each page loads without console errors, a filter changes its numbers, a click on a number or a
bar opens the tickets behind it, and a screenshot is saved (to ``docs/screenshots/<page>.png``
with ``SUPPORTOPS_SCREENSHOTS=1``, else to a temporary folder).
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from scripts.chromium import ARGS, CHROMIUM

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")
REPO = Path(__file__).resolve().parents[2]
SLA = "/sla?as_of=2024-02-29T12:00&within=86400"  # the test data end in 2024
PAGES = [
    "/",
    "/channels",
    "/agents",
    "/customers",
    SLA,
    "/backlog",
    "/automation",
    "/qa",
    "/roi",
    "/experiments",
    "/quality",
    "/tickets",
    "/definitions",
]
OPERATIONS = [SLA, "/backlog", "/automation", "/quality"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(app: FastAPI) -> Iterator[str]:
    """The app on a live uvicorn at http://127.0.0.1:PORT."""
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    live = uvicorn.Server(config)
    thread = threading.Thread(target=live.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not live.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    live.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    with playwright_api.sync_playwright() as play:
        chromium = play.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, server: str, tokens: dict[str, str]) -> Iterator[Any]:
    """A logged-in page; fails the test on any console error or page error."""
    context = browser.new_context(base_url=server, viewport={"width": 1360, "height": 900})
    tab = context.new_page()
    problems: list[str] = []
    tab.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: problems.append(str(e)))
    tab.goto("/login")
    tab.fill("#token", tokens["read"])
    tab.click("button[type=submit]")
    tab.wait_for_url(f"{server}/")
    yield tab
    context.close()
    assert problems == []


def _shot(tab: Any, name: str, tmp_path: Path) -> Path:
    folder = REPO / "docs" / "screenshots" if os.environ.get("SUPPORTOPS_SCREENSHOTS") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    tab.screenshot(path=str(path), full_page=True)
    return path


def _wait_charts(tab: Any) -> None:
    for figure in tab.locator("figure[data-chart]").all():
        figure.locator("svg").first.wait_for()


def _total(tab: Any) -> int:
    return int(tab.inner_text("#ticket-total").replace(",", ""))


def test_no_access_without_a_token(browser: Any, server: str) -> None:
    context = browser.new_context(base_url=server)
    tab = context.new_page()
    tab.goto("/tickets?channel=chat")
    assert tab.url.startswith(f"{server}/login?next=")
    tab.fill("#token", "sops_not_a_token")
    tab.click("button[type=submit]")
    assert "not valid" in tab.inner_text(".error")
    assert [c["name"] for c in context.cookies()] == ["sops_login"]
    context.close()


def test_login_sets_a_secure_http_only_cookie_and_returns(
    browser: Any, server: str, tokens: dict[str, str]
) -> None:
    context = browser.new_context(base_url=server)
    tab = context.new_page()
    tab.goto("/tickets?channel=chat")
    tab.fill("#token", tokens["read"])
    tab.click("button[type=submit]")
    tab.wait_for_url("**/tickets?channel=chat")
    (cookie,) = context.cookies()
    assert (cookie["name"], cookie["secure"], cookie["httpOnly"]) == ("sops_session", True, True)
    assert tab.evaluate("document.cookie") == ""
    context.close()


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_and_is_captured(page: Any, path: str, tmp_path: Path) -> None:
    page.goto(path)
    _wait_charts(page)
    assert page.locator("h1").inner_text()
    name = "overview" if path == "/" else path.strip("/").split("?")[0]
    assert _shot(page, name, tmp_path).stat().st_size > 10_000


def test_a_filter_changes_the_overview_numbers(page: Any) -> None:
    before = page.locator(".card .value").all_inner_texts()
    page.select_option("select[name=channel]", "chat")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**channel=chat**")
    after = page.locator(".card .value").all_inner_texts()
    assert after != before and int(after[0].replace(",", "")) < int(before[0].replace(",", ""))


def test_a_number_opens_its_tickets(page: Any) -> None:
    volume = int(page.locator(".card .value").first.inner_text().replace(",", ""))
    page.locator(".card[data-metric=backlog]").click()
    page.wait_for_url("**/tickets?**metric=backlog**")
    backlog_rows = _total(page)
    page.go_back()
    page.locator(".card[data-metric=tickets_created]").click()
    page.wait_for_url("**/tickets?**")
    assert _total(page) == volume > backlog_rows


def test_a_bar_opens_its_tickets(page: Any) -> None:
    _wait_charts(page)
    page.locator("#chart-channels .mark-rect path").first.click()
    page.wait_for_url("**/tickets?**channel=**")
    assert _total(page) > 0


@pytest.mark.parametrize("path", ["/channels", "/agents", "/customers"])
def test_a_breakdown_cell_opens_its_tickets(page: Any, path: str) -> None:
    page.goto(path)
    cell = page.locator("table.breakdown td a[data-metric=tickets_created]").first
    count = int(cell.inner_text().replace(",", ""))
    cell.click()
    page.wait_for_url("**/tickets?**")
    assert _total(page) == count


def _numbers(tab: Any) -> list[str]:
    return tab.locator("main a[href^='/tickets']").all_inner_texts()


@pytest.mark.parametrize("path", OPERATIONS)
def test_a_filter_changes_the_numbers_of_each_page(page: Any, path: str) -> None:
    page.goto(path)
    before = _numbers(page)
    page.select_option("select[name=channel]", "chat")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**channel=chat**")
    assert _numbers(page) != before
    if path == SLA:  # the page's own filters stay in the URL
        assert "within=86400" in page.url and "as_of=2024-02-29T12" in page.url


@pytest.mark.parametrize(
    ("path", "chart"),
    [(SLA, "breaches"), ("/backlog", "aging"), ("/automation", "outcomes"), ("/quality", "main")],
)
def test_a_bar_of_each_page_opens_its_tickets(page: Any, path: str, chart: str) -> None:
    page.goto(path)
    _wait_charts(page)
    page.locator(f"#chart-{chart} .mark-rect path").first.click()
    page.wait_for_url("**/tickets?**")
    assert _total(page) > 0


@pytest.mark.parametrize(
    ("path", "metric"),
    [("/backlog", "backlog_age"), ("/automation", "bot_sessions"), ("/quality", "completeness")],
)
def test_a_count_of_each_page_opens_as_many_tickets(page: Any, path: str, metric: str) -> None:
    page.goto(path)
    links = page.locator(f"table.breakdown a[data-metric={metric}]")
    link = next(a for a in links.all() if a.inner_text().replace(",", "") not in ("", "0"))
    count = int(link.inner_text().replace(",", ""))
    link.click()
    page.wait_for_url(f"**/tickets?**metric={metric}**")
    assert _total(page) == count


def test_an_sla_compliance_opens_the_tickets_of_its_target(page: Any) -> None:
    page.goto(SLA)
    page.locator("#sla-by-policy a[data-metric=sla_achieved_rate]").first.click()
    page.wait_for_url("**/tickets?**metric=sla_achieved_rate**")
    assert "policy=" in page.url and "target=" in page.url and _total(page) > 0


# --- names, times and definitions as the manager reads them ------------------------------------


@pytest.mark.parametrize("path", ["/", SLA, "/backlog", "/automation", "/plan"])
def test_each_card_shows_its_definition_and_opens_its_entry(page: Any, path: str) -> None:
    page.goto(path)
    cards = page.locator(".kpi")
    assert cards.count() > 0
    for kpi in cards.all():
        assert kpi.locator(".card").get_attribute("title"), kpi.inner_text()
        assert kpi.locator("a.define").get_attribute("title")
    label = cards.first.locator(".label").inner_text()
    cards.first.locator("a.define").click()
    page.wait_for_url(re.compile(r"/definitions(\?[^#]*)?#."))
    entry = page.locator(":target")
    assert entry.is_visible() and entry.evaluate("e => e.tagName") == "DT", label


def test_an_agent_is_named_from_the_breakdown_to_the_ticket(page: Any) -> None:
    page.goto("/agents")
    row = page.locator("table.breakdown tr", has=page.locator("th", has_text="Ada Lovelace"))
    assert page.locator("table.breakdown th:text-is('agent6')").count() == 1  # no name: its id
    row.locator("a[data-metric=tickets_created]").click()
    page.wait_for_url("**/tickets?**assignee_id=agent1**")
    assert "assignee = Ada Lovelace" in page.inner_text("p.period")
    headers = page.locator("table.tickets th").all_inner_texts()
    assert "assignee" in headers and "created (America/New_York)" in headers
    column = headers.index("assignee")
    cells = page.locator(f"table.tickets tbody td:nth-child({column + 1})").all_inner_texts()
    assert set(cells) == {"Ada Lovelace"}
    assert page.inner_text("#page-zone") == "Times in America/New_York"
    page.locator("a.ticket-link").first.click()
    page.wait_for_url("**/tickets/csv/T*")
    fields = page.locator("table.ticket-fields")
    assert fields.locator("tr", has_text="assignee_id").locator("td").inner_text() == "Ada Lovelace"
    assert page.inner_text("#ticket-zone") == "America/New_York"
    created = fields.locator("tr", has_text="created_at").locator("td").inner_text()
    assert not created.endswith(("Z", "+00:00")) and len(created) == len("2024-01-01 00:00:00")


def test_an_organization_is_named_on_the_customers_page(page: Any) -> None:
    page.goto("/customers")
    names = page.locator("table.breakdown tbody th").all_inner_texts()
    assert {"Acme Corp", "Globex", "Initech"} <= set(names)
    assert "org1" not in names and "org4" in names  # org4 has no name: its id
