"""The Experiments and Automation ROI pages over a workspace with an assigned experiment and bot
sessions: assignment health, each result with its interval and the verdict; the ledger with
vendor-reported against verified resolutions and the formula printed."""

from __future__ import annotations

import html
import json
import re
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


def _specs(page: str) -> dict[str, dict[str, object]]:
    found = re.findall(r'<script type="application/json" id="spec-([^"]+)">(.*?)</script>', page)
    return {name: json.loads(html.unescape(body)) for name, body in found}


def test_each_result_is_drawn_as_its_interval(prove_app: tuple[FastAPI, str]) -> None:
    """One forest plot per metric: each arm's estimate on its interval, beside zero."""
    from supportops.experiments.results import analyze

    app, token = prove_app
    page = TestClient(app, cookies=session(app, token)).get("/experiments").text
    specs = _specs(page)
    results = analyze(app.state.web.base, "faster-macro").analysis.results
    assert len(specs) == len({r.spec.label for r in results}) > 0
    drawn = {
        (spec["usermeta"]["file"], row["arm"]): (row["estimate"], row["low"], row["high"])  # type: ignore[index]
        for spec in specs.values()
        for row in spec["data"]["values"]  # type: ignore[index]
    }
    for r in results:
        key = next(k for k in drawn if k[1] == r.arm and k[0].endswith(_slug(r.spec.label)))
        estimate, low, high = drawn[key]
        assert low <= estimate <= high
        near = 0.5 if r.spec.unit == "seconds" else 1e-6  # a chart keeps whole seconds
        assert estimate == pytest.approx(r.interval.estimate, abs=near)
        assert (low, high) == pytest.approx((r.interval.low, r.interval.high), abs=near)


def test_the_money_saved_is_drawn_with_its_interval(prove_app: tuple[FastAPI, str]) -> None:
    app, token = prove_app
    page = TestClient(app, cookies=session(app, token)).get("/roi?start=2026-11-01&end=2026-11-07")
    spec = _specs(page.text)["money-saved"]
    rows = spec["data"]["values"]  # type: ignore[index]
    assert rows and all(r["low"] <= r["estimate"] <= r["high"] for r in rows)  # type: ignore[index]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
