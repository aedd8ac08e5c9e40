"""An experiment of ``supportops.yaml`` checked against the metric catalog and the calendar: its
metrics as the analysis compares them, and its window as instants.

A metric id the catalog does not know is a :class:`~supportops.errors.ConfigError` naming the
key and the closest known names. Which direction is better is data: :data:`HIGHER_IS_BETTER`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime, timedelta

from supportops.errors import ConfigError, MetricError
from supportops.experiments.analysis import MetricSpec
from supportops.experiments.settings import ExperimentConfig
from supportops.instants import local_midnight

__all__ = ["HIGHER_IS_BETTER", "Design", "checked", "find", "metric_specs"]

# Metrics for which a larger value is the better one; for every other metric (durations,
# reopens, escalations, transfers, handle time) smaller is better.
HIGHER_IS_BETTER = frozenset(
    {"csat", "nps", "ces", "fcr_rate", "one_touch_rate", "sla_achieved_rate", "automation_rate"}
)
_QUANTILES = {"median": 0.5, "p90": 0.9, "p95": 0.95}
CONFIG = "supportops.yaml"


@dataclass(frozen=True)
class Design:
    """A checked experiment: its config, its metrics and its window ``[low, high)``."""

    config: ExperimentConfig
    specs: tuple[MetricSpec, ...]
    low: datetime
    high: datetime

    @property
    def labels(self) -> list[str]:
        """The metric labels as written, primary first."""
        return [s.label for s in self.specs]


def find(experiments: list[ExperimentConfig], name: str) -> ExperimentConfig:
    """The experiment called ``name``; the error lists the known ones (or how to declare one)."""
    for item in experiments:
        if item.name == name:
            return item
    known = [e.name for e in experiments]
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"; did you mean {close[0]}?" if close else ""
    listed = ", ".join(known) or "none: declare one under `experiments:` in supportops.yaml"
    raise ConfigError(f"no experiment {name!r}{hint} (known: {listed})", key="experiments")


def _spec(
    text: str, role: str, tolerance: float, index: int, name: str, where: str = CONFIG
) -> MetricSpec:
    from supportops.metrics.catalog import catalog, parse_request

    key = f"experiments.{name}.{'primary' if role == 'primary' else f'guardrails.{index}'}"
    try:
        metric, agg = parse_request(text)
    except MetricError as exc:
        ids = [m.id for m in catalog().values() if not m.hidden]
        close = difflib.get_close_matches(text.partition(":")[0], ids, n=1, cutoff=0.4)
        hint = f"; the closest is {close[0]}" if close else ""
        raise ConfigError(f"{where}: {key}: {exc}{hint}", key=key) from exc
    if metric.unit == "rate":
        kind = "rate"
    elif agg in _QUANTILES:
        kind = "quantile"
    elif agg == "mean":
        kind = "mean"
    else:
        raise ConfigError(
            f"{where}: {key}: {text}: an experiment compares a rate, a mean or a "
            "median/p90/p95 (not a sum or a count)",
            key=key,
        )
    return MetricSpec(
        label=text,
        kind=kind,  # type: ignore[arg-type]
        q=_QUANTILES.get(agg, 0.5),
        higher_is_better=metric.id in HIGHER_IS_BETTER,
        role=role,  # type: ignore[arg-type]
        tolerance=tolerance,
        unit=metric.unit,
    )


def metric_specs(metric_ids: list[str], name: str) -> list[MetricSpec]:
    """Metrics compared as primary ones (e.g. an automation's effects on CSAT and reopens)."""
    return [_spec(m, "primary", 0.0, 0, name) for m in metric_ids]


def checked(config: ExperimentConfig, zone: str) -> Design:
    """The experiment's metrics checked against the catalog, and its days as instants in the
    report time zone (from the start day's midnight to the midnight after the end day)."""
    specs = [_spec(config.primary, "primary", 0.0, 0, config.name, config.where("primary"))]
    specs += [
        _spec(g.metric, "guardrail", g.tolerance, i, config.name, config.where(f"guardrails.{i}"))
        for i, g in enumerate(config.guardrails)
    ]
    low = local_midnight(config.start, zone)
    high = local_midnight(config.end + timedelta(days=1), zone)
    return Design(config, tuple(specs), low, high)
