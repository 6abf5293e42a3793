"""Idempotent loads of validated candidate frames into core/ops tables, and the quarantine."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import polars as pl

from pipeline.warehouse.sqlfiles import sql_text

# table -> load statement (anti-join on the grain, or upsert for clips)
LOAD_SQL: dict[str, str] = {
    "core.stream_snapshots": "load/stream_snapshots.sql",
    "core.category_snapshots": "load/category_snapshots.sql",
    "core.clips": "load/clips.sql",
    "core.leaderboard_entries": "load/leaderboard_entries.sql",
    "core.chat_stats": "load/chat_stats.sql",
    "core.teams": "load/teams.sql",
    "core.team_members": "load/team_members.sql",
    "core.channel_profiles": "load/channel_profiles.sql",
    "ops.tracked_channels": "load/tracked_channels.sql",
}


@dataclass(frozen=True)
class QuarantineEntry:
    reason: str
    row_json: str


def load_frame(
    conn: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame, snapshot_at: datetime
) -> Counter[str | None]:
    """Insert (or upsert) ``frame`` into ``table`` in one statement; returns rows written.

    Rows whose grain is already stored are skipped, so loading the same poll twice is a no-op.
    Tables fed by several endpoints (``RETURNING source`` / ``board``) count rows per value of
    that column; the others count under ``None``.
    """
    if frame.is_empty():
        return Counter()
    statement = sql_text(LOAD_SQL[table])
    conn.register("candidate_rows", frame)
    try:
        params = {"snapshot_at": snapshot_at} if "$snapshot_at" in statement else None
        rows = conn.execute(statement, params).fetchall()
    finally:
        conn.unregister("candidate_rows")
    if "RETURNING" in statement:
        return Counter(str(row[0]) for row in rows)
    return Counter({None: int(rows[0][0]) if rows else 0})


def insert_quarantine(
    conn: duckdb.DuckDBPyConnection,
    table: str,
    entries: Sequence[QuarantineEntry],
    poll_at: datetime,
) -> int:
    """Store rows that failed validation (or could not be typed); returns rows newly stored."""
    if not entries:
        return 0
    now = datetime.now(UTC)
    frame = pl.DataFrame(
        {
            "table_name": [table] * len(entries),
            "reason": [e.reason for e in entries],
            "row_json": [e.row_json for e in entries],
            "poll_at": [poll_at] * len(entries),
            "quarantined_at": [now] * len(entries),
        },
        schema={
            "table_name": pl.String,
            "reason": pl.String,
            "row_json": pl.String,
            "poll_at": pl.Datetime("us", "UTC"),
            "quarantined_at": pl.Datetime("us", "UTC"),
        },
    )
    conn.register("quarantine_candidates", frame)
    try:
        result = conn.execute(sql_text("insert_quarantine.sql"), {"poll_at": poll_at}).fetchone()
    finally:
        conn.unregister("quarantine_candidates")
    return int(result[0]) if result else 0
