"""The catalog as data: complete against the spec, documented, and its docs never stale."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlglot

from supportops.errors import MetricError
from supportops.metrics.catalog import catalog, get, parse_request, render_markdown
from supportops.metrics.profiles import PROFILES, profile

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO.parent / "shared" / "spec" / "metrics.md"


def test_docs_metrics_md_is_generated_from_the_catalog() -> None:
    current = (REPO / "docs" / "metrics.md").read_text(encoding="utf-8")
    assert current == render_markdown(), (
        "docs/metrics.md is stale: run `python -m supportops.metrics.catalog --markdown "
        "> docs/metrics.md`"
    )


def test_every_metric_of_the_spec_is_in_the_catalog() -> None:
    if not SPEC.is_file():
        pytest.skip(f"{SPEC} is not beside the checkout")
    ids: set[str] = set()
    for cell in re.findall(r"^\| ([a-z_\[\], ]+) \|", SPEC.read_text(), flags=re.M):
        for name in cell.split(","):
            name = name.strip()
            if name == "id":
                continue
            if name.endswith("[_business]"):
                base = name.removesuffix("[_business]")
                ids |= {base, f"{base}_business"}
            else:
                ids.add(name)
    assert ids, "no metric ids found in the spec"
    assert not ids - set(catalog()), f"missing from the catalog: {sorted(ids - set(catalog()))}"


def test_metric_values_and_derivations_are_valid_sql() -> None:
    for metric in catalog().values():
        for text in (metric.value, metric.derived, metric.aggregate):
            if text:
                sql = re.sub(r"\{(\w+)\}", r"\1", text)
                sqlglot.parse_one(f"SELECT {sql}", read="duckdb")
        for ref in re.findall(r"\{(\w+)\}", metric.derived or ""):
            assert ref in catalog(), f"{metric.id} refers to unknown {ref}"


def test_requests_name_a_metric_and_an_allowed_aggregation() -> None:
    metric, agg = parse_request("first_reply_time:p90")
    assert (metric.id, agg) == ("first_reply_time", "p90")
    assert parse_request("csat")[1] == "mean"
    with pytest.raises(MetricError, match="no aggregation"):
        parse_request("csat:p90")
    with pytest.raises(MetricError, match="unknown metric"):
        get("first_reply")
    with pytest.raises(MetricError, match="unknown metric"):
        get("_labor_cost")


def test_profiles_are_data_and_documented() -> None:
    assert set(PROFILES) == {"default", "zendesk", "freshdesk", "intercom"}
    for prof in PROFILES.values():
        for metric_id, override in prof.overrides.items():
            assert metric_id in catalog() and override.note.startswith(prof.name)
    with pytest.raises(MetricError, match="unknown profile"):
        profile("helpscout")


def test_each_drill_is_catalog_data_on_the_drill_down_columns() -> None:
    from supportops.conditions import fields_of
    from supportops.metrics.drilldown import FACT_COLUMNS
    from supportops.model.schema import TABLES

    columns = {*FACT_COLUMNS, *TABLES["tickets"].names}
    drilled = {
        m.id: m.drill for m in catalog().values() if m.drill.facts or m.drill.set != "created"
    }
    assert {"tickets_solved", "backlog", "sla_breaches", "csat", "validity"} <= set(drilled)
    for metric_id, drill in drilled.items():
        named = fields_of(drill.facts) if drill.facts is not None else set()
        assert named <= columns, metric_id
    assert catalog()["tickets_reopened"].drill.describe() == (
        "tickets created in the range, where reopens>0"
    )
