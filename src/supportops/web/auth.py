"""Access to the web app: bearer tokens for the API, a session cookie for the pages.

Both carry the same tokens (:mod:`supportops.tokens`). The API reads ``Authorization: Bearer
sops_...``; the login page checks a token and stores it in the ``sops_session`` cookie (HTTP-only,
``Secure``, ``SameSite=Lax``), which the pages read — so revoking a token also ends its sessions.
A wrong or missing token is a 401, a token without the needed scope a 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from supportops.errors import AuthError
from supportops.tokens import Scope, TokenFile, TokenRecord

__all__ = [
    "COOKIE",
    "LoginRequired",
    "bearer",
    "login_redirect",
    "page_user",
    "require",
    "set_session",
]

COOKIE = "sops_session"
SESSION_SECONDS = 8 * 3600
bearer = HTTPBearer(auto_error=False, description="A token from `supportops token create`.")


def _tokens(request: Request) -> TokenFile:
    tokens: TokenFile = request.app.state.web.tokens
    return tokens


def _check(record: TokenRecord, scope: Scope) -> TokenRecord:
    if not record.allows(scope):
        raise AuthError(
            f"token {record.name!r} has scope {record.scope!r}; this needs {scope!r}",
            status=403,
            scope=scope,
        )
    return record


def require(scope: Scope) -> Callable[..., TokenRecord]:
    """A dependency admitting a bearer token with ``scope`` (or a wider one)."""

    def dependency(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> TokenRecord:
        secret = credentials.credentials if credentials else None
        return _check(_tokens(request).verify(secret), scope)

    return dependency


class LoginRequired(Exception):
    """A page was asked for without a valid session; answered with a redirect to the login."""

    def __init__(self, target: str) -> None:
        super().__init__(target)
        self.target = target


def page_user(request: Request) -> TokenRecord:
    """Dependency of the pages: the session's token, else a redirect to the login page."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    try:
        record = _tokens(request).verify(request.cookies.get(COOKIE))
    except AuthError as exc:
        raise LoginRequired(target) from exc
    return _check(record, "read")


async def login_redirect(request: Request, exc: Exception) -> Response:
    """Exception handler: send the browser to the login page, then back."""
    assert isinstance(exc, LoginRequired)
    return RedirectResponse(f"/login?next={quote(exc.target, safe='')}", status_code=303)


def set_session(response: Response, secret: str) -> None:
    """Store the token in the session cookie (``Secure``: browsers accept it on localhost)."""
    response.set_cookie(
        COOKIE,
        secret,
        max_age=SESSION_SECONDS,
        httponly=True,
        secure=True,
        samesite="lax",
        path="/",
    )
