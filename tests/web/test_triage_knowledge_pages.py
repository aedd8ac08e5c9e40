"""The Triage and Knowledge pages over a small demo workspace: a model trained up to a week
before the data ends (so tickets arrive after it), a priority model, and the demo's articles.
The browser test loads both pages in real Chromium and fails on any console error."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from supportops.cli import app as cli
from supportops.cli.demo import build_demo
from supportops.model.schema import TABLES
from supportops.store.texts import ticket_texts
from supportops.tokens import TokenFile
from supportops.web import create_app
from supportops.workspace import Workspace
from tests.web.conftest import session, signed_in_tab


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("triage-pages")
    build_demo(where, tickets=2_000, seed=9, progress=False)
    with Workspace.open(where, read_only=True) as ws:
        last = ticket_texts(ws.store)["created_at"].max()
    until = (last - timedelta(days=7)).date().isoformat()
    runner = CliRunner()
    for target in ("tags", "priority"):
        args = ["triage", "train", "--target", target, "--model", "tfidf", "-w", str(where)]
        done = runner.invoke(cli, [*args, "--until", until])
        assert done.exit_code == 0, done.output
    with Workspace.open(where) as ws:  # one synced article, with its page, beside the folder's
        ws.store.upsert(TABLES["articles"], pa.Table.from_pylist([SYNCED], schema=_schema(ws)))
    return where


SYNCED = {
    "source": "desk",
    "article_id": "77",
    "locale": "en",
    "title": "Resetting your password",
    "text": "Open the sign-in page, choose Forgot password and follow the link we e-mail you.",
    "url": "https://desk.example.com/hc/articles/77",
    "updated_at": None,
    "status": "published",
}


def _schema(ws: Workspace) -> pa.Schema:
    return ws.store.arrow("SELECT * FROM articles LIMIT 0").schema


@pytest.fixture(scope="module")
def web(folder: Path) -> Iterator[tuple[FastAPI, str]]:
    token = TokenFile.of_workspace(folder).create("pages", "read")[1]
    application = create_app(folder)
    yield application, token
    application.state.web.close()


@pytest.fixture(scope="module")
def reader(web: tuple[FastAPI, str]) -> TestClient:
    application, token = web
    return TestClient(application, cookies=session(application, token))


def test_the_triage_page_shows_what_the_model_measured_and_since(reader: TestClient) -> None:
    page = reader.get("/triage?model=tags")
    assert page.status_code == 200
    html = page.text
    assert 'id="triage-cards"' in html and "Auto-routed" in html
    assert "Measured on test (later tickets, never seen in training)" in html
    assert re.search(r"<th scope=\"row\">refund</th>", html)  # per-class precision / recall
    since = re.search(r'id="triage-since">([\d,]+) tickets', html)
    assert since and int(since.group(1).replace(",", "")) > 0
    assert 'id="triage-drift"' in html
    assert 'data-chart="curve"' in html and 'data-chart="reliability"' in html


def test_a_priority_model_is_shown_against_the_majority_class(reader: TestClient) -> None:
    html = reader.get("/triage?model=priority").text
    assert 'id="triage-priority"' in html
    assert re.search(r"always answering\s+“normal”", html)


def test_an_unknown_model_shows_the_first_one(reader: TestClient) -> None:
    html = reader.get("/triage?model=../../etc").text
    assert 'aria-current="page">priority<' in html


def test_the_knowledge_page_ranks_gaps_with_samples_and_articles(reader: TestClient) -> None:
    page = reader.get("/knowledge")
    assert page.status_code == 200
    html = page.text
    assert html.count('<li class="gap">') == 10
    assert "Suggested outline" in html and "Nearest articles" in html
    sample = re.search(r'Sample tickets: <a href="(/tickets/[^"]+)"', html)
    assert sample and reader.get(sample.group(1)).status_code == 200
    assert html.count("<code>") >= 8  # every demo article in the deflection table
    # a synced article links to its page; a file of the folder has none
    assert f'<a href="{SYNCED["url"]}">{SYNCED["title"]}</a> <small><code>desk:77' in html


@pytest.mark.browser
def test_both_pages_render_in_a_browser(web: tuple[FastAPI, str]) -> None:
    application, token = web
    with signed_in_tab(application, token) as (tab, problems):
        tab.goto("/triage")
        for figure in tab.locator("figure[data-chart]").all():
            figure.locator("svg").first.wait_for()
        shown: Any = tab.locator("#triage-cards .value").all_inner_texts()
        assert len(shown) == 4 and shown[0].endswith("%")  # the priority model: "—" may show
        tab.click("nav >> text=Knowledge")
        tab.wait_for_url("**/knowledge**")
        assert tab.locator("li.gap").count() == 10
    assert problems == []


def test_the_api_gives_the_pages_gaps_in_the_same_order(web: tuple[FastAPI, str]) -> None:
    """``GET /api/knowledge/gaps`` (a read token) answers what the Knowledge page shows: the
    same topics, costliest first, over the same default days, and each article's opportunity."""
    application, token = web
    api = TestClient(application, headers={"Authorization": f"Bearer {token}"})
    found = api.get("/api/knowledge/gaps", params={"top": 3})
    assert found.status_code == 200, found.text
    body = found.json()
    assert len(body["gaps"]) == 3 and body["space"] == "tfidf"
    scores = [g["score"] for g in body["gaps"]]
    assert scores == sorted(scores, reverse=True)
    page = TestClient(application, cookies=session(application, token)).get("/knowledge").text
    assert all(html.escape(g["title"]) in page for g in body["gaps"])
    assert {a["article"] for a in body["deflection"]} and body["from"] <= body["to"]
    assert api.get("/api/knowledge/gaps", params={"start": "2026-13-01"}).status_code == 422
    assert TestClient(application).get("/api/knowledge/gaps").status_code == 401
