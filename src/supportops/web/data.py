"""The one place the web layer calls the metrics query, the SLA engine and data quality.

Routes and pages ask this module; it asks :meth:`Workspace.metrics`, :mod:`supportops.sla` and
:mod:`supportops.metrics.quality` (the lists behind numbers are :mod:`~supportops.web.drill`'s).
Results are cached per workspace data version (the ``imports`` log), so a page reload does not
recompute a million tickets: the functions that reuse other results take a ``memo`` (the app's
cache, or :func:`direct`).
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from supportops.errors import MetricError, TerminalError
from supportops.instants import EARLIEST, LATEST, Clock, local_midnight, parse_instant
from supportops.metrics.inventory import data_version
from supportops.web.filters import Filters
from supportops.workspace import Workspace

__all__ = [
    "AT_RISK_WITHIN",
    "FIRST_DAY",
    "LAST_DAY",
    "MAX_WITHIN",
    "UNSOLVED",
    "Cache",
    "Memo",
    "Unavailable",
    "at_risk",
    "bounds",
    "definitions",
    "direct",
    "instant",
    "known",
    "metrics",
    "quality",
    "records",
    "run_import",
    "sla_inputs",
    "sla_instances",
    "version",
]

UNSOLVED = ["new", "open", "pending", "on_hold"]
AT_RISK_WITHIN = 4 * 3600
MAX_WITHIN = 366 * 86_400
Memo = Callable[[tuple[Any, ...], Callable[[], Any]], Any]
FIRST_DAY, LAST_DAY = EARLIEST, LATEST  # inside pandas' timestamps


class Unavailable(TerminalError):
    """A capability the server cannot offer yet (HTTP 501); ``feature`` names it."""

    status = 501


class Cache:
    """A small LRU of results keyed by the call and the workspace's data version.

    Concurrent misses of one key compute it once: the first caller computes (outside the lock),
    the others wait for its result (if it fails, the next of them computes), so 50 readers
    landing on a cold page do not build the same million-row frame 50 times at once.
    """

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._flights: dict[Hashable, tuple[int, threading.Event]] = {}

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The cached value of ``key``, computing (outside the lock) on a miss."""
        me = threading.get_ident()
        while True:
            with self._lock:
                if key in self._items:
                    self._items.move_to_end(key)
                    return self._items[key]
                flight = self._flights.get(key)
                owner = flight is None
                if flight is None:
                    flight = self._flights[key] = (me, threading.Event())
                if owner or flight[0] == me:  # ours to compute (or re-entered by its owner)
                    break
            flight[1].wait()  # another thread computes it: then look again
        try:
            value = compute()
            with self._lock:
                self._items[key] = value
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
        finally:
            if owner:
                with self._lock:
                    self._flights.pop(key, None)
                flight[1].set()
        return value

    def clear(self) -> None:
        """Forget everything (after an import)."""
        with self._lock:
            self._items.clear()


def direct(key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
    """A memo that remembers nothing: compute now."""
    return compute()


def version(ws: Workspace) -> tuple[Any, ...]:
    """What changes when the event log does: the count and time of imports."""
    found: tuple[Any, ...] = ws.store.memo(("version",), lambda: data_version(ws.store))
    return found


def metrics(
    ws: Workspace,
    ids: list[str],
    filters: Filters,
    by: list[str] | None = None,
    grain: str | None = None,
    as_of: Any = None,
    profile: str | None = None,
    **options: Any,
) -> pd.DataFrame:
    """The metrics query: one row per group, columns = dims, ``period``, each id as asked."""
    frame: pd.DataFrame = ws.metrics(
        ids,
        by=by,
        grain=grain,
        start=filters.start,
        end=filters.end,
        filters=filters.dims() or None,
        as_of=as_of,
        profile=profile,
        **options,
    )
    return frame


def known(ws: Workspace, ids: list[str]) -> list[str]:
    """The requests among ``ids`` the metrics engine can answer (others would be an error)."""
    from supportops.metrics.catalog import parse_request

    out = []
    for request in ids:
        try:
            parse_request(request)
        except MetricError:
            continue
        out.append(request)
    return out


def _midnight(day: date, zone: str) -> pd.Timestamp:
    day = min(max(day, FIRST_DAY), LAST_DAY)  # beyond, every ticket is on the same side
    return pd.Timestamp(local_midnight(day, zone))


def bounds(filters: Filters, zone: str) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """The instants of the date range: local midnight of ``start``, and of the day after
    ``end`` (excluded), in UTC (days beyond :data:`FIRST_DAY`..:data:`LAST_DAY` clamped)."""
    low = _midnight(filters.start, zone) if filters.start else None
    after = min(filters.end, LAST_DAY) + timedelta(days=1) if filters.end else None
    high = pd.Timestamp(local_midnight(after, zone)) if after else None  # DST days: 23 or 25 h
    return low, high


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-ready rows: NaN/NaT → null, timestamps in ISO 8601."""
    rows: list[dict[str, Any]] = json.loads(
        frame.to_json(orient="records", date_format="iso", date_unit="s")
    )
    return rows


def instant(as_of: datetime | str | None, zone: str, clock: Clock) -> datetime:
    """``as_of`` as :mod:`supportops.instants` reads it (a naive one in the report time zone
    ``zone``), in UTC; without it, the clock's now to the minute (so that a minute's requests
    share results)."""
    moment = parse_instant(as_of, zone, clock)
    return moment if moment is not None else clock.now().replace(second=0, microsecond=0)


def sla_inputs(ws: Workspace, memo: Memo = direct) -> Any:
    """The SLA engine's inputs (tickets in its row order, encoded events)."""
    from supportops.sla import load_inputs

    return memo(("sla_inputs",), lambda: load_inputs(ws.store))


def sla_instances(ws: Workspace, as_of: datetime | str | None = None, memo: Memo = direct) -> Any:
    """Every SLA target instance at ``as_of`` (default: now, to the minute)."""
    from supportops.sla import evaluate_workspace

    moment = instant(as_of, ws.config.report_timezone, ws.clock)
    inputs = sla_inputs(ws, memo)
    return memo(("sla", moment), lambda: evaluate_workspace(ws, moment, inputs=inputs))


def at_risk(
    ws: Workspace,
    as_of: datetime | str | None = None,
    within: float = AT_RISK_WITHIN,
    memo: Memo = direct,
) -> pd.DataFrame:
    """Active SLA targets due within ``within`` seconds of ``as_of``, soonest first."""
    from supportops.sla import at_risk as sla_at_risk

    moment = instant(as_of, ws.config.report_timezone, ws.clock)
    frame: pd.DataFrame = sla_at_risk(sla_instances(ws, moment, memo), within, moment)
    return frame


def quality(ws: Workspace) -> dict[str, Any]:
    """The data-quality report (``supportops.metrics.quality``), each section as rows."""
    from supportops.metrics.quality import quality_report

    sections = quality_report(ws)
    return {
        name: records(section) if isinstance(section, pd.DataFrame) else section
        for name, section in sections.items()
    }


def definitions() -> list[dict[str, Any]]:
    """The catalog's metrics (hidden components left out), in the spec's order."""
    from supportops.metrics.catalog import catalog

    return [
        {
            "id": m.id,
            "section": m.section,
            "unit": m.unit,
            "definition": m.definition,
            "counts": m.counts,
            "when": m.when,
            "aggregations": list(m.aggs),
            "default_aggregation": m.default_agg,
            "options": list(m.options),
        }
        for m in catalog().values()
        if not m.hidden
    ]


def run_import(ws: Workspace, paths: list[Path]) -> dict[str, Any]:
    """Import event-log files into the workspace's store; the per-table counts."""
    from supportops.model.importer import import_files

    report = import_files(ws.store, paths, horizon_days=ws.config.imports.horizon_days)
    return {
        "import_id": report.import_id,
        "tables": {
            name: {
                "rows_read": t.rows_read,
                "imported": t.imported,
                "updated": t.updated,
                "duplicates": t.duplicates,
                "quarantined": t.quarantined,
            }
            for name, t in report.tables.items()
        },
        "quarantine_reasons": dict(report.reasons),
    }
