"""The comparison of each arm with the control, metric by metric, and the verdict — pure.

The method follows the metric and the unit (:data:`METHODS`, data rather than branches):

========================  ==================  ============================  ======================
metric (aggregation)      tickets independent  tickets clustered (≥ 200 units  few units, or a
                          (unit: ticket)       per arm: requester, org, agent) switchback by slot
========================  ==================  ============================  ======================
rate (0/1 per ticket)     Newcombe–Wilson      cluster bootstrap of the rate  Welch over units
mean                      Welch (+ CUPED)      cluster bootstrap of the mean  Welch over units
median, p90, p95          exact bootstrap, or  cluster bootstrap of the       Welch over the units'
                          Hodges–Lehmann       quantile                       quantiles
========================  ==================  ============================  ======================

"Welch over units" summarises each unit (a slot of a switchback, an agent) by the metric's
aggregation and compares those summaries: with few units, a bootstrap's interval is too narrow,
and a t interval is not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
import pandas as pd

from supportops.experiments.bootstrap import (
    cluster_mean_draws,
    cluster_quantile_draws,
    joint_cluster_draws,
    percentile_interval,
    quantile,
    quantile_draws,
)
from supportops.experiments.intervals import (
    Interval,
    always_valid,
    cuped_adjust,
    rate_interval,
    welch,
    z_of,
)
from supportops.experiments.ranks import hodges_lehmann
from supportops.experiments.srm import SampleRatio, sample_ratio
from supportops.numbers import fmt

__all__ = [
    "MIN_CLUSTERS",
    "Analysis",
    "MetricResult",
    "MetricSpec",
    "Plan",
    "analyze_frame",
    "compare",
    "plan_for",
]

Kind = Literal["rate", "mean", "quantile"]
Plan = Literal["independent", "clustered", "by_unit"]
MIN_CLUSTERS = 200


@dataclass(frozen=True)
class MetricSpec:
    """A metric as an experiment compares it: its column, kind, quantile and direction."""

    label: str
    kind: Kind
    q: float = 0.5
    higher_is_better: bool = False
    role: Literal["primary", "guardrail"] = "primary"
    tolerance: float = 0.0
    unit: str = "number"


@dataclass(frozen=True)
class Options:
    """How intervals are computed: level, resamples, CUPED, peeking, the median method."""

    alpha: float = 0.05
    resamples: int = 2000
    cuped: bool = False
    always_valid: bool = False
    median_method: Literal["bootstrap", "hodges_lehmann"] = "bootstrap"
    seed: int = 0


@dataclass(frozen=True)
class MetricResult:
    """One metric of one arm against the control."""

    spec: MetricSpec
    arm: str
    control_value: float
    arm_value: float
    n_control: int
    n_arm: int
    interval: Interval

    @property
    def outcome(self) -> Literal["better", "worse", "no difference"]:
        """Whether the arm is better, worse, or not detectably different (95% interval)."""
        if not self.interval.excludes_zero:
            return "no difference"
        up = self.interval.low > 0
        return "better" if up == self.spec.higher_is_better else "worse"

    @property
    def breached(self) -> bool:
        """A guardrail is breached when its whole interval is worse than the tolerance allows."""
        if self.spec.role != "guardrail":
            return False
        allowed = self.spec.tolerance * abs(self.control_value)
        if self.spec.higher_is_better:
            return self.interval.high < -allowed
        return self.interval.low > allowed

    @property
    def relative(self) -> float | None:
        """The difference as a share of the control's value."""
        return self.interval.estimate / self.control_value if self.control_value else None


@dataclass
class Analysis:
    """Every metric of every arm, the sample-ratio check and the verdict."""

    results: list[MetricResult]
    ratio: SampleRatio
    plan: Plan
    finished: bool
    verdict: str = ""
    status: str = ""
    notes: list[str] = field(default_factory=list)


def plan_for(unit: str, clusters_per_arm: int) -> Plan:
    """Independent tickets, a cluster bootstrap, or a comparison of unit summaries."""
    if unit == "ticket":
        return "independent"
    if unit == "slot" or clusters_per_arm < MIN_CLUSTERS:
        return "by_unit"
    return "clustered"


Sample = tuple[np.ndarray, np.ndarray]  # values and their unit ids
Method = Callable[[Sample, Sample, MetricSpec, Options, np.random.Generator], Interval]


def _summary(spec: MetricSpec, values: np.ndarray) -> float:
    return quantile(values, spec.q) if spec.kind == "quantile" else float(values.mean())


def _independent(
    t: Sample, c: Sample, spec: MetricSpec, o: Options, rng: np.random.Generator
) -> Interval:
    if spec.kind == "rate":
        return rate_interval(t[0], c[0], o.alpha)
    if spec.kind == "mean":
        return welch(t[0], c[0], o.alpha)
    if o.median_method == "hodges_lehmann" and spec.q == 0.5:
        return hodges_lehmann(t[0], c[0], o.alpha)
    draws = quantile_draws(t[0], spec.q, o.resamples, rng) - quantile_draws(
        c[0], spec.q, o.resamples, rng
    )
    estimate = quantile(t[0], spec.q) - quantile(c[0], spec.q)
    return percentile_interval(estimate, draws, o.alpha, "bootstrap")


def _clustered(
    t: Sample, c: Sample, spec: MetricSpec, o: Options, rng: np.random.Generator
) -> Interval:
    if spec.kind == "quantile":
        draws = cluster_quantile_draws(*t, spec.q, o.resamples, rng) - cluster_quantile_draws(
            *c, spec.q, o.resamples, rng
        )
    else:
        draws = cluster_mean_draws(*t, o.resamples, rng) - cluster_mean_draws(*c, o.resamples, rng)
    estimate = _summary(spec, t[0]) - _summary(spec, c[0])
    return percentile_interval(estimate, draws, o.alpha, "cluster-bootstrap")


def _per_unit(sample: Sample, spec: MetricSpec) -> np.ndarray:
    frame = pd.DataFrame({"v": sample[0], "u": sample[1]})
    grouped = frame.groupby("u", sort=False)["v"]
    out = (
        grouped.quantile(spec.q, interpolation="higher")
        if spec.kind == "quantile"
        else grouped.mean()
    )
    return out.to_numpy(float)


def _by_unit(
    t: Sample, c: Sample, spec: MetricSpec, o: Options, rng: np.random.Generator
) -> Interval:
    found = welch(_per_unit(t, spec), _per_unit(c, spec), o.alpha)
    return Interval(found.estimate, found.low, found.high, "welch-by-unit")


METHODS: dict[Plan, Method] = {
    "independent": _independent,
    "clustered": _clustered,
    "by_unit": _by_unit,
}


def compare(
    treated: Sample,
    control: Sample,
    spec: MetricSpec,
    plan: Plan,
    options: Options,
    rng: np.random.Generator,
) -> Interval:
    """The interval of ``treated − control`` for one metric by the plan's method."""
    return _widened(METHODS[plan](treated, control, spec, options, rng), treated, control, options)


def _widened(found: Interval, treated: Sample, control: Sample, options: Options) -> Interval:
    """The interval as an always-valid one when the experiment asks for it."""
    if not options.always_valid:
        return found
    se = (found.high - found.low) / (2 * z_of(options.alpha))
    pooled = np.concatenate([treated[0], control[0]])
    unit_sd = float(pooled.std(ddof=1)) if pooled.size > 1 else 0.0
    return always_valid(found, se, unit_sd)


def analyze_frame(
    frame: pd.DataFrame,
    arms: dict[str, float],
    specs: list[MetricSpec],
    unit: str,
    options: Options,
    finished: bool = True,
) -> Analysis:
    """Compare each arm with the first (control) on ``frame``: one row per ticket with ``arm``,
    ``unit_id`` (the cluster: unit id or slot), a column per metric label and, for CUPED,
    ``pre:<label>`` columns (the unit's pre-period value)."""
    rng = np.random.default_rng(options.seed)
    names = list(arms)
    units = frame.groupby("arm")["unit_id"].nunique().reindex(names, fill_value=0)
    ratio = sample_ratio(units.to_numpy(), list(arms.values()))
    plan = plan_for(unit, int(units.min()) if len(units) else 0)
    draws = _joint_draws(frame, specs, names, options, rng) if plan == "clustered" else {}
    results = []
    for spec in specs:
        for arm in names[1:]:
            results.append(_result(frame, spec, arm, names[0], plan, options, rng, draws))
    return _judged(Analysis(results, ratio, plan, finished))


def _adjusted(frame: pd.DataFrame, spec: MetricSpec, options: Options) -> np.ndarray:
    """The metric's values, CUPED-adjusted when asked and a pre-period column exists."""
    has = frame[spec.label].notna().to_numpy()
    values = frame[spec.label].to_numpy(float)
    pre = f"pre:{spec.label}"
    if not (options.cuped and spec.kind != "quantile" and pre in frame):
        return values
    adjusted = values.copy()
    adjusted[has] = cuped_adjust(values[has], frame[pre].to_numpy(float)[has])
    return adjusted


def _joint_draws(
    frame: pd.DataFrame,
    specs: list[MetricSpec],
    names: list[str],
    options: Options,
    rng: np.random.Generator,
) -> dict[tuple[str, str], np.ndarray]:
    """Per (metric, arm): cluster bootstrap draws, every metric of an arm from the same
    resampled units (one set of weights per arm, not one per metric)."""
    columns = [(_adjusted(frame, s, options), frame[s.label].notna().to_numpy()) for s in specs]
    found: dict[tuple[str, str], np.ndarray] = {}
    for arm in names:
        rows = (frame["arm"] == arm).to_numpy()
        parts = [
            (values[rows], has[rows], s.q if s.kind == "quantile" else None)
            for s, (values, has) in zip(specs, columns, strict=True)
        ]
        units = frame["unit_id"].to_numpy()[rows]
        if not units.size:
            continue
        draws = joint_cluster_draws(parts, units, options.resamples, rng)
        found.update({(s.label, arm): d for s, d in zip(specs, draws, strict=True)})
    return found


def _result(
    frame: pd.DataFrame,
    spec: MetricSpec,
    arm: str,
    control: str,
    plan: Plan,
    options: Options,
    rng: np.random.Generator,
    draws: dict[tuple[str, str], np.ndarray],
) -> MetricResult:
    has = frame[spec.label].notna()
    values = frame[spec.label].to_numpy(float)
    pre = f"pre:{spec.label}"
    adjusted = _adjusted(frame, spec, options)
    pick = {a: (frame["arm"] == a).to_numpy() & has.to_numpy() for a in (arm, control)}
    t = (adjusted[pick[arm]], frame["unit_id"].to_numpy()[pick[arm]])
    c = (adjusted[pick[control]], frame["unit_id"].to_numpy()[pick[control]])
    raw_t, raw_c = values[pick[arm]], values[pick[control]]
    if min(raw_t.size, raw_c.size) < 2:
        nan = float("nan")
        interval = Interval(nan, nan, nan, "too few tickets")
    elif (spec.label, arm) in draws and (spec.label, control) in draws:
        difference = draws[(spec.label, arm)] - draws[(spec.label, control)]
        estimate = _summary(spec, t[0]) - _summary(spec, c[0])
        found = percentile_interval(estimate, difference, options.alpha, "cluster-bootstrap")
        interval = _widened(found, t, c, options)
    else:
        cuped_rate = options.cuped and spec.kind == "rate" and pre in frame
        local = replace(spec, kind="mean") if cuped_rate else spec
        interval = compare(t, c, local, plan, options, rng)

    def value(raw: np.ndarray, units: np.ndarray) -> float:
        if not raw.size:
            return float("nan")
        if plan == "by_unit":  # what the interval compares: the mean of the units' values
            return float(_per_unit((raw, units), spec).mean())
        return _summary(spec, raw)

    return MetricResult(
        spec,
        arm,
        value(raw_c, c[1]),
        value(raw_t, t[1]),
        int(raw_c.size),
        int(raw_t.size),
        interval,
    )


def _judged(analysis: Analysis) -> Analysis:
    """The plain-words verdict: invalid, a guardrail breach, better, worse or no difference."""
    r = analysis.ratio
    if r.failed:
        analysis.status = "invalid"
        analysis.verdict = (
            f"Invalid: the arms hold {', '.join(f'{c:,}' for c in r.counts)} units where their "
            f"weights expect shares {', '.join(f'{s:.0%}' for s in r.expected)} (sample ratio "
            f"mismatch, p = {r.p_value:.2g}). The assignment or its data is broken: fix it "
            "before reading any result."
        )
        return analysis
    words = []
    breaches = [x for x in analysis.results if x.breached]
    primary = [x for x in analysis.results if x.spec.role == "primary"]
    for x in primary:
        show = [fmt(v, x.spec.unit) for v in (x.interval.estimate, x.interval.low, x.interval.high)]
        span = f"{show[0]} (95% interval {show[1]} to {show[2]})"
        if x.outcome == "no difference":
            words.append(f"{x.arm}: no detectable difference in {x.spec.label}: {span}.")
        else:
            words.append(f"{x.arm} is {x.outcome} on {x.spec.label}: {span}.")
    for x in breaches:
        change = fmt(x.interval.estimate, x.spec.unit)
        words.append(f"{x.arm} breaches the guardrail {x.spec.label}: {change}.")
    if breaches:
        status = "do not ship"
    elif any(x.outcome == "better" for x in primary):
        status = "better"
    elif any(x.outcome == "worse" for x in primary):
        status = "worse"
    else:
        status = "no difference"
    if not analysis.finished:
        words.insert(0, "Not finished: this is a fixed-horizon test; do not act before its end.")
        status = f"early ({status})"
    analysis.status = status
    analysis.verdict = " ".join(words)
    return analysis
