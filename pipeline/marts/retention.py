"""Which days retention may prune: older than the horizon, and rolled up into marts already.

``prune(conn, keep_days, endpoints=...)`` finds the days (``plan_retention``) and hands them to
``pipeline.warehouse.retention.prune_days``, which drops live bodies and thins samples. The
caller names the live endpoints (ingest knows them; marts do not).

What "built" means. The marts record every build in ``ops.run_log`` (``kind = 'marts'``, one
``ok`` row per day range, written in the build's own transaction: pipeline/marts/build.py), so
a day is rolled up when every mart that reads ``core.stream_snapshots`` has an ok build of every
partition that reads the day's samples: the day itself, and for ``stream_sessions`` (a session
is read up to ``SESSION_SPAN_DAYS`` past its first day) the days before it too. A day without
such a record is skipped and reported (``velora marts build`` or ``velora rebuild`` records it).

Why at least ``MIN_RETENTION_DAYS``. The planner rebuilds a session's day while its samples keep
coming, up to ``SESSION_SPAN_DAYS`` later; keeping one day more than that means no incremental
build ever reads a thinned day: old days' marts stay exactly as built from the full samples.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import duckdb

from pipeline.marts.registry import MARTS, SESSION_SPAN_DAYS
from pipeline.marts.sqlfiles import mart_sql
from pipeline.warehouse.retention import PruneResult, days_to_prune, prune_days

MIN_RETENTION_DAYS = SESSION_SPAN_DAYS + 1
SAMPLES = "core.stream_snapshots"
# mart -> how many days after its partition's own day that partition reads samples of
SAMPLE_READERS: dict[str, int] = {
    mart.name: SESSION_SPAN_DAYS if mart.changed_by == "sessions" else 0
    for mart in MARTS.values()
    if SAMPLES in mart.upstream
}


@dataclass(frozen=True)
class RetentionPlan:
    horizon: date  # days before it are old enough; it and later days are never touched
    days: tuple[date, ...]  # old enough and rolled up: what is pruned
    unbuilt: tuple[date, ...]  # old enough, but a mart that reads their samples has no build


def horizon(today: date, keep_days: int) -> date:
    if keep_days < MIN_RETENTION_DAYS:
        raise ValueError(
            f"retention must keep at least {MIN_RETENTION_DAYS} days (got {keep_days}): "
            f"sessions are rebuilt from samples up to {SESSION_SPAN_DAYS} days after they start"
        )
    return today - timedelta(days=keep_days)


def _last_day(first: date, detail: str | None) -> date:
    """The last day of a build from its ``'first..last'`` detail; its first day when the
    detail has another form (then only what is certain counts as built)."""
    parts = (detail or "").split("..")
    try:
        return max(first, date.fromisoformat(parts[1])) if len(parts) == 2 else first
    except ValueError:
        return first


def built_days(rows: Iterable[tuple[str, date, str | None]]) -> dict[str, set[date]]:
    """Per mart, the days its ok builds cover, from ``(name, first_day, detail)`` run-log rows."""
    built: dict[str, set[date]] = {}
    for name, first, detail in rows:
        last = _last_day(first, detail)
        built.setdefault(name, set()).update(
            first + timedelta(days=n) for n in range((last - first).days + 1)
        )
    return built


def rolled_up(day: date, built: Mapping[str, set[date]], first_day: date) -> bool:
    """Whether every partition that reads ``day``'s samples has been built (partitions before
    ``first_day``, the first day with samples, read none)."""
    for mart, span in SAMPLE_READERS.items():
        have = built.get(mart, set())
        for back in range(span + 1):
            partition = day - timedelta(days=back)
            if partition >= first_day and partition not in have:
                return False
    return True


def plan_retention(
    conn: duckdb.DuckDBPyConnection,
    keep_days: int,
    *,
    endpoints: Sequence[str],
    today: date | None = None,
) -> RetentionPlan:
    before = horizon(today or datetime.now(UTC).date(), keep_days)
    candidates = days_to_prune(conn, before, endpoints=endpoints)
    if not candidates:
        return RetentionPlan(before, (), ())
    rows = conn.execute(mart_sql("mart_builds.sql"), {"marts": list(SAMPLE_READERS)}).fetchall()
    built = built_days(rows)
    first = conn.execute(mart_sql("first_sample_day.sql")).fetchone()
    first_day = first[0] if first and first[0] is not None else min(candidates)
    ok = tuple(day for day in candidates if rolled_up(day, built, first_day))
    return RetentionPlan(before, ok, tuple(day for day in candidates if day not in ok))


def prune(
    conn: duckdb.DuckDBPyConnection,
    keep_days: int,
    *,
    endpoints: Sequence[str],
    today: date | None = None,
    dry_run: bool = False,
) -> tuple[RetentionPlan, PruneResult]:
    """Prune every rolled-up day older than ``keep_days`` days before ``today`` (UTC)."""
    planned = plan_retention(conn, keep_days, endpoints=endpoints, today=today)
    return planned, prune_days(conn, planned.days, endpoints=endpoints, dry_run=dry_run)
