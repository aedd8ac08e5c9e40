"""Tokens and sessions: shown once, stored as a hash, scoped, revocable at once, race-free."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import stat
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from supportops.errors import AuthError
from supportops.tokens import (
    LEGACY_FILE,
    PREFIX,
    SESSION_SECONDS,
    TokenFile,
    TokenRecord,
    hash_token,
)
from supportops.web import create_app
from supportops.web.auth import COOKIE, LOGIN_COOKIE
from tests.web.conftest import bearer, live


def _rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as con:
        return con.execute(sql).fetchall()


def test_a_token_is_stored_only_as_its_hash(tmp_path: Path) -> None:
    file = TokenFile.of_workspace(tmp_path)
    record, secret = file.create("dash", "read")
    assert secret.startswith(PREFIX) and len(secret) > 40
    assert secret.encode() not in file.path.read_bytes()
    assert _rows(file.path, "SELECT sha256 FROM tokens") == [(hash_token(secret),)]
    assert stat.S_IMODE(file.path.stat().st_mode) == 0o600
    assert file.verify(secret) == record


def test_wrong_missing_and_revoked_tokens_are_401(tmp_path: Path) -> None:
    file = TokenFile.of_workspace(tmp_path)
    _, secret = file.create("ci", "write")
    for bad in (None, "", "sops_nope", secret + "x"):
        with pytest.raises(AuthError) as info:
            file.verify(bad)
        assert info.value.status == 401  # type: ignore[attr-defined]
    file.revoke("ci")
    with pytest.raises(AuthError):
        file.verify(secret)


def test_scopes_are_ordered(tmp_path: Path) -> None:
    file = TokenFile.of_workspace(tmp_path)
    read = file.create("r", "read")[0]
    admin = file.create("a", "admin")[0]
    assert read.allows("read") and not read.allows("write")
    assert admin.allows("read") and admin.allows("write") and admin.allows("admin")


def test_an_unknown_scope_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AuthError, match="unknown scope"):
        TokenFile.of_workspace(tmp_path).create("x", "root")


def test_another_process_sees_new_tokens_and_revocations(tmp_path: Path) -> None:
    server = TokenFile.of_workspace(tmp_path)
    assert server.records() == []
    record, secret = TokenFile.of_workspace(tmp_path).create("later", "read")
    assert server.verify(secret).name == "later"
    TokenFile.of_workspace(tmp_path).revoke(record.id)
    with pytest.raises(AuthError):
        server.verify(secret)


def test_a_legacy_token_file_is_migrated_then_removed(tmp_path: Path) -> None:
    old = TokenRecord("ab12cd34", "old", "admin", "2026-01-01T00:00:00+00:00", hash_token("sops_x"))
    legacy = tmp_path / LEGACY_FILE
    legacy.write_text(json.dumps({"tokens": [old.__dict__]}))
    file = TokenFile.of_workspace(tmp_path)
    assert file.verify("sops_x") == old
    assert not legacy.exists()
    assert file.records() == [old]


def test_a_session_is_not_the_token_and_ends_with_its_token(tmp_path: Path) -> None:
    file = TokenFile.of_workspace(tmp_path)
    record, secret = file.create("me", "read")
    session_id, session = file.open_session(secret)
    assert session_id != secret and session.token == record
    assert file.session(session_id) == session
    assert session_id.encode() not in file.path.read_bytes()
    file.revoke("me")
    with pytest.raises(AuthError, match="ended"):
        file.session(session_id)


class _MovingClock:
    """A clock the test moves by hand."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


def test_a_session_expires(tmp_path: Path) -> None:
    clock = _MovingClock(datetime(2026, 1, 1, tzinfo=UTC))
    file = TokenFile.of_workspace(tmp_path, clock)
    session_id, _ = file.open_session(file.create("me", "read")[1])
    clock.at += timedelta(seconds=SESSION_SECONDS - 1)
    assert file.session(session_id).token.name == "me"
    clock.at += timedelta(seconds=1)
    with pytest.raises(AuthError):
        file.session(session_id)


# --- the web app ------------------------------------------------------------------------------


@pytest.fixture
def small_app(tmp_path: Path) -> Iterator[FastAPI]:
    """An app over an empty workspace of its own (its token table starts empty)."""
    from supportops.cli.workspace import write_config

    write_config(tmp_path, "supportops.yaml", "supportops.templates", force=False)
    config = tmp_path / "supportops.yaml"
    config.write_text(config.read_text() + "\nlimits:\n  upload_mb: 0.01\n")
    app = create_app(tmp_path)
    yield app
    app.state.web.close()


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def _log_in(client: TestClient, token: str) -> httpx.Response:
    csrf = _csrf(client.get("/login").text)
    form = {"token": token, "csrf": csrf, "next": "/definitions"}
    return client.post("/login", data=form, follow_redirects=False)


def test_login_opens_a_session_whose_cookie_is_not_the_token(small_app: FastAPI) -> None:
    secret = small_app.state.web.tokens.create("me", "read")[1]
    client = TestClient(small_app, base_url="https://testserver")
    answer = _log_in(client, secret)
    assert answer.status_code == 303 and answer.headers["location"] == "/definitions"
    cookie = client.cookies[COOKIE]
    assert cookie != secret and secret not in answer.headers["set-cookie"]
    assert client.get("/definitions").status_code == 200


def test_login_without_its_csrf_token_is_refused(small_app: FastAPI) -> None:
    secret = small_app.state.web.tokens.create("me", "read")[1]
    client = TestClient(small_app, base_url="https://testserver")
    client.get("/login")
    for csrf in ("", "forged"):
        answer = client.post("/login", data={"token": secret, "csrf": csrf})
        assert answer.status_code == 403 and COOKIE not in client.cookies
    assert LOGIN_COOKIE in client.cookies  # the form is served again with a fresh token


def test_logout_needs_its_csrf_token_and_ends_the_session(small_app: FastAPI) -> None:
    secret = small_app.state.web.tokens.create("me", "read")[1]
    client = TestClient(small_app, base_url="https://testserver")
    _log_in(client, secret)
    session_id = client.cookies[COOKIE]
    page = client.get("/definitions").text
    forged = client.post("/logout", data={"csrf": "forged"}, follow_redirects=False)
    assert forged.status_code == 403 and forged.json()["error"]["code"] == "forbidden"
    assert client.get("/definitions", follow_redirects=False).status_code == 200
    done = client.post("/logout", data={"csrf": _csrf(page)}, follow_redirects=False)
    assert done.status_code == 303
    # the same cookie, replayed after logout, opens nothing
    replay = TestClient(small_app, base_url="https://testserver", cookies={COOKIE: session_id})
    assert replay.get("/definitions", follow_redirects=False).status_code == 303


def test_data_answers_are_not_cached(small_app: FastAPI) -> None:
    secret = small_app.state.web.tokens.create("me", "read")[1]
    client = TestClient(small_app)
    for path in ("/api/definitions", "/api/quality", "/login", "/api/nothing"):
        assert client.get(path, headers=bearer(secret)).headers["cache-control"] == "no-store"
    assert "no-store" not in client.get("/static/app.css").headers.get("cache-control", "")


def test_workspace_files_are_private(small_app: FastAPI, tmp_path: Path) -> None:
    small_app.state.web.tokens.create("me", "read")
    for name in ("supportops.duckdb", "access.sqlite"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o700


def test_an_upload_over_the_limit_is_413_and_one_without_a_token_401(
    small_app: FastAPI,
) -> None:
    secret = small_app.state.web.tokens.create("w", "write")[1]
    client = TestClient(small_app)
    big = {"files": ("tickets.csv", b"x" * 20_000, "text/csv")}
    over = client.post("/api/imports", files=big, headers=bearer(secret))
    assert over.status_code == 413 and over.json()["error"]["code"] == "too_large"
    anonymous = client.post("/api/imports", files=big)
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "unauthorized"


def test_no_body_is_read_before_the_token_is_checked(small_app: FastAPI) -> None:
    from supportops.web.bodies import BodyGuard

    reads: list[object] = []

    async def receive() -> dict[str, Any]:
        reads.append(1)
        return {"type": "http.request", "body": b"x" * 1000, "more_body": True}

    sent: list[dict[str, Any]] = []

    async def send(message: Any) -> None:
        sent.append(message)

    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("the app must not be reached")

    guard = BodyGuard(app, small_app.state.web.tokens, upload_bytes=10**9)
    scope = {"type": "http", "method": "POST", "path": "/api/imports", "headers": []}
    asyncio.run(guard(scope, receive, send))
    assert reads == [] and sent[0]["status"] == 401


def test_concurrent_creates_and_revokes_are_serialised(small_app: FastAPI) -> None:
    """50 concurrent creates and revokes on a live server: every 201 exists, every revoked
    token is refused at once, and the database stays sound."""
    tokens: TokenFile = small_app.state.web.tokens
    admin = tokens.create("root", "admin")[1]
    victims = [tokens.create(f"victim-{i}", "admin") for i in range(15)]
    with live(small_app) as url, httpx.Client(base_url=url, timeout=60) as http:

        def create(i: int) -> tuple[str, str]:
            answer = http.post("/api/tokens", json={"name": f"new-{i}"}, headers=bearer(admin))
            assert answer.status_code == 201, answer.text
            body = answer.json()
            assert http.get("/api/definitions", headers=bearer(body["token"])).status_code == 200
            return body["id"], body["token"]

        def revoke(i: int) -> str:
            record, secret = victims[i]
            answer = http.delete(f"/api/tokens/{record.id}", headers=bearer(admin))
            assert answer.status_code == 200, answer.text
            refused = http.get("/api/tokens", headers=bearer(secret))
            assert refused.status_code == 401, refused.text
            return record.id

        with ThreadPoolExecutor(max_workers=12) as pool:
            created = list(pool.map(create, range(35)))
            revoked = list(pool.map(revoke, range(15)))
            # interleaved: creates beside revokes
            mixed = [pool.submit(create, 100 + i) for i in range(5)]
            more = [tokens.create(f"late-{i}", "admin") for i in range(5)]
            victims.extend(more)
            gone = [pool.submit(revoke, 15 + i) for i in range(5)]
            created += [f.result() for f in mixed]
            revoked += [f.result() for f in gone]
        listed = {t["id"] for t in http.get("/api/tokens", headers=bearer(admin)).json()}
    assert {i for i, _ in created} <= listed and not set(revoked) & listed
    assert len(listed) == 1 + len(created)
    assert _rows(tokens.path, "PRAGMA integrity_check") == [("ok",)]
