"""API tokens: created once, shown once, kept only as a SHA-256 hash in the workspace.

A token reads ``sops_`` followed by 43 URL-safe characters (``secrets.token_urlsafe(32)``). The
workspace keeps ``api_tokens.json`` (mode 0600) with, per token, its id, name, scope, creation
time and the hex SHA-256 of the whole token — never the token itself. A file rather than a table of
the store, so that ``supportops token create`` works while ``supportops serve`` holds the DuckDB
store open, and so that a revocation takes effect on the server's next request.

Scopes are ordered: ``admin`` includes ``write``, which includes ``read``.

>>> tokens = TokenFile(path)                       # doctest: +SKIP
>>> record, secret = tokens.create("dashboard", "read")  # doctest: +SKIP
>>> tokens.verify(secret).scope                    # doctest: +SKIP
'read'
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from supportops.errors import AuthError, ConfigError

__all__ = ["PREFIX", "SCOPES", "TOKEN_FILE", "Scope", "TokenFile", "TokenRecord", "hash_token"]

PREFIX = "sops_"
TOKEN_FILE = "api_tokens.json"
Scope = Literal["read", "write", "admin"]
SCOPES: tuple[Scope, ...] = ("read", "write", "admin")


def hash_token(secret: str) -> str:
    """The hex SHA-256 of a token, as stored."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class TokenRecord:
    """What the workspace keeps of a token."""

    id: str
    name: str
    scope: Scope
    created_at: str
    sha256: str

    def allows(self, needed: Scope) -> bool:
        """Whether this token's scope includes ``needed``."""
        return SCOPES.index(self.scope) >= SCOPES.index(needed)

    def public(self) -> dict[str, str]:
        """The record without its hash, for listings."""
        return {k: v for k, v in asdict(self).items() if k != "sha256"}


class TokenFile:
    """The tokens of one workspace, in ``DIR/api_tokens.json``; re-read when the file changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._records: list[TokenRecord] = []

    @classmethod
    def of_workspace(cls, folder: Path) -> TokenFile:
        """The token file of the workspace in ``folder``."""
        return cls(folder / TOKEN_FILE)

    def records(self) -> list[TokenRecord]:
        """Every token, oldest first."""
        with self._lock:
            try:
                stat = self.path.stat()
            except FileNotFoundError:
                self._stamp, self._records = None, []
                return []
            stamp = (stat.st_mtime_ns, stat.st_size)
            if stamp != self._stamp:
                self._records = self._read()
                self._stamp = stamp
            return list(self._records)

    def _read(self) -> list[TokenRecord]:
        try:
            rows = json.loads(self.path.read_text(encoding="utf-8"))
            return [TokenRecord(**row) for row in rows["tokens"]]
        except (ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"{self.path}: not a token file: {exc}", file=str(self.path)) from exc

    def _write(self, records: list[TokenRecord]) -> None:
        body = json.dumps({"tokens": [asdict(r) for r in records]}, indent=2)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(body + "\n")
        os.replace(tmp, self.path)

    def create(self, name: str, scope: str) -> tuple[TokenRecord, str]:
        """A new token: its record and the secret, which is not kept anywhere."""
        if scope not in SCOPES:
            raise AuthError(
                f"unknown scope {scope!r} (expected one of {', '.join(SCOPES)})", status=400
            )
        if not name.strip():
            raise AuthError("a token needs a name", status=400)
        secret = PREFIX + secrets.token_urlsafe(32)
        record = TokenRecord(
            id=secrets.token_hex(4),
            name=name.strip(),
            scope=scope,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            sha256=hash_token(secret),
        )
        self._write([*self.records(), record])
        return record, secret

    def revoke(self, key: str) -> list[TokenRecord]:
        """Remove the tokens whose id or name is ``key``; the removed records."""
        records = self.records()
        gone = [r for r in records if key in (r.id, r.name)]
        if not gone:
            raise AuthError(f"no token with id or name {key!r}", status=404)
        self._write([r for r in records if r not in gone])
        return gone

    def verify(self, secret: str | None) -> TokenRecord:
        """The record of ``secret``; :class:`AuthError` (401) when it is missing or unknown."""
        if not secret:
            raise AuthError("a bearer token is required", status=401)
        digest = hash_token(secret)
        for record in self.records():
            if hmac.compare_digest(record.sha256, digest):
                return record
        raise AuthError("the token is not valid (unknown or revoked)", status=401)
