"""Retention: drop the live bodies and thin the live samples of whole UTC days.

``prune_days(conn, days, endpoints=...)`` does it for the days it is given, one transaction per
day; which days may be pruned (older than the horizon, their marts built) is decided by the
caller (``pipeline/marts/retention.py``), and which endpoints are "live" too: this module knows
neither marts nor ingest. The rule (SQL in ``sql/retention/``): the body of a live response whose
poll is in core is set to NULL, and ``core.stream_snapshots`` keeps, per source, the poll nearest
each 5-minute boundary (whole polls: see ``dropped_polls.sql``), its rows marked with the 5-minute
cadence. Marts are not touched: the days' marts stay as built from the full samples.

Idempotent: a second run over the same days changes nothing (``PruneResult.changed`` is 0).
A dry run runs the same statements and rolls each day back, so it reports exactly what a run
would remove.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import duckdb

from pipeline.warehouse.commits import rollback, run_transaction
from pipeline.warehouse.sqlfiles import sql_text

GRID_MINUTES = 5  # the accuracy docs/metrics.md measures at; a thinned day reads as polled at it


@dataclass(frozen=True)
class DayPruned:
    day: date
    bodies_dropped: int  # raw.api_responses rows whose body_text was set to NULL
    samples_dropped: int  # core.stream_snapshots rows removed
    samples_regridded: int  # rows left whose cadence_minutes was raised to the grid

    @property
    def changed(self) -> int:
        return self.bodies_dropped + self.samples_dropped + self.samples_regridded


@dataclass(frozen=True)
class PruneResult:
    days: tuple[DayPruned, ...]
    dry_run: bool

    def total(self, field: str) -> int:
        return sum(int(getattr(day, field)) for day in self.days)

    @property
    def changed(self) -> int:
        return sum(day.changed for day in self.days)


def _bound(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def _count(conn: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, object]) -> int:
    row = conn.execute(sql_text(name), dict(params)).fetchone()  # DuckDB answers DML with its count
    return int(row[0]) if row else 0


def days_to_prune(
    conn: duckdb.DuckDBPyConnection, before: date, *, endpoints: Sequence[str]
) -> list[date]:
    """The days before ``before`` that may still hold bodies or samples to remove."""
    rows = conn.execute(
        sql_text("retention/days_to_prune.sql"),
        {"before": _bound(before), "endpoints": list(endpoints), "grid_minutes": GRID_MINUTES},
    ).fetchall()
    return [row[0] for row in rows]


def _prune_day(
    conn: duckdb.DuckDBPyConnection, day: date, endpoints: Sequence[str], dry_run: bool
) -> DayPruned:
    window = {"day_start": _bound(day), "day_end": _bound(day + timedelta(days=1))}
    conn.execute("BEGIN TRANSACTION")
    try:
        # bodies first: a poll's rows are still in core to say it was derived
        bodies = _count(
            conn, "retention/drop_live_bodies.sql", {**window, "endpoints": list(endpoints)}
        )
        dropped = _count(conn, "retention/drop_samples.sql", window)
        regridded = _count(
            conn, "retention/regrid_cadence.sql", {**window, "grid_minutes": GRID_MINUTES}
        )
        conn.execute("ROLLBACK" if dry_run else "COMMIT")
    except BaseException:
        rollback(conn)
        raise
    return DayPruned(day, bodies, dropped, regridded)


def prune_days(
    conn: duckdb.DuckDBPyConnection,
    days: Sequence[date],
    *,
    endpoints: Sequence[str],
    dry_run: bool = False,
) -> PruneResult:
    """Drop the live bodies and thin the samples of ``days`` (UTC), one transaction per day."""
    wanted = sorted(set(days))
    if not wanted:
        return PruneResult((), dry_run)
    conn.execute(
        sql_text("retention/dropped_polls.sql"),
        {"days": wanted, "grid_seconds": GRID_MINUTES * 60},
    )
    results = []
    try:
        for day in wanted:
            # a day's prune is idempotent: after a lost commit conflict (an ingest appending
            # to the tables it thins) it runs again on what is stored (warehouse/commits.py)
            results.append(
                run_transaction(
                    lambda day=day: _prune_day(conn, day, endpoints, dry_run),
                    what=f"retention of {day}",
                )
            )
    finally:
        conn.execute("DROP TABLE IF EXISTS retention_dropped_polls")
    result = PruneResult(tuple(results), dry_run)
    if result.changed and not dry_run:
        conn.execute("CHECKPOINT")  # write the smaller tables now, so the file can shrink
    return result
