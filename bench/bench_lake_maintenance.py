"""Benchmark: lake maintenance keeps file count and commit time flat (issue 11 "Maintenance").

Two lakes on one real PostgreSQL (local Parquet), written side by side: ``--commits`` live polls,
one commit each through ``core_load.load_frame`` (the poller's write path, with its anti-join on
the grain), about ``--rows`` rows per poll, in rounds of ``--round`` commits. After every round the
*maintained* lake runs ``maintain()``, as the hourly schedule would; the other never does. The two
lakes take turns round by round, so the machine's load falls on both alike.

Per round and lake: live files in the catalog, Parquet files on disk, snapshots kept, p50 / p95
commit time of the round, the median of three full scans of the table (what a marts rebuild, a
dashboard over history or ``velora sql`` does; a poll's anti-join reads only its own minute), and
the maintenance run's seconds. Time is scaled: a round stands for one
schedule interval, snapshots older than ``--retention-rounds`` rounds expire (24 h of them in
production) and the file grace is 0, as nothing reads here.

Run: ``nice -n 10 .venv/bin/python -m bench.bench_lake_maintenance [--commits 2000] [--round 100]``.
Prints one JSON line per round and a markdown table.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_lake_scale import _poll_frame, _schedule  # noqa: E402

DAY = datetime(2026, 3, 2, tzinfo=UTC)
# bench_lake_scale's creators stream 2-4 h a day: ~12.5% are live at any minute once the day's
# first streams are under way (from 05:00; before, yesterday's streams are not in its schedule)
LIVE_SHARE = 0.125
FIRST_MINUTE = 300


def _percentile_ms(values: list[float], q: float) -> float:
    return round(1000 * float(np.percentile(values, q)), 1)


def _commit_round(conn: Any, minutes: range, start: np.ndarray, length: np.ndarray) -> list[float]:
    from pipeline.warehouse.core_load import load_frame

    times = []
    for minute in minutes:
        # the day's schedule repeats, so every poll is alike however many days the run spans
        at = DAY + timedelta(minutes=minute)
        frame = _poll_frame(
            FIRST_MINUTE + minute % (1440 - FIRST_MINUTE), start, length
        ).with_columns(snapshot_at=at, fetched_at=at)
        began = time.perf_counter()
        conn.execute("BEGIN TRANSACTION")
        load_frame(conn, "core.stream_snapshots", frame, at, at)
        conn.execute("COMMIT")
        times.append(time.perf_counter() - began)
    return times


def _scan_ms(conn: Any) -> float:
    times = []
    for _ in range(3):
        began = time.perf_counter()
        conn.execute(
            "SELECT stream_id, count(*), max(viewer_count) FROM core.stream_snapshots GROUP BY ALL"
        ).fetchall()
        times.append(time.perf_counter() - began)
    return _percentile_ms(times, 50)


def main() -> int:
    parser = argparse.ArgumentParser(description="Lake maintenance against an unmaintained lake.")
    parser.add_argument("--commits", type=int, default=2000)
    parser.add_argument("--round", type=int, default=100, help="commits between maintenance runs")
    parser.add_argument("--rows", type=int, default=100, help="rows per poll (live channels)")
    parser.add_argument("--retention-rounds", type=int, default=2)
    args = parser.parse_args()

    from pipeline.warehouse import connect
    from pipeline.warehouse.lake import LakeConfig
    from pipeline.warehouse.lake_maintenance import lake_state, maintain
    from pipeline.warehouse.postgres_launcher import running_postgres

    start, length = _schedule(round(args.rows / LIVE_SHARE))
    rounds: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="velora-lake-maint-") as tmp, running_postgres() as pg:
        lakes = {}
        for name in ("maintained", "unmaintained"):
            pg.create_database(name)
            config = LakeConfig(catalog=pg.catalog(name), data_path=f"{tmp}/{name}/")
            lakes[name] = (config, connect(config))
        round_starts: list[datetime] = []
        for first in range(0, args.commits, args.round):
            minutes = range(first, min(first + args.round, args.commits))
            round_starts.append(datetime.now(UTC))
            for name, (config, conn) in lakes.items():
                commits = _commit_round(conn, minutes, start, length)
                report = None
                if name == "maintained":
                    horizon = round_starts[max(0, len(round_starts) - args.retention_rounds)]
                    older_than = datetime.now(UTC) - horizon
                    report = maintain(conn, older_than=older_than, file_grace=timedelta(0))
                files, snapshots = lake_state(conn)
                row = {
                    "lake": name,
                    "commits": minutes.stop,
                    "files": files,
                    "files_on_disk": sum(1 for _ in Path(config.data_path).rglob("*.parquet")),
                    "snapshots": snapshots,
                    "commit_p50_ms": _percentile_ms(commits, 50),
                    "commit_p95_ms": _percentile_ms(commits, 95),
                    "scan_ms": _scan_ms(conn),
                    "maintain_s": report.seconds if report else None,
                    "files_merged": report.files_merged if report else None,
                }
                rounds.append(row)
                print(json.dumps(row), flush=True)
        for _config, conn in lakes.values():
            [(rows,)] = conn.execute("SELECT count(*) FROM core.stream_snapshots").fetchall()
            [(distinct,)] = conn.execute(
                "SELECT count(*) FROM (SELECT DISTINCT source, snapshot_at, stream_id"
                " FROM core.stream_snapshots)"
            ).fetchall()
            per_poll = round(rows / args.commits)
            print(json.dumps({"rows": rows, "distinct_grain": distinct, "per_poll": per_poll}))
            conn.close()
    print(
        "\n| commits | files (maintained / not) | on disk | snapshots | commit p50 ms | "
        "commit p95 ms | full scan ms | maintain s (files merged) |\n"
        "|---|---|---|---|---|---|---|---|"
    )
    by_round: dict[int, dict[str, dict[str, Any]]] = {}
    for row in rounds:
        by_round.setdefault(row["commits"], {})[row["lake"]] = row
    for commits, pair in by_round.items():
        kept, grown = pair["maintained"], pair["unmaintained"]

        def both(key: str, kept: dict = kept, grown: dict = grown) -> str:
            return f"{kept[key]} / {grown[key]}"

        print(
            f"| {commits} | {both('files')} | {both('files_on_disk')} | {both('snapshots')} | "
            f"{both('commit_p50_ms')} | {both('commit_p95_ms')} | {both('scan_ms')} | "
            f"{kept['maintain_s']} "
            f"({kept['files_merged']}) |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
