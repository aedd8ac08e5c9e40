"""Hostile input: every route, every parameter, edge values — a 4xx (or a 2xx), never a 5xx,
always the one error shape, never SQL text in the answer."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.testclient import TestClient

from supportops.web import admin, api, plan
from supportops.web.pages import NAV
from tests.web.conftest import bearer, session

EDGES = {
    "first-day": "0001-01-01",
    "last-day": "9999-12-31",
    "huge-int": "99999999999999999999999",
    "negative": "-1",
    "unicode-digit": "²",
    "empty": "",
    "nul": "\x00",
    "long": "9" * 5000,
}
PAGE_PARAMS = ("start", "end", "as_of", "page", "within")
SQL_WORDS = ("SELECT ", " FROM ", "WHERE ", "Binder Error", "Conversion Error", "duckdb", "psycopg")


def _api_routes() -> list[tuple[str, list[str]]]:
    """The GET routes of the API schema with the names of their query parameters."""
    routes = [r for module in (api, admin, plan) for r in module.router.routes]
    schema = get_openapi(title="supportops", version="1", routes=routes)
    return [
        (path, [p["name"] for p in ops["get"].get("parameters", []) if p["in"] == "query"])
        for path, ops in schema["paths"].items()
        if "get" in ops and "{" not in path
    ]


def _cases() -> list[Any]:
    routes = [(path, names) for path, names in _api_routes()]
    routes += [(href, list(PAGE_PARAMS)) for href, _ in NAV]
    routes += [("/tickets.csv", list(PAGE_PARAMS)), ("/login", ["next"])]
    return [
        pytest.param(path, name, value, id=f"{path}-{name}-{label}")
        for path, names in routes
        for name in names
        for label, value in EDGES.items()
    ]


@pytest.fixture(scope="module")
def hostile(app: FastAPI, tokens: dict[str, str]) -> TestClient:
    client = TestClient(app, raise_server_exceptions=False)
    client.headers.update(bearer(tokens["admin"]))
    client.cookies.update(session(app, tokens["read"]))
    return client


@pytest.mark.slow  # about 700 requests
@pytest.mark.parametrize(("path", "name", "value"), _cases())
def test_an_edge_value_is_never_a_server_error(
    hostile: TestClient, path: str, name: str, value: str
) -> None:
    answer = hostile.get(path, params={name: value}, follow_redirects=False)
    assert answer.status_code < 500, answer.text[:500]
    if answer.status_code >= 400:
        body = answer.json()
        assert set(body) == {"error"} and {"code", "message"} <= set(body["error"])
    text = answer.text if answer.status_code >= 400 else ""
    assert not any(word in text for word in SQL_WORDS), text[:500]


@pytest.mark.parametrize("name", ["..", ".", "", "../supportops.yaml", "a\x00b.csv", "/etc/passwd"])
def test_an_upload_name_that_is_not_a_file_name_is_refused(
    hostile: TestClient, tokens: dict[str, str], name: str
) -> None:
    answer = hostile.post("/api/imports", files={"files": (name, b"ticket_id\n", "text/csv")})
    assert 400 <= answer.status_code < 500, answer.text
    assert answer.json()["error"]["code"] in {"bad_input", "invalid_request"}


def test_a_method_not_allowed_names_the_allowed_ones(hostile: TestClient) -> None:
    answer = hostile.put("/api/tokens")
    assert answer.status_code == 405 and answer.json()["error"]["code"] == "method_not_allowed"
    assert answer.headers["allow"] == "GET, POST"
    assert hostile.get("/api/tokens/x").headers["allow"] == "DELETE"


def test_a_store_error_does_not_echo_its_sql(
    hostile: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from supportops.errors import StoreError
    from supportops.web import data

    def failing() -> None:
        raise StoreError('Binder Error: SELECT "secret" FROM tickets WHERE x', engine="duckdb")

    monkeypatch.setattr(data, "definitions", failing)
    answer = hostile.get("/api/definitions")
    assert answer.status_code == 500 and answer.json()["error"]["code"] == "store_error"
    assert "SELECT" not in answer.text and "secret" not in answer.text
