"""Import throughput: generated tickets with their events from Parquet (and CSV) into DuckDB.

Target (issue 2): 1 million tickets with about 8 million event rows from Parquet at at least
200,000 event rows a second on 2 cores, peak memory under 4 GB. Each import runs in a child
process so its peak RSS is its own.

    python bench/bench_import.py --tickets 1000000 --formats parquet,csv
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def child(folder: str, store_path: str) -> None:
    from supportops.model.importer import import_files
    from supportops.store import DuckDBStore

    store = DuckDBStore(Path(store_path))
    store.ensure_schema()
    start = time.perf_counter()
    report = import_files(store, [Path(folder)])
    seconds = time.perf_counter() - start
    store.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "seconds": seconds,
                "rows": report.total("rows_read"),
                "events": report.table("events").rows_read,
                "quarantined": report.total("quarantined"),
                "peak_mb": peak,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--formats", default="parquet,csv")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    from supportops.demo import write_files

    work = Path(tempfile.mkdtemp(prefix="bench-import-"))
    try:
        for fmt in args.formats.split(","):
            data = work / fmt
            t0 = time.perf_counter()
            counts = write_files(data, tickets=args.tickets, seed=1, fmt=fmt)
            gen = time.perf_counter() - t0
            done = subprocess.run(
                [sys.executable, __file__, "--child", str(data), str(work / f"{fmt}.duckdb")],
                capture_output=True,
                text=True,
                check=True,
            )
            result = json.loads(done.stdout.strip().splitlines()[-1])
            rate = result["events"] / result["seconds"]
            print(
                f"import {fmt:8s} {args.tickets:>10,} tickets {result['rows']:>12,} rows "
                f"({result['events']:,} events) in {result['seconds']:7.1f} s = "
                f"{rate:>10,.0f} event rows/s, "
                f"{result['rows'] / result['seconds']:>10,.0f} rows/s, "
                f"peak {result['peak_mb']:,.0f} MB; quarantined {result['quarantined']} "
                f"(files generated in {gen:.1f} s: {sum(counts.values()):,} rows)"
            )
            shutil.rmtree(data)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
