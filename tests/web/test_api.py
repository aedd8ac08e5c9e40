"""The REST API: tokens and scopes, the one error shape, values equal to the metrics query."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from supportops.web import data
from supportops.web.filters import Filters
from tests.web.conftest import bearer

METRICS = ["tickets_created", "first_reply_time:median", "csat"]


def _routes(app: FastAPI) -> list[tuple[str, str]]:
    schema = app.openapi()
    return [
        (method.upper(), path.replace("{key}", "someone"))
        for path, item in schema["paths"].items()
        for method in item
        if path != "/healthz"
    ]


def test_every_route_but_healthz_refuses_a_missing_or_wrong_token(
    client: TestClient, app: FastAPI
) -> None:
    routes = [*_routes(app), ("GET", "/openapi.json"), ("GET", "/docs")]
    assert len(routes) >= 12
    for method, path in routes:
        for headers in ({}, bearer("sops_wrong")):
            answer = client.request(method, path, headers=headers)
            assert answer.status_code == 401, (method, path)
            assert answer.json()["error"]["code"] == "unauthorized"
    assert client.get("/healthz").json() == {"status": "ok"}


@pytest.mark.parametrize(
    ("method", "path", "needs"),
    [
        ("POST", "/api/imports", "write"),
        ("GET", "/api/tokens", "admin"),
        ("GET", "/api/config", "admin"),
        ("DELETE", "/api/tokens/nobody", "admin"),
    ],
)
def test_a_missing_scope_is_403(
    client: TestClient, tokens: dict[str, str], method: str, path: str, needs: str
) -> None:
    answer = client.request(method, path, headers=bearer(tokens["read"]))
    assert answer.status_code == 403
    assert answer.json()["error"] == {
        "code": "forbidden",
        "message": f"token 'test-read' has scope 'read'; this needs '{needs}'",
        "details": {"scope": needs},
    }


def test_errors_have_one_shape(client: TestClient, tokens: dict[str, str]) -> None:
    read = bearer(tokens["read"])
    answers = [
        client.get("/api/metrics", params={"metric": "no_such_metric"}, headers=read),
        client.get("/api/metrics", headers=read),
        client.get("/api/tickets", params={"limit": 0}, headers=read),
        client.get("/api/nowhere", headers=read),
    ]
    assert [a.status_code for a in answers] == [422, 422, 422, 404]
    for answer in answers:
        body = answer.json()
        assert set(body) == {"error"}
        assert set(body["error"]) == {"code", "message", "details"}
        assert body["error"]["message"]


def test_metrics_equal_the_metrics_query(
    client: TestClient, tokens: dict[str, str], app: FastAPI
) -> None:
    params = {"metric": METRICS, "by": "channel", "start": "2024-02-01", "end": "2024-03-01"}
    answer = client.get("/api/metrics", params=params, headers=bearer(tokens["read"]))
    assert answer.status_code == 200
    rows = answer.json()
    filters = Filters(
        start=pd.Timestamp("2024-02-01").date(), end=pd.Timestamp("2024-03-01").date()
    )
    with app.state.web.workspace() as ws:  # the server holds the DuckDB store
        expected = data.records(data.metrics(ws, METRICS, filters, by=["channel"]))
    assert rows == expected
    assert {tuple(sorted(r)) for r in rows} == {tuple(sorted(["channel", *METRICS]))}
    assert sum(r["tickets_created"] for r in rows) > 0


def test_a_filter_narrows_the_metrics(client: TestClient, tokens: dict[str, str]) -> None:
    read = bearer(tokens["read"])
    every = client.get("/api/metrics", params={"metric": "tickets_created"}, headers=read).json()
    chat = client.get(
        "/api/metrics", params={"metric": "tickets_created", "channel": "chat"}, headers=read
    ).json()
    assert 0 < chat[0]["tickets_created"] < every[0]["tickets_created"] == 400


def test_tickets_are_paginated_and_the_csv_has_every_row(
    client: TestClient, tokens: dict[str, str]
) -> None:
    read = bearer(tokens["read"])
    page = client.get("/api/tickets", params={"limit": 7, "offset": 5}, headers=read).json()
    assert (page["total"], page["limit"], page["offset"], len(page["items"])) == (400, 7, 5, 7)
    csv = client.get("/api/tickets.csv", headers=read)
    assert csv.headers["content-type"].startswith("text/csv")
    assert len(pd.read_csv(io.StringIO(csv.text))) == 400


def test_drill_down_keeps_the_tickets_behind_a_metric(
    client: TestClient, tokens: dict[str, str]
) -> None:
    read = bearer(tokens["read"])
    count = client.get("/api/metrics", params={"metric": "backlog"}, headers=read).json()
    page = client.get("/api/tickets", params={"metric": "backlog"}, headers=read).json()
    assert page["total"] == count[0]["backlog"]
    assert {t["status"] for t in page["items"]} <= set(data.UNSOLVED)


def test_definitions_list_the_catalog(client: TestClient, tokens: dict[str, str]) -> None:
    answer = client.get("/api/definitions", headers=bearer(tokens["read"]))
    ids = [d["id"] for d in answer.json()]
    assert "first_reply_time" in ids and "csat" in ids


def test_admin_creates_lists_and_revokes_tokens(client: TestClient, tokens: dict[str, str]) -> None:
    admin = bearer(tokens["admin"])
    made = client.post("/api/tokens", json={"name": "temp", "scope": "read"}, headers=admin)
    assert made.status_code == 201
    secret = made.json()["token"]
    assert client.get("/api/quality", headers=bearer(secret)).status_code == 200
    assert "temp" in [t["name"] for t in client.get("/api/tokens", headers=admin).json()]
    assert client.delete("/api/tokens/temp", headers=admin).status_code == 200
    assert client.get("/api/quality", headers=bearer(secret)).status_code == 401


def test_import_through_the_api_needs_write_and_adds_rows(
    client: TestClient, tokens: dict[str, str], tmp_path: Path
) -> None:
    body = "ticket_id,created_at,channel,status\nNEW1,2024-02-20T10:00:00Z,email,open\n"
    files = {"files": ("tickets.csv", body.encode(), "text/csv")}
    answer = client.post("/api/imports", files=files, headers=bearer(tokens["write"]))
    assert answer.status_code == 200, answer.text
    assert answer.json()["tables"]["tickets"]["imported"] == 1
    read = bearer(tokens["read"])
    total = client.get("/api/tickets", params={"limit": 1}, headers=read).json()["total"]
    assert total == 401
    again = client.post("/api/imports", files=files, headers=bearer(tokens["write"]))
    assert again.json()["tables"]["tickets"]["duplicates"] == 1


def test_an_import_through_the_api_that_fails_keeps_nothing(
    client: TestClient, tokens: dict[str, str]
) -> None:
    from tests.model.test_atomic import broken_events

    read = bearer(tokens["read"])
    before = client.get("/api/tickets", params={"limit": 1}, headers=read).json()["total"]
    tickets = "ticket_id,created_at,channel,status\nNEW1,2024-02-20T10:00:00Z,email,open\n"
    files = [
        ("files", ("tickets.csv", tickets.encode(), "text/csv")),
        ("files", ("events.jsonl", broken_events(), "application/x-ndjson")),
    ]
    answer = client.post("/api/imports", files=files, headers=bearer(tokens["write"]))
    assert answer.status_code == 400, answer.text
    after = client.get("/api/tickets", params={"limit": 1}, headers=read).json()["total"]
    assert after == before


def test_several_uploads_with_one_name_are_all_read(
    client: TestClient, tokens: dict[str, str]
) -> None:
    head = "ticket_id,created_at,channel,status\n"
    files = [
        ("files", ("tickets.csv", f"{head}UP1,2024-02-20T10:00:00Z,email,open\n".encode())),
        ("files", ("tickets.csv", f"{head}UP2,2024-02-20T11:00:00Z,chat,open\n".encode())),
    ]
    answer = client.post("/api/imports", files=files, headers=bearer(tokens["write"]))
    assert answer.status_code == 200, answer.text
    assert answer.json()["tables"]["tickets"]["imported"] == 2
