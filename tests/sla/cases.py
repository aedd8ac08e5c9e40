"""Golden cases: reading them, and putting one into a real workspace (DuckDB store)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
from ruamel.yaml import YAML

from supportops.config import CONFIG_FILE, parse_config
from supportops.durations import parse_duration
from supportops.model.schema import TABLES
from supportops.workspace import Workspace

GOLDEN = sorted((Path(__file__).parent / "golden").glob("*.yaml"))
EVENT_COLUMNS = ["ticket_id", "at", "kind", "actor", "public", "value"]
_ARROW = {
    "timestamp": pa.timestamp("us", tz="UTC"),
    "bool": pa.bool_(),
    "list": pa.list_(pa.string()),
    "number": pa.float64(),
    "duration": pa.float64(),
}


def raw_case(path: Path) -> dict[str, Any]:
    """The case file as YAML data."""
    case: dict[str, Any] = YAML(typ="safe").load(path)
    return case


def load_case(path: Path) -> dict[str, Any]:
    """A golden case with its tables as frames and timestamps parsed."""
    case = raw_case(path)
    tickets = pd.DataFrame(case["tickets"])
    tickets["created_at"] = pd.to_datetime(tickets["created_at"], utc=True)
    events = pd.DataFrame(case.get("events") or [], columns=EVENT_COLUMNS)
    events["at"] = pd.to_datetime(events["at"], utc=True)
    case.update(tickets=tickets, events=events, config=parse_config(case["config"]))
    return case


def _stamp(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).isoformat()


def expected_rows(case: dict[str, Any]) -> list[dict[str, Any]]:
    """The case's expected instances in a comparable form."""
    rows = [
        {
            "ticket_id": str(item["ticket_id"]),
            "target": item["target"],
            "instance": int(item["instance"]),
            "status": item["status"],
            "started_at": _stamp(item.get("started_at")),
            "stopped_at": _stamp(item.get("stopped_at")),
            "elapsed_seconds": parse_duration(item["elapsed"]),
            "breached_at": _stamp(item.get("breached_at")),
            "due_at": _stamp(item.get("due_at")),
        }
        for item in case["expected"]
    ]
    return sorted(rows, key=lambda r: (r["ticket_id"], r["target"], r["instance"]))


def actual_rows(instances: pd.DataFrame) -> list[dict[str, Any]]:
    """An instances table in the form of :func:`expected_rows`."""
    rows = [
        {
            "ticket_id": str(item["ticket_id"]),
            "target": str(item["target"]),
            "instance": int(item["instance"]),
            "status": str(item["status"]),
            "started_at": _stamp(item["started_at"]),
            "stopped_at": _stamp(item["stopped_at"]),
            "elapsed_seconds": int(item["elapsed_seconds"]),
            "breached_at": _stamp(item["breached_at"]),
            "due_at": _stamp(item["due_at"]),
        }
        for item in instances.to_dict("records")
    ]
    return sorted(rows, key=lambda r: (r["ticket_id"], r["target"], r["instance"]))


def arrow_rows(name: str, frame: pd.DataFrame) -> pa.Table:
    """``frame`` as the store's ``name`` table: every stored column, missing ones null."""
    table = TABLES[name]
    columns = {}
    for column in table.stored:
        kind = table.column(column).type if column in table.names else "string"
        present = frame[column].astype(object) if column in frame else None
        values = [None] * len(frame) if present is None else present.where(present.notna(), None)
        values = list(values)
        if column == "source" and column not in frame:
            values = ["csv"] * len(frame)
        columns[column] = pa.array(values, type=_ARROW.get(kind, pa.string()))
    return pa.table(columns)


def write_workspace(folder: Path, case: dict[str, Any]) -> Workspace:
    """A workspace in ``folder`` with the case's config and tables in its DuckDB store."""
    folder.mkdir(parents=True, exist_ok=True)
    YAML().dump(case["raw_config"], folder / CONFIG_FILE)
    ws = Workspace.open(folder)
    events = case["events"].copy()
    events["event_id"] = [f"e{i}" for i in range(len(events))]
    ws.store.upsert(TABLES["tickets"], arrow_rows("tickets", case["tickets"]))
    ws.store.upsert(TABLES["events"], arrow_rows("events", events))
    return ws


def workspace_case(path: Path, folder: Path) -> tuple[dict[str, Any], Workspace]:
    """The golden case at ``path`` and a workspace holding it."""
    case = load_case(path)
    case["raw_config"] = raw_case(path)["config"]
    return case, write_workspace(folder, case)
