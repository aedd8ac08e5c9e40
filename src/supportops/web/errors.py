"""The one JSON error shape of the web API, and the handlers that produce it.

Every 4xx and 5xx answer of the API is ``{"error": {"code", "message", "details"}}``. Errors of
the :class:`~supportops.errors.SupportOpsError` tree map to a status by their class (data, in
:data:`STATUS`); an :class:`~supportops.errors.AuthError` carries its own ``status``. FastAPI's
``HTTPException`` and request validation errors are rewritten to the same shape (a 405 names
every method of the path in ``Allow``); anything else is a 500 whose message does not leak
internals, and so is a store error: its text may hold SQL, the server log keeps it.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException
from starlette.routing import Match

from supportops.errors import (
    AuthError,
    BudgetExceededError,
    ConfigError,
    ConflictingParameters,
    InputError,
    MetricError,
    StoreError,
    StoreUnavailableError,
    SupportOpsError,
    WorkspaceError,
)

__all__ = ["STATUS", "ErrorBody", "ErrorDetail", "error_response", "install"]

log = logging.getLogger("supportops.web")

STORE_FAILED = "the store could not answer (the details are in the server log)"
# Most specific class first: the first ``isinstance`` match wins. The last column is the
# message the client sees instead of the error's own (None: its own), for errors whose text
# may hold internals (SQL, connection strings).
STATUS: tuple[tuple[type[SupportOpsError], int, str, str | None], ...] = (
    (AuthError, 401, "unauthorized", None),
    (ConflictingParameters, 400, "conflicting_parameters", None),
    (MetricError, 400, "bad_metric_request", None),
    (InputError, 400, "bad_input", None),
    (ConfigError, 500, "config_error", None),
    (WorkspaceError, 500, "workspace_error", None),
    (BudgetExceededError, 503, "budget_exceeded", None),
    (StoreUnavailableError, 503, "store_unavailable", STORE_FAILED),
    (StoreError, 500, "store_error", STORE_FAILED),
)
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
UNEXPECTED = "internal server error (see the server log)"
CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    500: "internal_error",
    503: "unavailable",
}


class ErrorDetail(BaseModel):
    """What went wrong: a stable code, a sentence, and structured context."""

    code: str
    message: str
    details: dict[str, Any] | list[Any] | None = None


class ErrorBody(BaseModel):
    """The body of every error answer."""

    error: ErrorDetail


def error_response(
    status: int,
    code: str,
    message: str,
    details: Any = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """A JSON error answer in the one shape."""
    body = ErrorBody(error=ErrorDetail(code=code, message=message, details=details))
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


def _code(status: int) -> str:
    return CODES.get(status) or HTTPStatus(status).phrase.lower().replace(" ", "_")


def _status_of(exc: SupportOpsError) -> tuple[int, str, str | None]:
    own = getattr(exc, "status", None)
    if isinstance(own, int):
        return own, _code(own), None
    for cls, status, code, public in STATUS:
        if isinstance(exc, cls):
            return status, code, public
    return 500, "internal_error", UNEXPECTED


def _challenge(status: int) -> dict[str, str] | None:
    return {"WWW-Authenticate": "Bearer"} if status == 401 else None


async def _supportops_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SupportOpsError)
    status, code, public = _status_of(exc)
    if status >= 500 and status != 501:
        log.error("%s %s: %s", request.method, request.url.path, exc, exc_info=exc)
    details = {k: v for k, v in exc.context.items() if k != "status"} or None
    if public is not None:
        return error_response(status, code, public, None, _challenge(status))
    return error_response(status, code, exc.message, details, _challenge(status))


def _allowed(request: Request) -> str:
    """Every method some route of the app admits at this path (for the ``Allow`` header),
    found by asking the routes to match the request with each method."""
    allowed = [
        method
        for method in METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] == Match.FULL
            for route in request.app.router.routes
        )
    ]
    return ", ".join(allowed)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    message = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = _allowed(request)
    return error_response(exc.status_code, _code(exc.status_code), message, None, headers)


def _explained(error: Mapping[str, Any]) -> str:
    """A validation error in the user's words: the accepted forms of a pattern, the closest
    valid name of an enum; pydantic's own sentence otherwise."""
    from supportops.web.parameters import FORMS

    ctx, value = error.get("ctx") or {}, error.get("input")
    if error.get("type") == "string_pattern_mismatch" and ctx.get("pattern") in FORMS:
        return f"not accepted: {value!r} (accepted: {FORMS[ctx['pattern']]})"
    if error.get("type") == "enum" and isinstance(value, str):
        names = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        close = difflib.get_close_matches(value, names, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        shown = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
        return f"unknown value {value!r}{hint} (expected one of {shown})"
    return str(error.get("msg", ""))


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": [str(p) for p in e.get("loc", ())], "message": _explained(e)} for e in exc.errors()
    ]
    first = errors[0] if errors else {"loc": [], "message": "invalid request"}
    message = f"{'.'.join(first['loc'])}: {first['message']}"
    return error_response(422, "invalid_request", message, errors)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal_error", UNEXPECTED)


def install(app: FastAPI) -> None:
    """Register the handlers that give every error the one shape."""
    app.add_exception_handler(SupportOpsError, _supportops_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
