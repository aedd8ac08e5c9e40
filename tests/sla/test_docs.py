"""docs/sla.md: its example runs, and it explains every target and status."""

from __future__ import annotations

import re
from pathlib import Path

from supportops.config import TARGETS
from supportops.sla.track import STATES

DOC = Path(__file__).resolve().parents[2] / "docs" / "sla.md"


def test_the_worked_timeline_runs() -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)
    assert blocks
    for block in blocks:
        exec(compile(block, str(DOC), "exec"), {})


def test_every_target_and_status_is_explained() -> None:
    text = DOC.read_text(encoding="utf-8")
    for target in TARGETS:
        assert f"| `{target}` |" in text, target
    for state in STATES:
        assert f"| **{state}** |" in text, state
