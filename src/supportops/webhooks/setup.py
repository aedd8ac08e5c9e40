"""What ``supportops connect NAME --webhook`` prints, and (``--register``) the webhook created
through the vendor's API where the vendor has one (Zendesk: ``POST /api/v2/webhooks``, then
its signing secret).

The setup text is read from the vendor's :class:`~supportops.webhooks.vendors.Receiver`: the
URL to register, what carries the secret (header, query parameter, signing key), the events
to subscribe to and the steps in the vendor's admin.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from supportops.config import SourceConfig
from supportops.connectors.auth import credentials
from supportops.connectors.registry import vendor_of
from supportops.connectors.spec import dig
from supportops.errors import ConfigError, SyncError
from supportops.http import HttpClient, Retries, Transport
from supportops.webhooks.vendors import receiver_of

__all__ = ["Registered", "endpoint", "instructions", "register", "setup_webhook"]


def endpoint(name: str, public_url: str, source: SourceConfig) -> str:
    """The URL the vendor posts to (Salesforce: with the shared token's query parameter)."""
    url = f"{public_url.rstrip('/')}/webhooks/{name}"
    scheme = receiver_of(source.vendor).signature
    return f"{url}?{scheme.header}=<the token in ${_variable(source)}>" if scheme.in_query else url


def _variable(source: SourceConfig) -> str:
    return (source.webhook.secret_env if source.webhook else None) or "<webhook.secret_env>"


def instructions(name: str, public_url: str, source: SourceConfig) -> str:
    """The setup text of source ``name``'s webhook, served at ``public_url``."""
    receiver = receiver_of(source.vendor)
    scheme = receiver.signature
    if scheme.digest is None:
        where = "query parameter" if scheme.in_query else "header"
        carried = f"a shared token in the {where} {scheme.header}"
    else:
        carried = f"HMAC-{scheme.digest.upper()} of the raw body in {scheme.header}"
        if scheme.timestamp_header:
            carried += f" (with {scheme.timestamp_header}, valid {scheme.window or 0:.0f} s)"
    lines = [
        f"Webhook of {name} ({source.vendor})",
        f"  URL:     {endpoint(name, public_url, source)}",
        f"  secret:  ${_variable(source)} (webhook.secret_env); verified: {carried}",
        "  events:  " + "\n           ".join(receiver.events),
        f"  setup:   {receiver.setup}",
    ]
    if source.webhook is None or not source.webhook.secret_env:
        lines.append(f"  then:    add `webhook: {{secret_env: ...}}` to sources.{name}")
    return "\n".join(lines)


@dataclass(frozen=True)
class Registered:
    """A webhook created through the vendor's API: its id and signing secret (shown once)."""

    webhook_id: str
    secret: str | None


def register(
    name: str,
    public_url: str,
    source: SourceConfig,
    transport: Transport | None = None,
    env: Mapping[str, str] | None = None,
) -> Registered:
    """Create source ``name``'s webhook through the vendor's API (a
    :class:`~supportops.errors.ConfigError` for a vendor without such an API)."""
    how = receiver_of(source.vendor).register
    if how is None:
        raise ConfigError(
            f"{source.vendor} webhooks cannot be registered through its API: "
            f"follow `supportops connect {name} --webhook`'s steps",
            key="vendor",
        )
    vendor = vendor_of(source.vendor)
    body = (
        how.body.replace("{name}", f"supportops {name}")
        .replace("{url}", endpoint(name, public_url, source))
        .replace("{events}", json.dumps(list(receiver_of(source.vendor).events)))
    )
    with HttpClient(
        retries=Retries(attempts=3), rate_limit=vendor.rate_limit, transport=transport
    ) as http:
        creds = credentials(name, source, vendor, lambda u, f: http.post(u, data=f).json(), env)
        base = creds.base_url.rstrip("/")
        made = http.post(base + how.path, json=json.loads(body), headers=creds.headers).json()
        webhook_id = dig(made, how.id_path)
        if webhook_id is None:
            raise SyncError(f"{name}: the vendor's answer names no webhook id", source=name)
        secret = None
        if how.secret_request and how.secret_path:
            path = how.secret_request.replace("{id}", str(webhook_id))
            secret = dig(http.get(base + path, headers=creds.headers).json(), how.secret_path)
    return Registered(str(webhook_id), None if secret is None else str(secret))


def setup_webhook(name: str, public_url: str, source: SourceConfig, create: bool) -> str:
    """What ``connect --webhook`` prints: the instructions, and with ``create`` the webhook
    registered through the vendor's API with its signing secret (shown once)."""
    text = instructions(name, public_url, source)
    if not create:
        return text
    made = register(name, public_url, source)
    shown = f"\nregistered webhook {made.webhook_id} at {source.vendor}"
    if made.secret:
        shown += f"; its signing secret (put it in ${_variable(source)}): {made.secret}"
    return text + shown
