"""Benchmark: a 100,000-creator day through each backend, side by side (issue 11 §5 "Scale").

Per backend (the DuckDB file, then DuckLake on a real PostgreSQL with local Parquet), each in its
own child process so memory is its own:

1. **sweep**: one real live sweep of a 100,000-creator twin (its own process) through the client,
   the transforms, Pandera and the warehouse writes: wall time and peak RSS;
2. **load**: a day of 1-minute live polls written the way the poller writes them, one commit per
   poll through ``core_load.load_frame`` (the anti-join on the grain). About 12,500 channels are
   live at any minute (each creator streams once a day for 2-4 h), so 1,440 polls hold ~17 million
   samples. The rows are generated, not fetched: the API path is the sweep's, and at 800
   requests/min a real day takes a day. Raw bodies are not written here (their cost is the same
   text on both backends: docs/warehouse.md § Volume);
3. **marts**: ``refresh`` of that day (sessions, intervals, channel-days, categories, hours).

Run: ``nice -n 10 .venv/bin/python -m bench.bench_lake_scale [--hours 24] [--creators 100000]``.
Prints one JSON line per backend and a markdown table with the lake / file ratios.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

DAY = datetime(2026, 3, 2, tzinfo=UTC)


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def _schedule(creators: int) -> tuple[np.ndarray, np.ndarray]:
    """Each creator's one stream of the day: start minute (0..1439) and length (120-240 min)."""
    rng = np.random.default_rng(7)
    return rng.integers(0, 1440, creators), rng.integers(120, 241, creators)


def _poll_frame(minute: int, start: np.ndarray, length: np.ndarray) -> pl.DataFrame:
    live = np.flatnonzero((start <= minute) & (minute < start + length))
    if not len(live):
        return pl.DataFrame()  # nobody live: load_frame writes nothing
    at = DAY + timedelta(minutes=minute)
    viewers = 5 + (live % 400) + (minute - start[live]) % 17
    order = np.argsort(-viewers, kind="stable")
    live, viewers = live[order], viewers[order]
    day = np.datetime64(DAY.replace(tzinfo=None), "us")
    started = pl.Series(day + start[live].astype("timedelta64[m]")).dt.replace_time_zone("UTC")
    ids = pl.Series(live).cast(pl.String)
    return pl.DataFrame(
        {
            "source": "live",
            "snapshot_at": at,
            "stream_id": "s" + ids,
            "user_id": "c" + ids,
            "username": "name" + ids,
            "title": "a stream",
            "viewer_count": viewers,
            "started_at": started,
            "category_slug": "category-" + pl.Series(live % 20).cast(pl.String),
            "position": np.arange(1, len(live) + 1, dtype=np.int32),
            "fetched_at": at,
            "cadence_minutes": 1,
        }
    ).with_columns(pl.col("snapshot_at", "fetched_at").dt.cast_time_unit("us"))


def _target(spec: dict[str, Any]) -> Any:
    from pipeline.warehouse.lake import LakeConfig

    if spec["backend"] == "ducklake":
        return LakeConfig(catalog=spec["catalog"], data_path=spec["data_path"])
    return Path(spec["warehouse"])


def _child_sweep(spec: dict[str, Any]) -> dict[str, Any]:
    from pipeline.client import ClientConfig, VeloraClient
    from pipeline.config import Settings
    from pipeline.ingest import ENDPOINT_JOBS, run_endpoints
    from pipeline.warehouse import connect

    target = _target(spec)
    settings = Settings(
        api_base_url=spec["base_url"],
        client_id="twin-client",
        client_secret="twin-secret",
        data_dir=Path(spec["data_dir"]),
        warehouse_path=Path(spec["warehouse"]),
        lake=target if spec["backend"] == "ducklake" else None,
    )
    conn = connect(target)
    names = [n for n, job in ENDPOINT_JOBS.items() if job.group == "live"]
    began = time.perf_counter()
    with VeloraClient(ClientConfig.from_settings(settings)) as client:
        results = run_endpoints(
            names,
            client=client,
            warehouse_path=target,
            poll_at=datetime.fromisoformat(spec["poll_at"]),
            settings=settings,
            conn=conn,
        )
    seconds = time.perf_counter() - began
    conn.close()
    return {
        "sweep_seconds": round(seconds, 2),
        "sweep_rows": sum(r.loaded for r in results),
        "sweep_peak_mb": round(_peak_mb(), 1),
    }


def _child_day(spec: dict[str, Any]) -> dict[str, Any]:
    from pipeline.marts import refresh
    from pipeline.warehouse import connect
    from pipeline.warehouse.core_load import load_frame

    start, length = _schedule(spec["creators"])
    conn = connect(_target(spec))
    rows, commits, build = 0, [], 0.0
    load_began = time.perf_counter()
    for minute in range(spec["hours"] * 60):
        frame = _poll_frame(minute, start, length)
        at = DAY + timedelta(minutes=minute)
        began = time.perf_counter()
        conn.execute("BEGIN TRANSACTION")
        written = load_frame(conn, "core.stream_snapshots", frame, at, at)
        conn.execute("COMMIT")
        commits.append(time.perf_counter() - began)
        rows += sum(written.values())
    load_seconds = time.perf_counter() - load_began
    load_peak = _peak_mb()
    began = time.perf_counter()
    refresh(conn, DAY.date(), DAY.date(), today=DAY.date())
    build = time.perf_counter() - began
    [(sessions,)] = conn.execute("SELECT count(*) FROM marts.stream_sessions").fetchall()
    conn.close()
    commits.sort()
    return {
        "samples": rows,
        "polls": len(commits),
        "load_seconds": round(load_seconds, 1),
        "commit_p50_ms": round(1000 * commits[len(commits) // 2], 1),
        "commit_p95_ms": round(1000 * commits[int(len(commits) * 0.95)], 1),
        "first_hour_commit_ms": round(1000 * float(np.median(commits[:60])), 1),
        "load_peak_mb": round(load_peak, 1),
        "marts_seconds": round(build, 1),
        "sessions": sessions,
        "peak_mb": round(_peak_mb(), 1),
    }


def _run_child(kind: str, spec: dict[str, Any]) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "bench.bench_lake_scale", "--child", kind, json.dumps(spec)],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[1],
    )
    if proc.returncode:
        raise RuntimeError(f"child {kind} {spec['backend']} failed:\n{proc.stderr[-4000:]}")
    return json.loads((proc.stdout or "").strip().splitlines()[-1])


def _ratio(lake: float, file: float) -> str:
    return f"{lake / file:.2f}" if file else "n/a"


def main() -> int:
    parser = argparse.ArgumentParser(description="A 100,000-creator day through each backend.")
    parser.add_argument("--creators", type=int, default=100_000)
    parser.add_argument("--hours", type=int, default=24)
    parser.add_argument("--no-sweep", action="store_true", help="skip the real twin sweep")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, spec = args.child[0], json.loads(args.child[1])
        result = (_child_sweep if kind == "sweep" else _child_day)(spec)
        print(json.dumps(result))
        return 0

    from bench.twin_process import running_twin
    from pipeline.warehouse.postgres_launcher import running_postgres

    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="velora-lake-scale-") as tmp, running_postgres() as pg:
        root = Path(tmp)
        specs = {}
        for backend in ("duckdb", "ducklake"):
            directory = root / backend
            directory.mkdir()
            database = f"scale_{backend}"
            pg.create_database(database)
            specs[backend] = {
                "backend": backend,
                "creators": args.creators,
                "hours": args.hours,
                "data_dir": str(directory),
                "warehouse": str(directory / "warehouse.duckdb"),
                "catalog": pg.catalog(database),
                "data_path": str(directory / "lake") + "/",
            }
        if not args.no_sweep:
            poll = datetime.now(UTC).replace(second=0, microsecond=0)
            with running_twin(
                start=poll,
                rate_limit=1_000_000_000,
                log_path=root / "twin.log",
                creators=args.creators,
            ) as base_url:
                for backend, spec in specs.items():
                    sweep = {**spec, "base_url": base_url, "poll_at": poll.isoformat()}
                    results.setdefault(backend, {}).update(_run_child("sweep", sweep))
                    print(backend, results[backend], flush=True)
        for backend, spec in specs.items():
            # a fresh warehouse for the day: the sweep's rows are of another day
            day = {**spec, "warehouse": str(Path(spec["data_dir"]) / "day.duckdb")}
            if backend == "ducklake":
                pg.create_database("day_lake")
                day["catalog"] = pg.catalog("day_lake")
                day["data_path"] = str(Path(spec["data_dir"]) / "day-lake") + "/"
            results.setdefault(backend, {}).update(_run_child("day", day))
            print(backend, json.dumps(results[backend]), flush=True)
    file, lake = results["duckdb"], results["ducklake"]
    print("\n| figure | DuckDB file | DuckLake | lake / file |\n|---|---|---|---|")
    for key in (
        "sweep_seconds",
        "sweep_peak_mb",
        "samples",
        "load_seconds",
        "commit_p50_ms",
        "commit_p95_ms",
        "load_peak_mb",
        "marts_seconds",
        "peak_mb",
    ):
        if key in file:
            print(f"| {key} | {file[key]} | {lake[key]} | {_ratio(lake[key], file[key])} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
