"""`connect --import-config`: each vendor's schedules, holidays, SLA policies and statuses,
read over HTTP from the fakes seeded with the recorded records, proposed as settings that the
config check accepts."""

from __future__ import annotations

import zoneinfo
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from supportops.config import SourceAuth, SourceConfig, load_config
from supportops.connectors.setup import merge_config, read_config
from supportops.connectors.vendors import freshdesk, salesforce
from supportops.connectors.zones import ZONES, zone_of
from supportops.errors import ConfigError
from tests.connectors.conftest import ENV, zendesk_source
from tests.connectors.fakes.freshdesk import API_KEY, FreshdeskAccount, FreshdeskFake
from tests.connectors.fakes.salesforce import FakeSalesforce
from tests.connectors.fakes.server import FakeServer


def _freshdesk(url: str) -> SourceConfig:
    return SourceConfig.model_validate(
        {"vendor": "freshdesk", "url": url, "auth": {"api_key_env": "FRESHDESK_KEY"}}
    )


def _written(tmp_path: Path, name: str, source: dict[str, Any], proposed: dict[str, Any]) -> Any:
    """The workspace config after the proposal was merged into it (and checked)."""
    config_file = tmp_path / "supportops.yaml"
    config_file.write_text(yaml.safe_dump({"sources": {name: source}}), encoding="utf-8")
    merge_config(config_file, name, proposed)
    return load_config(config_file)


@pytest.fixture
def freshdesk_proposal() -> dict[str, Any]:
    with FakeServer(FreshdeskFake(FreshdeskAccount.from_recorded()), max_requests=50) as fake:
        return read_config("helpdesk", _freshdesk(fake.url), env={"FRESHDESK_KEY": API_KEY})


def test_a_zendesk_schedule_brings_its_holidays_as_closed_dates(zendesk_fake: FakeServer) -> None:
    proposed = read_config("zendesk", zendesk_source(zendesk_fake.url), env=ENV)
    calendar = proposed["calendars"]["zendesk-test-schedule"]
    assert calendar["timezone"] == "Pacific/Noumea"
    # Christmas, and a holiday from 30 December to 1 January (both ends included)
    assert calendar["holidays"]["dates"] == [
        "2024-12-25",
        "2024-12-30",
        "2024-12-31",
        "2025-01-01",
    ]
    holiday_paths = [p for p in zendesk_fake.paths() if p.endswith("/holidays.json")]
    assert holiday_paths == ["/api/v2/business_hours/schedules/4567312249615/holidays.json"]


def test_the_zendesk_proposal_with_holidays_passes_the_config_check(
    zendesk_fake: FakeServer, tmp_path: Path
) -> None:
    proposed = read_config("zendesk", zendesk_source(zendesk_fake.url), env=ENV)
    source = {"vendor": "zendesk", "url": zendesk_fake.url, "auth": {"token_env": "T"}}
    config = _written(tmp_path, "zendesk", source, proposed)
    holidays = config.calendars["zendesk-test-schedule"].holidays
    assert date(2024, 12, 31) in holidays.dates and date(2024, 12, 26) not in holidays.dates


def test_freshdesk_business_hours_become_a_calendar_in_the_iana_zone(
    freshdesk_proposal: dict[str, Any],
) -> None:
    calendar = freshdesk_proposal["calendars"]["freshdesk-default"]
    assert calendar["timezone"] == "Asia/Magadan"  # Freshdesk's (Rails) "Magadan"
    assert calendar["hours"] == {d: ["08:00-17:00"] for d in ("mon", "tue", "wed", "thu", "fri")}


def test_freshdesk_sla_policies_give_one_policy_per_priority_and_skip_inactive_ones(
    freshdesk_proposal: dict[str, Any],
) -> None:
    policies = {p["name"]: p for p in freshdesk_proposal["sla_policies"]}
    # "Test SLA" is inactive in the recorded account: not proposed
    assert sorted(policies) == [
        f"Default SLA Policy ({p})" for p in ("high", "low", "normal", "urgent")
    ]
    urgent = policies["Default SLA Policy (urgent)"]
    assert urgent["when"] == {"priority": ["urgent"]}
    assert urgent["targets"] == {"first_reply": "3600s", "resolution": "14400s"}
    assert "calendar" not in urgent  # business_hours is false: calendar time
    low = policies["Default SLA Policy (low)"]
    assert low["targets"] == {"first_reply": "86400s", "resolution": "259200s"}


def test_a_freshdesk_policy_in_business_hours_takes_the_default_calendar() -> None:
    account = FreshdeskAccount.from_recorded()
    for policy in account.sla_policies:
        policy["active"] = True
    records = {"business_hours": account.business_hours, "sla_policies": account.sla_policies}
    proposed = freshdesk.propose(records)
    names = [p["name"] for p in proposed["sla_policies"]]
    # the default policy applies to what the others leave: it comes last
    assert names[:4] == [f"Test SLA ({p})" for p in ("low", "normal", "high", "urgent")]
    test = {p["name"]: p for p in proposed["sla_policies"]}["Test SLA (high)"]
    assert test["calendar"] == "freshdesk-default"
    assert test["when"] == {"type": ["Incident"], "priority": ["high"]}


def test_freshdesk_custom_status_labels_are_proposed_for_review(
    freshdesk_proposal: dict[str, Any],
) -> None:
    assert freshdesk_proposal["status_map"] == {"Waiting on vendor": "open"}


def test_the_freshdesk_proposal_passes_the_config_check(
    freshdesk_proposal: dict[str, Any], tmp_path: Path
) -> None:
    source = {"vendor": "freshdesk", "url": "http://127.0.0.1:1", "auth": {"api_key_env": "K"}}
    config = _written(tmp_path, "helpdesk", source, freshdesk_proposal)
    assert config.calendars["freshdesk-default"].timezone == "Asia/Magadan"
    assert config.sources["helpdesk"].status_map == {"Waiting on vendor": "open"}
    assert len(config.sla_policies) == 4


def test_a_freshdesk_day_ending_at_11_59_pm_ends_at_midnight() -> None:
    hours = {
        "time_zone": "Eastern Time (US & Canada)",
        "working_hours": {"saturday": {"start_time": "12:00 am", "end_time": "11:59 pm"}},
    }
    assert freshdesk.calendar_of(hours) == {
        "timezone": "America/New_York",
        "hours": {"sat": ["00:00-24:00"]},
    }


def test_a_freshdesk_time_that_is_not_a_clock_time_is_named() -> None:
    hours = {"working_hours": {"monday": {"start_time": "8h", "end_time": "5:00 pm"}}}
    with pytest.raises(ConfigError, match="not a time of day '8h'"):
        freshdesk.calendar_of(hours)


def test_every_rails_zone_name_maps_to_a_zone_the_zone_database_knows() -> None:
    unknown = [name for name, zone in ZONES.items() if not _known_zone(zone)]
    assert unknown == []
    assert zone_of("Europe/Paris") == "Europe/Paris"  # an IANA name is kept


def _known_zone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _business_hours(
    name: str, default: bool, **days: tuple[str | None, str | None]
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "Id": f"01m{name[:5]}",
        "Name": name,
        "IsActive": True,
        "IsDefault": default,
        "TimeZoneSidKey": "Europe/Berlin",
        "SystemModstamp": "2024-01-02T10:00:00.000+0000",
    }
    for day in salesforce.DAYS:
        start, end = days.get(day, (None, None))
        row[f"{day}StartTime"], row[f"{day}EndTime"] = start, end
    return row


def test_salesforce_business_hours_become_calendars_with_the_orgs_holidays() -> None:
    fake = FakeSalesforce()
    week = {d: ("08:30:00.000Z", "17:00:00.000Z") for d in salesforce.DAYS[1:6]}
    fake.objects = {
        "BusinessHours": [
            _business_hours("Night Desk", False, Saturday=("00:00:00.000Z", "00:00:00.000Z")),
            _business_hours("Default", True, **week),
        ],
        "Holiday": [
            {
                "Id": "0C01",
                "Name": "New Year",
                "ActivityDate": "2025-01-01",
                "IsAllDay": True,
                "IsRecurrence": False,
                "SystemModstamp": "2024-01-02T10:00:00.000+0000",
            },
            {
                "Id": "0C02",
                "Name": "Half day",
                "ActivityDate": "2024-12-24",
                "IsAllDay": False,
                "IsRecurrence": False,
                "SystemModstamp": "2024-01-02T10:00:00.000+0000",
            },
        ],
    }
    with fake.serve(max_requests=20), fake.login.serve(max_requests=5):
        auth = SourceAuth(client_id="app", client_secret_env="SF_SECRET")
        source = SourceConfig(vendor="salesforce", url=fake.login.base_url, auth=auth)
        proposed = read_config("salesforce", source, env={"SF_SECRET": "secret"})
    assert list(proposed["calendars"]) == ["salesforce-default", "salesforce-night-desk"]
    default = proposed["calendars"]["salesforce-default"]
    assert default["timezone"] == "Europe/Berlin"
    assert default["hours"] == {d: ["08:30-17:00"] for d in ("mon", "tue", "wed", "thu", "fri")}
    # the all-day holiday closes the day; a partial one is not imported
    assert default["holidays"] == {"dates": ["2025-01-01"]}
    night = proposed["calendars"]["salesforce-night-desk"]
    assert night["hours"] == {"sat": ["00:00-24:00"]} and "holidays" not in night
