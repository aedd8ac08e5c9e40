"""Reviews exported by QA tools, read into the ``reviews`` table's shape.

Each vendor's export is declared as data (:data:`EXPORTS`): which of its columns holds each
column of ``reviews`` and which of its rating texts mean N/A. Both exports are long — one row
per rated category — as CSV or JSONL (one object per line). The rows then go through the one
importer (cleaning, quarantine, idempotent merge) like any event-log file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa

from supportops.errors import InputError

if TYPE_CHECKING:
    from supportops.model.importer import ImportReport
    from supportops.store import Store

__all__ = ["EXPORTS", "ExportFormat", "import_export", "read_export"]


@dataclass(frozen=True)
class ExportFormat:
    """One vendor's review export: ``columns`` maps a ``reviews`` column to the export's."""

    name: str
    vendor: str
    columns: dict[str, str]
    na_values: tuple[str, ...] = ("N/A", "n/a", "NA")
    source: str | None = None


EXPORTS: dict[str, ExportFormat] = {
    "zendesk-qa": ExportFormat(
        "zendesk-qa",
        "Zendesk QA (Klaus), ratings export",
        {
            "review_id": "Review ID",
            "ticket_id": "Conversation external ID",
            "agent_id": "Reviewee email",
            "reviewer_id": "Reviewer email",
            "at": "Review created",
            "scorecard": "Scorecard",
            "category": "Rating category name",
            "rating": "Rating score",
            "comment": "Comment",
        },
    ),
    "maestroqa": ExportFormat(
        "maestroqa",
        "MaestroQA, raw grades export",
        {
            "review_id": "Grade ID",
            "ticket_id": "Ticket ID",
            "agent_id": "Agent Email",
            "reviewer_id": "Grader Email",
            "at": "Date Graded",
            "scorecard": "Rubric",
            "category": "Criterion",
            "rating": "Points Earned",
            "comment": "Comment",
            "calibration_session": "Calibration ID",
        },
        na_values=("N/A", "n/a", "Not Applicable"),
    ),
}

_OPTIONAL = ("comment", "reviewer_id", "calibration_session")


def read_export(path: Path, fmt: str) -> Iterator[pa.RecordBatch]:
    """``path`` (CSV or JSONL) of export ``fmt`` as batches of ``reviews`` rows (text)."""
    spec = EXPORTS.get(fmt)
    if spec is None:
        raise InputError(f"unknown QA export format {fmt!r} (known: {', '.join(EXPORTS)})")
    frame = _read(path)
    missing = [v for k, v in spec.columns.items() if v not in frame.columns and k not in _OPTIONAL]
    if missing:
        raise InputError(
            f"{path}: not a {spec.vendor}: missing column {missing[0]!r}",
            file=str(path),
            column=missing[0],
        )
    out = pd.DataFrame(
        {k: frame[v] for k, v in spec.columns.items() if v in frame.columns}, dtype="string"
    )
    rating = out["rating"].str.strip()
    out["na"] = rating.isin(spec.na_values) | rating.isna() | (rating == "")
    out["rating"] = rating.mask(out["na"])
    out["na"] = out["na"].map({True: "true", False: "false"}).astype("string")
    yield from pa.Table.from_pandas(out, preserve_index=False).to_batches()


def _read(path: Path) -> pd.DataFrame:
    try:
        if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
            return pd.read_json(path, lines=True, dtype=False).astype("string")
        return pd.read_csv(path, dtype="string", keep_default_na=False)
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read: {exc}", file=str(path)) from exc


def import_export(store: Store, path: Path, fmt: str, timezone: str | None = None) -> ImportReport:
    """Import a QA tool's review export into the ``reviews`` table of ``store``."""
    from supportops.model.importer import import_batches

    stream = ("reviews", str(path), read_export(path, fmt), ())
    return import_batches(
        store, iter([stream]), timezone=timezone, source=EXPORTS[fmt].source, files=str(path)
    )
