"""Admin routes (an ``admin`` token): the workspace's tokens and its configuration."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from supportops.alerts.rules import webhook_host
from supportops.tokens import Scope, TokenFile, TokenRecord
from supportops.web.api import ERRORS
from supportops.web.auth import require

__all__ = ["router"]

router = APIRouter(prefix="/api", responses=ERRORS, tags=["admin"])
Admin = Annotated[TokenRecord, Depends(require("admin"))]


class TokenInfo(BaseModel):
    """A token as listed: never its secret nor its hash."""

    id: str
    name: str
    scope: str
    created_at: str


class NewToken(BaseModel):
    """What a new token is for."""

    name: str = Field(min_length=1, max_length=100)
    scope: Scope = "read"


class CreatedToken(TokenInfo):
    """A new token, with its secret: shown this once."""

    token: str


def _tokens(request: Request) -> TokenFile:
    tokens: TokenFile = request.app.state.web.tokens
    return tokens


@router.get("/tokens", response_model=list[TokenInfo], summary="List tokens")
def list_tokens(request: Request, _: Admin) -> list[TokenInfo]:
    """Every token of the workspace (id, name, scope, creation time)."""
    return [TokenInfo(**r.public()) for r in _tokens(request).records()]


@router.post("/tokens", response_model=CreatedToken, status_code=201, summary="Create a token")
def create_token(request: Request, _: Admin, body: NewToken) -> CreatedToken:
    """A new token; its secret is in this answer only."""
    record, secret = _tokens(request).create(body.name, body.scope)
    return CreatedToken(**record.public(), token=secret)


@router.delete("/tokens/{key}", response_model=list[TokenInfo], summary="Revoke a token")
def revoke_token(request: Request, _: Admin, key: str) -> list[TokenInfo]:
    """Revoke the tokens whose id or name is ``key``; the revoked ones."""
    return [TokenInfo(**r.public()) for r in _tokens(request).revoke(key)]


@router.get("/config", response_model=dict[str, Any], summary="The workspace configuration")
def config(request: Request, _: Admin) -> dict[str, Any]:
    """``supportops.yaml`` as validated (the store URL's password and the path of alert
    webhook URLs, which holds their secret, masked)."""
    cfg: dict[str, Any] = request.app.state.web.base.config.model_dump(mode="json", by_alias=True)
    cfg["store"] = _mask(str(cfg.get("store", "")))
    for rule in cfg.get("alerts", []):
        if rule["deliver"].get("slack_webhook"):
            rule["deliver"]["slack_webhook"] = webhook_host(rule["deliver"]["slack_webhook"])
    return cfg


def _mask(url: str) -> str:
    head, sep, tail = url.partition("@")
    if not sep or ":" not in head.split("//")[-1]:
        return url
    scheme_user = head.rsplit(":", 1)[0]
    return f"{scheme_user}:***@{tail}"
