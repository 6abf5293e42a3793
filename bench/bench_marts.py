"""Benchmark: the hourly incremental mart update and publishing as the history grows.

Builds warehouses of 1 .. 365 days x 2,000 creators (core rows in bulk from
bench/sql/mart_history.sql through the real migrations, marts built from them), then, side by
side in one run, alternates hourly updates on each: a new hour of core data arrives and
``pipeline.marts.build.refresh_windows`` rebuilds the partitions that hour changes. Each update and each publish runs
in its own child process, which reports its wall time and its own peak RSS (``ru_maxrss``).

Targets: update time on 365 days / on 1 day <= 1.5; mart-build peak RSS < 300 MB. Each update
also reports its process CPU time (all DuckDB threads): on a shared machine wall time moves with
the other jobs, CPU time much less.
Run: ``nice -n 10 .venv/bin/python -m bench.bench_marts [--days 1 3 90 365] [--repeats 3]``
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import mart_history  # noqa: E402

CREATORS = 2000


def _peak_mb() -> float:
    # VmHWM, not ru_maxrss: Linux keeps ru_maxrss across execve, so a child would report the
    # parent's peak (the history build) instead of its own
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child_update(warehouse: Path, hour: int) -> dict[str, float]:
    from pipeline.marts.build import refresh_windows
    from pipeline.warehouse import connect

    conn = connect(warehouse)
    lo = mart_history.NOW + timedelta(hours=hour)
    hi = lo + timedelta(hours=1)
    mart_history.load_hours(conn, CREATORS, lo, hi)
    began, cpu = time.perf_counter(), time.process_time()
    refresh_windows(conn, [(lo, hi)], today=lo.date())
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    conn.close()
    return {"seconds": seconds, "cpu": cpu, "rss_mb": _peak_mb()}


def _child_publish(warehouse: Path) -> dict[str, float]:
    from pipeline.warehouse import connect, publish_from

    conn = connect(warehouse)
    began = time.perf_counter()
    publish_from(conn, warehouse.parent / "published")
    seconds = time.perf_counter() - began
    conn.close()
    return {"seconds": seconds, "rss_mb": _peak_mb()}


def _run_child(*args: str) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=False
    )
    if proc.returncode:
        raise RuntimeError(f"child {args} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _build_history(directory: Path, days: int, mart_days: int | None) -> tuple[Path, float, float]:
    from pipeline.marts import build
    from pipeline.warehouse import connect

    directory.mkdir(parents=True)
    warehouse = directory / "warehouse.duckdb"
    conn = connect(warehouse, memory_limit="2GB")
    began = time.perf_counter()
    mart_history.load_history(conn, CREATORS, days)
    loaded = time.perf_counter() - began
    if mart_days is None or mart_days >= days:
        build.rebuild_all(conn, today=mart_history.LAST_DAY.date())
    else:  # marts for the latest days only: a shorter setup on the shared machine
        first = mart_history.history_start(mart_days).date()
        last = mart_history.LAST_DAY.date()
        build.refresh(conn, first, last, today=last)
    conn.close()
    return warehouse, loaded, time.perf_counter() - began - loaded


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, nargs="+", default=[1, 3, 90, 365])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--mart-days", type=int, default=None, help="build marts for only the latest N days"
    )
    parser.add_argument(
        "--publish-days", type=int, nargs="+", default=None, help="publish only these histories"
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, warehouse, *rest = args.child
        result = (
            _child_update(Path(warehouse), int(rest[0]))
            if kind == "update"
            else _child_publish(Path(warehouse))
        )
        print(json.dumps(result))
        return 0
    sizes = sorted(args.days)
    with tempfile.TemporaryDirectory(prefix="velora-bench-marts-") as tmp:
        warehouses = {}
        for days in sizes:
            path, loaded, built = _build_history(Path(tmp) / f"d{days}", days, args.mart_days)
            warehouses[days] = path
            mb = path.stat().st_size / 2**20
            print(
                f"history {days:>3} d: core loaded {loaded:6.1f} s, marts built {built:6.1f} s,"
                f" file {mb:7.1f} MB",
                flush=True,
            )
        updates: dict[int, list[dict[str, float]]] = {d: [] for d in sizes}
        for hour in range(args.repeats):  # alternate the histories, the same new hour on each
            for days in sizes:
                updates[days].append(_run_child("update", str(warehouses[days]), str(hour)))
        published = sizes if args.publish_days is None else set(args.publish_days) & set(sizes)
        publishes = {d: _run_child("publish", str(warehouses[d])) for d in sorted(published)}
    small = statistics.median(u["seconds"] for u in updates[sizes[0]])
    small_cpu = statistics.median(u["cpu"] for u in updates[sizes[0]])
    print(f"\nhourly mart update (median of {args.repeats}, alternating) and publish, per history:")
    print(
        " days | update s | ratio to 1st | CPU s (all threads) | CPU ratio | update peak RSS MB"
        " | publish s | publish RSS MB"
    )
    for days in sizes:
        seconds = statistics.median(u["seconds"] for u in updates[days])
        cpu = statistics.median(u["cpu"] for u in updates[days])
        rss = max(u["rss_mb"] for u in updates[days])
        pub = publishes.get(days)
        pub_text = (
            f"{pub['seconds']:9.2f} | {pub['rss_mb']:14.0f}"
            if pub
            else "        - |              -"
        )
        print(
            f" {days:>4} | {seconds:8.2f} | {seconds / small:12.2f} | {cpu:19.2f} |"
            f" {cpu / small_cpu:9.2f} | {rss:18.0f} | {pub_text}"
        )
    print(f"targets: ratio <= 1.5, peak RSS < 300 MB; load average {os.getloadavg()[0]:.2f}")
    print(f"run at {datetime.now().astimezone().isoformat(timespec='seconds')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
