"""The examples in docs/workforce.md run, and the package's public surface is deliberate."""

from __future__ import annotations

import re
from pathlib import Path

import supportops.workforce as workforce

DOC = Path(__file__).resolve().parents[2] / "docs" / "workforce.md"


def test_the_worked_examples_in_the_docs_run() -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    assert len(blocks) >= 2
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, str(DOC), "exec"), namespace)


def test_public_api_is_sorted_and_importable() -> None:
    names = workforce.__all__
    assert names == sorted(names, key=lambda n: (not n.isupper(), n))
    for name in names:
        assert getattr(workforce, name) is not None
