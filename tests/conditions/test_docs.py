"""docs/conditions.md: every example condition reads, and every comparison is explained."""

from __future__ import annotations

import re
from pathlib import Path

from ruamel.yaml import YAML

from supportops.conditions import COMPARISONS, TAG_OPS, parse_condition

DOC = Path(__file__).resolve().parents[2] / "docs" / "conditions.md"


def _examples() -> list[str]:
    blocks = re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)
    found: list[str] = []
    for block in blocks:
        one_each = not block.startswith("when:\n")
        found += [line for line in block.splitlines() if line.strip()] if one_each else [block]
    return found


def test_every_example_reads() -> None:
    examples = _examples()
    assert len(examples) >= 12
    for text in examples:
        parse_condition(YAML(typ="rt").load(text)["when"], key="when")


def test_every_comparison_is_explained() -> None:
    text = DOC.read_text(encoding="utf-8")
    for op in (*COMPARISONS, *TAG_OPS):
        assert f"`{op}`" in text, op
