"""The app factory: ``create_app(workspace_path)`` → a FastAPI app over one workspace.

The API lives under ``/api`` (:mod:`~supportops.web.api`, :mod:`~supportops.web.admin`), the
pages at the root (:mod:`~supportops.web.pages`), the vendored JavaScript under ``/static``
(public: it holds no data). Every other route but ``/healthz`` needs a token; see
:mod:`~supportops.web.auth` and, for the request's workspace, :mod:`~supportops.web.state`.
Request bodies are authenticated before they are read and bounded (:mod:`~supportops.web.bodies`);
every query of a request has a time budget and stops when its client goes away
(:mod:`~supportops.web.deadlines`), and DuckDB a memory limit;
every answer but a static file carries ``Cache-Control: no-store``.
While it runs, the server may evaluate the alert rules (:mod:`supportops.alerts`) every minute.
``POST /webhooks/{source}`` takes a vendor's signed delivery (:mod:`~supportops.web.webhooks`);
with ``live``, a background thread applies deliveries and runs each source's scheduled sync
(:mod:`supportops.webhooks.worker`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager, suppress
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles

from supportops.instants import Clock
from supportops.web import (
    admin,
    api,
    auth,
    automation_page,
    backlog_page,
    breakdowns,
    docs,
    errors,
    experiments_page,
    knowledge_page,
    pages,
    plan,
    qa_page,
    quality_page,
    review_page,
    roi_page,
    rules_page,
    sla_page,
    ticket_page,
    tickets_page,
    triage_page,
    webhooks,
)
from supportops.web.bodies import BodyGuard
from supportops.web.deadlines import RequestDeadline
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
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def _run_alerts(state: WebState) -> None:
    from supportops.alerts.runner import run_alerts

    with state.workspace() as ws:
        run_alerts(ws)


def _timed_checks(state: WebState, period: int) -> Callable[[], None]:
    """What ``serve`` runs each minute: the time-based rules' check of the period, once, when
    its boundary has come (the minutes in between do nothing; see rules.ticks)."""
    from supportops.rules.live import run_timed
    from supportops.rules.ticks import boundary_of
    from supportops.rules.writeback import Helpdesks

    done: list[int] = []  # the boundary last checked

    def check() -> None:
        import pandas as pd

        now = state.base.clock.now()
        boundary = boundary_of(pd.Timestamp(now), period)
        if done and done[0] == boundary:
            return
        with state.write_lock, state.workspace(remember=False) as ws:
            live = ws.config.rules.mode == "live"
            helpdesks = Helpdesks(ws.store, ws.config.sources, ws.config.rules.per_minute)
            if len(run_timed(ws, now, write_back=helpdesks if live else None)):
                state.cache.clear()
        done[:] = [boundary]

    return check


def _start_live(app: FastAPI, state: WebState) -> Any:
    from supportops.webhooks.worker import LiveSync, last_syncs

    @contextmanager
    def session() -> Iterator[Any]:
        with state.write_lock, state.workspace(remember=False) as ws:
            yield ws.store

    def changed() -> None:
        state.cache.clear()
        if state.refresh_after_import:
            state.refresh_later()

    sources = state.base.config.sources
    from supportops.rules.live import on_events_of

    live = LiveSync(webhooks.inbox_of(app), sources, session, state.base.clock, changed)
    live.on_events = on_events_of(state.base, live.network)  # the rules, on every applied event
    with state.workspace(remember=False) as ws:
        live.last.update(last_syncs(ws.store, list(sources)))
    app.state.live = live
    live.start()
    return live


def _timed_period(state: WebState) -> int | None:
    from supportops.rules.files import workspace_rules
    from supportops.rules.ticks import period_of

    return period_of(workspace_rules(state.base.config, state.base.path))


def _lifespan(
    state: WebState, alert_interval: float | None, refresh: bool, live: bool = False
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """While the server runs: the alert rules, every ``alert_interval`` seconds (None: off);
    the time-based rules, checked each minute when the rule set has any; with ``refresh``, a
    rebuild of stale materialised facts at start."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from supportops.alerts.runner import every

        if refresh:
            state.refresh_if_stale()
        task = timed = None
        if alert_interval and state.base.config.alerts:
            task = asyncio.create_task(every(alert_interval, lambda: _run_alerts(state)))
        if (period := _timed_period(state)) is not None:  # each minute, once per period
            timed = asyncio.create_task(every(60.0, _timed_checks(state, period)))
        worker = _start_live(app, state) if live and state.base.config.sources else None
        try:
            yield
        finally:
            if worker is not None:
                worker.stop()
            for job in (task, timed):
                if job is not None:
                    job.cancel()
                    with suppress(asyncio.CancelledError):
                        await job

    return lifespan


def create_app(
    workspace_path: Path | str,
    alert_interval: float | None = None,
    refresh: bool = False,
    clock: Clock | None = None,
    live: bool = False,
) -> FastAPI:
    """The web app (API, pages, static files) over the workspace at ``workspace_path``.

    With ``alert_interval`` (seconds), the server evaluates the workspace's alert rules that
    often while it runs (``supportops serve`` does, every 60 s); without it, never. With
    ``refresh`` (``supportops serve`` by default) it keeps the materialised facts and the SLA
    snapshot fresh in the background: at start when stale, and after each import through the API.
    ``clock`` says what time it is (default: the system clock). With ``live`` (``supportops
    serve``), webhook deliveries are applied and each source's ``schedule`` is kept.
    """
    state = WebState(workspace_path, clock)
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
        lifespan=_lifespan(state, alert_interval, refresh, live),
    )
    app.state.web = state
    errors.install(app)
    app.add_exception_handler(auth.LoginRequired, auth.login_redirect)
    limits = state.base.config.limits
    state.store.limit_memory(limits.query_memory)
    app.add_middleware(BodyGuard, tokens=state.tokens, upload_bytes=limits.upload_bytes)
    app.add_middleware(RequestDeadline, seconds=limits.query_seconds)
    # these modules' pages join the pages router on import
    assert breakdowns and tickets_page and sla_page and backlog_page
    assert automation_page and quality_page and plan and ticket_page and qa_page
    assert review_page
    assert triage_page and knowledge_page and experiments_page and roi_page and rules_page
    for module in (api, plan, admin, docs, auth, pages):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _security_headers(app)
    app.add_middleware(webhooks.WebhookGate, web=app)  # outermost: see web/webhooks.py
    return app
