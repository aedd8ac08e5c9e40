"""How a vendor signs its webhooks, as data, and the one verifier of them.

A :class:`Signature` says which header (or query parameter) carries the signature or shared
token, which HMAC digest signs what (an optional timestamp header's value, then the raw body),
how the digest is written (base64, hex, with a prefix such as ``sha1=``), how old a signed
timestamp may be, and whether the payload must name the configured organisation id.
:func:`verify` checks a delivery against it over the **raw bytes** of the body, before any
parsing, comparing in constant time (:func:`hmac.compare_digest`). A delivery that does not
verify raises :class:`~supportops.errors.SignatureInvalid` with the reason (never the secret).

Vendors that do not sign (Freshdesk, Salesforce) are checked by a shared token only: what is
verified there is that the sender knows the token, not that the body is unchanged.
"""

from __future__ import annotations

import base64
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from supportops.errors import InstantError, SignatureInvalid
from supportops.instants import FrozenClock, parse_instant

__all__ = ["Signature", "sign", "verify"]


@dataclass(frozen=True)
class Signature:
    """One vendor's signing scheme.

    - ``header``: the header carrying the signature or token (with ``in_query``, the URL query
      parameter carrying the token instead).
    - ``digest``: the HMAC's hash (``sha256``, ``sha1``); None: a shared token, compared as is.
    - ``encoding`` and ``prefix``: how the digest is written (``sha1=<hex>``).
    - ``timestamp_header``: a header whose value is signed before the body; ``window`` the
      seconds it stays valid (either way from now).
    - ``org_id``: the payload must name the source's configured organisation id (Salesforce),
      read by the payload reader the caller passes.
    """

    header: str
    digest: str | None = None
    encoding: Literal["base64", "hex"] = "base64"
    prefix: str = ""
    timestamp_header: str | None = None
    window: float | None = None
    in_query: bool = False
    org_id: bool = False


def _encode(signature: Signature, raw: bytes) -> str:
    text = base64.b64encode(raw).decode() if signature.encoding == "base64" else raw.hex()
    return signature.prefix + text


def sign(signature: Signature, secret: str, body: bytes, timestamp: str = "") -> str:
    """The header value a vendor sends for ``body`` (and ``timestamp``) under ``secret``: the
    shared token itself for an unsigned scheme. Used by the tests, the bench and the fakes."""
    if signature.digest is None:
        return secret
    message = timestamp.encode() + body
    return _encode(signature, hmac.new(secret.encode(), message, signature.digest).digest())


def _refuse(source: str, reason: str) -> SignatureInvalid:
    return SignatureInvalid(f"webhook for {source}: {reason}", source=source, reason=reason)


def _check_window(signature: Signature, stamp: str, now: datetime, source: str) -> None:
    try:
        moment = parse_instant(stamp, "UTC", FrozenClock(now), key=signature.timestamp_header or "")
    except InstantError as exc:
        raise _refuse(source, f"unreadable timestamp {stamp[:40]!r}") from exc
    assert moment is not None and signature.window is not None
    age = (now - moment).total_seconds()
    if abs(age) > signature.window:
        raise _refuse(
            source, f"timestamp {stamp} is {age:.0f}s from now (window ±{signature.window:.0f}s)"
        )


def verify(
    signature: Signature,
    secret: str,
    body: bytes,
    headers: Mapping[str, str],
    query: Mapping[str, str],
    *,
    source: str,
    now: datetime,
    org_id: str | None = None,
    payload_org: Callable[[bytes], Any] | None = None,
) -> None:
    """Raise :class:`~supportops.errors.SignatureInvalid` unless ``body`` (raw bytes) with
    ``headers`` and ``query`` verifies under ``signature`` and ``secret``. ``now`` is the instant
    a timestamp window is measured from (the caller's clock); ``payload_org`` reads the
    organisation id a payload names, checked against ``org_id`` when the scheme says so."""
    lowered = {k.lower(): v for k, v in headers.items()}
    given = (
        query.get(signature.header) if signature.in_query else lowered.get(signature.header.lower())
    )
    if not given:
        where = "query parameter" if signature.in_query else "header"
        raise _refuse(source, f"missing {where} {signature.header}")
    stamp = ""
    if signature.timestamp_header:
        stamp = lowered.get(signature.timestamp_header.lower(), "")
        if not stamp:
            raise _refuse(source, f"missing header {signature.timestamp_header}")
        _check_window(signature, stamp, now, source)
    expected = sign(signature, secret, body, stamp)
    if not hmac.compare_digest(given.strip().encode(), expected.encode()):
        kind = "shared token" if signature.digest is None else "signature"
        raise _refuse(source, f"wrong {kind} in {signature.header}")
    if signature.org_id:
        named = payload_org(body) if payload_org else None
        if not org_id or not hmac.compare_digest(str(named or "").encode(), org_id.encode()):
            raise _refuse(source, f"organisation id {str(named)[:40]!r} is not the configured one")
