"""Golden lint cases: one file per finding kind with the findings expected, and clean sets
with none. Lint must be exact: every seeded problem found, nothing else."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from supportops.rules.lint import KINDS, References, lint
from supportops.rules.model import RuleSet

CASES = sorted((Path(__file__).parent / "golden" / "lint").glob("*.yaml"))


def _case(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    return data


def _refs(raw: dict[str, list[str]] | None) -> References:
    return References(**{k: frozenset(v) for k, v in (raw or {}).items()})


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_lint_finds_exactly_the_seeded_problems(path: Path) -> None:
    case = _case(path)
    ruleset = RuleSet.model_validate(
        {"semantics": case.get("semantics", "default"), "rules": case["rules"]}
    )
    found = lint(ruleset, _refs(case.get("references")))
    got = [{"kind": f.kind, "rules": list(f.rules), "example": f.example} for f in found]
    assert got == case["expected"]
    assert all(f.explanation for f in found)


def test_every_kind_has_a_golden_case_and_there_are_clean_sets() -> None:
    kinds = {e["kind"] for p in CASES for e in _case(p)["expected"]}
    assert kinds == set(KINDS)
    assert sum(1 for p in CASES if not _case(p)["expected"]) >= 2
