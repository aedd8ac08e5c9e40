"""``/healthz`` (open), ``/openapi.json`` and ``/docs`` (a read token or a page session).

Swagger UI is served from the vendored ``swagger-ui-dist`` files: nothing from the internet.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse

from supportops.tokens import TokenRecord
from supportops.web.auth import reader

__all__ = ["router"]

router = APIRouter()
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"
)


@router.get("/healthz", tags=["health"], summary="Liveness; needs no token")
def healthz() -> dict[str, str]:
    """``{"status": "ok"}`` while the server runs."""
    return {"status": "ok"}


@router.get("/openapi.json", include_in_schema=False)
def openapi(request: Request, _: Annotated[TokenRecord, Depends(reader)]) -> JSONResponse:
    """The OpenAPI document of the API."""
    schema: dict[str, Any] = request.app.openapi()
    return JSONResponse(schema)


@router.get("/docs", include_in_schema=False)
def swagger(_: Annotated[TokenRecord, Depends(reader)]) -> HTMLResponse:
    """Swagger UI over ``/openapi.json``."""
    page = get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="supportops API",
        swagger_js_url="/static/vendor/swagger-ui-bundle.js",
        swagger_css_url="/static/vendor/swagger-ui.css",
        swagger_favicon_url="/static/favicon.svg",
    )
    page.headers["Content-Security-Policy"] = DOCS_CSP
    return page
