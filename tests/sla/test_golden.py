"""Golden cases: one file per target rule, each a tiny event log with the instances it must give.

Every case runs through the engine, through the slow reference and through a real workspace
(DuckDB store, ``evaluate_workspace``); all must give exactly the expected instances.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from supportops.sla import evaluate, evaluate_workspace

from .cases import GOLDEN, actual_rows, expected_rows, load_case, raw_case, workspace_case
from .reference import reference

Engine = Callable[[pd.DataFrame, pd.DataFrame, Any, Any], pd.DataFrame]
ENGINES: dict[str, Engine] = {"engine": evaluate, "reference": reference}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("path", GOLDEN, ids=lambda path: path.stem)
def test_golden_case(path: Path, engine: str) -> None:
    case = load_case(path)
    instances = ENGINES[engine](case["tickets"], case["events"], case["config"], case["as_of"])
    assert actual_rows(instances) == expected_rows(case)


@pytest.mark.parametrize("path", GOLDEN, ids=lambda path: path.stem)
def test_golden_case_through_the_store(path: Path, tmp_path: Path) -> None:
    case, ws = workspace_case(path, tmp_path)
    with ws:
        instances = evaluate_workspace(ws, case["as_of"])
    assert actual_rows(instances) == expected_rows(case)


def test_every_golden_case_states_its_rule_and_expects_something() -> None:
    assert len(GOLDEN) >= 10
    for path in GOLDEN:
        case = raw_case(path)
        assert case["rule"].strip() and case["expected"], path.name
