"""Lint at scale: the 1,000 imported Zendesk triggers of ``bench/bench_rules.py`` give exactly
the findings the rule-by-rule lint gave before rules were compared as tables (D92, D93).

The expected figures were recorded from a run of that earlier lint (471 s on a loaded
machine): 6,825 findings, 6,507 conflicts and 318 shadowed rules, their digest, and a sample.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from supportops.rules.lint import Finding, lint
from supportops.rules.zendesk import import_zendesk

BENCH = Path(__file__).parents[2] / "bench" / "bench_rules.py"
DIGEST = "f95cb066a3c848b33b7875074766cd29549b00f036d957697d4d2f0d14d2ef58"
SAMPLE: list[tuple[int, str, list[str], dict[str, Any]]] = [
    (
        0,
        "conflict",
        ["route 0", "route 50"],
        {
            "custom.custom_fields_360001": "product-0",
            "message": "… password …",
            "update": "create",
        },
    ),
    (
        1000,
        "conflict",
        ["route 78", "route 250"],
        {
            "custom.custom_fields_360001": "product-78",
            "priority": "high",
            "update": "create",
            "tags": "tag-250",
        },
    ),
    (
        6600,
        "shadowed",
        ["route 311", "route 23"],
        {"message": "… upgrade …", "update": "create"},
    ),
    (6824, "shadowed", ["route 998", "route 14"], {"message": "… crash …", "update": "create"}),
]


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_rules", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def findings() -> list[Finding]:
    return lint(import_zendesk(_bench().zendesk_triggers(1_000)))


def _digest(found: list[Finding]) -> str:
    rows = sorted(
        json.dumps([f.kind, list(f.rules), f.example], sort_keys=True, default=str) for f in found
    )
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()


def test_the_1000_triggers_give_the_recorded_findings(findings: list[Finding]) -> None:
    assert len(findings) == 6_825
    assert Counter(f.kind for f in findings) == {"conflict": 6_507, "shadowed": 318}
    assert _digest(findings) == DIGEST


@pytest.mark.parametrize(("at", "kind", "rules", "example"), SAMPLE)
def test_the_recorded_sample_is_found_in_place(
    findings: list[Finding], at: int, kind: str, rules: list[str], example: dict[str, Any]
) -> None:
    found = findings[at]
    assert (found.kind, list(found.rules), found.example) == (kind, rules, example)
