"""The fake Zendesk's webhook routes, around the connector tests' fake (which stays as is):
``POST /api/v2/webhooks`` creates one, ``GET /api/v2/webhooks/{id}/signing_secret`` answers its
secret; every other request goes to the wrapped fake."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from tests.connectors.fakes.server import Answer, App, Seen
from tests.connectors.fakes.zendesk import EMAIL, TOKEN

SIGNING_SECRET = "fake-zendesk-signing-secret"


@dataclass
class ZendeskWebhooks:
    """``inner`` plus the webhook routes; ``created`` holds each webhook as posted."""

    inner: App
    created: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, seen: Seen, base: str) -> Answer:
        if not seen.path.startswith("/api/v2/webhooks"):
            return self.inner(seen, base)
        expected = base64.b64encode(f"{EMAIL}/token:{TOKEN}".encode()).decode()
        if seen.headers.get("Authorization") != f"Basic {expected}":
            return Answer(401, {"error": "Couldn't authenticate you"})
        if seen.method == "POST" and seen.path == "/api/v2/webhooks":
            hook = dict(seen.body["webhook"], id=f"01HWEBHOOK{len(self.created):04d}")
            self.created.append(hook)
            return Answer(201, {"webhook": hook})
        known = {h["id"] for h in self.created}
        parts = seen.path.split("/")
        if seen.method == "GET" and parts[-1] == "signing_secret" and parts[-2] in known:
            return Answer(
                200, {"signing_secret": {"algorithm": "SHA256", "secret": SIGNING_SECRET}}
            )
        return Answer(404, {"error": "InvalidEndpoint"})
