"""Access to the web app: bearer tokens for the API, server-side sessions for the pages.

The API reads ``Authorization: Bearer sops_...`` (:mod:`supportops.tokens`). The login page
checks a token and opens a session: the ``sops_session`` cookie (HTTP-only, ``Secure``,
``SameSite=Lax``) carries the session's random id, never the token. Logging out deletes the
session; revoking a token ends its sessions. A wrong or missing token is a 401, a token without
the needed scope a 403.

Every form that changes state carries a CSRF token, checked with a constant-time comparison:
the logout form and the pages' forms (:func:`page_writer`) the session's own, the login form
(before any session) the value of a short-lived ``sops_login`` cookie (double submit;
``SameSite=Strict``). A mismatch is a 403.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.templating import Jinja2Templates

from supportops.errors import AuthError
from supportops.tokens import SESSION_SECONDS, Scope, Session, TokenFile, TokenRecord

__all__ = [
    "COOKIE",
    "LOGIN_COOKIE",
    "LoginRequired",
    "bearer",
    "login_redirect",
    "page_user",
    "page_writer",
    "reader",
    "require",
    "router",
]

COOKIE = "sops_session"
LOGIN_COOKIE = "sops_login"
bearer = HTTPBearer(auto_error=False, description="A token from `supportops token create`.")
router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


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


def reader(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> TokenRecord:
    """A read token from the Authorization header, else the page session's token."""
    if credentials:
        return _check(_tokens(request).verify(credentials.credentials), "read")
    return _check(_tokens(request).session(request.cookies.get(COOKIE)).token, "read")


class LoginRequired(Exception):
    """A page was asked for without a valid session; answered with a redirect to the login."""

    def __init__(self, target: str) -> None:
        super().__init__(target)
        self.target = target


def page_user(request: Request) -> TokenRecord:
    """Dependency of the pages: the session's token, else a redirect to the login page.
    The session's CSRF token is left in ``request.state.csrf`` for the logout form."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    try:
        session = _tokens(request).session(request.cookies.get(COOKIE))
    except AuthError as exc:
        raise LoginRequired(target) from exc
    request.state.csrf = session.csrf
    return _check(session.token, "read")


def page_writer(request: Request, csrf: Annotated[str, Form(max_length=100)] = "") -> TokenRecord:
    """Dependency of a page's form that writes: the session's token with the ``write`` scope
    (403 below it) and the session's CSRF token in the form's ``csrf`` field (403 otherwise)."""
    record = page_user(request)
    if not _same(csrf, request.state.csrf):
        raise AuthError("the form's CSRF token is missing or wrong; reload the page", status=403)
    return _check(record, "write")


async def login_redirect(request: Request, exc: Exception) -> Response:
    """Exception handler: send the browser to the login page, then back."""
    assert isinstance(exc, LoginRequired)
    return RedirectResponse(f"/login?next={quote(exc.target, safe='')}", status_code=303)


def _same(given: str | None, expected: str | None) -> bool:
    return bool(given and expected) and hmac.compare_digest(str(given), str(expected))


def _safe_next(target: str) -> str:
    return target if target.startswith("/") and not target.startswith(("//", "/\\")) else "/"


def _login_page(request: Request, next: str, error: str | None, status: int = 200) -> Response:
    csrf = secrets.token_urlsafe(32)
    ctx = {"next": _safe_next(next), "error": error, "csrf": csrf}
    response = templates.TemplateResponse(request, "login.html", ctx, status_code=status)
    response.set_cookie(
        LOGIN_COOKIE, csrf, max_age=3600, httponly=True, secure=True, samesite="strict"
    )
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:
    """The login form: paste a token."""
    return _login_page(request, next, None)


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    token: Annotated[str, Form(max_length=200)],
    csrf: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Check the CSRF token and the API token; on success open a session and go to ``next``."""
    if not _same(csrf, request.cookies.get(LOGIN_COOKIE)):
        return _login_page(request, next, "the form has expired; please try again", 403)
    tokens = _tokens(request)
    try:
        session_id, _ = tokens.open_session(token.strip())
    except AuthError as exc:
        return _login_page(request, next, exc.message, 401)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.delete_cookie(LOGIN_COOKIE, secure=True, httponly=True, samesite="strict")
    response.set_cookie(
        COOKIE,
        session_id,
        max_age=SESSION_SECONDS,
        httponly=True,
        secure=True,
        samesite="lax",
        path="/",
    )
    return response


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form(max_length=100)] = "") -> Response:
    """End the session (a 403 without its CSRF token)."""
    tokens, session_id = _tokens(request), request.cookies.get(COOKIE)
    try:
        session: Session | None = tokens.session(session_id)
    except AuthError:
        session = None
    if session is not None and session_id:
        if not _same(csrf, session.csrf):
            raise AuthError("the logout form's CSRF token is missing or wrong", status=403)
        tokens.close_session(session_id)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/", secure=True, httponly=True, samesite="lax")
    return response
