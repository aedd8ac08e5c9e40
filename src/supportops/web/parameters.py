"""The API's query parameters as exact languages: what the OpenAPI description promises is what
the API answers.

Each free-form parameter is declared with the language its reader accepts, so that a client (or
a schema-driven fuzzer) can tell a well-formed request from a malformed one before sending it:

- days, periods and instants by the patterns of :mod:`supportops.instant_patterns`;
- metrics (``ID`` or ``ID:AGG``), dimensions, grains and profiles by enums built from the metric
  catalog, so they follow it as it grows.

A malformed value is a 422 naming the parameter, its value, and the accepted forms or the
closest valid name (see :mod:`supportops.web.errors`). What a schema cannot state — a rule
between two parameters, such as a start after the end — is a 400 with the code
``conflicting_parameters``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import Query

from supportops.instant_patterns import DAY_PATTERN, INSTANT_PATTERN, PERIOD_PATTERN
from supportops.instants import DAY_FORMS, INSTANT_FORMS
from supportops.metrics.catalog import catalog
from supportops.metrics.compiler import GRAINS
from supportops.metrics.profiles import PROFILES
from supportops.metrics.relations import DIMS

__all__ = [
    "FORMS",
    "AsOf",
    "Day",
    "Dimension",
    "Grain",
    "MetricAsk",
    "Period",
    "ProfileName",
]


def _asks() -> list[str]:
    metrics = [m for m in catalog().values() if not m.hidden]
    return [m.id for m in metrics] + [f"{m.id}:{agg}" for m in metrics for agg in m.aggs]


MetricAsk = StrEnum("MetricAsk", {v: v for v in _asks()})  # type: ignore[misc]
"""A metric of the catalog, ``ID`` or ``ID:AGG`` with one of its aggregations."""
Dimension = StrEnum("Dimension", {d: d for d in DIMS})  # type: ignore[misc]
Grain = StrEnum("Grain", {g: g for g in GRAINS})  # type: ignore[misc]
ProfileName = StrEnum("ProfileName", {p: p for p in PROFILES})  # type: ignore[misc]

_DAY_TEXT = DAY_FORMS.replace(", FROM..TO", "")
FORMS = {DAY_PATTERN: _DAY_TEXT, PERIOD_PATTERN: _DAY_TEXT, INSTANT_PATTERN: INSTANT_FORMS}
"""The accepted forms, in words, of each pattern (for error messages)."""

Day = Annotated[
    str | None,
    Query(pattern=DAY_PATTERN, description=f"A day or a period: {_DAY_TEXT}"),
]
Period = Annotated[
    str | None,
    Query(
        pattern=PERIOD_PATTERN,
        description=f"Instead of start/end, one period: {_DAY_TEXT}",
    ),
]
AsOf = Annotated[
    str | None,
    Query(
        pattern=INSTANT_PATTERN,
        description="The instant (default: now); a naive one is in the report time zone: "
        + INSTANT_FORMS,
    ),
]
