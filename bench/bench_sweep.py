"""Benchmark: one full sweep (all 13 endpoint jobs + publish) against a small and a large history.

Target: peak memory of a sweep < 300 MB, independent of history size. Each sweep runs in its own
child process (so ``ru_maxrss`` is the sweep's own peak) against a twin running in another
process. Prints medians of 3 sweeps per warehouse and the large/small ratios.

Run: ``.venv/bin/python bench/bench_sweep.py [--large-days 7] [--large DIR_WITH_warehouse.duckdb]``
(``bench/bench_seed.py --keep DIR`` leaves a 7-day warehouse to reuse as ``--large``).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.twin_process import running_twin  # noqa: E402

HISTORY_END = datetime(2026, 3, 1, tzinfo=UTC)  # bench_seed.py seeds up to here
SWEEPS = 3


def _child(warehouse: Path, base_url: str, poll: str) -> None:
    import logging

    logging.basicConfig(level=logging.WARNING)
    baseline_began = time.perf_counter()
    from pipeline.client import ClientConfig, VeloraClient
    from pipeline.config import Settings
    from pipeline.ingest import ENDPOINT_JOBS, run_endpoints
    from pipeline.warehouse import connect, publish_from

    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    settings = Settings(
        api_base_url=base_url,
        client_id="twin-client",
        client_secret="twin-secret",
        data_dir=warehouse.parent,
        warehouse_path=warehouse,
    )
    config = ClientConfig.from_settings(settings, rate_ceiling_per_minute=10**9, burst=10**9)
    began = time.perf_counter()
    conn = connect(warehouse)
    with VeloraClient(config) as client:
        results = run_endpoints(
            list(ENDPOINT_JOBS),
            client=client,
            warehouse_path=warehouse,
            poll_at=datetime.fromisoformat(poll),
            settings=settings,
            conn=conn,
        )
    sweep_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sweep_seconds = time.perf_counter() - began
    publish_from(conn, settings.published_dir)
    conn.close()
    print(
        json.dumps(
            {
                "seconds": time.perf_counter() - began,
                "ingest_seconds": sweep_seconds,
                "ingest_peak_mb": sweep_peak,
                "import_seconds": began - baseline_began,
                "baseline_mb": baseline,
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "loaded": sum(r.loaded for r in results),
            }
        )
    )


def _sweep(warehouse: Path, base_url: str, poll: datetime) -> dict[str, float]:
    httpx.post(
        f"{base_url}/_twin/clock/advance", json={"to": poll.isoformat()}, timeout=30
    ).raise_for_status()
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(warehouse), base_url, poll.isoformat()],
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["publish_retried"] = float("retrying" in out.stderr)
    return result


def _seed(days: float, target: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            str(Path(__file__).with_name("bench_seed.py")),
            "--days",
            str(days),
            "--keep",
            str(target),
        ],
        check=True,
    )


def main() -> int:
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        _child(Path(sys.argv[2]), sys.argv[3], sys.argv[4])
        return 0
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--large", type=Path, default=None, help="dir holding a seeded warehouse.duckdb"
    )
    parser.add_argument("--large-days", type=float, default=7.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="velora-bench-sweep-") as tmp:
        root = Path(tmp)
        small, large = root / "small", root / "large"
        _seed(1 / 24, small)
        if args.large:
            large.mkdir()
            shutil.copy(args.large / "warehouse.duckdb", large / "warehouse.duckdb")
        else:
            _seed(args.large_days, large)
        with running_twin(
            start=HISTORY_END,
            rate_limit=1_000_000_000,
            subscriber_rate_limit=1_000_000_000,
            log_path=root / "twin.log",
        ) as base_url:
            runs: dict[str, list[dict[str, float]]] = {"small": [], "large": []}
            poll = HISTORY_END + timedelta(hours=1)
            for _ in range(SWEEPS):
                for name, directory in (("small", small), ("large", large)):
                    poll += timedelta(minutes=5)
                    runs[name].append(_sweep(directory / "warehouse.duckdb", base_url, poll))
        sizes = {
            n: (d / "warehouse.duckdb").stat().st_size / 2**20
            for n, d in (("small", small), ("large", large))
        }
    med = {n: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for n, rs in runs.items()}
    print(f"full sweep (13 jobs + publish), median of {SWEEPS} per warehouse")
    for name in ("small", "large"):
        m = med[name]
        print(
            f"  {name:5} history ({sizes[name]:7.1f} MB file): sweep {m['seconds']:5.2f} s, "
            f"peak RSS {m['peak_mb']:6.1f} MB (after imports {m['baseline_mb']:6.1f} MB), {m['loaded']:.0f} rows\n"
            f"        jobs only: {m['ingest_seconds']:5.2f} s, peak RSS {m['ingest_peak_mb']:6.1f} MB"
            f"; publish retried with the larger limit in {m['publish_retried']:.0%} of runs (median)"
        )
    print(
        f"  ratio large/small: time {med['large']['seconds'] / med['small']['seconds']:.2f}, "
        f"peak RSS {med['large']['peak_mb'] / med['small']['peak_mb']:.2f}   (target: peak < 300 MB)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
