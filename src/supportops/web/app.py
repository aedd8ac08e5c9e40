"""The app factory: ``create_app(workspace_path)`` → a FastAPI app over one workspace.

The API lives under ``/api`` (:mod:`~supportops.web.api`, :mod:`~supportops.web.admin`), the
pages at the root (:mod:`~supportops.web.pages`), the vendored JavaScript under ``/static``
(public: it holds no data). Every other route but ``/healthz`` needs a token; see
:mod:`~supportops.web.auth` and, for the request's workspace, :mod:`~supportops.web.state`.
While it runs, the server may evaluate the alert rules (:mod:`supportops.alerts`) every minute.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles

from supportops.web import (
    admin,
    api,
    auth,
    automation_page,
    backlog_page,
    breakdowns,
    docs,
    errors,
    pages,
    plan,
    quality_page,
    sla_page,
    ticket_page,
    tickets_page,
)
from supportops.web.state import WebState

__all__ = ["STATIC", "create_app"]

STATIC = Path(__file__).parent / "static"
CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'"
)


def _security_headers(app: FastAPI) -> None:
    @app.middleware("http")
    async def headers(request: Request, call_next: Any) -> Any:
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response


def _run_alerts(state: WebState) -> None:
    from supportops.alerts.runner import run_alerts

    with state.workspace() as ws:
        run_alerts(ws)


def _lifespan(
    state: WebState, alert_interval: float | None, refresh: bool
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """While the server runs: the alert rules, every ``alert_interval`` seconds (None: off);
    with ``refresh``, a rebuild of stale materialised facts at start."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from supportops.alerts.runner import every

        if refresh:
            state.refresh_if_stale()
        task = None
        if alert_interval and state.base.config.alerts:
            task = asyncio.create_task(every(alert_interval, lambda: _run_alerts(state)))
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task

    return lifespan


def create_app(
    workspace_path: Path | str, alert_interval: float | None = None, refresh: bool = False
) -> FastAPI:
    """The web app (API, pages, static files) over the workspace at ``workspace_path``.

    With ``alert_interval`` (seconds), the server evaluates the workspace's alert rules that
    often while it runs (``supportops serve`` does, every 60 s); without it, never. With
    ``refresh`` (``supportops serve`` by default) it keeps the materialised facts and the SLA
    snapshot fresh in the background: at start when stale, and after each import through the API.
    """
    state = WebState(workspace_path)
    state.refresh_after_import = refresh

    app = FastAPI(
        title="supportops",
        version="1",
        summary="Support metrics, SLA and data quality over one workspace.",
        description="Every route but `/healthz` needs `Authorization: Bearer sops_...` "
        "(`supportops token create`).",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=_lifespan(state, alert_interval, refresh),
    )
    app.state.web = state
    errors.install(app)
    app.add_exception_handler(auth.LoginRequired, auth.login_redirect)
    # these modules' pages join the pages router on import
    assert breakdowns and tickets_page and sla_page and backlog_page
    assert automation_page and quality_page and plan and ticket_page
    for module in (api, plan, admin, docs, pages):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _security_headers(app)
    return app
