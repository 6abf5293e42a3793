"""Building marts: replace whole UTC-day partitions, in registry order, one transaction each.

``build_days(conn, ["channel_daily"], start, end)`` rebuilds those days of those marts;
``refresh_windows(conn, windows)`` rebuilds what new core rows of those time windows change (the
data query ``find_changes``, then the pure ``plan``); ``rebuild_all(conn)`` re-derives every mart
from core over every day core holds. All run the same SQL, and a partition reads only its own
days' data, so an incremental history and a rebuilt one are identical row for row.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import duckdb

from pipeline.marts.changes import Window, find_changes
from pipeline.marts.plan import Changes, DayRanges, day_span, plan
from pipeline.marts.registry import MARTS, Mart
from pipeline.marts.sqlfiles import run_file
from pipeline.warehouse.commits import claim, rollback, run_transaction
from pipeline.warehouse.connection import memory_at_least
from pipeline.warehouse.run_log import RunRecord, record_runs

log = logging.getLogger("pipeline.marts")

# Days per transaction: bounds the temp tables of a long rebuild (and its memory).
CHUNK_DAYS = 7
# A poll's connection keeps a small buffer pool (pipeline/warehouse/connection.py), and a mart
# build uses it too: an hourly update of 2,000 creators peaks at ~230 MB. A day of 100,000
# creators at 1-minute polls (~17 M samples) ran out of memory at 128 MB
# (bench/bench_lake_scale.py), so a build that does is run once more with this much room.
BUILD_MEMORY_LIMIT = "1GB"


@dataclass(frozen=True)
class BuildResult:
    mart: str
    start: date
    end: date  # exclusive
    rows: dict[str, int]  # table -> rows it now holds for those days


def _bound(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def _quoted(name: str) -> str:
    return ".".join(f'"{part}"' for part in name.split("."))


def build_mart(conn: duckdb.DuckDBPyConnection, mart: Mart, start: date, end: date) -> BuildResult:
    """Replace the days ``[start, end)`` of one mart (every table it writes) in one transaction."""
    if end <= start:
        raise ValueError(f"empty day range {start}..{end}")
    params = {"day_start": _bound(start), "day_end": _bound(end), **mart.params}
    started_at = datetime.now(UTC)
    # bounds of the partition column's own type: a DATE column compared with a timestamp is cast
    # row by row, and its zone maps no longer skip the other days (a scan of the whole mart)
    bounds = [
        {"lo": start, "hi": end}
        if dtype == "date"
        else {"lo": params["day_start"], "hi": params["day_end"]}
        for dtype in mart.partition_types
    ]
    what = f"mart {mart.name} {start}..{end - timedelta(days=1)}"
    try:
        # a partition replace is idempotent: a build that lost a commit conflict to another
        # writer of the mart's tables rebuilds the same days again (pipeline/warehouse/commits.py)
        # and so does one that ran out of memory
        counts = _with_room(
            conn,
            lambda: run_transaction(
                lambda: _replace_days(conn, mart, params, bounds, started_at, start, end),
                what=what,
            ),
            what,
        )
    except Exception as exc:
        _log_failed_build(conn, mart.name, params["day_start"], started_at, exc)
        raise
    return BuildResult(mart.name, start, end, counts)


def _with_room(
    conn: duckdb.DuckDBPyConnection, build: Callable[[], dict[str, int]], what: str
) -> dict[str, int]:
    try:
        return build()
    except duckdb.OutOfMemoryException as exc:
        log.warning("%s ran out of memory (%s); building it again with %s", what, exc,
                    BUILD_MEMORY_LIMIT)  # fmt: skip
        with memory_at_least(conn, BUILD_MEMORY_LIMIT):
            return build()


def _replace_days(
    conn: duckdb.DuckDBPyConnection,
    mart: Mart,
    params: dict[str, object],
    bounds: Sequence[Mapping[str, object]],
    started_at: datetime,
    start: date,
    end: date,
) -> dict[str, int]:
    """One transaction: delete the days, run the mart's steps, record the run; rows per table."""
    conn.execute("BEGIN TRANSACTION")
    try:
        # two builds of days not built yet delete nothing: only the claim makes them conflict
        claim(conn, f"mart_{mart.name}")
        for table, column, bound in zip(mart.tables, mart.partition_columns, bounds, strict=True):
            # table and column come from the registry, never from input
            conn.execute(
                f"DELETE FROM {_quoted(table)} WHERE {_quoted(column)} >= $lo "  # noqa: S608
                f"AND {_quoted(column)} < $hi",
                bound,
            )
        for step in mart.steps:
            run_file(conn, step, params)
        counts = {
            table: conn.execute(
                f"SELECT count(*) FROM {_quoted(table)} WHERE {_quoted(column)} >= $lo "  # noqa: S608
                f"AND {_quoted(column)} < $hi",
                bound,
            ).fetchall()[0][0]
            for table, column, bound in zip(
                mart.tables, mart.partition_columns, bounds, strict=True
            )
        }
        record = RunRecord(
            "marts", mart.name, _bound(start), started_at, datetime.now(UTC), "ok",
            sum(counts.values()), f"{start}..{end - timedelta(days=1)}",
        )  # fmt: skip
        # in the build's transaction: both commit or neither. The detail 'first..last' is also
        # the record of which days are built that retention reads (pipeline/marts/retention.py).
        record_runs(conn, [record])
        conn.execute("COMMIT")
    except BaseException:
        rollback(conn)
        raise
    return counts


def _log_failed_build(
    conn: duckdb.DuckDBPyConnection, name: str, day: datetime, started_at: datetime, exc: Exception
) -> None:
    """The failed build's run-log row; a warehouse too broken to take it only gets a log line."""
    failed = RunRecord("marts", name, day, started_at, datetime.now(UTC), "failed", 0, str(exc))
    try:
        record_runs(conn, [failed])
    except duckdb.Error:
        log.exception("could not record the failed build of %s in ops.run_log", name)


def _chunks(start: date, end: date) -> Iterable[tuple[date, date]]:
    day = start
    while day < end:
        upto = min(day + timedelta(days=CHUNK_DAYS), end)
        yield day, upto
        day = upto


def build_days(
    conn: duckdb.DuckDBPyConnection,
    names: Iterable[str],
    start: date,
    end: date,
    progress: Callable[[BuildResult], None] | None = None,
) -> list[BuildResult]:
    """Rebuild ``[start, end)`` of the named marts, in registry order, a week at a time."""
    wanted = set(names)
    unknown = wanted - set(MARTS)
    if unknown:
        raise ValueError(f"unknown mart(s) {sorted(unknown)}; marts: {', '.join(MARTS)}")
    results = []
    for mart in MARTS.values():
        if mart.name not in wanted:
            continue
        for lo, hi in _chunks(start, end):
            result = build_mart(conn, mart, lo, hi)
            results.append(result)
            if progress is not None:
                progress(result)
    return results


def core_day_range(conn: duckdb.DuckDBPyConnection) -> tuple[date, date] | None:
    """The first and last UTC day core holds data of (live polls, webhook events, leaderboards
    or follower totals)."""
    rows = conn.execute(
        "SELECT min(d), max(d) FROM ("
        " SELECT CAST(min(snapshot_at) AS DATE) AS d FROM core.stream_snapshots"
        " UNION ALL SELECT CAST(max(snapshot_at) AS DATE) FROM core.stream_snapshots"
        " UNION ALL SELECT CAST(min(event_at) AS DATE) FROM core.webhook_events"
        " UNION ALL SELECT CAST(max(event_at) AS DATE) FROM core.webhook_events"
        " UNION ALL SELECT CAST(min(snapshot_at) AS DATE) FROM core.leaderboard_entries"
        " UNION ALL SELECT CAST(max(snapshot_at) AS DATE) FROM core.leaderboard_entries"
        " UNION ALL SELECT CAST(min(snapshot_at) AS DATE) FROM core.channel_profiles"
        " UNION ALL SELECT CAST(max(snapshot_at) AS DATE) FROM core.channel_profiles)"
    ).fetchall()
    first, last = rows[0] if rows else (None, None)
    return None if first is None or last is None else (first, last)


def build_plan(
    conn: duckdb.DuckDBPyConnection,
    planned: Mapping[str, DayRanges],
    progress: Callable[[BuildResult], None] | None = None,
) -> list[BuildResult]:
    """Build each mart's planned day ranges, in registry order (a mart after those it reads)."""
    results: list[BuildResult] = []
    for name in MARTS:
        for start, end in planned.get(name, ()):
            results += build_days(conn, [name], start, end, progress)
    return results


def _today(today: date | None) -> date:
    return today or datetime.now(UTC).date()


def refresh_windows(
    conn: duckdb.DuckDBPyConnection,
    windows: Iterable[Window],
    *,
    today: date | None = None,
    progress: Callable[[BuildResult], None] | None = None,
) -> list[BuildResult]:
    """Rebuild what new core rows whose times fall in ``windows`` (``[lo, hi)`` each) change:
    only the partitions ``plan`` names for what ``find_changes`` finds."""
    return build_plan(conn, plan(find_changes(conn, windows), _today(today)), progress)


def refresh(
    conn: duckdb.DuckDBPyConnection,
    first: date,
    last: date,
    *,
    today: date | None = None,
    progress: Callable[[BuildResult], None] | None = None,
) -> list[BuildResult]:
    """Rebuild what new core data of the (whole) UTC days ``first..last`` changes."""
    window = (_bound(first), _bound(last + timedelta(days=1)))
    return refresh_windows(conn, [window], today=today, progress=progress)


def rebuild_all(
    conn: duckdb.DuckDBPyConnection,
    progress: Callable[[BuildResult], None] | None = None,
    *,
    today: date | None = None,
) -> list[BuildResult]:
    """Every mart, every day core holds, derived again from core: the same days an incremental
    history built (growth rankings run on to ``today``, default the current UTC day)."""
    span = core_day_range(conn)
    if span is None:
        return []
    first, last = span
    every = day_span(first, last)
    return build_plan(conn, plan(Changes(every, every, every), _today(today)), progress)
