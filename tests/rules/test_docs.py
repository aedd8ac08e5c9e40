"""docs/rules.md: every YAML example reads as a rule set (or the `rules:` section), the lint
examples give the finding they illustrate, and the tables name every semantics, lint kind and
rule field there is. (Its commands are run by tests/test_docs_run.py.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from supportops.config import parse_config
from supportops.rules.fields import RULE_FIELDS
from supportops.rules.lint import KINDS, lint
from supportops.rules.model import RuleSet
from supportops.rules.semantics import SEMANTICS

DOC = Path(__file__).resolve().parents[2] / "docs" / "rules.md"
TEXT = DOC.read_text(encoding="utf-8")
BLOCKS = re.findall(r"```yaml\n(.*?)```", TEXT, flags=re.DOTALL)


def test_every_yaml_example_reads() -> None:
    assert len(BLOCKS) >= 4
    for block in BLOCKS:
        data = YAML(typ="safe").load(block)
        if "semantics" in data.get("rules", {}) or "mode" in data.get("rules", {}):
            parse_config(data)
        else:
            RuleSet.model_validate(data)


def test_the_lint_examples_show_their_finding() -> None:
    found = {}
    for block in BLOCKS:
        data = YAML(typ="safe").load(block)
        if isinstance(data.get("rules"), list) and "semantics" not in data:
            kinds = [f.kind for f in lint(RuleSet.model_validate(data))]
            found[data["rules"][0]["name"]] = kinds
    assert found == {"calm-high": ["loop"], "route-chat": ["missing_scope"]}


def test_the_tables_name_every_semantics_kind_and_field() -> None:
    for name in SEMANTICS:
        assert f"| `{name}` |" in TEXT, name
    for kind in KINDS:
        assert f"| `{kind}` |" in TEXT, kind
    rows = re.findall(r"^\| `([a-z_.<>]+)`", TEXT, flags=re.MULTILINE)
    for field in {
        r.replace("<field>", "status")
        .replace("<target>", "first_reply.due_in")
        .replace("<state>", "solved")
        .replace("<name>", "x")
        for r in rows
    }:
        if field in SEMANTICS or field in KINDS:
            continue
        assert RULE_FIELDS.kind(field) is not None, field


def test_the_python_examples_run() -> None:
    blocks = re.findall(r"```python\n(.*?)```", TEXT, flags=re.DOTALL)
    assert blocks
    for block in blocks:
        exec(compile(block, str(DOC), "exec"), {})  # each asserts what it shows


def test_an_sla_field_is_its_due_in_or_breached_and_nothing_else() -> None:
    from supportops.conditions.parse import parse_condition
    from supportops.errors import ConditionError

    assert RULE_FIELDS.kind("sla.first_reply.due_in") == "number"
    assert RULE_FIELDS.kind("sla.breached") == "tags"
    for unfilled in ("sla.first_reply.elapsed", "sla.first_reply", "sla..due_in", "sla.due_in"):
        assert RULE_FIELDS.kind(unfilled) is None, unfilled
    with pytest.raises(ConditionError, match=r"sla\.first_reply\.elapsed"):
        parse_condition({"sla.first_reply.elapsed": {"lt": 60}}, RULE_FIELDS, key="when")
