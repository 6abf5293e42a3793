"""Benchmark: ``velora seed`` of the live group (default 7 days x 2,000 creators, 5-min cadence).

Target: < 120 s for 7 days (2,016 polls) on the 2-core dev machine. Prints the total, the
median / p95 step time and the publish time. Run: ``.venv/bin/python bench/bench_seed.py [--days 7]``
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from pipeline.config import Settings
from pipeline.harness.seed import seed_history
from pipeline.ingest.jobs import select_jobs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=float, default=7.0)
    parser.add_argument("--creators", type=int, default=2000)
    parser.add_argument("--select", default="live")
    parser.add_argument("--keep", type=Path, default=None, help="keep the warehouse at this dir")
    parser.add_argument(
        "--base-url", default=None, help="seed from an already running frozen twin (other process)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="velora-bench-seed-") as tmp:
        data_dir = args.keep or Path(tmp)
        settings = Settings(data_dir=data_dir, warehouse_path=data_dir / "warehouse.duckdb")
        began = time.perf_counter()
        cpu_began = time.process_time()
        summary = seed_history(
            days=args.days,
            settings=settings,
            names=select_jobs(args.select),
            creators=args.creators,
            now=datetime(2026, 3, 1, tzinfo=UTC),
            base_url=args.base_url,
        )
        total = time.perf_counter() - began
        cpu = time.process_time() - cpu_began
        steps = sorted(summary.step_seconds)
        size_mb = settings.warehouse_path.stat().st_size / 2**20
        rows = sum(summary.results.values())
    print(
        f"seed {args.days:g} days x {args.creators} creators ({args.select}): {summary.steps} polls"
    )
    print(f"  total            {total:8.1f} s   (target < 120 s for 7 days)")
    print(f"  process CPU      {cpu:8.1f} s   (all threads; includes the in-process twin)")
    print(f"  load average     {os.getloadavg()[0]:8.2f}     (other processes share the 2 cores)")
    print(f"  step median      {statistics.median(steps) * 1000:8.1f} ms")
    print(f"  step p95         {steps[int(len(steps) * 0.95) - 1] * 1000:8.1f} ms")
    print(f"  publish          {summary.publish_seconds:8.1f} s")
    print(f"  rows loaded      {rows:>10,}")
    print(f"  warehouse size   {size_mb:8.1f} MB")
    print(f"  peak RSS         {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:8.1f} MB")
    print(f"  errors           {len(summary.errors)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
