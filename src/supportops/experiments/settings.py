"""Experiments as written in ``supportops.yaml``::

    experiments:
      - name: new-refund-macro
        hypothesis: The new refund macro cuts the time to resolution.
        unit: requester          # ticket | requester | organization | agent | slot
        arms: {control: 50, macro: 50}   # weights; the first arm is the control
        salt: refund-2026-11
        start: 2026-11-02
        end: 2026-11-29
        primary: full_resolution_time:median
        guardrails: [csat, reopen_rate]
        peeking: fixed_horizon   # or always_valid
        cuped: true              # means: adjust on the unit's pre-period values
        median_method: bootstrap # or hodges_lehmann (a shift, for independent tickets)
      - name: routing-switchback
        unit: slot
        slot: 4h                 # switchback slot length
        carryover_slots: 1       # slots after each switch that are dropped from analysis
        arms: {control: 1, skills: 1}
        ...

This module is light (pydantic only) so that :mod:`supportops.config` can validate the section
with it; metric ids are checked against the catalog where an experiment is used
(:func:`supportops.experiments.design.checked`), with the closest name in the error.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, field_validator

from supportops.durations import parse_duration

__all__ = ["ExperimentConfig", "GuardrailConfig", "Peeking", "Unit"]

Unit = Literal["ticket", "requester", "organization", "agent", "slot"]
Peeking = Literal["fixed_horizon", "always_valid"]
_NAME = r"^[a-z0-9][a-z0-9_-]*$"


def _seconds(value: Any) -> Any:
    try:
        return parse_duration(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(str(exc)) from exc


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GuardrailConfig(_Model):
    """A metric that must not get worse by more than ``tolerance`` (relative, 0.05 = 5%)."""

    metric: str
    tolerance: float = Field(default=0.0, ge=0)


def _guardrail(value: Any) -> Any:
    return {"metric": value} if isinstance(value, str) else value


class ExperimentConfig(_Model):
    """One experiment: who is assigned (``unit``), to which arm, when, and what is measured."""

    name: str = Field(pattern=_NAME)
    hypothesis: str = ""
    unit: Unit = "ticket"
    arms: dict[str, float] = Field(default_factory=lambda: {"control": 1.0, "treatment": 1.0})
    salt: str = ""
    start: date
    end: date
    primary: str
    guardrails: list[Annotated[GuardrailConfig, BeforeValidator(_guardrail)]] = Field(
        default_factory=list
    )
    peeking: Peeking = "fixed_horizon"
    cuped: bool = False
    alpha: float = Field(default=0.05, gt=0, lt=0.5)
    slot: Annotated[int, BeforeValidator(_seconds)] = 4 * 3600
    carryover_slots: int = Field(default=0, ge=0)
    resamples: int = Field(default=2000, ge=100)
    median_method: Literal["bootstrap", "hodges_lehmann"] = "bootstrap"
    # where the file spelt each metric (``primary``, ``guardrails.0``, ...): filled by the
    # config loader, read by the errors that name a metric the catalog does not know
    _file: str = PrivateAttr(default="supportops.yaml")
    _lines: dict[str, int] = PrivateAttr(default_factory=dict)

    @field_validator("arms")
    @classmethod
    def _arms(cls, value: dict[str, float]) -> dict[str, float]:
        if len(value) < 2:
            raise ValueError("an experiment needs at least two arms (the first is the control)")
        if any(w <= 0 for w in value.values()):
            raise ValueError("arm weights must be positive")
        return value

    @field_validator("slot")
    @classmethod
    def _slot(cls, value: int) -> int:
        if value < 60 or (86400 % value and value % 86400):
            raise ValueError("a slot is at least 1 minute and divides a day (or is whole days)")
        return value

    def model_post_init(self, context: Any, /) -> None:
        if self.end < self.start:
            raise ValueError(f"experiment {self.name!r} ends ({self.end}) before it starts")

    def locate(self, file: str, lines: dict[str, int]) -> None:
        """Remember the file and the lines of the metric keys (for errors)."""
        self._file = file
        self._lines.update(lines)

    def where(self, key: str) -> str:
        """``file, line N`` of a metric key, or the file alone."""
        line = self._lines.get(key)
        return f"{self._file}, line {line}" if line else self._file

    @property
    def control(self) -> str:
        """The control arm: the first one declared."""
        return next(iter(self.arms))

    @property
    def metric_ids(self) -> list[str]:
        """The primary metric then the guardrails, as written (``id`` or ``id:agg``)."""
        return [self.primary, *(g.metric for g in self.guardrails)]
