"""``POST /webhooks/{source}``: verified deliveries are kept before the 2xx, duplicates change
nothing, refusals are 401s logged with source and reason and never kept as deliveries."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from supportops.webhooks.inbox import Inbox
from supportops.webhooks.vendors import RECEIVERS, SOAP_ACK
from tests.webhooks.conftest import VENDORS
from tests.webhooks.deliveries import Signed, delivery, signed


@pytest.fixture
def client(hooks_workspace: Path) -> Iterator[TestClient]:
    from supportops.web import create_app

    app = create_app(hooks_workspace)
    with TestClient(app) as client:
        yield client
    app.state.web.close()


def post(client: TestClient, source: str, sent: Signed) -> tuple[int, str]:
    answer = client.post(
        f"/webhooks/{source}", content=sent.body, headers=sent.headers, params=sent.query
    )
    return answer.status_code, answer.text


def now() -> datetime:
    return datetime.now(UTC)


def kept(folder: Path) -> list[tuple[str, str]]:
    inbox = Inbox.of_workspace(folder)
    try:
        return [(r.source, r.state) for r in inbox.recent(100)]
    finally:
        inbox.close()


@pytest.mark.parametrize("vendor", VENDORS)
def test_a_valid_delivery_is_kept_then_acknowledged(
    client: TestClient, hooks_workspace: Path, vendor: str
) -> None:
    status, text = post(client, f"{vendor}-main", delivery(vendor, 1, "1001", now()))
    assert status == RECEIVERS[vendor].ack.status
    assert text == RECEIVERS[vendor].ack.body
    assert kept(hooks_workspace) == [(f"{vendor}-main", "received")]


def test_salesforce_is_answered_with_the_soap_ack_it_waits_for(client: TestClient) -> None:
    answer = client.post(
        "/webhooks/salesforce-main",
        content=delivery("salesforce", 1, "5005g00000AbCdE", now()).body,
        params=delivery("salesforce", 1, "5005g00000AbCdE", now()).query,
    )
    assert answer.status_code == 200 and answer.text == SOAP_ACK
    assert answer.headers["content-type"].startswith("text/xml")


@pytest.mark.parametrize("vendor", VENDORS)
def test_a_duplicate_is_acknowledged_and_changes_nothing(
    client: TestClient, hooks_workspace: Path, vendor: str
) -> None:
    sent = delivery(vendor, 7, "1001", now())
    assert post(client, f"{vendor}-main", sent)[0] == 200
    assert post(client, f"{vendor}-main", sent)[0] == 200
    assert kept(hooks_workspace) == [(f"{vendor}-main", "received")]


@pytest.mark.parametrize("vendor", VENDORS)
def test_a_bad_signature_is_a_logged_401_never_kept_as_a_delivery(
    client: TestClient, hooks_workspace: Path, vendor: str, caplog: pytest.LogCaptureFixture
) -> None:
    sent = signed(vendor, delivery(vendor, 1, "1001", now()).body, now(), secret="forged")
    with caplog.at_level(logging.WARNING, "supportops.webhooks"):
        answer = client.post(
            f"/webhooks/{vendor}-main", content=sent.body, headers=sent.headers, params=sent.query
        )
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "unauthorized"
    assert "forged" not in answer.text
    assert f"source={vendor}-main" in caplog.text and "reason=wrong" in caplog.text
    assert kept(hooks_workspace) == [(f"{vendor}-main", "rejected")]
    inbox = Inbox.of_workspace(hooks_workspace)
    assert inbox.pending() == {}
    inbox.close()


def test_a_forged_delivery_cannot_shadow_the_genuine_one(
    client: TestClient, hooks_workspace: Path
) -> None:
    genuine = delivery("zendesk", 3, "1001", now())
    forged = signed("zendesk", genuine.body, now(), secret="forged")
    assert post(client, "zendesk-main", forged)[0] == 401
    assert post(client, "zendesk-main", genuine)[0] == 200
    assert sorted(kept(hooks_workspace)) == [
        ("zendesk-main", "received"),
        ("zendesk-main", "rejected"),
    ]


def test_a_verified_body_that_is_not_json_is_a_400(
    client: TestClient, hooks_workspace: Path
) -> None:
    sent = signed("intercom", b"not json at all", now())
    assert post(client, "intercom-main", sent)[0] == 400
    assert kept(hooks_workspace) == [("intercom-main", "rejected")]


def test_a_source_without_its_secret_in_the_environment_accepts_nothing(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("INTERCOM_WEBHOOK_SECRET")
    status, text = post(client, "intercom-main", delivery("intercom", 1, "1001", now()))
    assert status == 401 and "INTERCOM_WEBHOOK_SECRET is not set" in text


def test_an_unknown_source_is_a_404(client: TestClient) -> None:
    assert post(client, "nobody", delivery("zendesk", 1, "1001", now()))[0] == 404


def test_webhooks_take_no_api_token_and_other_routes_still_need_one(client: TestClient) -> None:
    assert post(client, "zendesk-main", delivery("zendesk", 1, "1001", now()))[0] == 200
    assert client.get("/api/metrics").status_code == 401
    assert client.post("/api/imports", content=b"x").status_code == 401


def test_a_body_over_the_limit_is_a_413_and_kept_nowhere(
    client: TestClient, hooks_workspace: Path
) -> None:
    from supportops.web.bodies import FORM_BYTES

    sent = signed("intercom", b'{"id": "x", "pad": "' + b"a" * FORM_BYTES + b'"}', now())
    assert post(client, "intercom-main", sent)[0] == 413
    assert kept(hooks_workspace) == []


def test_the_answer_is_never_cached(client: TestClient) -> None:
    sent = delivery("zendesk", 1, "1001", now())
    answer = client.post("/webhooks/zendesk-main", content=sent.body, headers=sent.headers)
    assert answer.headers["cache-control"] == "no-store"
