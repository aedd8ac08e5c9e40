"""Shift templates, as written in ``supportops.yaml``: when a shift may start, for how long, on
which weekdays, with which breaks, and how many agents it may hold::

    shift_templates:
      - name: early
        days: mon-fri            # or [mon, tue], "sat,sun"; every day when absent
        start: "07:00"
        length: 8h30m
        breaks: [{after: 4h, length: 30m}]
        min_count: 2             # agents per day the template runs
        max_count: 20
        cost_per_hour: 32

This module is light (pydantic only) so that :mod:`supportops.config` can validate the section
with it; the solver that staffs the templates is :mod:`.schedule`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from supportops.durations import parse_duration
from supportops.errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["DAYS", "BreakSpec", "ShiftTemplate", "parse_shift_templates", "read_shift_templates"]

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # as supportops.config.DAY_NAMES


def _seconds(value: Any) -> Any:
    try:
        return parse_duration(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(str(exc)) from exc


def _days(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    out: list[str] = []
    for part in value.lower().replace(" ", "").split(","):
        first, _, last = part.partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise ValueError(f"unknown days {part!r} (expected e.g. mon-fri or sat,sun)")
        lo, hi = DAYS.index(first), DAYS.index(last or first)
        span = range(lo, hi + 1) if lo <= hi else [*range(lo, 7), *range(hi + 1)]
        out.extend(DAYS[i] for i in span)
    return out


def _clock(value: Any) -> Any:
    if not isinstance(value, str) or not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value.strip()):
        raise ValueError(f"not a time of day {value!r} (expected HH:MM)")
    return value.strip()


Seconds = Annotated[int, BeforeValidator(_seconds)]


class BreakSpec(BaseModel):
    """A break of ``length`` starting ``after`` the start of the shift."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    after: Seconds
    length: Seconds


class ShiftTemplate(BaseModel):
    """One shift pattern; ``days`` default to every day, ``max_count`` None means as many
    agents as useful."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    days: Annotated[list[str], BeforeValidator(_days)] = Field(default_factory=lambda: list(DAYS))
    start: Annotated[str, BeforeValidator(_clock)]
    length: Seconds
    breaks: list[BreakSpec] = Field(default_factory=list)
    min_count: int = Field(default=0, ge=0)
    max_count: int | None = Field(default=None, ge=0)
    cost_per_hour: float | None = Field(default=None, ge=0)

    def worked(self, shift_start: pd.Timestamp) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
        """The spans actually worked on a shift starting at ``shift_start`` (breaks removed)."""
        import pandas as pd  # the config reads shifts without pandas

        spans, cursor = [], shift_start
        for brk in sorted(self.breaks, key=lambda b: b.after):
            begin = shift_start + pd.Timedelta(seconds=brk.after)
            spans.append((cursor, begin))
            cursor = begin + pd.Timedelta(seconds=brk.length)
        spans.append((cursor, shift_start + pd.Timedelta(seconds=self.length)))
        return [(a, b) for a, b in spans if b > a]


def parse_shift_templates(raw: list[dict[str, Any]]) -> list[ShiftTemplate]:
    """Validate the ``shift_templates`` section; errors name ``shift_templates.<i>.<field>``."""
    templates = []
    for i, item in enumerate(raw):
        try:
            templates.append(ShiftTemplate.model_validate(item))
        except ValidationError as exc:
            error = exc.errors()[0]
            field = ".".join(str(p) for p in error["loc"]) or "(template)"
            key = f"shift_templates.{i}.{field}"
            message = str(error["msg"]).removeprefix("Value error, ")
            if error["type"] == "extra_forbidden":
                message = f"unknown key (expected one of {', '.join(ShiftTemplate.model_fields)})"
            raise ConfigError(f"{key}: {message}", key=key) from exc
    for t in templates:
        if t.max_count is not None and t.max_count < t.min_count:
            key = f"shift_templates.{templates.index(t)}.max_count"
            raise ConfigError(f"{key}: smaller than min_count", key=key)
    return templates


def _line(raw: Any, index: int) -> int | None:
    """The 1-based line of item ``index`` of a round-trip YAML sequence, when it knows it."""
    try:
        return int(raw.lc.item(index)[0]) + 1
    except (AttributeError, IndexError, KeyError, TypeError):
        return None


def read_shift_templates(raw: Any, source: str) -> list[ShiftTemplate]:
    """The templates of a file given by ``--shifts``: either the ``shift_templates:`` section
    as in ``supportops.yaml`` (other keys ignored) or a bare list; errors name ``source``, the
    key and, when known, the line."""
    if isinstance(raw, dict) and "shift_templates" in raw:
        raw = raw["shift_templates"]
    if not isinstance(raw, list):
        raise ConfigError(
            f"{source}: expected a shift_templates: section or a list of shift templates",
            file=source,
            key="shift_templates",
        )
    try:
        return parse_shift_templates(raw)
    except ConfigError as exc:
        key = str(exc.context["key"])
        index = int(key.split(".")[1])
        line = _line(raw, index)
        where = f"{source}, line {line}" if line else source
        raise ConfigError(f"{where}: {exc.message}", file=source, key=key, line=line) from exc
