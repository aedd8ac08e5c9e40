"""Tokens: shown once, stored as a hash, scoped, revocable."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from supportops.errors import AuthError
from supportops.tokens import PREFIX, TokenFile, hash_token


def test_a_token_is_stored_only_as_its_hash(tmp_path: Path) -> None:
    file = TokenFile.of_workspace(tmp_path)
    record, secret = file.create("dash", "read")
    text = file.path.read_text()
    assert secret.startswith(PREFIX) and len(secret) > 40
    assert secret not in text
    assert json.loads(text)["tokens"][0]["sha256"] == hash_token(secret)
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


def test_another_process_sees_new_tokens(tmp_path: Path) -> None:
    server = TokenFile.of_workspace(tmp_path)
    assert server.records() == []
    _, secret = TokenFile.of_workspace(tmp_path).create("later", "read")
    assert server.verify(secret).name == "later"
