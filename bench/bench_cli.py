"""CLI start-up benchmark: ``supportops --help`` and ``supportops metrics --list`` wall time.

    .venv/bin/python bench/bench_cli.py [--runs 15]

Each command line runs ``--runs`` times as a fresh subprocess (``python -m supportops ...``),
interleaved with the baseline ``python -c "import duckdb"`` in the same run, so that a busy
machine slows both alike. Prints the median of each and its ratio to the baseline. Target
(issue 12): under 1.5 times the baseline. The commands run as an installed package runs, with
its bytecode: ``PYTHONDONTWRITEBYTECODE`` is dropped from their environment (the warm-up run
writes it), as DuckDB's own bytecode was written when it was installed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_RATIO = 1.5
CASES = {
    "supportops --help": ["-m", "supportops", "--help"],
    "supportops metrics --list": ["-m", "supportops", "metrics", "--list"],
}
BASELINE = ("python -c 'import duckdb'", ["-c", "import duckdb"])


def wall(args: list[str]) -> float:
    """Seconds one ``python ARGS`` takes, start to exit."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "COLUMNS": "120"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    times: dict[str, list[float]] = {name: [] for name in [*CASES, BASELINE[0]]}
    for _name, argv in [*CASES.items(), BASELINE]:
        wall(argv)  # warm the file cache once
    for _ in range(args.runs):
        for name, argv in [*CASES.items(), BASELINE]:
            times[name].append(wall(argv))
    base = statistics.median(times[BASELINE[0]])
    print(f"{args.runs} runs each, median wall time")
    print(f"  {BASELINE[0]:<28} {base * 1000:8.0f} ms  (baseline)")
    worst = 0.0
    for name in CASES:
        median = statistics.median(times[name])
        worst = max(worst, median / base)
        print(f"  {name:<28} {median * 1000:8.0f} ms  {median / base:5.2f}× the baseline")
    verdict = "met" if worst < TARGET_RATIO else "NOT met"
    print(f"target: under {TARGET_RATIO}× the baseline — {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
