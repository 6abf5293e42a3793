"""Four writers and readers on one warehouse (issue 11 §5 "Writers and readers"), shared by
tests/lake/test_lake_writers.py and bench/bench_lake_writers.py.

The writers are the pipeline's own write paths, each in its own process with one long-lived
connection, batching as production does (one transaction per poll, segment or mart build):

- two ingest workers: ``run_endpoints`` of the live group (``live_streams``, ``top_streams``) and
  of ``categories``, one poll a minute apart each time. The twin's responses are fetched once,
  ahead (:func:`prefetch`), and replayed for every poll, so the run measures the warehouse, not
  HTTP (the API path is bench_lake_scale's sweep);
- the webhook loader: ``load_segment`` of prepared sealed landing segments (:func:`land`);
- a mart build: ``build_mart`` of the live marts for the day, round after round.

Readers loop on read-only connections (reopened every few reads) and record every error. Each
process reports what it committed; :func:`check` then proves every committed row is present
exactly once.
"""

from __future__ import annotations

import contextlib
import json
import logging
import multiprocessing as mp
import pickle
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

from pipeline.warehouse import Warehouse, connect

DAY = datetime(2026, 3, 2, tzinfo=UTC)
LIVE_JOBS = ("live_streams", "top_streams")
CATEGORY_JOBS = ("categories",)
MART_NAMES = (
    "live_totals",
    "stream_sessions",
    "channel_daily",
    "category_daily",
    "platform_hourly",
)
# Read by the readers: append-only tables never shrink between two reads of a reader.
APPEND_ONLY = ("core.stream_snapshots", "core.category_snapshots", "core.webhook_events")
REOPEN_EVERY = 10  # reads per reader connection: opening (ATTACH) is part of what is tested
# A reader pauses between reads like a dashboard refreshing; a spinning reader would only take
# the 2 shared cores from the writers it is meant to watch.
READ_PAUSE_S = 0.05
KEPT_ERRORS = 20  # per reader: the first ones say what went wrong; the count says how often


@dataclass(frozen=True)
class Work:
    """What the writers do: polls per ingest worker, segments x events, mart rounds."""

    polls: int = 20
    segments: int = 20
    events_per_segment: int = 50
    mart_rounds: int = 3
    readers: int = 2


@dataclass
class WriterReport:
    name: str
    commit_s: list[float] = field(default_factory=list)  # one write transaction each
    rows: dict[str, int] = field(default_factory=dict)  # rows it reported committing, per table
    conflicts_rerun: int = 0  # transactions run_transaction re-ran after a commit conflict
    elapsed_s: float = 0.0
    last_build: dict[str, int] = field(default_factory=dict)  # mart table -> rows for the day
    last_build_at: dict[str, float] = field(default_factory=dict)  # mart table -> its commit time


@dataclass
class ReaderReport:
    name: str
    reads: int = 0
    error_count: int = 0
    lock_errors: int = 0
    errors: list[str] = field(default_factory=list)  # the first KEPT_ERRORS
    shrank: list[str] = field(default_factory=list)  # an append-only count went down

    def record(self, error: str) -> None:
        self.error_count += 1
        self.lock_errors += "lock" in error.lower()
        if len(self.errors) < KEPT_ERRORS:
            self.errors.append(error)


def prefetch(base_url: str, scratch: Path) -> Path:
    """The twin's responses for the two ingest workers' jobs, pickled to ``scratch``."""
    import duckdb

    from pipeline.client import VeloraClient
    from pipeline.client.config import ClientConfig
    from pipeline.ingest.fetch import FETCHERS, FetchContext

    settings = _settings(scratch, base_url)
    config = ClientConfig.from_settings(settings, rate_ceiling_per_minute=10**9, burst=10**9)
    outcomes = {}
    with VeloraClient(config) as client, duckdb.connect() as conn:
        ctx = FetchContext(client=client, conn=conn, settings=settings, poll_at=DAY)
        for name in (*LIVE_JOBS, *CATEGORY_JOBS):
            outcomes[name] = FETCHERS[name](ctx)
            if outcomes[name].fatal is not None or not outcomes[name].responses:
                raise RuntimeError(f"prefetch of {name} failed: {outcomes[name].fatal}")
    path = scratch / "prefetched.pickle"
    path.write_bytes(pickle.dumps(outcomes))
    return path


def land(landing: Path, work: Work) -> int:
    """Sealed landing segments of follow events on ``DAY``, written by the receiver's own log;
    returns the events landed (every key distinct)."""
    from pipeline.webhooks.framing import LandingRecord
    from pipeline.webhooks.landing import LandingLog

    at = DAY + timedelta(hours=12)
    received_ms = int(at.timestamp() * 1000)
    for s in range(work.segments):
        log = LandingLog(landing)
        log.start()
        for e in range(work.events_per_segment):
            n = s * work.events_per_segment + e
            body = json.dumps(
                {
                    "id": f"evt_follow_{n}",
                    "type": "channel.follow",
                    "timestamp": at.isoformat(),
                    "data": {
                        "broadcasterId": f"c{n % 7}",
                        "follower": {"id": f"u{n}", "username": f"viewer{n}"},
                        "followedAt": at.isoformat(),
                    },
                }
            ).encode()
            log.append(
                LandingRecord(
                    received_ms, f"evt_follow_{n}", {"x-velora-event": "channel.follow"}, body
                )
            )
        log.close()
    return work.segments * work.events_per_segment


def _settings(data_dir: Path, base_url: str = "http://127.0.0.1:9") -> Any:
    from pipeline.config import Settings

    return Settings(
        api_base_url=base_url,
        client_id="twin-client",
        client_secret="twin-secret",
        data_dir=data_dir,
        warehouse_path=data_dir / "unused.duckdb",
        top_n_tracked=3,
    )


@contextlib.contextmanager
def _counting_conflicts() -> Iterator[list[logging.LogRecord]]:
    """The warnings run_transaction logs for each conflict it re-runs, in this process."""
    seen: list[logging.LogRecord] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = seen.append  # type: ignore[method-assign]
    logger = logging.getLogger("pipeline.warehouse.commits")
    logger.addHandler(handler)
    try:
        yield seen
    finally:
        logger.removeHandler(handler)


@contextlib.contextmanager
def _writing(
    name: str, target: Warehouse, spec: dict[str, Any]
) -> Iterator[tuple[WriterReport, Any]]:
    """A writer's report and connection once the start signal came; the run's elapsed time and
    the conflicts it re-ran are recorded when the block ends."""
    report = WriterReport(name)
    conn = _open(target)
    try:
        _wait(spec)
        with _counting_conflicts() as conflicts:
            started = time.perf_counter()
            yield report, conn
            report.elapsed_s = time.perf_counter() - started
            report.conflicts_rerun = len(conflicts)
    finally:
        conn.close()


@contextlib.contextmanager
def _commit(report: WriterReport) -> Iterator[None]:
    """Time one unit of work that ends in one commit."""
    began = time.perf_counter()
    yield
    report.commit_s.append(time.perf_counter() - began)


def _ingest(name: str, target: Warehouse, work: Work, spec: dict[str, Any]) -> WriterReport:
    from pipeline.client import VeloraClient
    from pipeline.client.config import ClientConfig
    from pipeline.ingest.jobs import ENDPOINT_JOBS
    from pipeline.ingest.runner import run_endpoints

    jobs: tuple[str, ...] = spec["jobs"]
    outcomes = pickle.loads(Path(spec["prefetched"]).read_bytes())
    prefetched = {job: outcomes[job] for job in jobs}
    settings = _settings(Path(spec["scratch"]))
    # never called: every job's responses are prefetched
    client = VeloraClient(ClientConfig.from_settings(settings))
    with contextlib.closing(client), _writing(name, target, spec) as (report, conn):
        for i in range(work.polls):
            poll_at = DAY + timedelta(minutes=spec["minute0"] + i)
            with _commit(report):
                results = run_endpoints(
                    list(jobs),
                    client=client,
                    warehouse_path=target,
                    poll_at=poll_at,
                    settings=settings,
                    conn=conn,
                    prefetched=prefetched,
                )
            for result in results:
                table = ENDPOINT_JOBS[result.endpoint].core_table
                report.rows[table] = report.rows.get(table, 0) + result.loaded
                report.rows["raw.api_responses"] = (
                    report.rows.get("raw.api_responses", 0) + result.raw_rows
                )
    return report


def _webhooks(name: str, target: Warehouse, work: Work, spec: dict[str, Any]) -> WriterReport:
    from pipeline.webhooks.landing import sealed_segments
    from pipeline.webhooks.loader import LoadResult, load_segment

    landing = Path(spec["landing"])
    result = LoadResult()
    with _writing(name, target, spec) as (report, conn):
        for segment in sealed_segments(landing):
            with _commit(report):
                if not load_segment(conn, landing, segment, result):
                    raise RuntimeError(f"segment {segment} was loaded already: a fresh lake?")
    report.rows = {"core.webhook_events": result.inserted, **result.typed_inserted}
    return report


def _marts(name: str, target: Warehouse, work: Work, spec: dict[str, Any]) -> WriterReport:
    from pipeline.marts.build import build_mart
    from pipeline.marts.registry import MARTS

    day: date = DAY.date()
    with _writing(name, target, spec) as (report, conn):
        for _ in range(work.mart_rounds):
            for mart in MART_NAMES:
                with _commit(report):
                    built = build_mart(conn, MARTS[mart], day, day + timedelta(days=1))
                report.last_build.update(built.rows)
                report.last_build_at.update(dict.fromkeys(built.rows, time.time()))
    report.rows = dict(report.last_build)
    return report


WRITERS: dict[str, Callable[[str, Warehouse, Work, dict[str, Any]], WriterReport]] = {
    "ingest-live": _ingest,
    "ingest-categories": _ingest,
    "webhook-loader": _webhooks,
    "mart-build": _marts,
    "mart-build-2": _marts,  # only when asked for: a second build of the same marts contends
}
FOUR = ("ingest-live", "ingest-categories", "webhook-loader", "mart-build")


def _reader(name: str, target: Warehouse, spec: dict[str, Any]) -> ReaderReport:
    report = ReaderReport(name)
    stop: Event = spec["stop"]
    last: dict[str, int] = {}
    _wait(spec)
    while not stop.is_set():
        try:
            conn = _open(target, read_only=True)
        except Exception as exc:  # noqa: BLE001 - every failure is what this records
            report.record(f"open: {type(exc).__name__}: {exc}")
            time.sleep(READ_PAUSE_S)
            continue
        try:
            for _ in range(REOPEN_EVERY):
                if stop.is_set():
                    break
                try:
                    for table in APPEND_ONLY:
                        (n,) = conn.execute(f"SELECT count(*) FROM {table}").fetchall()[0]  # noqa: S608
                        if n < last.get(table, 0):
                            report.shrank.append(f"{table}: {last[table]} -> {n}")
                        last[table] = n
                    conn.execute(
                        "SELECT count(*), sum(total_viewers) FROM marts.live_totals"
                    ).fetchall()
                    report.reads += 1
                except Exception as exc:  # noqa: BLE001
                    report.record(f"read: {type(exc).__name__}: {exc}")
                time.sleep(READ_PAUSE_S)
        finally:
            conn.close()
    return report


def _open(target: Warehouse, read_only: bool = False) -> Any:
    conn = connect(target, read_only=read_only)
    conn.execute("SET enable_progress_bar = false")  # no bars on the benchmark's output
    return conn


def _wait(spec: dict[str, Any]) -> None:
    """Say this process has opened its connection, then start with all the others."""
    spec["ready"].release()
    spec["go"].wait()


def _child(
    kind: str, name: str, target: Warehouse, work: Work, spec: dict[str, Any], out: Any
) -> None:
    try:
        report: Any = (
            _reader(name, target, spec)
            if kind == "reader"
            else WRITERS[name](name, target, work, spec)
        )
        out.put((name, report, None))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which fails loudly
        import traceback

        out.put((name, None, f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"))


@dataclass
class RunReport:
    writers: dict[str, WriterReport]
    readers: dict[str, ReaderReport]
    wall_s: float


def run(
    target: Warehouse,
    work: Work,
    *,
    prefetched: Path,
    landing: Path,
    scratch: Path,
    writers: Sequence[str] = FOUR,
    concurrent: bool = True,
    readers: int | None = None,
) -> RunReport:
    """Run ``writers`` (all at once, or one after another) with ``readers`` reader processes."""
    ctx = mp.get_context("spawn")  # no fork of a process holding DuckDB or twin threads
    go, stop = ctx.Event(), ctx.Event()
    out = ctx.Queue()
    n_readers = work.readers if readers is None else readers
    minute0 = {"ingest-live": 0, "ingest-categories": 0}

    def spec_for(name: str, ready: Any) -> dict[str, Any]:
        return {
            "ready": ready,
            "go": go,
            "stop": stop,
            "prefetched": str(prefetched),
            "landing": str(landing),
            "scratch": str(scratch),
            "jobs": LIVE_JOBS if name == "ingest-live" else CATEGORY_JOBS,
            "minute0": minute0.get(name, 0),
        }

    connect(target).close()  # migrated once, before any reader looks for a table
    batches = [list(writers)] if concurrent else [[w] for w in writers]
    reports: dict[str, WriterReport] = {}
    reader_reports: dict[str, ReaderReport] = {}
    started = time.perf_counter()
    for batch in batches:
        go.clear()
        stop.clear()
        names = [("writer", w) for w in batch] + [
            ("reader", f"reader-{i}") for i in range(n_readers)
        ]
        ready = ctx.Semaphore(0)
        procs = [
            ctx.Process(target=_child, args=(kind, name, target, work, spec_for(name, ready), out))
            for kind, name in names
        ]
        for proc in procs:
            proc.start()
        for _ in procs:  # every process has opened its connection: start them together
            if not ready.acquire(timeout=300):
                stop.set()
                go.set()
                raise RuntimeError(f"a worker did not start: {_drain(out)}")
        go.set()
        got: dict[str, Any] = {}
        failures: list[str] = []
        while len(got) < len(batch):
            name, report, error = out.get(timeout=600)
            got[name] = report
            if error:
                failures.append(f"{name}: {error}")
        stop.set()
        while len(got) < len(names):
            name, report, error = out.get(timeout=120)
            got[name] = report
            if error:
                failures.append(f"{name}: {error}")
        for proc in procs:
            proc.join(timeout=60)
        if failures:
            raise RuntimeError("worker failed:\n" + "\n".join(failures))
        for kind, name in names:
            if kind == "writer":
                reports[name] = got[name]
            else:
                merged = reader_reports.setdefault(name, ReaderReport(name))
                merged.reads += got[name].reads
                merged.error_count += got[name].error_count
                merged.lock_errors += got[name].lock_errors
                merged.errors += got[name].errors
                merged.shrank += got[name].shrank
    return RunReport(reports, reader_reports, time.perf_counter() - started)


# The grain of each table a writer reports rows of: a duplicate there is a row written twice.
GRAINS = {
    "core.stream_snapshots": "snapshot_at, source, stream_id",
    "core.category_snapshots": "snapshot_at, category_slug",
    "raw.api_responses": "endpoint, params_json, poll_at, page",
    "core.webhook_events": "event_key",
    "core.follows": "event_key",
}


def check(target: Warehouse, report: RunReport) -> list[str]:
    """What is wrong with the warehouse after ``report``'s run: every table's rows equal the sum
    its writers reported, with no duplicate on its grain; each mart holds exactly its last
    build's rows. Empty when all is well."""
    problems: list[str] = []
    expected: dict[str, int] = {}
    for name, writer in report.writers.items():
        if name.startswith("mart-build"):
            continue
        for table, n in writer.rows.items():
            expected[table] = expected.get(table, 0) + n
    conn = connect(target, read_only=True)
    try:
        for table, n in sorted(expected.items()):
            (stored,) = conn.execute(f"SELECT count(*) FROM {table}").fetchall()[0]  # noqa: S608
            if stored != n:
                problems.append(f"{table}: {stored} rows stored, writers reported {n}")
            if n == 0:
                problems.append(f"{table}: no rows written, the check proves nothing")
            grain = GRAINS.get(table)
            if grain:
                (dupes,) = conn.execute(
                    f"SELECT count(*) FROM (SELECT {grain} FROM {table} "  # noqa: S608
                    f"GROUP BY ALL HAVING count(*) > 1)"
                ).fetchall()[0]
                if dupes:
                    problems.append(f"{table}: {dupes} keys stored more than once")
        builders = [w for name, w in report.writers.items() if name.startswith("mart-build")]
        if builders:
            _check_marts(conn, builders, problems)
    finally:
        conn.close()
    for reader in report.readers.values():
        if reader.error_count:
            problems.append(
                f"{reader.name}: {reader.error_count} errors, first: {reader.errors[0]}"
            )
        problems += [f"{reader.name}: count went down, {s}" for s in reader.shrank]
    return problems


def _check_marts(conn: Any, builders: list[WriterReport], problems: list[str]) -> None:
    """Each mart table holds, for the day, exactly the rows its last committed build wrote."""
    from pipeline.marts.registry import MARTS

    for mart in MART_NAMES:
        spec = MARTS[mart]
        for table, column, dtype in zip(
            spec.tables, spec.partition_columns, spec.partition_types, strict=True
        ):
            lo, hi = (DAY.date(), DAY.date() + timedelta(days=1)) if dtype == "date" else (
                DAY, DAY + timedelta(days=1)
            )  # fmt: skip
            (stored,) = conn.execute(
                f"SELECT count(*) FROM {table} WHERE {column} >= $lo AND {column} < $hi",  # noqa: S608
                {"lo": lo, "hi": hi},
            ).fetchall()[0]
            last = max(builders, key=lambda w: w.last_build_at.get(table, 0.0))
            if stored != last.last_build.get(table):
                problems.append(
                    f"{table}: {stored} rows for the day, its last build committed "
                    f"{last.last_build.get(table)} ({last.name})"
                )


def _drain(out: Any) -> list[str]:
    errors = []
    with contextlib.suppress(Exception):
        while True:
            name, _, error = out.get(timeout=1)
            errors.append(f"{name}: {error}")
    return errors


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]
