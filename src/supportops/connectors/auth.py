"""Credentials of a source, read from the environment, as request headers.

How a vendor signs in is data (:attr:`Vendor.auth <supportops.connectors.spec.Vendor>`):

- ``token_basic`` (Zendesk): ``email/token`` and the token as basic auth, or ``oauth_token_env``
  as a bearer token.
- ``api_key_basic`` (Freshdesk): the API key as the basic-auth user, password ``X``.
- ``bearer`` (Intercom): the token as a bearer token.
- ``oauth2_client_credentials`` (Help Scout, Salesforce): ``client_id`` and the secret (or a
  refresh token) posted to the vendor's token endpoint; an ``instance_url`` in the answer
  becomes the base URL.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from supportops.config import SourceAuth, SourceConfig
from supportops.connectors.spec import AuthKind, Vendor
from supportops.errors import AuthError

__all__ = ["Credentials", "TokenFetch", "credentials"]

TokenFetch = Callable[[str, Mapping[str, str]], Mapping[str, object]]  # (url, form) -> JSON


@dataclass(frozen=True)
class Credentials:
    """The headers every request of a source carries, and its base URL."""

    headers: dict[str, str]
    base_url: str


def _secret(source: str, auth: SourceAuth, key: str, env: Mapping[str, str]) -> str:
    name = getattr(auth, key)
    if not name:
        raise AuthError(f"source {source}: auth.{key} is not set", source=source, key=key)
    value = env.get(name)
    if not value:
        raise AuthError(
            f"source {source}: environment variable {name} (auth.{key}) is not set",
            source=source,
            key=key,
        )
    return value


def _basic(user: str, password: str) -> dict[str, str]:
    pair = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {pair}"}


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _token_basic(source: str, auth: SourceAuth, env: Mapping[str, str]) -> dict[str, str]:
    if auth.oauth_token_env:
        return _bearer(_secret(source, auth, "oauth_token_env", env))
    if not auth.email:
        raise AuthError(f"source {source}: auth.email is not set", source=source, key="email")
    return _basic(f"{auth.email}/token", _secret(source, auth, "token_env", env))


def _api_key_basic(source: str, auth: SourceAuth, env: Mapping[str, str]) -> dict[str, str]:
    key = "api_key_env" if auth.api_key_env else "token_env"
    return _basic(_secret(source, auth, key, env), "X")


def _plain_bearer(source: str, auth: SourceAuth, env: Mapping[str, str]) -> dict[str, str]:
    return _bearer(_secret(source, auth, "token_env", env))


_STATIC: dict[AuthKind, Callable[[str, SourceAuth, Mapping[str, str]], dict[str, str]]] = {
    "token_basic": _token_basic,
    "api_key_basic": _api_key_basic,
    "bearer": _plain_bearer,
}


def _oauth2(
    name: str, source: SourceConfig, vendor: Vendor, env: Mapping[str, str], fetch: TokenFetch
) -> Credentials:
    auth = source.auth
    if not auth.client_id:
        raise AuthError(f"source {name}: auth.client_id is not set", source=name, key="client_id")
    form = {"client_id": auth.client_id}
    if auth.refresh_token_env:
        form |= {"grant_type": "refresh_token"}
        form["refresh_token"] = _secret(name, auth, "refresh_token_env", env)
    else:
        form |= {"grant_type": "client_credentials"}
    if auth.client_secret_env:
        form["client_secret"] = _secret(name, auth, "client_secret_env", env)
    answer = fetch(source.url.rstrip("/") + (vendor.token_path or "/oauth2/token"), form)
    token = answer.get("access_token")
    if not isinstance(token, str) or not token:
        raise AuthError(f"source {name}: the token endpoint gave no access_token", source=name)
    base = answer.get("instance_url")
    return Credentials(_bearer(token), str(base) if base else source.url)


def credentials(
    name: str,
    source: SourceConfig,
    vendor: Vendor,
    fetch: TokenFetch,
    env: Mapping[str, str] | None = None,
) -> Credentials:
    """The headers and base URL of source ``name``; an :class:`AuthError` names the missing
    key or environment variable. ``fetch`` posts a form to a token endpoint (OAuth2 only)."""
    env = os.environ if env is None else env
    if vendor.auth == "oauth2_client_credentials":
        return _oauth2(name, source, vendor, env, fetch)
    return Credentials(_STATIC[vendor.auth](name, source.auth, env), source.url)
