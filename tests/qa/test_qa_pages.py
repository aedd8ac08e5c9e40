"""The QA page and the coaching page over a small demo workspace: served by the app (the
numbers and links) and in a real browser (no console errors, the chart drawn, a click on an
agent opens their coaching page)."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from supportops.tokens import TokenFile
from supportops.web import create_app
from supportops.web.auth import COOKIE
from supportops.workspace import Workspace
from tests.web.test_browser import _free_port

RANGE = "start=2026-10-01&end=2026-11-22"


@pytest.fixture(scope="module")
def qa_app(qa_demo: Path) -> Iterator[tuple[FastAPI, str]]:
    token = TokenFile.of_workspace(qa_demo).create("qa-pages", "read")[1]
    app = create_app(qa_demo)
    yield app, token
    app.state.web.close()


@pytest.fixture(scope="module")
def client(qa_app: tuple[FastAPI, str]) -> TestClient:
    app, token = qa_app
    client = TestClient(app)
    client.cookies.set(COOKIE, app.state.web.tokens.open_session(token)[0])
    return client


def _text(html: str, element_id: str) -> str:
    tag = re.search(rf'<(\w+)[^>]*id="{element_id}"', html)
    assert tag, element_id
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</{tag[1]}>', html, re.S)
    assert found, element_id
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1)))


def test_the_qa_page_shows_iqs_with_its_interval_and_the_team(
    client: TestClient, qa_app: tuple[FastAPI, str]
) -> None:
    from supportops.qa.workspace import iqs_table

    html = client.get(f"/qa?{RANGE}").text
    card = _text(html, "qa-iqs")
    assert "target 85%" in card and "95% interval" in card
    ws: Workspace = qa_app[0].state.web.base
    low, high = (
        pd.Timestamp("2026-10-01", tz=ws.config.report_timezone),
        pd.Timestamp("2026-11-23", tz=ws.config.report_timezone),
    )
    per_agent = iqs_table(ws, ["agent_id"], low.to_pydatetime(), high.to_pydatetime())
    agents = _text(html, "qa-agents")
    worst = per_agent.sort_values("score").iloc[0]
    assert f"{worst['score']:.1f}" in agents and str(worst["agent_id"]) in agents
    assert 'href="/qa/agents/' in html
    assert "unreliable: α below 0.667" in _text(html, "qa-agreement")  # tone
    assert "no_reopen solution" in _text(html, "qa-auto") and "advisory" in _text(html, "qa-auto")
    assert "courtesy (text) tone" in _text(html, "qa-auto")
    assert re.search(r'data-category="\w+"', html) and 'href="/tickets/demo/' in html


def test_a_filter_narrows_the_reviews(client: TestClient) -> None:
    every = _text(client.get(f"/qa?{RANGE}").text, "qa-iqs")
    chat = _text(client.get(f"/qa?{RANGE}&channel=chat").text, "qa-iqs")
    count = re.compile(r"([\d,]+) reviews")
    assert int(count.search(chat)[1]) < int(count.search(every)[1])  # type: ignore[index]


def test_the_qa_page_shows_time_to_proficiency_by_start_cohort(
    client: TestClient, qa_app: tuple[FastAPI, str]
) -> None:
    from supportops.qa.workspace import proficiency

    html = client.get(f"/qa?{RANGE}").text
    found = proficiency(qa_app[0].state.web.base)
    cohorts = _text(html, "qa-proficiency-cohorts")
    for cohort in found.cohorts["cohort"]:
        month = pd.Timestamp(cohort).strftime("%Y-%m")
        assert month in cohorts
        assert f'id="spec-tenure-iqs-{month}"' in html and f'id="spec-tenure-aht-{month}"' in html
    table = _text(html, "qa-proficiency")
    assert len(re.findall(r"<tr>", html.split('id="qa-proficiency"')[1].split("</table>")[0])) == (
        1 + len(found.curve)
    )
    first = found.curve.iloc[0]
    assert f"{first['iqs']:.2f}" in table and "first activity" in html
    assert f"{found.left_out} agents active from the log's first week" in html


def test_the_coaching_page_compares_an_agent_with_the_team(client: TestClient) -> None:
    html = client.get(f"/qa?{RANGE}").text
    agent = re.search(r'href="/qa/agents/(\w+)"', html)[1]  # type: ignore[index]
    page = client.get(f"/qa/agents/{agent}?{RANGE}").text
    assert f"Coaching: {agent}" in page
    rows = _text(page, "coach-categories")
    assert "solution" in rows and "tone" in rows
    assert 'href="/tickets/demo/' in page.split('id="coach-examples"')[1]


@pytest.mark.browser
def test_the_qa_pages_in_a_browser(qa_app: tuple[FastAPI, str]) -> None:
    playwright_api = pytest.importorskip("playwright.sync_api")
    from scripts.chromium import ARGS, CHROMIUM

    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    app, token = qa_app
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    problems: list[str] = []
    try:
        with playwright_api.sync_playwright() as play:
            browser = play.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            tab: Any = browser.new_page(base_url=f"http://127.0.0.1:{port}")
            tab.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            tab.on("pageerror", lambda e: problems.append(str(e)))
            tab.goto(f"/login?next=/qa?{RANGE}")
            tab.fill("#token", token)
            tab.click("button[type=submit]")
            tab.wait_for_url("**/qa?*")
            tab.locator("figure[data-chart] svg").first.wait_for()
            tenure = tab.locator("figure[data-chart^='tenure-iqs-'] svg").first
            tenure.wait_for()
            assert tenure.locator("path").count() > 0  # the curve is drawn
            first = tab.locator("#qa-agents a").first
            agent = first.inner_text()
            first.click()
            tab.wait_for_url(f"**/qa/agents/{agent}*")
            assert tab.locator("h1").inner_text() == f"Coaching: {agent}"
            browser.close()
    finally:
        server.should_exit = True
        thread.join(10)
    assert problems == []
