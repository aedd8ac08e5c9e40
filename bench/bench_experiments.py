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
- gbstats' frequentist engine (0.8.0, its two-sided t-test on the absolute difference) on the
  same per-ticket means, beside ours (Welch): gbstats pins pandas < 2, so it cannot share our
  environment; it runs in its own virtualenv, ``bench/.venvs/gbstats`` (made on first use with
  ``pip install gbstats==0.8.0 'pandas<2'``; ``$GBSTATS_PYTHON`` names another, ``GBSTATS=off``
  skips it). Both arms go to it as ``.npy`` files in a temp folder; it reports its own CPU
  seconds (sufficient statistics, then the test), and the whole subprocess is timed too. The
  difference and its interval must agree with ours to ``TOLERANCE`` of the interval's width.

Run: ``.venv/bin/python bench/bench_experiments.py [tickets] [sample]``
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from supportops.experiments.analysis import MetricSpec, Options, analyze_frame
from supportops.experiments.intervals import welch

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


GBSTATS_VENV = Path(__file__).resolve().parent / ".venvs" / "gbstats"
GBSTATS_PINS = ("gbstats==0.8.0", "pandas<2")  # gbstats pins pandas < 2: never our environment
# Welch on the same per-ticket values: our interval against gbstats', to this share of its width
TOLERANCE = 1e-6
GB_SCRIPT = """
import json, sys, time
import numpy as np
from gbstats.frequentist.tests import FrequentistConfig, TwoSidedTTest
from gbstats.models.statistics import SampleMeanStatistic
folder = sys.argv[1]
arms = [np.load(f"{folder}/{arm}.npy") for arm in ("control", "treated")]
began = time.process_time()
stats = [SampleMeanStatistic(n=v.size, sum=float(v.sum()), sum_squares=float(v @ v)) for v in arms]
aggregated = time.process_time()
config = FrequentistConfig(difference_type="absolute", alpha=0.05)
result = TwoSidedTTest(stats[0], stats[1], config).compute_result()
done = time.process_time()
print(json.dumps({"aggregate": aggregated - began, "test": done - aggregated,
                  "estimate": result.expected, "ci": list(result.ci)}))
"""


def gbstats_python() -> tuple[str | None, str]:
    """A Python with gbstats: ``$GBSTATS_PYTHON``, else the side virtualenv, made on first use
    (``GBSTATS=off`` skips it); None and the reason when there is none."""
    if os.environ.get("GBSTATS_PYTHON"):
        return os.environ["GBSTATS_PYTHON"], "GBSTATS_PYTHON"
    if os.environ.get("GBSTATS") == "off":
        return None, "GBSTATS=off"
    python = GBSTATS_VENV / "bin" / "python"
    if not python.exists():
        print(f"  (creating {GBSTATS_VENV} with {' '.join(GBSTATS_PINS)})", flush=True)
        made = subprocess.run(
            [sys.executable, "-m", "venv", str(GBSTATS_VENV)], capture_output=True
        )
        if made.returncode:
            return None, f"python -m venv failed: {made.stderr.decode()[-200:]}"
        pip = [str(python), "-m", "pip", "install", "-q", *GBSTATS_PINS]
        got = subprocess.run(pip, capture_output=True, text=True)
        if got.returncode:
            shutil.rmtree(GBSTATS_VENV, ignore_errors=True)
            return None, f"pip install failed: {got.stderr.strip()[-200:]}"
    return str(python), str(GBSTATS_VENV)


@dataclass
class Gbstats:
    """gbstats' two-sample t-test on the per-ticket values: its own CPU seconds (sufficient
    statistics, then the test), the whole subprocess (wall, and CPU of the child), its answer."""

    aggregate: float
    test: float
    process_wall: float
    process_cpu: float
    estimate: float
    low: float
    high: float


def gbstats_means(python: str, control: np.ndarray, treated: np.ndarray) -> Gbstats | str:
    """Hand both arms to gbstats in its own Python through a temp folder (``.npy`` files)."""
    with tempfile.TemporaryDirectory() as folder:
        np.save(f"{folder}/control.npy", control)
        np.save(f"{folder}/treated.npy", treated)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        began = time.perf_counter()
        done = subprocess.run(
            [python, "-c", GB_SCRIPT, folder], capture_output=True, text=True, check=False
        )
        wall = time.perf_counter() - began
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        return f"gbstats failed: {done.stderr.strip()[-300:]}"
    out = json.loads(done.stdout)
    cpu = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    low, high = out["ci"]
    return Gbstats(out["aggregate"], out["test"], wall, cpu, out["estimate"], low, high)


def welch_means(data: pd.DataFrame) -> tuple[float, float, float, float]:
    """Our analysis of the mean alone (Welch): CPU seconds, the estimate and its interval."""
    cut = data.rename(columns={"ticket": "unit_id"})
    began = time.process_time()
    found = analyze_frame(cut, {"control": 1, "faster": 1}, [SPECS[2]], "ticket", Options())
    used = time.process_time() - began
    iv = found.results[0].interval
    return used, iv.estimate, iv.low, iv.high


def compare_gbstats(data: pd.DataFrame) -> None:
    """gbstats' frequentist engine against our Welch on the same means, printed."""
    python, where = gbstats_python()
    if python is None:
        print(f"  gbstats: not measured ({where})")
        return
    control, treated = (data.handle[data.arm == a].to_numpy() for a in ("control", "faster"))
    gb = gbstats_means(python, control, treated)
    if isinstance(gb, str):
        print(f"  gbstats: not measured ({gb})")
        return
    ours_cpu, estimate, low, high = welch_means(data)
    began = time.process_time()
    core = welch(treated, control)  # the same interval from the arrays alone, as gbstats gets
    core_cpu = time.process_time() - began
    width = gb.high - gb.low
    gap = max(abs(estimate - gb.estimate), abs(low - gb.low), abs(high - gb.high)) / width
    gap = max(gap, abs(core.estimate - gb.estimate) / width)
    inside = gb.aggregate + gb.test
    print(
        f"  gbstats 0.8.0 frequentist two-sided t-test (absolute difference, Welch–Satterthwaite"
        f" dof) on the same {control.size + treated.size:,} handle times, in {where}:"
    )
    print(
        f"    gbstats: {inside:.4f} s CPU inside ({gb.aggregate:.4f} s n/sum/sum of squares + "
        f"{gb.test:.4f} s test); whole subprocess {gb.process_wall:.2f} s wall, "
        f"{gb.process_cpu:.2f} s CPU (start-up, imports, reading the arrays)"
    )
    print(
        f"    ours (experiment analyze, mean by Welch): {ours_cpu:.4f} s CPU; ratio ours / "
        f"gbstats inside {ours_cpu / inside:,.1f}x, gbstats whole subprocess / ours "
        f"{gb.process_cpu / ours_cpu:,.1f}x"
    )
    print(
        f"    ours, the Welch core alone on the same two arrays: {core_cpu:.4f} s CPU; ratio "
        f"ours / gbstats inside {core_cpu / inside:,.1f}x (estimate {core.estimate:.4f})"
    )
    agree = "agree" if gap <= TOLERANCE else "DISAGREE"
    print(
        f"    difference {estimate:.4f} s ({low:.4f} to {high:.4f}) vs gbstats {gb.estimate:.4f}"
        f" ({gb.low:.4f} to {gb.high:.4f}): {agree} to {gap:.1e} of the width "
        f"(tolerance {TOLERANCE:.0e})"
    )


def main(tickets: int = 1_000_000, sample: int = 20) -> None:
    data = frame(tickets)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"experiment analyze, {tickets:,} tickets, {RESAMPLES:,} bootstrap resamples "
        f"(load average {load} on {os.cpu_count()} cores)"
    )
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
    compare_gbstats(data)


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
