"""The SLA engine over a workspace: evaluate its store, replay it under a policies file, check
pending, and report compliance per target (what ``make demo`` prints).

A ``--policies`` file holds ``sla_policies:`` and optionally ``calendars:`` and
``default_calendar:``; it replaces the workspace's policies, adds or replaces calendars, and is
validated like ``supportops.yaml`` (an error names the file, key and line).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from supportops.config import SlaPolicy, WorkspaceConfig, parse_config, read_yaml
from supportops.errors import ConfigError
from supportops.instants import parse_instant
from supportops.sla.engine import evaluate
from supportops.sla.gaming import gaming
from supportops.sla.report import summary
from supportops.sla.store import SlaInputs, load_inputs, load_pending
from supportops.sla.whatif import Comparison, compare
from supportops.workspace import Workspace

__all__ = [
    "POLICY_FILE_KEYS",
    "compare_workspace",
    "compliance_by_target",
    "config_with_policies",
    "evaluate_workspace",
    "gaming_workspace",
    "moment_of",
    "now",
]

POLICY_FILE_KEYS = ("sla_policies", "calendars", "default_calendar")


def now(ws: Workspace) -> datetime:
    """The workspace clock's current instant, to the second (the default ``as_of``)."""
    return ws.clock.now().replace(microsecond=0)


def moment_of(ws: Workspace, as_of: datetime | pd.Timestamp | str | None) -> datetime:
    """``as_of`` as :mod:`supportops.instants` reads it (naive: the report time zone), in UTC;
    None: :func:`now`."""
    moment = parse_instant(as_of, ws.config.report_timezone, ws.clock)
    return moment if moment is not None else now(ws)


def _key_line(raw: Any, key: str) -> int | None:
    lc = getattr(raw, "lc", None)
    return lc.key(key)[0] + 1 if lc is not None else None


def config_with_policies(base: WorkspaceConfig, path: Path) -> WorkspaceConfig:
    """``base`` with the policies (and calendars) of the file at ``path``."""
    raw = read_yaml(path)
    if not isinstance(raw, dict) or "sla_policies" not in raw:
        raise ConfigError(f"{path}: expected a mapping with sla_policies:", file=str(path))
    for key in raw:
        if key not in POLICY_FILE_KEYS:
            line = _key_line(raw, key)
            where = f"{path}, line {line}" if line else str(path)
            expected = ", ".join(POLICY_FILE_KEYS)
            raise ConfigError(
                f"{where}: {key}: unknown key (a policies file holds {expected})",
                file=str(path),
                key=str(key),
                line=line,
            )
    merged: dict[str, Any] = base.model_dump()
    merged["sla_policies"] = raw["sla_policies"]
    merged["calendars"] = {**merged["calendars"], **(raw.get("calendars") or {})}
    if "default_calendar" in raw:
        merged["default_calendar"] = raw["default_calendar"]
    return parse_config(merged, file=str(path))


def evaluate_workspace(
    ws: Workspace,
    as_of: datetime | pd.Timestamp | str | None = None,
    policies: Sequence[SlaPolicy] | None = None,
    config: WorkspaceConfig | None = None,
    inputs: SlaInputs | None = None,
) -> pd.DataFrame:
    """Every SLA target instance of the workspace at ``as_of`` (default: now).

    ``config`` replaces the workspace's config (e.g. one with a policies file merged in),
    ``policies`` only its ``sla_policies``; ``inputs`` reuses inputs already loaded.
    """
    inputs = inputs or load_inputs(ws.store)
    moment = moment_of(ws, as_of)
    return evaluate(inputs.tickets, inputs.events, config or ws.config, moment, policies)


def compliance_by_target(
    ws: Workspace, as_of: datetime | pd.Timestamp | str | None = None
) -> pd.DataFrame:
    """SLA compliance per target: instances per status and achieved / (achieved + breached)."""
    return summary(evaluate_workspace(ws, as_of))


def compare_workspace(
    ws: Workspace,
    after: WorkspaceConfig,
    as_of: datetime | pd.Timestamp | str | None = None,
    by: Sequence[str] = (),
) -> Comparison:
    """Replay the workspace's history under ``after`` and compare with its own policies."""
    inputs = load_inputs(ws.store)
    moment = moment_of(ws, as_of)
    before = evaluate_workspace(ws, moment, inputs=inputs)
    changed = evaluate_workspace(ws, moment, config=after, inputs=inputs)
    return compare(before, changed, inputs.tickets, by, ws.config.report_timezone)


def gaming_workspace(
    ws: Workspace,
    window_seconds: int,
    as_of: datetime | pd.Timestamp | str | None = None,
    config: WorkspaceConfig | None = None,
) -> pd.DataFrame:
    """Changes to pending made with at most ``window_seconds`` left (see :func:`gaming`)."""
    inputs = load_inputs(ws.store)
    moment = moment_of(ws, as_of)
    return gaming(
        inputs.tickets,
        inputs.events,
        config or ws.config,
        moment,
        window_seconds,
        changes=load_pending(ws.store),
    )
