"""Benchmark: ``experiment analyze`` on a million tickets with 2,000 bootstrap resamples.

The frame is what ``experiment analyze`` compares: a million tickets in two arms with resolution
seconds resampled from a log-normal history (a 4% faster treated arm), a 0/1 guardrail and a
mean. Timed, each from the same run:

- ours, tickets independent (unit ticket): median by the exact order-statistic bootstrap, rate by
  Newcombe, mean by Welch;
- ours, clustered (unit requester, 250,000 requesters): every metric by the Poisson cluster
  bootstrap;
Figures are CPU seconds of this process (the machine may be shared), wall seconds beside them.

- the named baseline: a plain numpy loop bootstrap of the median (``rng.integers`` + ``np.median``
  per resample and arm), timed on ``sample`` resamples and scaled to 2,000;
- gbstats' frequentist engine on the same means, when a Python with ``gbstats`` is named by
  ``$GBSTATS_PYTHON`` (gbstats pins pandas < 2, so it cannot share our environment).

Run: ``.venv/bin/python bench/bench_experiments.py [tickets] [sample]``
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import numpy as np
import pandas as pd

from supportops.experiments.analysis import MetricSpec, Options, analyze_frame

RESAMPLES = 2000
GOAL_S = 30.0
SPECS = [
    MetricSpec("resolution", "quantile", 0.5),
    MetricSpec("reopened", "rate", role="guardrail"),
    MetricSpec("handle", "mean", role="guardrail"),
]


def frame(tickets: int, seed: int = 2026) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    arm = np.where(rng.random(tickets) < 0.5, "control", "faster")
    faster = arm == "faster"
    resolution = rng.lognormal(10, 1.3, tickets) * np.where(faster, 0.96, 1.0)
    return pd.DataFrame(
        {
            "arm": arm,
            "ticket": np.arange(tickets),
            "requester": rng.integers(0, tickets // 4, tickets),
            "resolution": resolution,
            "reopened": (rng.random(tickets) < 0.08).astype(float),
            "handle": rng.lognormal(6.5, 0.8, tickets),
        }
    )


def ours(data: pd.DataFrame, unit: str, column: str) -> tuple[float, float, str]:
    """Wall and CPU seconds of the analysis, and its result. On a shared machine the wall time
    says little; the CPU time bounds the wall time the same process takes on idle cores."""
    cut = data.rename(columns={column: "unit_id"})
    began, cpu = time.perf_counter(), time.process_time()
    found = analyze_frame(
        cut, {"control": 1, "faster": 1}, SPECS, unit, Options(resamples=RESAMPLES)
    )
    took, used = time.perf_counter() - began, time.process_time() - cpu
    iv = found.results[0].interval
    text = f"median diff {iv.estimate:,.0f} s ({iv.low:,.0f} to {iv.high:,.0f}), {iv.method}"
    return took, used, text


def numpy_loop(data: pd.DataFrame, sample: int) -> float:
    """A plain bootstrap: one resample of each arm per iteration, its median, ``sample`` times."""
    rng = np.random.default_rng(0)
    arms = [data.resolution[data.arm == a].to_numpy() for a in ("faster", "control")]
    began = time.process_time()  # CPU seconds, like ours
    for _ in range(sample):
        t, c = (values[rng.integers(0, values.size, values.size)] for values in arms)
        float(np.median(t) - np.median(c))
    return (time.process_time() - began) * RESAMPLES / sample


GB_SCRIPT = """
import json, sys, time
from gbstats.frequentist.tests import FrequentistConfig, TwoSidedTTest
from gbstats.models.statistics import SampleMeanStatistic
stats = json.loads(sys.stdin.read())
began = time.process_time()
c, t = (SampleMeanStatistic(n=s["n"], sum=s["sum"], sum_squares=s["sum_squares"]) for s in stats)
result = TwoSidedTTest(c, t, FrequentistConfig(difference_type="absolute")).compute_result()
print(json.dumps({"seconds": time.process_time() - began, "ci": list(result.ci)}))
"""


def gbstats_means(data: pd.DataFrame) -> tuple[float, str] | None:
    python = os.environ.get("GBSTATS_PYTHON")
    if not python:
        return None
    began = time.process_time()
    stats = []
    for arm in ("control", "faster"):
        v = data.handle[data.arm == arm].to_numpy()
        stats.append({"n": int(v.size), "sum": float(v.sum()), "sum_squares": float((v * v).sum())})
    aggregate = time.process_time() - began
    done = subprocess.run(
        [python, "-c", GB_SCRIPT], input=json.dumps(stats), capture_output=True, text=True
    )
    if done.returncode:
        return None
    out = json.loads(done.stdout)
    return aggregate + out["seconds"], f"CI {out['ci'][0]:.2f} to {out['ci'][1]:.2f} s"


def main(tickets: int = 1_000_000, sample: int = 20) -> None:
    data = frame(tickets)
    print(f"experiment analyze, {tickets:,} tickets, {RESAMPLES:,} bootstrap resamples")
    independent, independent_cpu, text = ours(data, "ticket", "ticket")
    print(
        f"  ours, unit ticket (exact bootstrap, Newcombe, Welch): {independent_cpu:6.2f} s CPU "
        f"({independent:.2f} s wall)  {text}"
    )
    clustered, clustered_cpu, text = ours(data, "requester", "requester")
    print(
        f"  ours, unit requester (cluster bootstrap, 3 metrics): {clustered_cpu:6.2f} s CPU "
        f"({clustered:.2f} s wall)  {text}"
    )
    loop = numpy_loop(data, sample)
    print(
        f"  baseline: numpy loop bootstrap of the median alone:  {loop:6.2f} s CPU "
        f"(scaled from {sample} resamples)"
    )
    print(
        f"  ratio numpy loop / ours: {loop / independent_cpu:,.0f}x (unit ticket), "
        f"{loop / clustered_cpu:,.1f}x (unit requester, 3 metrics)"
    )
    worst = max(independent_cpu, clustered_cpu)
    goal = "met" if worst < GOAL_S else "NOT met"
    print(
        f"  goal < {GOAL_S:.0f} s on {tickets:,} tickets: {goal} ({worst:.1f} s CPU, an upper "
        "bound of the wall time on idle cores)"
    )
    gb = gbstats_means(data)
    if gb is None:
        print("  gbstats: not measured (set GBSTATS_PYTHON to a Python with gbstats installed)")
    else:
        welch_began = time.process_time()
        analyze_frame(
            data.rename(columns={"ticket": "unit_id"}),
            {"control": 1, "faster": 1},
            [SPECS[2]],
            "ticket",
            Options(),
        )
        welch = time.process_time() - welch_began
        print(
            f"  gbstats frequentist t-test on the same means: {gb[0]:6.3f} s ({gb[1]}); "
            f"ours (Welch): {welch:6.3f} s; ratio gbstats / ours {gb[0] / welch:,.2f}x"
        )


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
