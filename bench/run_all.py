"""``make bench``: run every ``bench/bench_*.py`` in turn and keep their figures.

Each benchmark prints comparable figures side by side with its named alternative. The combined
output is written to ``bench/results/latest.txt``. Pass benchmark names to run only those:
``python bench/run_all.py import sla``.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(names: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if names:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in names]
    out = HERE / "results" / "latest.txt"
    out.parent.mkdir(exist_ok=True)
    failed = 0
    with out.open("w") as log:
        for script in scripts:
            start = time.perf_counter()
            print(f"== {script.name}", flush=True)
            done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
            text = done.stdout + (done.stderr if done.returncode else "")
            print(text, flush=True)
            log.write(f"== {script.name} ({time.perf_counter() - start:.0f} s)\n{text}\n")
            failed += done.returncode != 0
    print(f"figures written to {out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
