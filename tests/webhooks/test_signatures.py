"""Webhook signatures per vendor, as spec/connectors.md states them: over the raw bytes, in
constant time, Zendesk's 5-minute window, Freshdesk's and Salesforce's shared tokens and
Salesforce's organisation id."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from supportops.errors import SignatureInvalid
from supportops.webhooks.signatures import sign, verify
from supportops.webhooks.vendors import RECEIVERS
from tests.webhooks.deliveries import (
    ORG_ID,
    SECRETS,
    WORKED_BODY,
    WORKED_SIGNATURE,
    WORKED_STAMP,
    Signed,
    delivery,
    signed,
)

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
VENDORS = sorted(RECEIVERS)
SIGNING = [v for v in VENDORS if RECEIVERS[v].signature.digest]  # the body itself is signed
JSON_SIGNING = [v for v in SIGNING if RECEIVERS[v].payload.format == "json"]


def check(vendor: str, sent: Signed, secret: str | None = None, now: datetime = NOW) -> None:
    receiver = RECEIVERS[vendor]
    verify(
        receiver.signature,
        SECRETS[vendor] if secret is None else secret,
        sent.body,
        sent.headers,
        sent.query,
        source=f"{vendor}-main",
        now=now,
        org_id=ORG_ID,
        payload_org=receiver.payload.organisation,
    )


def refused(vendor: str, sent: Signed, now: datetime = NOW, secret: str | None = None) -> str:
    with pytest.raises(SignatureInvalid) as caught:
        check(vendor, sent, secret, now)
    assert caught.value.source == f"{vendor}-main"
    assert caught.value.status == 401
    assert SECRETS[vendor] not in caught.value.message
    return caught.value.reason


def test_zendesk_worked_example_is_the_golden_signature() -> None:
    scheme = RECEIVERS["zendesk"].signature
    assert sign(scheme, SECRETS["zendesk"], WORKED_BODY, WORKED_STAMP) == WORKED_SIGNATURE
    sent = Signed(
        WORKED_BODY,
        {
            "X-Zendesk-Webhook-Signature": WORKED_SIGNATURE,
            "X-Zendesk-Webhook-Signature-Timestamp": WORKED_STAMP,
        },
    )
    check("zendesk", sent, now=datetime(2024, 4, 17, 17, 20, tzinfo=UTC))


@pytest.mark.parametrize("vendor", VENDORS)
def test_a_valid_delivery_is_accepted(vendor: str) -> None:
    check(vendor, delivery(vendor, 1, "1001", NOW))


@pytest.mark.parametrize("vendor", VENDORS)
def test_headers_are_read_whatever_their_case(vendor: str) -> None:
    sent = delivery(vendor, 1, "1001", NOW)
    sent.headers = {k.lower(): v for k, v in sent.headers.items()}
    check(vendor, sent)


@pytest.mark.parametrize("vendor", SIGNING)
def test_one_changed_byte_in_the_body_is_refused(vendor: str) -> None:
    sent = delivery(vendor, 1, "1001", NOW)
    position = sent.body.index(b"1001")
    sent.body = sent.body[:position] + b"2" + sent.body[position + 1 :]
    assert "wrong signature" in refused(vendor, sent)


@pytest.mark.parametrize("vendor", VENDORS)
def test_a_wrong_secret_is_refused(vendor: str) -> None:
    sent = signed(vendor, delivery(vendor, 1, "1001", NOW).body, NOW, secret="not-the-secret")
    assert "wrong" in refused(vendor, sent)


@pytest.mark.parametrize("vendor", VENDORS)
def test_the_right_value_checked_against_another_secret_is_refused(vendor: str) -> None:
    refused(vendor, delivery(vendor, 1, "1001", NOW), secret=SECRETS[vendor] + "x")


@pytest.mark.parametrize("vendor", VENDORS)
def test_a_missing_signature_or_token_is_refused(vendor: str) -> None:
    sent = delivery(vendor, 1, "1001", NOW)
    header = RECEIVERS[vendor].signature.header
    (sent.query if RECEIVERS[vendor].signature.in_query else sent.headers).pop(header)
    assert refused(vendor, sent).startswith("missing")


@pytest.mark.parametrize("vendor", JSON_SIGNING)
def test_a_json_re_serialised_body_is_refused(vendor: str) -> None:
    sent = delivery(vendor, 1, "1001", NOW)
    data = json.loads(sent.body)
    assert json.loads(json.dumps(data, indent=1)) == data  # the same JSON, other bytes
    sent.body = json.dumps(data, indent=1).encode()
    assert "wrong signature" in refused(vendor, sent)


def test_zendesk_refuses_a_timestamp_older_than_five_minutes() -> None:
    sent = delivery("zendesk", 1, "1001", NOW - timedelta(minutes=5, seconds=1))
    assert "window" in refused("zendesk", sent)
    check("zendesk", delivery("zendesk", 1, "1001", NOW - timedelta(minutes=4, seconds=59)))


def test_zendesk_refuses_a_timestamp_far_ahead_of_now() -> None:
    assert "window" in refused("zendesk", delivery("zendesk", 1, "1001", NOW + timedelta(hours=1)))


def test_zendesk_refuses_a_missing_or_changed_timestamp() -> None:
    sent = delivery("zendesk", 1, "1001", NOW)
    sent.headers["X-Zendesk-Webhook-Signature-Timestamp"] = "2026-03-02T09:59:00Z"
    assert "wrong signature" in refused("zendesk", sent)
    sent.headers.pop("X-Zendesk-Webhook-Signature-Timestamp")
    assert "missing header" in refused("zendesk", sent)


def test_zendesk_refuses_an_unreadable_timestamp() -> None:
    sent = delivery("zendesk", 1, "1001", NOW)
    sent.headers["X-Zendesk-Webhook-Signature-Timestamp"] = "yesterday-ish"
    assert "unreadable timestamp" in refused("zendesk", sent)


def test_salesforce_refuses_another_organisation() -> None:
    sent = delivery("salesforce", 1, "5005g00000AbCdE", NOW)
    sent.body = sent.body.replace(ORG_ID.encode(), b"00D000000000001AAA")
    assert "organisation id" in refused("salesforce", sent)


def test_salesforce_refuses_when_no_organisation_is_configured() -> None:
    receiver = RECEIVERS["salesforce"]
    sent = delivery("salesforce", 1, "5005g00000AbCdE", NOW)
    with pytest.raises(SignatureInvalid, match="organisation id"):
        verify(
            receiver.signature,
            SECRETS["salesforce"],
            sent.body,
            sent.headers,
            sent.query,
            source="sf",
            now=NOW,
            org_id=None,
            payload_org=receiver.payload.organisation,
        )


def test_freshdesk_checks_only_the_shared_token_as_the_spec_says() -> None:
    """Freshdesk signs nothing: the token proves the sender, not the body (docs/webhooks.md)."""
    sent = delivery("freshdesk", 1, "1001", NOW)
    assert RECEIVERS["freshdesk"].signature.digest is None
    assert sent.headers["X-Supportops-Token"] == SECRETS["freshdesk"]
    check("freshdesk", Signed(b'{"ticket_id": "7"}', sent.headers))
