"""Benchmark: ``velora seed`` of the live group (default 7 days x 2,000 creators, 5-min cadence).

Target: < 120 s for 7 days (2,016 polls) on the 2-core dev machine. Prints the total, the
median / p95 step time and the publish time. Run: ``.venv/bin/python bench/bench_seed.py [--days 7]``

``--twin-process`` runs the twin in its own process and reports its CPU and resident memory
over the run (sampled every 2 s), e.g. every group at a 1-minute live cadence::

    .venv/bin/python bench/bench_seed.py --twin-process --select all --days 0.25 --cadence 1 \\
        --now 2026-12-01T00:00+00:00
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.twin_process import cpu_seconds, rss_mb, twin_process  # noqa: E402
from pipeline.config import Settings  # noqa: E402
from pipeline.harness.seed import aligned_start, seed_history  # noqa: E402
from pipeline.ingest.jobs import select_jobs  # noqa: E402

NOW = datetime(2026, 3, 1, tzinfo=UTC)


class TwinWatch:
    """Samples a twin process's resident memory every ``every`` seconds while seeding runs."""

    def __init__(self, base_url: str, pid: int, every: float = 2.0) -> None:
        self.base_url, self.pid, self.every = base_url, pid, every
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append(rss_mb(self.pid))
            self._stop.wait(self.every)

    def __enter__(self) -> TwinWatch:
        self.cpu_began = cpu_seconds(self.pid)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.samples.append(rss_mb(self.pid))
        self.cpu = cpu_seconds(self.pid) - self.cpu_began
        self.stats = httpx.get(f"{self.base_url}/_twin/stats", timeout=30).json()

    def report(self) -> None:
        quarters = [self.samples[len(self.samples) * i // 4] for i in range(4)]
        clips = sum(
            sum(v.values()) for k, v in self.stats["endpoints"].items() if k.endswith("/clips")
        )
        print(f"  twin CPU         {self.cpu:8.1f} s   (its own process)")
        print(
            f"  twin RSS         start {self.samples[0]:.0f} MB, at each quarter "
            f"{' / '.join(f'{q:.0f}' for q in quarters)}, max {max(self.samples):.0f} MB, "
            f"end {self.samples[-1]:.0f} MB"
        )
        print(f"  twin requests    {self.stats['total']:>10,} ({clips:,} clip pages)")


@contextlib.contextmanager
def separate_twin(start: datetime, data_dir: Path) -> Iterator[tuple[str, TwinWatch]]:
    with (
        twin_process(
            start=start, rate_limit=0, subscriber_rate_limit=0, log_path=data_dir / "twin.log"
        ) as (base_url, proc),
        TwinWatch(base_url, proc.pid) as watch,
    ):
        yield base_url, watch


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=float, default=7.0)
    parser.add_argument("--creators", type=int, default=2000)
    parser.add_argument("--select", default="live")
    parser.add_argument("--cadence", type=int, default=5, help="minutes between live polls")
    parser.add_argument(
        "--now",
        type=datetime.fromisoformat,
        default=NOW,
        help="end of the seeded history (default 2026-03-01; clips keep 90 days, so late-year "
        "times walk a full clip window)",
    )
    parser.add_argument(
        "--twin-process", action="store_true", help="run the twin in its own process and watch it"
    )
    parser.add_argument("--keep", type=Path, default=None, help="keep the warehouse at this dir")
    parser.add_argument(
        "--base-url", default=None, help="seed from an already running frozen twin (other process)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="velora-bench-seed-") as tmp:
        data_dir = args.keep or Path(tmp)
        settings = Settings(data_dir=data_dir, warehouse_path=data_dir / "warehouse.duckdb")
        watch: TwinWatch | None = None
        with contextlib.ExitStack() as stack:
            base_url = args.base_url
            if args.twin_process:
                start = aligned_start(args.now, args.days) - timedelta(hours=1)
                base_url, watch = stack.enter_context(separate_twin(start, data_dir))
            began = time.perf_counter()
            cpu_began = time.process_time()
            summary = seed_history(
                days=args.days,
                settings=settings,
                names=select_jobs(args.select),
                creators=args.creators,
                cadence_minutes=args.cadence,
                now=args.now,
                base_url=base_url,
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
    if watch is not None:
        watch.report()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
