"""``POST /webhooks/{source}``: a vendor's signed delivery, verified and kept before the 2xx.

The route takes no API token: the source's webhook secret is its credential
(:mod:`supportops.webhooks.receive`); every other route keeps its token rule. The raw body is
read as bytes (bounded by :class:`~supportops.web.bodies.BodyGuard`), verified, committed to
the inbox (:mod:`supportops.webhooks.inbox`) and answered with the vendor's acknowledgement; the
live worker, when the server runs one, is woken to apply it.
"""

from __future__ import annotations

import threading
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import Response

from supportops.web.errors import error_response
from supportops.webhooks.inbox import Inbox
from supportops.webhooks.receive import receive

__all__ = ["inbox_of", "router"]

router = APIRouter(include_in_schema=False)
_opening = threading.Lock()


def inbox_of(app: Any) -> Inbox:
    """The app's inbox, opened on first use."""
    with _opening:
        inbox: Inbox | None = getattr(app.state, "inbox", None)
        if inbox is None:
            inbox = app.state.inbox = Inbox.of_workspace(app.state.web.base.path)
        return inbox


@router.post("/webhooks/{source}")
async def webhook(source: str, request: Request) -> Response:
    """Verify one delivery to ``source`` and keep it; 401 when it does not verify."""
    state = request.app.state.web
    config = state.base.config.sources.get(source)
    if config is None:
        return error_response(404, "not_found", f"no source {source!r}")
    body = await request.body()
    answer = await anyio.to_thread.run_sync(
        lambda: receive(
            inbox_of(request.app),
            source,
            config,
            body,
            dict(request.headers),
            dict(request.query_params),
            state.base.clock.now(),
        )
    )
    if answer.reason is not None:
        code = "unauthorized" if answer.status == 401 else "bad_request"
        return error_response(answer.status, code, f"webhook refused: {answer.reason}")
    live = getattr(request.app.state, "live", None)
    if answer.new and live is not None:
        live.wake()
    return Response(answer.body, status_code=answer.status, media_type=answer.media_type)
