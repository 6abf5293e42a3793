"""Benchmark: four writers and readers on one DuckLake (issue 11 §5 "Writers and readers").

The workload of bench/lake_writers.py (two ingest workers, the webhook loader, a mart build, each
its own process; readers looping read-only), run three ways on a fresh warehouse each:

1. **lake, concurrent**: the four writers at once, with the readers;
2. **lake, serial**: the same work, one writer at a time (readers running during each);
3. **file, serial**: the same work on the DuckDB file, one writer at a time and no readers (the
   file's lock allows no reader beside a writer);
4. **lake, contended**: the four writers and a second mart build of the same marts at once, so
   every build conflicts with the other's: the claims and ``run_transaction`` re-runs at work.

A "commit" is one write transaction: an ingest poll of the worker's jobs (raw + core in one
commit, then its run-log rows), a landing segment, or one mart's day rebuilt. Its time is the
whole call (for ingest: the transforms and Pandera too). p50/p95 leave out each process's first
commit, which also pays its imports and the catalog's first load; that one is shown apart. Every run is checked like the test:
every committed row present exactly once.

Run: ``nice -n 10 .venv/bin/python -m bench.bench_lake_writers [--polls 30] [--segments 30]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import lake_writers  # noqa: E402
from bench.lake_writers import RunReport, Work, percentile  # noqa: E402


def _summary(
    label: str, report: RunReport, concurrent: bool, problems: list[str]
) -> dict[str, Any]:
    writers = report.writers.values()
    # a process's first commit also pays its imports and the catalog's first load: apart
    times = [t for w in writers for t in w.commit_s[1:]]
    # writing time: from the common start to the last writer's end, or the writers' sum in turn
    wall = max(w.elapsed_s for w in writers) if concurrent else sum(w.elapsed_s for w in writers)
    readers = report.readers.values()
    return {
        "run": label,
        "commits": sum(len(w.commit_s) for w in writers),
        "write_s": round(wall, 2),
        "commits_per_s": round(sum(len(w.commit_s) for w in writers) / wall, 2),
        "p50_s": round(percentile(times, 50), 3),
        "p95_s": round(percentile(times, 95), 3),
        "first_commit_s": round(max(w.commit_s[0] for w in writers), 2),
        "conflicts_rerun": sum(w.conflicts_rerun for w in writers),
        "reads": sum(r.reads for r in readers),
        "reader_errors": sum(r.error_count for r in readers),
        "lock_errors": sum(r.lock_errors for r in readers),
        "problems": problems,
        "writers": {
            w.name: {
                "commits": len(w.commit_s),
                "p50_s": round(percentile(w.commit_s[1:], 50), 3),
                "p95_s": round(percentile(w.commit_s[1:], 95), 3),
                "first_s": round(w.commit_s[0], 2),
                "conflicts_rerun": w.conflicts_rerun,
                "rows": w.rows,
            }
            for w in writers
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description="Four writers and readers on one DuckLake")
    parser.add_argument("--polls", type=int, default=30, help="polls per ingest worker")
    parser.add_argument("--segments", type=int, default=30, help="landing segments")
    parser.add_argument("--events", type=int, default=50, help="events per segment")
    parser.add_argument("--mart-rounds", type=int, default=3, help="rounds of the 5 live marts")
    parser.add_argument("--readers", type=int, default=2)
    parser.add_argument("--creators", type=int, default=300, help="twin size for the polls")
    args = parser.parse_args()
    work = Work(args.polls, args.segments, args.events, args.mart_rounds, args.readers)

    from pipeline.twin.launcher import running_twin
    from pipeline.warehouse.lake import LakeConfig
    from pipeline.warehouse.postgres_launcher import running_postgres

    summaries = []
    with tempfile.TemporaryDirectory(prefix="bench-lake-writers-") as tmp:
        root = Path(tmp)
        with running_twin(
            clock="frozen", start=lake_writers.DAY, creators=args.creators, rate_limit=10**9
        ) as twin:
            prefetched = lake_writers.prefetch(twin.base_url, root)
        landing = root / "landing"
        lake_writers.land(landing, work)
        with running_postgres() as postgres:
            four, contended = lake_writers.FOUR, (*lake_writers.FOUR, "mart-build-2")
            runs: list[tuple[str, Any, bool, int, tuple[str, ...]]] = [
                ("lake, 4 writers at once", "lake_concurrent", True, work.readers, four),
                ("lake, one writer at a time", "lake_serial", False, work.readers, four),
                ("file, one writer at a time", None, False, 0, four),
                # a second build of the same marts: every build contends (claims, re-runs)
                ("lake, 4 writers + a 2nd mart build", "lake_contended", True, work.readers,
                 contended),
            ]  # fmt: skip
            for label, database, concurrent, readers, writers in runs:
                if database is None:
                    target: Any = root / "warehouse.duckdb"
                else:
                    postgres.create_database(database)
                    target = LakeConfig(postgres.catalog(database), str(root / database) + "/")
                report = lake_writers.run(
                    target,
                    work,
                    prefetched=prefetched,
                    landing=landing,
                    scratch=root,
                    concurrent=concurrent,
                    readers=readers,
                    writers=writers,
                )
                problems = lake_writers.check(target, report)
                summary = _summary(label, report, concurrent, problems)
                print(json.dumps(summary), flush=True)
                summaries.append(summary)
    _table(summaries, work)
    return 1 if any(s["problems"] for s in summaries) else 0


def _table(summaries: list[dict[str, Any]], work: Work) -> None:
    print(
        f"\nwork: 2 ingest workers x {work.polls} polls, {work.segments} segments x "
        f"{work.events_per_segment} events, {work.mart_rounds} rounds x "
        f"{len(lake_writers.MART_NAMES)} marts; {work.readers} readers\n"
    )
    print("| run | commits | writing s | commits/s | p50 commit s | p95 commit s | slowest first commit s "
          "| conflicts re-run | reads | reader errors | lock errors | rows exactly once |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for s in summaries:
        print(
            f"| {s['run']} | {s['commits']} | {s['write_s']} | {s['commits_per_s']} | "
            f"{s['p50_s']} | {s['p95_s']} | {s['first_commit_s']} | {s['conflicts_rerun']} | {s['reads']} | "
            f"{s['reader_errors']} | {s['lock_errors']} | {'yes' if not s['problems'] else 'NO'} |"
        )
    print("\n| writer | " + " | ".join(s["run"] for s in summaries) + " |")
    print("|---|" + "---|" * len(summaries))
    for name in lake_writers.WRITERS:
        cells = [
            f"{w['commits']} commits, p50 {w['p50_s']} s, p95 {w['p95_s']} s, first "
            f"{w['first_s']} s, {w['conflicts_rerun']} re-run"
            if w
            else "-"
            for w in (s["writers"].get(name) for s in summaries)
        ]
        print(f"| {name} | " + " | ".join(cells) + " |")
    concurrent, serial, file = summaries[:3]
    print(
        f"\nlake concurrent / lake serial: commits/s x"
        f"{concurrent['commits_per_s'] / serial['commits_per_s']:.2f}, p95 x"
        f"{concurrent['p95_s'] / serial['p95_s']:.2f}; lake serial / file serial: commits/s x"
        f"{serial['commits_per_s'] / file['commits_per_s']:.2f}"
    )


if __name__ == "__main__":
    sys.exit(main())
