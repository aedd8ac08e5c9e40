"""Benchmark: stream the demo generator to files in bounded memory.

    .venv/bin/python bench/bench_generate.py --tickets 10000000 --out /tmp/gen

Generates ``--tickets`` tickets with all their events, surveys, work, contacts and bot sessions
through :func:`supportops.demo.write_files` and prints tickets/s, rows written per table, wall
time and the process's peak RSS (``ru_maxrss``). Without ``--out`` the files go to a temporary
folder that is deleted afterwards; ``--keep`` keeps them.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from supportops.demo import FORMATS, write_files
from supportops.demo.generator import CHUNK_SIZE


def peak_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KB)."""
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=10_000_000)
    parser.add_argument("--out", type=Path, default=None, help="folder (default: a temp dir)")
    parser.add_argument("--format", default="parquet", choices=sorted(FORMATS))
    parser.add_argument("--chunk-size", type=int, default=CHUNK_SIZE)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", action="store_true", help="keep the files afterwards")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="bench-generate-"))
    done = 0
    start = time.perf_counter()

    def tick(tickets: int) -> None:
        nonlocal done
        done += tickets
        if done % (10 * args.chunk_size) == 0 or done == args.tickets:
            print(
                f"  {done:>12,} tickets  {time.perf_counter() - start:7.1f} s  "
                f"peak {peak_mb():,.0f} MB",
                flush=True,
            )

    try:
        counts = write_files(
            out,
            args.tickets,
            seed=args.seed,
            fmt=args.format,
            progress=tick,
            chunk_size=args.chunk_size,
        )
        wall = time.perf_counter() - start
        size = sum(p.stat().st_size for p in out.iterdir())
    finally:
        if not args.keep:
            shutil.rmtree(out, ignore_errors=True)
    for name, rows in counts.items():
        print(f"{rows:>14,}  {name}")
    print(
        f"generate {args.format} {args.tickets:,} tickets (chunks of {args.chunk_size:,}): "
        f"{wall:.1f} s = {args.tickets / wall:,.0f} tickets/s, "
        f"{counts['events']:,} event rows ({counts['events'] / args.tickets:.2f} per ticket), "
        f"{sum(counts.values()):,} rows, {size / 2**20:,.0f} MB on disk, "
        f"peak RSS {peak_mb():,.0f} MB"
    )


if __name__ == "__main__":
    main()
