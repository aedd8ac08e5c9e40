"""The Plan page and ``GET /api/plan``: forecast against actuals, heads required against
scheduled, per interval; a read token needed; the page draws both charts in a browser.

One channel (e-mail) keeps it fast; the page and the API share the app's cached plan.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import bearer

try:  # the browser fixtures (module-scoped: a live server and headless chromium)
    from tests.web.test_browser import _shot, browser, page, server
except pytest.skip.Exception:  # playwright is not installed
    browser = page = server = None

KEYS = {"ds", "channel", "forecast", "lo", "hi", "actual", "required", "scheduled"}
URL = "/api/plan?channel=email&horizon=7d&grain=30min"


def test_the_api_answers_intervals_and_a_summary(
    client: TestClient, tokens: dict[str, str]
) -> None:
    answer = client.get(URL, headers=bearer(tokens["read"]))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    rows = body["intervals"]
    assert rows and all(set(row) == KEYS for row in rows)
    assert {row["channel"] for row in rows} == {"email"}
    assert [row["ds"] for row in rows] == sorted(row["ds"] for row in rows)
    history = [row for row in rows if row["actual"] is not None]
    planned = [row for row in rows if row["forecast"] is not None]
    assert history and len(planned) == 7 * 48
    assert max(r["ds"] for r in history) < min(r["ds"] for r in planned)
    for row in planned:
        assert row["lo"] <= row["forecast"] <= row["hi"]
        assert row["required"] is not None and row["scheduled"] is not None
    summary = body["summary"]
    assert (summary["horizon"], summary["grain"]) == ("7d", "30min")
    (channel,) = summary["channels"]
    assert channel["channel"] == "email" and channel["model"]
    assert channel["wape"] is not None and channel["mase"] is not None
    required = sum(r["required"] for r in planned) / 2  # half-hours → hours
    scheduled = sum(r["scheduled"] for r in planned) / 2
    assert summary["required_agent_hours"] == pytest.approx(required)
    assert summary["scheduled_agent_hours"] == pytest.approx(scheduled)
    assert summary["over_agent_hours"] - summary["under_agent_hours"] == pytest.approx(
        scheduled - required
    )


def test_the_api_refuses_a_missing_or_wrong_token(client: TestClient) -> None:
    for headers in ({}, bearer("sops_wrong")):
        answer = client.get(URL, headers=headers)
        assert answer.status_code == 401
        assert answer.json()["error"]["code"] == "unauthorized"


def test_bad_parameters_answer_the_one_error_shape(
    client: TestClient, tokens: dict[str, str]
) -> None:
    headers = bearer(tokens["read"])
    answer = client.get("/api/plan?horizon=5y", headers=headers)
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "invalid_request"
    answer = client.get("/api/plan?channel=carrier-pigeon", headers=headers)
    assert answer.status_code == 200  # a filter that matches nothing: an empty plan that says so
    assert answer.json()["intervals"] == []
    assert (
        answer.json()["summary"]["notice"]
        == "no volume in the workspace for channel 'carrier-pigeon'"
    )


@pytest.mark.browser
@pytest.mark.skipif(page is None, reason="playwright is not installed")
def test_the_page_draws_both_charts(page: Any, tmp_path: Path) -> None:
    page.goto("/plan?channel=email")
    for name in ("volume", "staffing"):
        page.locator(f"#chart-{name}[data-ready=true] svg").first.wait_for()
    assert page.locator("nav a[aria-current=page]").inner_text() == "Plan"
    assert page.locator("#plan-channels tbody tr").count() == 1
    assert "email" in page.inner_text("#plan-channels")
    _shot(page, "plan", tmp_path)
