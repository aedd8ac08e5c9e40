"""Each request's query budget, and its queries cancelled when its client goes away.

:class:`RequestDeadline`, an ASGI middleware, runs every HTTP request under a
:func:`~supportops.store.budget.request_budget` of the workspace's ``limits.query_seconds``: a
query past it is stopped and the request answers 503 ``budget_exceeded`` in the one error shape,
while the server goes on serving. For a request without a body it also listens for the client's
``http.disconnect`` while the app works, and cancels the request's running queries then.
"""

from __future__ import annotations

import asyncio
from contextlib import suppress

from supportops.store.budget import RequestBudget, request_budget
from supportops.web.bodies import BODYLESS, UPLOAD_PATHS, ASGIApp, Message, Receive, Send

__all__ = ["RequestDeadline"]


class RequestDeadline:
    """ASGI middleware: a query budget per request; cancellation on disconnect."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Message, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UPLOAD_PATHS:
            await self.app(scope, receive, send)  # an import is one transaction, not a query
            return
        with request_budget(self.seconds) as budget:
            if scope["method"] not in BODYLESS:
                await self.app(scope, receive, send)
                return
            watcher = asyncio.ensure_future(_watch(receive, budget))
            try:
                await self.app(scope, receive, send)
            finally:
                watcher.cancel()
                with suppress(asyncio.CancelledError):
                    await watcher


async def _watch(receive: Receive, budget: RequestBudget) -> None:
    """Wait for the client to disconnect, then cancel the request's queries."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            budget.cancel()
            return
