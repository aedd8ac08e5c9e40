"""Accounts synced from each helpdesk that knows them, over real HTTP on every engine: Zendesk
organizations, Freshdesk and Intercom companies, Salesforce Accounts become ``accounts`` rows
whose ``organization_id`` is the one that vendor's tickets carry, plan, segment and ARR come
from the vendor's own fields or the custom fields the source names, a record whose ARR is no
number is quarantined under its vendor key while the others are kept, and cost to serve reads
the synced accounts."""

from __future__ import annotations

import copy
import doctest
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from supportops.config import SourceAuth, SourceConfig
from supportops.connectors.runner import Network, sync_source
from supportops.connectors.vendors import intercom
from supportops.metrics.roi_sources import ticket_costs
from supportops.roi.cost import costly_accounts, with_cost
from supportops.store.base import Store
from supportops.workspace import Workspace
from tests.connectors.conftest import ENV as ZENDESK_ENV
from tests.connectors.conftest import zendesk_source
from tests.connectors.fakes.freshdesk import API_KEY, FreshdeskAccount, FreshdeskFake
from tests.connectors.fakes.intercom import FakeIntercom, company
from tests.connectors.fakes.salesforce import FakeSalesforce, generate
from tests.connectors.fakes.server import FakeServer
from tests.connectors.fakes.zendesk import ZendeskAccount, ZendeskFake, organization
from tests.connectors.test_intercom_sync import FAST
from tests.connectors.test_sync import snapshot

SETTINGS = {"accounts": {"plan": "plan_field", "segment": "segment_field", "arr": "arr_field"}}


def accounts(store: Store) -> dict[str, dict[str, Any]]:
    """The accounts table by organization id (renewal as a date, for reading)."""
    rows = store.arrow("SELECT * FROM accounts").to_pylist()
    for row in rows:
        row["renewal_at"] = row["renewal_at"] and row["renewal_at"].date().isoformat()
    return {row.pop("organization_id"): row for row in rows}


def quarantined(store: Store) -> list[tuple[str, str, str | None]]:
    """(column, reason, the record's organization_id) of each quarantined accounts row."""
    rows = store.arrow(
        "SELECT \"column\", reason, record FROM quarantine WHERE table_name = 'accounts'"
    ).to_pylist()
    return [(r["column"], r["reason"], json.loads(r["record"])["organization_id"]) for r in rows]


def joined(store: Store) -> int:
    """Tickets whose organization_id names a synced account."""
    return int(
        store.scalar(
            "SELECT count(*) FROM tickets t "
            "JOIN accounts a ON a.organization_id = t.organization_id"
        )
    )


def test_zendesk_organizations_become_accounts_by_the_named_fields(any_store: Store) -> None:
    """No organization is among the recorded Zendesk records: the fake serves organizations
    built in the shape Zendesk documents for ``GET /api/v2/organizations``."""
    account = ZendeskAccount.generated(6, events_per_ticket=1)
    account.organizations = [
        organization(
            361001, "Acme", plan_field="enterprise", segment_field="mid-market", arr_field=48000
        ),
        organization(361002, "Tiny", plan_field="starter"),
        organization(361003, "Broken", arr_field="a lot"),
    ]
    generated = [t for t in account.tickets if int(t["id"]) >= 1000][:4]
    for ticket, org in zip(generated, (361001, 361001, 361002, 361003), strict=True):
        ticket["organization_id"] = org
    with FakeServer(ZendeskFake(account, page_size=10), max_requests=500) as fake:
        report = sync_source(
            any_store,
            "zendesk",
            zendesk_source(fake.url, **SETTINGS),
            network=Network(env=ZENDESK_ENV),
        )
        asked = [s for s in fake.seen if s.path == "/api/v2/organizations.json"]
    assert report.error is None and len(asked) == 1
    assert accounts(any_store) == {
        "361001": {
            "name": "Acme",
            "plan": "enterprise",
            "segment": "mid-market",
            "arr": 48000.0,
            "renewal_at": None,
        },
        "361002": {
            "name": "Tiny",
            "plan": "starter",
            "segment": None,
            "arr": None,
            "renewal_at": None,
        },
    }
    assert quarantined(any_store) == [("arr", "not a number", "361003")]
    assert joined(any_store) == 3  # the same id form as tickets.organization_id


def test_an_organization_field_not_named_leaves_the_column_empty(any_store: Store) -> None:
    account = ZendeskAccount.from_recorded()
    account.organizations = [organization(7, "Acme", plan_field="enterprise", arr_field=9)]
    with FakeServer(ZendeskFake(account, page_size=10)) as fake:
        sync_source(
            any_store, "zendesk", zendesk_source(fake.url), network=Network(env=ZENDESK_ENV)
        )
    assert accounts(any_store) == {
        "7": {"name": "Acme", "plan": None, "segment": None, "arr": None, "renewal_at": None}
    }


def _freshdesk(url: str, **settings: object) -> SourceConfig:
    auth = {"api_key_env": "FRESHDESK_KEY"}
    return SourceConfig.model_validate(
        {"vendor": "freshdesk", "url": url, "auth": auth, "start": "2020-01-01", **settings}
    )


def _freshdesk_account() -> FreshdeskAccount:
    """The recorded companies (1 and 2) and, in the recorded company's shape, the company
    67001265522 that three recorded tickets name (the recorded companies do not include it)."""
    account = FreshdeskAccount.from_recorded()
    named = copy.deepcopy(account.companies[0])
    named |= {"id": 67001265522, "name": "Ticketed", "account_tier": "Enterprise"}
    named["custom_fields"] = {"website": None, "segment": "enterprise", "arr": 1000}
    account.companies.append(named)
    return account


def test_freshdesk_companies_give_tier_renewal_and_custom_fields(any_store: Store) -> None:
    account = _freshdesk_account()
    settings = {"accounts": {"segment": "segment", "arr": "arr"}}
    with FakeServer(FreshdeskFake(account)) as fake:
        report = sync_source(
            any_store,
            "freshdesk",
            _freshdesk(fake.url, **settings),
            network=Network(env={"FRESHDESK_KEY": API_KEY}),
        )
    assert report.error is None
    assert accounts(any_store) == {
        "1": {
            "name": "Super Nova",
            "plan": "Premium",
            "segment": None,
            "arr": None,
            "renewal_at": "2020-12-31",
        },
        "2": {
            "name": "Poseidon",
            "plan": "Premium",
            "segment": None,
            "arr": None,
            "renewal_at": None,
        },
        "67001265522": {
            "name": "Ticketed",
            "plan": "Enterprise",
            "segment": "enterprise",
            "arr": 1000.0,
            "renewal_at": "2020-12-31",
        },
    }
    assert joined(any_store) == 3


def test_cost_to_serve_by_account_reads_the_synced_accounts(
    any_store: Store, tmp_path: Path
) -> None:
    with FakeServer(FreshdeskFake(_freshdesk_account())) as fake:
        sync_source(
            any_store,
            "freshdesk",
            _freshdesk(fake.url, accounts={"segment": "segment", "arr": "arr"}),
            network=Network(env={"FRESHDESK_KEY": API_KEY}),
        )
    (tmp_path / "supportops.yaml").write_text(json.dumps({"cost": {"overhead_per_ticket": 5.0}}))
    ws = Workspace(tmp_path).with_store(any_store)
    costs = ticket_costs(ws, datetime(2022, 11, 1, tzinfo=UTC), datetime(2022, 12, 1, tzinfo=UTC))
    found = costly_accounts(with_cost(costs, 5.0, 0.0), days=365, share=0.01).iloc[0]
    # three tickets of company 67001265522 in November 2022, $5 each, against its $1,000 ARR
    assert (found["organization_id"], found["account"], found["segment"]) == (
        "67001265522",
        "Ticketed",
        "enterprise",
    )
    assert (found["contacts"], found["arr"], found["share_of_arr"]) == (3, 1000.0, 0.015)
    assert bool(found["over"])


def _intercom(url: str, **settings: object) -> SourceConfig:
    auth = SourceAuth(token_env="INTERCOM_TOKEN")
    return SourceConfig(vendor="intercom", url=url, auth=auth, **settings)  # type: ignore[arg-type]


def test_intercom_companies_scroll_whole_every_run(any_store: Store) -> None:
    """No company is among the recorded Intercom records: the fake's companies follow the
    API 2.11 example of ``GET /companies/scroll``."""
    intercom = FakeIntercom()
    gold = {"type": "segment", "id": "s1", "name": "Gold"}
    intercom.companies = [
        company("c1", "Acme", plan={"type": "plan", "id": "p1", "name": "Pro"}, monthly_spend=250),
        company("c2", "Tiny", segments={"type": "segment.list", "segments": [gold]}),
        company("c3", "Tagged", custom_attributes={"tier": "enterprise"}, monthly_spend=10),
        company("c4", "Plain"),
        company("c5", "Last", monthly_spend=1),
    ]
    env = {"INTERCOM_TOKEN": "secret"}
    settings = {"accounts": {"segment": "tier"}}
    with intercom.serve(max_requests=200):
        first = sync_source(
            any_store,
            "intercom",
            _intercom(intercom.base_url, **settings),
            network=Network(env=env, retries=FAST),
        )
        before = snapshot(any_store)
        again = sync_source(
            any_store,
            "intercom",
            _intercom(intercom.base_url, **settings),
            network=Network(env=env, retries=FAST),
        )
    scrolls = [s.query.get("scroll_param") for s in intercom.requests if "scroll" in s.path]
    assert first.error is None and again.error is None
    # each run: the start, then its scroll_param for 2, 1 and the empty end
    assert [s is None for s in scrolls] == [True, False, False, False] * 2
    assert snapshot(any_store) == before
    found = accounts(any_store)
    assert {k: (v["plan"], v["segment"], v["arr"]) for k, v in found.items()} == {
        "c1": ("Pro", None, 3000.0),  # 12 × a monthly spend of 250
        "c2": (None, None, 0.0),  # a named attribute wins over segments, and c2 has none
        "c3": (None, "enterprise", 120.0),
        "c4": (None, None, 0.0),
        "c5": (None, None, 12.0),
    }


def test_intercom_segments_are_the_segment_when_no_attribute_is_named(any_store: Store) -> None:
    intercom = FakeIntercom()
    segments = [{"type": "segment", "id": f"s{n}", "name": n} for n in ("Gold", "EU")]
    intercom.companies = [company("c1", "Acme", segments={"segments": segments})]
    with intercom.serve(max_requests=50):
        sync_source(
            any_store,
            "intercom",
            _intercom(intercom.base_url),
            network=Network(env={"INTERCOM_TOKEN": "secret"}, retries=FAST),
        )
    assert accounts(any_store)["c1"]["segment"] == "Gold;EU"


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({}, (None, "Customer - Direct", None)),
        (
            {"accounts": {"arr": "AnnualRevenue", "plan": "Rating"}},
            ("Hot", "Customer - Direct", 2.5e8),
        ),
    ],
)
def test_salesforce_accounts_take_type_as_segment_and_only_named_revenue(
    any_store: Store, settings: dict[str, Any], expected: tuple[Any, ...]
) -> None:
    salesforce = FakeSalesforce()
    salesforce.objects = generate(6)
    auth = SourceAuth(client_id="app", client_secret_env="SF_SECRET")
    with salesforce.serve(max_requests=200), salesforce.login.serve(max_requests=20):
        config = SourceConfig(
            vendor="salesforce",
            url=salesforce.login.base_url,
            auth=auth,
            **settings,  # type: ignore[arg-type]
        )
        report = sync_source(
            any_store,
            "salesforce",
            config,
            network=Network(env={"SF_SECRET": "secret"}, retries=FAST),
        )
    assert report.error is None
    found = accounts(any_store)
    assert set(found) == {"0015g00000AcmeAAA", "0015g00000TinyAAA"}
    acme = found["0015g00000AcmeAAA"]
    assert (acme["plan"], acme["segment"], acme["arr"]) == expected
    assert joined(any_store) == 6  # a Case's AccountId is the Account's Id


def test_the_row_builders_example_runs() -> None:
    from supportops.connectors import accounts as module

    assert doctest.testmod(module).attempted > 0
    assert doctest.testmod(module).failed == 0


def test_a_scroll_goes_on_by_its_param_and_resumes_from_its_start() -> None:
    """A scroll expires, so the cursor kept after any page is the scroll's first request."""
    stream = intercom.VENDOR.stream("companies")
    now = datetime(2026, 3, 2, tzinfo=UTC)
    first = stream.pagination.first(stream, None, now=now)
    page = [company("c1", "Acme")]
    step = stream.pagination.step(first, {"data": page, "scroll_param": "s-1"}, page, now=now)
    assert step.next is not None and dict(step.next.params) == {"scroll_param": "s-1"}
    assert step.resume == first
    end = stream.pagination.step(step.next, {"data": [], "scroll_param": None}, [], now=now)
    assert (end.next, end.resume) == (None, first)
