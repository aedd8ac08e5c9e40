"""The Experiments and Automation ROI pages over a workspace with an assigned experiment and bot
sessions: assignment health, each result with its interval and the verdict; the ledger with
vendor-reported against verified resolutions and the formula printed."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from supportops.experiments.assignment import assign
from supportops.tokens import TokenFile
from supportops.web import create_app
from supportops.workspace import Workspace
from tests.experiments.test_workspace import experiment, tickets
from tests.metrics.eventlog import load
from tests.roi.test_verify import SESSIONS
from tests.web.conftest import session


@pytest.fixture(scope="module")
def prove_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FastAPI, str]]:
    folder = tmp_path_factory.mktemp("prove") / "ws"
    folder.mkdir()
    config = {"experiments": [experiment()], "roi": {"tool_costs": {"bot": 100}}}
    (folder / "supportops.yaml").write_text(json.dumps(config), encoding="utf-8")
    with Workspace(folder) as ws:
        bots = [
            {"session_id": s, "started_at": at, "outcome": o, "requester_id": who}
            for s, at, o, who in SESSIONS
        ]
        load(ws.store, {"tickets": tickets(600), "bot_sessions": bots})
        assign(ws, "faster-macro")
    token = TokenFile.of_workspace(folder).create("pages", "read")[1]
    application = create_app(folder)
    yield application, token
    application.state.web.close()


def test_the_experiments_page_shows_health_intervals_and_verdict(
    prove_app: tuple[FastAPI, str],
) -> None:
    app, token = prove_app
    page = TestClient(app, cookies=session(app, token)).get("/experiments").text
    assert "Assignment health" in page and "Sample ratio: p =" in page
    assert "full_resolution_time:median" in page and "bootstrap" in page
    assert "Verdict: better" in page and "faster is better" in page


def test_the_roi_page_shows_the_ledger_and_the_formula(prove_app: tuple[FastAPI, str]) -> None:
    app, token = prove_app
    client = TestClient(app, cookies=session(app, token))
    page = client.get("/roi?start=2026-11-01&end=2026-11-07").text
    assert "money saved = hours saved × fully loaded hourly cost − tool cost" in page
    # no ticket of those customers here: every resolution with a customer id holds
    assert "5 resolutions reported by the vendor, 4 verified" in page
    assert "observational" in page
