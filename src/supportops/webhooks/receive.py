"""Receiving one delivery: verify it, keep it durably, say what to answer.

:func:`receive` is the whole path of ``POST /webhooks/{source}`` short of HTTP: the source's
vendor says (as data, :mod:`supportops.webhooks.vendors`) how the delivery is signed and what
its payload names; the secret is read from the environment variable the source's
``webhook.secret_env`` names. A delivery that does not verify, or whose body cannot be read,
is refused (401 or 400), logged with the source and the reason, kept in the inbox's refusals,
and never applied. A verified one is committed to the inbox before the answer: a 2xx then means
it is on disk. A duplicate gets the same 2xx and changes nothing.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from supportops.config import SourceConfig
from supportops.errors import InputError, SignatureInvalid
from supportops.webhooks.inbox import Inbox
from supportops.webhooks.signatures import verify
from supportops.webhooks.vendors import receiver_of

__all__ = ["Answer", "receive", "secret_of"]

log = logging.getLogger("supportops.webhooks")


@dataclass(frozen=True)
class Answer:
    """What to answer the vendor: status, media type and body (a refusal: its ``reason``, the
    caller writes the error body); ``new`` when the delivery was kept for the first time."""

    status: int
    media_type: str
    body: str
    new: bool = False
    reason: str | None = None


def secret_of(name: str, source: SourceConfig, env: Mapping[str, str] | None = None) -> str:
    """The webhook secret of source ``name`` (a :class:`SignatureInvalid` when unset: without a
    secret nothing can be verified, so nothing is accepted)."""
    variable = source.webhook.secret_env if source.webhook else None
    value = (env if env is not None else os.environ).get(variable or "")
    if not variable or not value:
        reason = (
            f"the environment variable {variable} is not set"
            if variable
            else "no webhook.secret_env is configured"
        )
        raise SignatureInvalid(f"webhook for {name}: {reason}", source=name, reason=reason)
    return value


def _refused(inbox: Inbox, name: str, reason: str, status: int, now: datetime) -> Answer:
    log.warning("webhook refused: source=%s status=%s reason=%s", name, status, reason)
    inbox.refuse(name, reason, now)
    return Answer(status, "application/json", "", reason=reason)


def receive(
    inbox: Inbox,
    name: str,
    source: SourceConfig,
    body: bytes,
    headers: Mapping[str, str],
    query: Mapping[str, str],
    now: datetime,
    env: Mapping[str, str] | None = None,
) -> Answer:
    """Verify and keep one delivery to source ``name`` (see the module docstring)."""
    receiver = receiver_of(source.vendor)
    org_id = source.webhook.org_id if source.webhook else None
    try:
        verify(
            receiver.signature,
            secret_of(name, source, env),
            body,
            headers,
            query,
            source=name,
            now=now,
            org_id=org_id,
            payload_org=receiver.payload.organisation,
        )
    except SignatureInvalid as exc:
        return _refused(inbox, name, exc.reason, 401, now)
    try:
        delivery = receiver.payload.read(name, body, headers, now)
    except InputError as exc:
        return _refused(inbox, name, exc.message, 400, now)
    new = inbox.append(delivery)
    ack = receiver.ack
    return Answer(ack.status, ack.media_type, ack.body, new=new)
