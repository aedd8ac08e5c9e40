"""``POST /webhooks/{source}``: a vendor's signed delivery, verified and kept before the 2xx.

The route takes no API token: the source's webhook secret is its credential
(:mod:`supportops.webhooks.receive`); every other route keeps its token rule. It is served by
:class:`WebhookGate`, a plain ASGI middleware standing outside the app's other middlewares:
a vendor's delivery needs none of them (no session, no query budget, no page headers), and the
path stays cheap enough for hundreds of deliveries a second (decision D67). The raw body is read
as bytes, at most :data:`~supportops.web.bodies.FORM_BYTES` (413 past it), verified, committed
to the inbox (:mod:`supportops.webhooks.inbox`) and answered with the vendor's
acknowledgement; the live worker, when the server runs one, is woken to apply it.
"""

from __future__ import annotations

import threading
from typing import Any
from urllib.parse import parse_qsl

import anyio.to_thread
from starlette.responses import Response

from supportops.web.bodies import FORM_BYTES, ASGIApp, Message, Receive, Send
from supportops.web.errors import error_response
from supportops.webhooks.inbox import Inbox
from supportops.webhooks.receive import receive

__all__ = ["PREFIX", "WebhookGate", "inbox_of"]

PREFIX = "/webhooks/"
HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
_opening = threading.Lock()


def inbox_of(app: Any) -> Inbox:
    """The app's inbox, opened on first use."""
    with _opening:
        inbox: Inbox | None = getattr(app.state, "inbox", None)
        if inbox is None:
            inbox = app.state.inbox = Inbox.of_workspace(app.state.web.base.path)
        return inbox


async def _body(receive_message: Receive) -> bytes | None:
    """The request's body, or None when it is longer than :data:`FORM_BYTES`."""
    chunks, size = [], 0
    while True:
        message = await receive_message()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > FORM_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


class WebhookGate:
    """ASGI middleware answering ``POST /webhooks/{source}`` itself; the rest goes on to the
    app. ``web`` is the FastAPI app whose state holds the workspace."""

    def __init__(self, app: ASGIApp, web: Any) -> None:
        self.app = app
        self.web = web

    async def __call__(self, scope: Message, receive_message: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or scope["method"] != "POST" or not path.startswith(PREFIX):
            await self.app(scope, receive_message, send)
            return
        answer = await self._answer(path[len(PREFIX) :], scope, receive_message)
        answer.headers.update(HEADERS)
        await answer(scope, receive_message, send)

    async def _answer(self, source: str, scope: Message, receive_message: Receive) -> Response:
        state = self.web.state.web
        config = state.base.config.sources.get(source)
        if config is None or "/" in source:
            return error_response(404, "not_found", f"no source {source!r}")
        body = await _body(receive_message)
        if body is None:
            message = f"the request body is larger than the limit of {FORM_BYTES:,} bytes"
            return error_response(413, "too_large", message)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        answer = await anyio.to_thread.run_sync(
            lambda: receive(
                inbox_of(self.web), source, config, body, headers, query, state.base.clock.now()
            )
        )
        if answer.reason is not None:
            code = "unauthorized" if answer.status == 401 else "bad_request"
            return error_response(answer.status, code, f"webhook refused: {answer.reason}")
        live = getattr(self.web.state, "live", None)
        if answer.new and live is not None:
            live.wake()
        return Response(answer.body, status_code=answer.status, media_type=answer.media_type)
