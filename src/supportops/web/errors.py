"""The one JSON error shape of the web API, and the handlers that produce it.

Every 4xx and 5xx answer of the API is ``{"error": {"code", "message", "details"}}``. Errors of
the :class:`~supportops.errors.SupportOpsError` tree map to a status by their class (data, in
:data:`STATUS`); an :class:`~supportops.errors.AuthError` carries its own ``status``. FastAPI's
``HTTPException`` and request validation errors are rewritten to the same shape; anything else is
a 500 whose message does not leak internals.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from supportops.errors import (
    AuthError,
    ConfigError,
    InputError,
    MetricError,
    StoreError,
    StoreUnavailableError,
    SupportOpsError,
    WorkspaceError,
)

__all__ = ["STATUS", "ErrorBody", "ErrorDetail", "error_response", "install"]

log = logging.getLogger("supportops.web")

# Most specific class first: the first ``isinstance`` match wins.
STATUS: tuple[tuple[type[SupportOpsError], int, str], ...] = (
    (AuthError, 401, "unauthorized"),
    (MetricError, 400, "bad_metric_request"),
    (InputError, 400, "bad_input"),
    (ConfigError, 500, "config_error"),
    (WorkspaceError, 500, "workspace_error"),
    (StoreUnavailableError, 503, "store_unavailable"),
    (StoreError, 500, "store_error"),
)
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


def _status_of(exc: SupportOpsError) -> tuple[int, str]:
    own = getattr(exc, "status", None)
    if isinstance(own, int):
        return own, _code(own)
    for cls, status, code in STATUS:
        if isinstance(exc, cls):
            return status, code
    return 500, "internal_error"


def _challenge(status: int) -> dict[str, str] | None:
    return {"WWW-Authenticate": "Bearer"} if status == 401 else None


async def _supportops_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SupportOpsError)
    status, code = _status_of(exc)
    if status >= 500 and status != 501:
        log.error("%s %s: %s", request.method, request.url.path, exc, exc_info=exc)
    details = {k: v for k, v in exc.context.items() if k != "status"} or None
    return error_response(status, code, exc.message, details, _challenge(status))


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    message = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    return error_response(exc.status_code, _code(exc.status_code), message, None, exc.headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": [str(p) for p in e.get("loc", ())], "message": str(e.get("msg", ""))}
        for e in exc.errors()
    ]
    first = errors[0] if errors else {"loc": [], "message": "invalid request"}
    message = f"{'.'.join(first['loc'])}: {first['message']}"
    return error_response(422, "invalid_request", message, errors)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal_error", "internal server error (see the server log)")


def install(app: FastAPI) -> None:
    """Register the handlers that give every error the one shape."""
    app.add_exception_handler(SupportOpsError, _supportops_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
