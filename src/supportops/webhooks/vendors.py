"""Each vendor's webhooks, as data: how they are signed, what their payload says, how to
acknowledge them, which events to subscribe to and how to set them up.

Core code reads :data:`RECEIVERS` by the source's vendor name and never branches on it.
The facts come from the vendors' documentation as summarised in ``spec/connectors.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

from supportops.errors import ConfigError
from supportops.webhooks.payloads import Payload
from supportops.webhooks.signatures import Signature

__all__ = ["RECEIVERS", "Ack", "Receiver", "Registration", "receiver_of"]

TOKEN_HEADER = "X-Supportops-Token"
SOAP_ACK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>'
    '<notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound"><Ack>true</Ack>'
    "</notificationsResponse></soapenv:Body></soapenv:Envelope>"
)


@dataclass(frozen=True)
class Ack:
    """The 2xx answer a vendor expects (Salesforce retries until it reads ``<Ack>true``)."""

    status: int = 200
    media_type: str = "application/json"
    body: str = '{"ok":true}'


@dataclass(frozen=True)
class Registration:
    """How ``connect --webhook --register`` creates the webhook through the vendor's API:
    ``path`` below the source's url, the JSON ``body`` template (``{url}``, ``{name}``,
    ``{events}`` filled in), the JSON path of the new webhook's id, and the path (``{id}``) that
    answers its signing secret at ``secret_path``."""

    path: str
    body: str
    id_path: str
    secret_request: str | None = None
    secret_path: str | None = None


@dataclass(frozen=True)
class Receiver:
    """One vendor's webhooks: signature, payload, ack, the events to subscribe to and the
    setup steps shown by ``supportops connect NAME --webhook``."""

    signature: Signature
    payload: Payload
    events: tuple[str, ...]
    setup: str
    ack: Ack = Ack()
    register: Registration | None = None


ZENDESK = Receiver(
    signature=Signature(
        header="X-Zendesk-Webhook-Signature",
        digest="sha256",
        timestamp_header="X-Zendesk-Webhook-Signature-Timestamp",
        window=300.0,
    ),
    payload=Payload(id="id", ticket="detail.id", instant="time", event="type"),
    events=(
        "zen:event-type:ticket.created",
        "zen:event-type:ticket.status_changed",
        "zen:event-type:ticket.comment_added",
        "zen:event-type:ticket.priority_changed",
        "zen:event-type:ticket.group_assignment_changed",
        "zen:event-type:ticket.agent_assignment_changed",
    ),
    setup="Admin Center > Apps and integrations > Webhooks > Create webhook > Zendesk events: "
    "subscribe to the events below, endpoint URL below, method POST, format JSON. Copy the "
    "webhook's signing secret into the environment variable named by webhook.secret_env.",
    register=Registration(
        path="/api/v2/webhooks",
        body='{"webhook": {"name": "{name}", "endpoint": "{url}", "http_method": "POST", '
        '"request_format": "json", "status": "active", "subscriptions": {events}}}',
        id_path="webhook.id",
        secret_request="/api/v2/webhooks/{id}/signing_secret",
        secret_path="signing_secret.secret",
    ),
)

INTERCOM = Receiver(
    signature=Signature(header="X-Hub-Signature", digest="sha1", encoding="hex", prefix="sha1="),
    payload=Payload(id="id", ticket="data.item.id", instant="created_at", event="topic"),
    events=(
        "conversation.user.created",
        "conversation.user.replied",
        "conversation.admin.replied",
        "conversation.admin.assigned",
        "conversation.admin.closed",
        "conversation.admin.snoozed",
        "conversation.admin.opened",
        "ticket.state.updated",
    ),
    setup="Developer Hub > your app > Webhooks: endpoint URL below, topics below. The "
    "signature key is the app's client secret (Basic information): put it in the environment "
    "variable named by webhook.secret_env.",
)

HELPSCOUT = Receiver(
    signature=Signature(header="X-HelpScout-Signature", digest="sha1"),
    payload=Payload(
        id=None, ticket="id", instant="userUpdatedAt", event_header="X-HelpScout-Event"
    ),
    events=(
        "convo.created",
        "convo.customer.reply.created",
        "convo.agent.reply.created",
        "convo.status",
        "convo.assigned",
        "convo.moved",
        "satisfaction.ratings",
    ),
    setup="Manage > Apps > Webhooks > Build a webhook: callback URL below, a secret key of your "
    "choice (also in the environment variable named by webhook.secret_env), the events below.",
)

FRESHDESK = Receiver(
    signature=Signature(header=TOKEN_HEADER),
    payload=Payload(ticket="ticket_id", instant="updated_at", event="event"),
    events=("ticket created", "ticket updated: status, priority, group, agent", "reply added"),
    setup="Admin > Automations > Ticket updates (and Ticket creation): action 'Trigger webhook', "
    "POST to the URL below, custom header "
    f"'{TOKEN_HEADER}: <the token in webhook.secret_env>', JSON content "
    '{"ticket_id": "{{ticket.id}}", "event": "{{triggered_event}}", '
    '"status": "{{ticket.status}}", "updated_at": "{{ticket.updated_at}}"}.',
)

SALESFORCE = Receiver(
    signature=Signature(header="token", in_query=True, org_id=True),
    payload=Payload(
        format="soap",
        id="Envelope.Body.notifications.Notification.Id",
        ticket="Envelope.Body.notifications.Notification.sObject.Id",
        instant="Envelope.Body.notifications.Notification.sObject.SystemModstamp",
        event="Envelope.Body.notifications.ActionId",
        org_id="Envelope.Body.notifications.OrganizationId",
    ),
    events=("Case created or edited (Flow or workflow rule with an Outbound Message on Case)",),
    setup="Setup > Outbound Messages > New: object Case, endpoint URL below (with ?token=, the "
    "token in webhook.secret_env), fields Id and SystemModstamp; send it from a record-triggered "
    "Flow on Case. Set webhook.org_id to your 18-character organisation id.",
    ack=Ack(media_type="text/xml", body=SOAP_ACK),
)

RECEIVERS: dict[str, Receiver] = {
    "zendesk": ZENDESK,
    "intercom": INTERCOM,
    "helpscout": HELPSCOUT,
    "freshdesk": FRESHDESK,
    "salesforce": SALESFORCE,
}


def receiver_of(vendor: str) -> Receiver:
    """The webhooks of ``vendor``."""
    found = RECEIVERS.get(vendor)
    if found is None:
        raise ConfigError(f"vendor {vendor!r} has no webhooks", key="vendor")
    return found
