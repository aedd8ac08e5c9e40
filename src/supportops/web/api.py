"""The REST API under ``/api``: metrics, tickets, SLA, data quality, definitions and imports.

Read routes need a ``read`` token, imports a ``write`` token. Values are those of the metrics
query the CLI runs (:mod:`supportops.web.data`), as JSON: a list of objects, one per group.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import pyarrow as pa
from fastapi import APIRouter, Depends, File, Query, Request, Response, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from supportops.errors import InputError
from supportops.instants import parse_instant, resolve_range
from supportops.metrics.staleness import newest_instant
from supportops.metrics.ticket_files import csv_bytes
from supportops.tokens import TokenRecord
from supportops.web import data, drill
from supportops.web.auth import require
from supportops.web.errors import ErrorBody
from supportops.web.filters import Filters, filters_dependency
from supportops.web.parameters import AsOf, Day, Dimension, Grain, MetricAsk, Period, ProfileName
from supportops.web.state import workspace
from supportops.workspace import Workspace

__all__ = ["ERRORS", "router"]

ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text}
    for status, text in (
        (400, "Bad request"),
        (401, "Missing or invalid token"),
        (403, "The token's scope does not allow this"),
        (413, "The request body is too large"),
        (422, "Invalid parameters"),
        (500, "Server error"),
        (501, "Not available yet"),
        (503, "The store is unavailable, or the query ran past its budget"),
    )
}
MAX_LIMIT = 1000
MAX_OFFSET = 10**9  # a billion rows: past any workspace, within every engine's integers
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Rows per page")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Rows to skip")]
Ws = Annotated[Workspace, Depends(workspace)]
Shared = Annotated[Filters, Depends(filters_dependency)]
_read = require("read")
Reader = Annotated[TokenRecord, Depends(_read)]
Writer = Annotated[TokenRecord, Depends(require("write"))]
DATA_AS_OF = "Data-As-Of"


def data_as_of(request: Request, response: Response, ws: Ws, _: Reader) -> None:
    """Every answer to a token says how fresh its data is: the header ``Data-As-Of``, the
    newest event's instant in ISO 8601 (UTC); absent while the log holds no event. (The token
    is checked once: this and the routes share one dependency.)"""
    newest = _cached(request, ws, ("data_as_of",), lambda: newest_instant(ws))
    if newest is not None:
        response.headers[DATA_AS_OF] = newest.isoformat()


router = APIRouter(prefix="/api", responses=ERRORS, dependencies=[Depends(data_as_of)])
Row = dict[str, Any]


class Page(BaseModel):
    """One page of rows and how many there are in all."""

    total: int
    limit: int
    offset: int
    items: list[Row]


class Definition(BaseModel):
    """A metric of the catalog."""

    id: str
    section: str
    unit: str
    definition: str
    counts: str
    when: str
    aggregations: list[str]
    default_aggregation: str
    options: list[str]


def _cached(request: Request, ws: Workspace, key: tuple[Any, ...], compute: Any) -> Any:
    cache: data.Cache = request.app.state.web.cache
    return cache.get((*key, data.version(ws)), compute)


def _page(frame: pd.DataFrame, limit: int, offset: int) -> Page:
    items = data.records(frame.iloc[offset : offset + limit])
    return Page(total=len(frame), limit=limit, offset=offset, items=items)


@router.get("/metrics", response_model=list[Row], summary="Metrics, one object per group")
def metrics(
    request: Request,
    ws: Ws,
    _: Reader,
    filters: Shared,
    metric: Annotated[list[MetricAsk], Query(min_length=1, description="ID or ID:AGG; repeatable")],
    by: Annotated[
        list[Dimension],
        Query(description="Dimensions to group by; repeatable (a repeat counts once)"),
    ] = [],  # noqa: B006
    grain: Annotated[Grain | None, Query(description="The period of each row")] = None,
    as_of: AsOf = None,
    profile: Annotated[ProfileName | None, Query(description="Whose definitions to follow")] = None,
) -> list[Row]:
    """The same query as `supportops metrics`: keys are the dims, `period` (with a grain) and
    each metric exactly as asked; null where there is no data."""
    ids, dims = [m.value for m in metric], list(dict.fromkeys(d.value for d in by))
    grain_name, profile_name = grain and grain.value, profile and profile.value
    moment = parse_instant(as_of, ws.config.report_timezone, ws.clock)
    key = ("metrics", tuple(ids), tuple(dims), grain_name, filters, moment, profile_name)
    frame = _cached(
        request,
        ws,
        key,
        lambda: data.metrics(ws, ids, filters, dims, grain_name, moment, profile_name),
    )
    return data.records(frame)


def drill_dependency(
    request: Request,
    metric: Annotated[str | None, Query(description="Only the tickets behind this metric")] = None,
    target: Annotated[str | None, Query(max_length=50, description="SLA target")] = None,
    policy: Annotated[str | None, Query(max_length=200, description="SLA policy")] = None,
    period_start: Annotated[
        date | None, Query(description="backlog_age: the first day of the period")
    ] = None,
    grain: Annotated[str | None, Query(max_length=10, description="backlog_age: its grain")] = None,
    bucket: Annotated[
        str | None, Query(max_length=10, description="backlog_age: 0-1d, ...")
    ] = None,
    within: Annotated[
        int | None, Query(ge=0, le=data.MAX_WITHIN, description="sla_active: seconds to breach")
    ] = None,
    as_of: AsOf = None,
    outcome: Annotated[str | None, Query(max_length=20, description="bot_sessions")] = None,
    rule: Annotated[str | None, Query(max_length=100, description="validity: the rule")] = None,
    column: Annotated[str | None, Query(max_length=100, description="completeness")] = None,
    source: Annotated[str | None, Query(max_length=200)] = None,
) -> drill.Drill:
    """FastAPI dependency: which tickets behind which number (see :mod:`~supportops.web.drill`)."""
    base = request.app.state.web.base
    moment = parse_instant(as_of, base.config.report_timezone, base.clock)
    return drill.Drill(
        metric,
        target,
        policy,
        period_start,
        grain,
        bucket,
        within,
        moment,
        outcome,
        rule,
        column,
        source,
    )


Drilled = Annotated[drill.Drill, Depends(drill_dependency)]


def _memo(request: Request, ws: Workspace) -> data.Memo:
    return lambda key, compute: _cached(request, ws, key, compute)


@router.get("/tickets", response_model=Page, summary="Per-ticket facts, paginated")
def tickets(
    request: Request,
    ws: Ws,
    _: Reader,
    filters: Shared,
    ask: Drilled,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page:
    """The tickets matching the filters, newest first, with their facts; `metric=` (and the
    parameters that narrow it) keeps the tickets behind that number."""
    total, frame = drill.listing(ws, filters, ask, limit, offset, _memo(request, ws))
    return Page(total=total, limit=limit, offset=offset, items=data.records(frame))


def csv_stream(parts: Iterable[pa.Table]) -> Iterator[bytes]:
    """Tables as one CSV, chunk by chunk (no row cap), in the format of ``supportops tickets``;
    the header once, even when there is no row."""
    header = True
    for part in parts:
        if part.num_rows or header:
            yield csv_bytes(part, header)
            header = False


CSV_DOC: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "CSV"}
}


@router.get(
    "/tickets.csv", response_class=StreamingResponse, responses=CSV_DOC, summary="Tickets as CSV"
)
def tickets_csv(
    request: Request,
    ws: Ws,
    _: Reader,
    filters: Shared,
    ask: Drilled,
) -> StreamingResponse:
    """Every ticket matching the filters, as one CSV download."""
    headers = {"Content-Disposition": 'attachment; filename="tickets.csv"'}
    parts = drill.chunks(ws, filters, ask, _memo(request, ws))
    return StreamingResponse(csv_stream(parts), media_type="text/csv", headers=headers)


@router.get("/sla/instances", response_model=Page, summary="SLA target instances")
def sla_instances(
    request: Request,
    ws: Ws,
    _: Reader,
    as_of: AsOf = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page:
    """One row per ticket, policy, target and instance, with status and times."""
    frame = data.sla_instances(ws, as_of, _memo(request, ws))
    return _page(frame.drop(columns=["ticket_row"], errors="ignore"), limit, offset)


@router.get("/sla/at-risk", response_model=list[Row], summary="Running SLA targets near breach")
def sla_at_risk(
    request: Request,
    ws: Ws,
    _: Reader,
    as_of: AsOf = None,
    within: Annotated[
        int, Query(ge=0, le=data.MAX_WITHIN, description="Seconds to breach")
    ] = data.AT_RISK_WITHIN,
) -> list[Row]:
    """Active targets due within `within` seconds of `as_of`, nearest to breach first."""
    frame = data.at_risk(ws, as_of, within, _memo(request, ws))
    return data.records(frame.drop(columns=["ticket_row"], errors="ignore"))


@router.get("/knowledge/gaps", response_model=dict[str, Any], summary="Knowledge gaps")
def knowledge_gaps(
    request: Request,
    ws: Ws,
    _: Reader,
    start: Day = None,
    end: Day = None,
    period: Period = None,
    top: Annotated[int, Query(ge=1, le=100, description="Gaps returned, costliest first")] = 10,
) -> dict[str, Any]:
    """The topics of the days' tickets (default: the last 28 days of data) that no article
    covers, the most hours first, and each article's deflection opportunity — `supportops
    knowledge gaps` in the TF-IDF space, as the Knowledge page."""
    from supportops.knowledge.report import workspace_gaps
    from supportops.metrics.inventory import newest_ticket_day
    from supportops.web.pages import filled_days

    asked = resolve_range(start, end, period, ws.config.report_timezone, ws.clock)
    newest = None if None not in asked else newest_ticket_day(ws.store)
    first, last = filled_days(ws, *asked, newest)
    found = _cached(
        request, ws, ("knowledge", first, last), lambda: workspace_gaps(ws, first, last)
    )
    answer: dict[str, Any] = json.loads(json.dumps(found.data(top), default=_plain))
    return answer


def _plain(value: Any) -> Any:
    """A value JSON has no type for: a day or instant as ISO 8601, a NumPy number or array as
    its Python value, a missing one as null."""
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "tolist"):
        return value.tolist()
    return None if pd.isna(value) else str(value)


@router.get("/quality", response_model=dict[str, Any], summary="Data quality")
def quality(request: Request, ws: Ws, _: Reader) -> dict[str, Any]:
    """Completeness, validity, freshness and duplicates of the event log."""
    report: dict[str, Any] = _cached(request, ws, ("quality",), lambda: data.quality(ws))
    return report


@router.get("/definitions", response_model=list[Definition], summary="Metric definitions")
def definitions(_: Reader) -> list[Definition]:
    """Every metric of the catalog with its definition, unit and aggregations."""
    return [Definition(**d) for d in data.definitions()]


def _upload_name(filename: str | None) -> str:
    """The file name of an upload, refused (400) when it is no plain file name."""
    name = Path(filename or "").name
    if name in ("", ".", "..") or name != (filename or "") or "\0" in name:
        raise InputError(
            f"upload name {filename!r} is not a plain file name such as tickets.csv",
            file=filename,
        )
    return name


@router.post("/imports", summary="Import event-log files")
def imports(
    request: Request,
    ws: Ws,
    _: Writer,
    files: Annotated[list[UploadFile], File(description="tickets.csv, events.parquet, ...")],
) -> dict[str, Any]:
    """Import files named for their table (as `supportops import`), all in one transaction:
    bad rows are quarantined; a file that cannot be read imports nothing. Several files of one
    name are all read (each is saved in a folder of its own)."""
    state = request.app.state.web
    with tempfile.TemporaryDirectory(prefix="supportops-import-") as tmp:
        paths = []
        for n, upload in enumerate(files):
            folder = Path(tmp) / str(n)
            folder.mkdir()
            path = folder / _upload_name(upload.filename)
            with path.open("wb") as out:
                shutil.copyfileobj(upload.file, out)
            paths.append(path)
        with state.write_lock:
            try:
                report = data.run_import(ws, paths)
            finally:
                state.cache.clear()
    if state.refresh_after_import:
        state.refresh_later()
    return report
