"""The review form: a ticket's conversation beside its scorecard; a write token saves one
review (all its ratings) that the ticket's page lists and /qa's IQS counts; bad answers are
named and write nothing; a read token gets a 403; a real browser fills it in."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from supportops.instants import FrozenClock
from supportops.model.importer import import_files
from supportops.tokens import TokenFile
from supportops.web import create_app
from supportops.workspace import Workspace
from tests.web.conftest import live, session

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
RANGE = "start=2026-03-01&end=2026-03-31"
QA = """
qa:
  scorecards:
    - name: support
      version: 1
      categories:
        - {id: solution, label: Solution, scale: binary, weight: 60, critical: true, na: false}
        - {id: tone, label: Tone, scale: 5, weight: 40}
        - {id: grammar, scale: binary, weight: 10}
"""
TICKETS = """ticket_id,created_at,channel,status,assignee_id,group,subject
t1,2026-03-02T09:00:00Z,email,solved,ana,billing,Refund please
t2,2026-03-02T10:00:00Z,chat,solved,ben,billing,Card declined
t3,2026-03-03T10:00:00Z,email,solved,ana,billing,Invoice copy
"""
EVENTS = """ticket_id,at,kind,actor,actor_id,public,body
t3,2026-03-03T10:00:00Z,message,customer,c1,true,Could I get a copy of my March invoice?
t3,2026-03-03T10:20:00Z,message,agent,ana,false,Checking billing first
t3,2026-03-03T10:30:00Z,message,agent,ana,true,Here it is: attached to this reply.
t3,2026-03-03T11:00:00Z,status,agent,ana,,solved
"""
REVIEWS = """review_id,ticket_id,agent_id,reviewer_id,at,scorecard,category,rating,na
rv1,t1,ana,lead,2026-03-04T09:00:00Z,support@1,solution,1,
rv1,t1,ana,lead,2026-03-04T09:00:00Z,support@1,tone,4,
rv1,t1,ana,lead,2026-03-04T09:00:00Z,support@1,grammar,,true
rv2,t2,ben,lead,2026-03-04T10:00:00Z,support@1,solution,0,
rv2,t2,ben,lead,2026-03-04T10:00:00Z,support@1,tone,5,
rv2,t2,ben,lead,2026-03-04T10:00:00Z,support@1,grammar,1,
"""


@pytest.fixture
def qa_workspace(tmp_path: Path) -> Path:
    """Three tickets; two reviews scoring 90 (rv1: 60·100 + 40·75, grammar N/A) and 0 (rv2:
    solution, critical, fails): IQS 45."""
    from supportops.cli.workspace import write_config

    folder = tmp_path / "ws"
    folder.mkdir()
    write_config(folder, "supportops.yaml", "supportops.templates", force=False)
    with (folder / "supportops.yaml").open("a", encoding="utf-8") as config:
        config.write(QA)
    files = tmp_path / "files"
    files.mkdir()
    for name, text in (("tickets", TICKETS), ("events", EVENTS), ("reviews", REVIEWS)):
        (files / f"{name}.csv").write_text(text, encoding="utf-8")
    with Workspace.open(folder) as ws:
        import_files(ws.store, [files / "tickets.csv", files / "events.csv"])
        import_files(ws.store, [files / "reviews.csv"])
    return folder


@pytest.fixture
def qa_app(qa_workspace: Path) -> Iterator[FastAPI]:
    app = create_app(qa_workspace, clock=FrozenClock(NOW))
    yield app
    app.state.web.close()


def _client(app: FastAPI, scope: str) -> TestClient:
    token = TokenFile.of_workspace(app.state.web.base.path).create(f"lead-{scope}", scope)[1]  # type: ignore[arg-type]
    client = TestClient(app, base_url="https://testserver")
    client.cookies.update(session(app, token))
    return client


def _csrf(html: str) -> str:
    found = re.search(
        r'<form method="post" id="review-form">\s*<input type="hidden" '
        r'name="csrf" value="([^"]+)"',
        html,
    )
    assert found, "the form carries the session's CSRF token"
    return found[1]


def _iqs(client: TestClient) -> str:
    card = client.get(f"/qa?{RANGE}").text.split('id="qa-iqs"')[1].split("</a>")[0]
    return re.search(r'class="value">([^<]+)<', card)[1]  # type: ignore[index]


def _reviews(store: Any) -> int:
    return int(store.scalar("SELECT count(DISTINCT review_id) FROM reviews"))


def test_the_form_shows_the_conversation_beside_the_scorecard(qa_app: FastAPI) -> None:
    page = _client(qa_app, "write").get("/qa/review/csv/t3").text
    talk = page.split('id="review-conversation"')[1].split("</ol>")[0]
    assert talk.index("March invoice") < talk.index("Checking billing") < talk.index("attached")
    assert "internal" in talk and "solved" not in talk  # messages only, notes marked
    form = page.split('id="review-form"')[1]
    assert 'name="rating-solution" value="1"' in form and 'name="rating-tone" value="5"' in form
    assert 'name="rating-tone" value="na"' in form
    assert 'name="rating-solution" value="na"' not in form  # the scorecard allows no N/A there
    assert re.search(r'<option value="ana"\s+selected>', form)  # the assignee by default
    assert "lead-write" in page.split('id="review-reviewer"')[1][:40]
    assert 'name="comment"' in form


def test_a_saved_review_is_on_the_ticket_page_and_counts_in_iqs(qa_app: FastAPI) -> None:
    client = _client(qa_app, "write")
    assert _iqs(client) == "45.00"  # (90 + 0) / 2
    page = client.get("/qa/review/csv/t3").text
    answer = {
        "csrf": _csrf(page),
        "agent": "ana",
        "rating-solution": "1",
        "rating-tone": "3",
        "rating-grammar": "0",
        "comment": "Good, but check the tone",
    }
    sent = client.post("/qa/review/csv/t3", data=answer, follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"] == "/tickets/csv/t3#qa-reviews"
    ticket = client.get("/tickets/csv/t3").text.split('id="qa-reviews"')[1].split("</section>")[0]
    # (60·100 + 40·50 + 10·0) / 110 = 72.73: grammar now rated, so its weight counts
    assert "72.73" in ticket and "lead-write" in ticket and "check the tone" in ticket
    assert _iqs(client) == "54.24"  # (90 + 0 + 72.73) / 3
    assert _reviews(qa_app.state.web.store) == 3


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ({"rating-tone": "4", "rating-grammar": "1"}, "category 'Solution' has no rating"),
        ({"rating-solution": "1", "rating-tone": "7", "rating-grammar": "1"}, "'tone' rated 7"),
        ({"rating-solution": "na", "rating-tone": "4", "rating-grammar": "1"}, "N/A on it"),
    ],
)
def test_a_bad_answer_is_named_and_writes_nothing(
    qa_app: FastAPI, answer: dict[str, str], message: str
) -> None:
    client = _client(qa_app, "write")
    csrf = _csrf(client.get("/qa/review/csv/t3").text)
    sent = client.post("/qa/review/csv/t3", data={"csrf": csrf, "agent": "ana", **answer})
    assert sent.status_code == 400
    error = html.unescape(sent.text.split('id="review-error"')[1].split("</p>")[0])
    assert message in error
    assert re.search(
        r"checked", sent.text.split('data-category="grammar"')[1].split("</fieldset>")[0]
    )
    assert _reviews(qa_app.state.web.store) == 2


def test_a_read_token_may_look_but_not_save(qa_app: FastAPI) -> None:
    client = _client(qa_app, "read")
    page = client.get("/qa/review/csv/t3").text
    assert 'id="review-read-only"' in page
    answer = {"csrf": _csrf(page), "agent": "ana", "rating-solution": "1", "rating-tone": "4"}
    assert (
        client.post("/qa/review/csv/t3", data={**answer, "rating-grammar": "1"}).status_code == 403
    )
    assert _reviews(qa_app.state.web.store) == 2


def test_a_post_without_the_session_csrf_token_is_refused(qa_app: FastAPI) -> None:
    client = _client(qa_app, "write")
    answer = {"agent": "ana", "rating-solution": "1", "rating-tone": "4", "rating-grammar": "1"}
    assert client.post("/qa/review/csv/t3", data=answer).status_code == 403
    assert client.post("/qa/review/csv/t3", data={**answer, "csrf": "x"}).status_code == 403
    assert _reviews(qa_app.state.web.store) == 2


def test_the_ticket_and_qa_pages_link_to_the_form(qa_app: FastAPI) -> None:
    client = _client(qa_app, "read")
    assert 'id="review-link" href="/qa/review/csv/t3"' in client.get("/tickets/csv/t3").text
    assert 'href="/qa/review/csv/t2"' in client.get(f"/qa?{RANGE}").text  # rv2 fails solution


@pytest.mark.browser
def test_a_reviewer_fills_in_the_form_in_a_browser(qa_app: FastAPI) -> None:
    playwright_api = pytest.importorskip("playwright.sync_api")
    from scripts.chromium import ARGS, CHROMIUM

    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    token = TokenFile.of_workspace(qa_app.state.web.base.path).create("sam", "write")[1]
    problems: list[str] = []
    with live(qa_app) as base, playwright_api.sync_playwright() as play:
        browser = play.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        tab: Any = browser.new_page(base_url=base)
        tab.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        tab.on("pageerror", lambda e: problems.append(str(e)))
        tab.goto("/login?next=/tickets/csv/t3")
        tab.fill("#token", token)
        tab.click("button[type=submit]")
        tab.wait_for_url("**/tickets/csv/t3")
        tab.click("#review-link")
        tab.wait_for_url("**/qa/review/csv/t3")
        assert "March invoice" in tab.locator("#review-conversation").inner_text()
        tab.check("input[name=rating-solution][value='1']")
        tab.check("input[name=rating-tone][value='5']")
        tab.check("input[name=rating-grammar][value=na]")
        tab.fill("textarea[name=comment]", "Spot on")
        tab.click("#review-submit")
        tab.wait_for_url("**/tickets/csv/t3*")
        row = tab.locator("#qa-reviews tr", has_text="Spot on").inner_text()
        assert "sam" in row and "100.00" in row
        browser.close()
    assert problems == []


def _note_csrf(html_text: str) -> str:
    form = html_text.split('id="coach-note-form"')[1]
    return re.search(r'name="csrf" value="([^"]+)"', form)[1]  # type: ignore[index]


def test_a_coaching_note_and_the_change_since_it(qa_app: FastAPI) -> None:
    client = _client(qa_app, "write")
    page = client.get(f"/qa/agents/ana?{RANGE}").text
    assert "No coaching note for ana yet" in page
    note = {"csrf": _note_csrf(page), "text": "Mind the tone", "focus": ["tone"]}
    sent = client.post("/qa/agents/ana/notes", data=note, follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"] == "/qa/agents/ana#coach-notes"
    page = client.get(f"/qa/agents/ana?{RANGE}").text
    assert "Mind the tone" in page.split('id="coach-note-list"')[1] and "focus tone" in page
    assert "Only 0 reviews since this note" in page  # rv1 (90) came before it
    review = {
        "csrf": _csrf(client.get("/qa/review/csv/t3").text),
        "agent": "ana",
        "rating-solution": "1",
        "rating-tone": "3",
        "rating-grammar": "0",
    }
    assert client.post("/qa/review/csv/t3", data=review).status_code == 200
    page = client.get(f"/qa/agents/ana?{RANGE}").text
    iqs = page.split('data-score="IQS"')[1].split("</tr>")[0]
    # before: rv1 scores 90; after: the new review scores 72.73 (see above): −17.3
    assert "90.00" in iqs and "72.73" in iqs and "-17.3" in iqs
    tone = page.split('data-score="tone"')[1].split("</tr>")[0]
    assert "(focus)" in tone and "75.00" in tone and "50.00" in tone and "-25.0" in tone
    assert "Only 1 review since this note" in page


def test_a_read_token_cannot_add_a_note(qa_app: FastAPI) -> None:
    client = _client(qa_app, "read")
    page = client.get(f"/qa/agents/ana?{RANGE}").text
    sent = client.post("/qa/agents/ana/notes", data={"csrf": _note_csrf(page), "text": "x"})
    assert sent.status_code == 403
    assert "No coaching note for ana yet" in client.get(f"/qa/agents/ana?{RANGE}").text


def test_a_bad_note_is_named_and_writes_nothing(qa_app: FastAPI) -> None:
    client = _client(qa_app, "write")
    page = client.get(f"/qa/agents/ana?{RANGE}").text
    note = {"csrf": _note_csrf(page), "text": "Be kind", "focus": ["empathy"]}
    sent = client.post("/qa/agents/ana/notes", data=note)
    assert sent.status_code == 400
    error = html.unescape(sent.text.split('id="coach-note-error"')[1].split("</p>")[0])
    assert "focus category 'empathy' is on no scorecard" in error
    assert "No coaching note for ana yet" in sent.text
