"""API tokens and browser sessions: created once, shown once, kept only as SHA-256 hashes.

A token reads ``sops_`` followed by 43 URL-safe characters (``secrets.token_urlsafe(32)``). The
workspace keeps them in ``access.sqlite`` (mode 0600), a small SQLite database apart from the
store, so that ``supportops token create`` works while ``supportops serve`` holds the DuckDB store
open. Every change is one SQLite transaction (WAL journal, ``BEGIN IMMEDIATE``): concurrent
creates and revocations from any number of threads and processes are serialised, and every check
reads the committed state, so a revoked token is refused from the next request on.

A browser session is a row of the same database: the cookie carries a random session id (the
database keeps its hash), never the API token; the session holds its own CSRF token and expires
after :data:`SESSION_SECONDS`. Logging out deletes the row; revoking a token deletes its sessions.

An ``api_tokens.json`` left by an earlier version is migrated on first open, then removed.

Scopes are ordered: ``admin`` includes ``write``, which includes ``read``.

>>> tokens = TokenFile.of_workspace(path)                # doctest: +SKIP
>>> record, secret = tokens.create("dashboard", "read")  # doctest: +SKIP
>>> tokens.verify(secret).scope                          # doctest: +SKIP
'read'
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC
from pathlib import Path
from typing import Literal, cast

from supportops.errors import AuthError, ConfigError, WorkspaceError
from supportops.instants import Clock, SystemClock

__all__ = [
    "LEGACY_FILE",
    "PREFIX",
    "SCOPES",
    "SESSION_SECONDS",
    "TOKEN_FILE",
    "Scope",
    "Session",
    "TokenFile",
    "TokenRecord",
    "hash_token",
]

PREFIX = "sops_"
TOKEN_FILE = "access.sqlite"
LEGACY_FILE = "api_tokens.json"
SESSION_SECONDS = 8 * 3600
Scope = Literal["read", "write", "admin"]
SCOPES: tuple[Scope, ...] = ("read", "write", "admin")
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS tokens (id TEXT PRIMARY KEY, name TEXT NOT NULL, "
    "scope TEXT NOT NULL, created_at TEXT NOT NULL, sha256 TEXT NOT NULL UNIQUE)",
    "CREATE TABLE IF NOT EXISTS sessions (sha256 TEXT PRIMARY KEY, "
    "token_id TEXT NOT NULL REFERENCES tokens(id) ON DELETE CASCADE, "
    "csrf TEXT NOT NULL, expires_at REAL NOT NULL)",
)
COLUMNS = "id, name, scope, created_at, sha256"


def hash_token(secret: str) -> str:
    """The hex SHA-256 of a token (or a session id), as stored."""
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


@dataclass(frozen=True)
class Session:
    """A live browser session: the token it was opened with and its CSRF token."""

    token: TokenRecord
    csrf: str


def _record(row: tuple[str, ...]) -> TokenRecord:
    id_, name, scope, created_at, sha256 = row
    return TokenRecord(id_, name, cast(Scope, scope), created_at, sha256)


class TokenFile:
    """The tokens and sessions of one workspace, in ``DIR/access.sqlite``.

    Safe to share between threads: each operation opens its own connection."""

    def __init__(self, path: Path, clock: Clock | None = None) -> None:
        self.path = path
        self.clock = clock or SystemClock()
        self._ready = False

    @classmethod
    def of_workspace(cls, folder: Path, clock: Clock | None = None) -> TokenFile:
        """The token database of the workspace in ``folder``."""
        return cls(folder / TOKEN_FILE, clock)

    @contextmanager
    def _connect(self, write: bool = False) -> Iterator[sqlite3.Connection]:
        if not self._ready:
            self._create()
        con = self._open()
        try:
            con.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            yield con
            con.execute("COMMIT")
        except sqlite3.IntegrityError:
            con.execute("ROLLBACK")
            raise
        except sqlite3.Error as exc:  # a read-only or full disk, a damaged file
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise self._broken(exc) from exc
        except BaseException:
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise
        finally:
            con.close()

    def _open(self) -> sqlite3.Connection:
        if not self.path.exists():
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
        try:
            con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            con.execute("PRAGMA foreign_keys = ON")
        except sqlite3.Error as exc:
            raise self._broken(exc) from exc
        return con

    def _broken(self, exc: Exception) -> WorkspaceError:
        return WorkspaceError(
            f"{self.path}: cannot use the token database ({exc}); if the disk is writable and "
            "the file is damaged, move it away and create tokens again (`supportops token "
            "create`)",
            path=str(self.path),
        )

    def _create(self) -> None:
        """The tables (once per process), and the migration of a legacy token file."""
        con = self._open()
        try:
            if con.execute("PRAGMA journal_mode = WAL").fetchone()[0] != "wal":
                raise self._broken(sqlite3.Error("WAL journal refused"))
            con.execute("BEGIN IMMEDIATE")
            for statement in SCHEMA:
                con.execute(statement)
            legacy = self.path.parent / LEGACY_FILE
            if legacy.is_file():
                rows = [asdict(r) for r in self._legacy(legacy)]
                con.executemany(
                    f"INSERT OR IGNORE INTO tokens ({COLUMNS}) "
                    "VALUES (:id, :name, :scope, :created_at, :sha256)",
                    rows,
                )
            con.execute("COMMIT")
            if legacy.is_file():
                legacy.unlink(missing_ok=True)
        except sqlite3.DatabaseError as exc:
            raise self._broken(exc) from exc
        finally:
            con.close()
        self._ready = True

    @staticmethod
    def _legacy(path: Path) -> list[TokenRecord]:
        try:
            rows = json.loads(path.read_text(encoding="utf-8"))
            return [TokenRecord(**row) for row in rows["tokens"]]
        except (ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"{path}: not a token file: {exc}", file=str(path)) from exc

    def records(self) -> list[TokenRecord]:
        """Every token, oldest first."""
        with self._connect() as con:
            rows = con.execute(f"SELECT {COLUMNS} FROM tokens ORDER BY created_at, rowid")
            return [_record(row) for row in rows]

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
            id=secrets.token_hex(8),
            name=name.strip(),
            scope=scope,
            created_at=self.clock.now().astimezone(UTC).isoformat(timespec="seconds"),
            sha256=hash_token(secret),
        )
        with self._connect(write=True) as con:
            con.execute(
                f"INSERT INTO tokens ({COLUMNS}) VALUES (?, ?, ?, ?, ?)",
                (record.id, record.name, record.scope, record.created_at, record.sha256),
            )
        return record, secret

    def revoke(self, key: str) -> list[TokenRecord]:
        """Remove the tokens whose id or name is ``key``, and their sessions; the removed
        records."""
        with self._connect(write=True) as con:
            rows = con.execute(
                f"DELETE FROM tokens WHERE id = ? OR name = ? RETURNING {COLUMNS}", (key, key)
            ).fetchall()
        if not rows:
            raise AuthError(f"no token with id or name {key!r}", status=404)
        return sorted((_record(row) for row in rows), key=lambda r: r.created_at)

    def verify(self, secret: str | None) -> TokenRecord:
        """The record of ``secret``; :class:`AuthError` (401) when it is missing or unknown."""
        if not secret:
            raise AuthError("a bearer token is required", status=401)
        with self._connect() as con:
            row = con.execute(
                f"SELECT {COLUMNS} FROM tokens WHERE sha256 = ?", (hash_token(secret),)
            ).fetchone()
        if row is None:
            raise AuthError("the token is not valid (unknown or revoked)", status=401)
        return _record(row)

    def open_session(self, secret: str) -> tuple[str, Session]:
        """A new session for the token ``secret`` (checked): its id, for the cookie, and it."""
        session_id = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        now = self.clock.now().timestamp()
        record = self.verify(secret)
        with self._connect(write=True) as con:
            # checked again inside the write: a token revoked since is refused, not a 500
            if not con.execute("SELECT 1 FROM tokens WHERE id = ?", (record.id,)).fetchone():
                raise AuthError("the token is not valid (unknown or revoked)", status=401)
            con.execute("DELETE FROM sessions WHERE expires_at <= ?", (now,))
            con.execute(
                "INSERT INTO sessions (sha256, token_id, csrf, expires_at) VALUES (?, ?, ?, ?)",
                (hash_token(session_id), record.id, csrf, now + SESSION_SECONDS),
            )
        return session_id, Session(record, csrf)

    def session(self, session_id: str | None) -> Session:
        """The live session ``session_id``; :class:`AuthError` (401) when missing, ended or
        expired."""
        if not session_id:
            raise AuthError("no session", status=401)
        now = self.clock.now().timestamp()
        with self._connect() as con:
            row = con.execute(
                f"SELECT {', '.join('t.' + c for c in COLUMNS.split(', '))}, s.csrf "
                "FROM sessions s JOIN tokens t ON t.id = s.token_id "
                "WHERE s.sha256 = ? AND s.expires_at > ?",
                (hash_token(session_id), now),
            ).fetchone()
        if row is None:
            raise AuthError("the session has ended; log in again", status=401)
        return Session(_record(row[:5]), row[5])

    def close_session(self, session_id: str) -> None:
        """End the session ``session_id`` (logging out)."""
        with self._connect(write=True) as con:
            con.execute("DELETE FROM sessions WHERE sha256 = ?", (hash_token(session_id),))
