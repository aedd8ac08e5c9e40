"""Query budgets: a query past its time or memory answers 503 in the one error shape, a request
whose client left has its query cancelled, and the server stays up."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from supportops.errors import BudgetExceededError
from supportops.model.importer import import_files
from supportops.web import create_app, data
from supportops.workspace import Workspace
from tests.web.conftest import bearer, live
from tests.web.workspace_data import write_event_log

ENDLESS = "SELECT count(*) FROM range(1000000000000) a"
HUNGRY = "SELECT list(range) FROM range(200000000)"


def _workspace(folder: Path, limits: str) -> Path:
    from supportops.cli.workspace import write_config

    write_config(folder, "supportops.yaml", "supportops.templates", force=False)
    config = folder / "supportops.yaml"
    config.write_text(config.read_text() + f"\nlimits:\n{limits}")
    return folder


@pytest.fixture
def budgeted(tmp_path: Path) -> Iterator[tuple[FastAPI, str]]:
    """An app whose queries may run 1 s and use 200 MB, and a read token."""
    app = create_app(_workspace(tmp_path, "  query_seconds: 1\n  query_memory: 200MB\n"))
    yield app, app.state.web.tokens.create("r", "read")[1]
    app.state.web.close()


def _runs(monkeypatch: pytest.MonkeyPatch, sql: str, seen: list[str] | None = None) -> None:
    """``/api/quality`` runs ``sql`` on the request's store (recording how it ended)."""

    def quality(ws: Workspace) -> dict[str, Any]:
        try:
            return {"n": ws.store.scalar(sql)}
        except BudgetExceededError as exc:
            if seen is not None:
                seen.append(exc.budget)  # type: ignore[attr-defined]
            raise

    monkeypatch.setattr(data, "quality", quality)


def test_a_query_past_its_time_is_stopped_and_answers_503(
    budgeted: tuple[FastAPI, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    app, token = budgeted
    _runs(monkeypatch, ENDLESS)
    client = TestClient(app)
    answer = client.get("/api/quality", headers=bearer(token))
    assert answer.status_code == 503, answer.text
    error = answer.json()["error"]
    assert error["code"] == "budget_exceeded" and "query_seconds" in error["message"]
    assert error["details"] == {"budget": "time"}
    assert client.get("/api/definitions", headers=bearer(token)).status_code == 200


@pytest.fixture
def memory_bound(tmp_path: Path) -> Iterator[tuple[FastAPI, str]]:
    """An app whose queries may use 200 MB and run a minute (so that on a loaded machine the
    memory budget, not the time, is what stops a hungry query), and a read token."""
    app = create_app(_workspace(tmp_path, "  query_seconds: 60\n  query_memory: 200MB\n"))
    yield app, app.state.web.tokens.create("r", "read")[1]
    app.state.web.close()


def test_a_query_past_its_memory_answers_503(
    memory_bound: tuple[FastAPI, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    app, token = memory_bound
    _runs(monkeypatch, HUNGRY)
    answer = TestClient(app).get("/api/quality", headers=bearer(token))
    assert answer.status_code == 503, answer.text
    assert answer.json()["error"]["details"] == {"budget": "memory"}


def test_the_cli_and_the_background_refresh_have_no_time_budget(
    budgeted: tuple[FastAPI, str],
) -> None:
    app, _ = budgeted
    with app.state.web.workspace() as ws:  # outside a request
        assert ws.store.scalar("SELECT count(*) FROM range(30000000)") == 30_000_000


def test_a_request_whose_client_left_has_its_query_cancelled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(_workspace(tmp_path, "  query_seconds: 600\n"))
    token = app.state.web.tokens.create("r", "read")[1]
    seen: list[str] = []
    _runs(monkeypatch, ENDLESS, seen)
    try:
        with live(app) as url:
            with pytest.raises(httpx.ReadTimeout):
                httpx.get(f"{url}/api/quality", headers=bearer(token), timeout=1)
            for _ in range(300):  # the query stops soon after the client left
                if seen:
                    break
                time.sleep(0.1)
            assert seen == ["cancelled"]
            assert httpx.get(f"{url}/healthz").status_code == 200
    finally:
        app.state.web.close()


# --- the memory-exhaustion requests of issue 11, on a real server process ----------------------

HEAVY = (
    "/backlog?start=1900-01-01&end=2026-11-23&grain=day",
    "/api/metrics?metric=backlog&grain=day&start=0001-01-02",  # outside the API's language: 422
    "/api/metrics?metric=backlog&grain=day&start=1901-01-02",  # inside it: clamped, or budgeted
)
RSS_BOUND_MB = 1500
BUDGET = 20


def _cap_memory() -> None:
    """In the server process: a hard cap, so that a failure cannot take the machine's memory."""
    cap = 2 * RSS_BOUND_MB * 2**20
    resource.setrlimit(resource.RLIMIT_DATA, (cap, cap))


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


@pytest.mark.slow
def test_the_memory_exhaustion_requests_stay_within_budget(tmp_path: Path) -> None:
    folder = _workspace(tmp_path / "ws", f"  query_seconds: {BUDGET}\n  query_memory: 1GB\n")
    with Workspace.open(folder) as ws:
        import_files(ws.store, [write_event_log(tmp_path / "files")])
    from supportops.tokens import TokenFile

    tokens = TokenFile.of_workspace(folder)
    token = tokens.create("r", "read")[1]
    cookie = f"sops_session={tokens.open_session(token)[0]}"
    port = 8700 + os.getpid() % 200
    command = [sys.executable, "-m", "supportops", "serve", "--port", str(port), "--no-refresh"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    server = subprocess.Popen(
        [*command, "-w", str(folder)], env=env, stderr=subprocess.PIPE, preexec_fn=_cap_memory
    )
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                httpx.get(f"{url}/healthz")
                break
            except httpx.TransportError:
                time.sleep(0.1)
        start_mb = _peak_rss_mb(server.pid)
        headers = {**bearer(token), "Cookie": cookie}
        with httpx.Client(base_url=url, headers=headers, timeout=BUDGET + 30) as http:
            answers = [_get(http, path) for path in HEAVY]
            health = _get(http, "/healthz")
        peak_mb = _peak_rss_mb(server.pid)
    finally:
        server.kill()  # not terminate: a graceful stop waits for the request still computing
        server.wait(30)
    print(f"server peak RSS: {start_mb:.0f} MB at start, {peak_mb:.0f} MB after", answers)
    assert health == (200, "") and peak_mb < RSS_BOUND_MB
    for path, (status, code) in zip(HEAVY, answers, strict=True):
        assert 0 < status < 500 or code == "budget_exceeded", (path, status, code)


def _get(http: httpx.Client, path: str) -> tuple[int, str]:
    """The status and error code of ``path``; a client timeout is (0, "client timeout")."""
    try:
        answer = http.get(path)
    except httpx.ReadTimeout:
        return 0, "client timeout"
    code = answer.json()["error"]["code"] if answer.status_code >= 400 else ""
    return answer.status_code, code
