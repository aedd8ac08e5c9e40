"""Request bodies: authenticated before they are read, and bounded in size.

FastAPI reads (and spools) a whole form or upload before it resolves the route's dependencies,
so a check of the token in a dependency would come after a 100 MB upload. :class:`BodyGuard`,
an ASGI middleware, stands before the app: a request with a body to ``/api/...`` is refused
with a 401 unless its bearer token is valid (the route still checks the scope), and no body may
exceed its route's limit — the workspace's ``limits.upload_mb`` for imports, :data:`FORM_BYTES`
for every other body. A declared ``Content-Length`` over the limit is a 413 before a byte is
read; a body that turns out longer is cut off with the same 413.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import anyio.to_thread
from starlette.exceptions import HTTPException

from supportops.errors import AuthError
from supportops.tokens import TokenFile
from supportops.web.errors import error_response

__all__ = ["FORM_BYTES", "UPLOAD_PATHS", "BodyGuard"]

FORM_BYTES = 64 * 1024
UPLOAD_PATHS = frozenset({"/api/imports"})
BODYLESS = frozenset({"GET", "HEAD", "OPTIONS"})
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Message, Receive, Send], Awaitable[None]]


def _header(scope: Message, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def _bearer(scope: Message) -> str | None:
    value = _header(scope, b"authorization") or ""
    kind, _, secret = value.partition(" ")
    return secret.strip() if kind.lower() == "bearer" else None


def _too_large(limit: int) -> str:
    return f"the request body is larger than the limit of {limit:,} bytes"


class BodyGuard:
    """ASGI middleware: authentication before the body, and a size limit on it."""

    def __init__(self, app: ASGIApp, tokens: TokenFile, upload_bytes: int) -> None:
        self.app = app
        self.tokens = tokens
        self.upload_bytes = upload_bytes

    async def __call__(self, scope: Message, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in BODYLESS:
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        limit = self.upload_bytes if path in UPLOAD_PATHS else FORM_BYTES
        if path.startswith("/api/"):
            try:
                await anyio.to_thread.run_sync(self.tokens.verify, _bearer(scope))
            except AuthError as exc:
                answer = error_response(401, "unauthorized", exc.message, None, _CHALLENGE)
                await answer(scope, receive, send)
                return
        declared = _header(scope, b"content-length")
        number = declared is not None and declared.isascii() and declared.isdigit()
        if declared is not None and (not number or int(declared) > limit):
            status, code = (413, "too_large") if number else (400, "bad_request")
            message = _too_large(limit) if status == 413 else "invalid Content-Length"
            await error_response(status, code, message)(scope, receive, send)
            return
        await self.app(scope, _counted(receive, limit), send)


_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def _counted(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > limit:
            raise HTTPException(413, _too_large(limit))
        return message

    return counted
