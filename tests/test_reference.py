"""The generated references in docs/ match the code."""

from __future__ import annotations

from pathlib import Path

import pytest

from supportops.reference import GENERATED

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("rel", sorted(GENERATED))
def test_generated_reference_is_up_to_date(rel: str) -> None:
    committed = (REPO / rel).read_text(encoding="utf-8")
    assert committed == GENERATED[rel](), f"{rel} is stale: run `python -m supportops.reference`"
