"""Idempotent loads of validated candidate frames into core/ops tables, and the quarantine."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import polars as pl

from pipeline.warehouse.frames import registered
from pipeline.warehouse.sqlfiles import sql_text

# table -> load statement (anti-join on the grain, or upsert for clips)
LOAD_SQL: dict[str, str] = {
    "core.stream_snapshots": "load/stream_snapshots.sql",
    "core.category_snapshots": "load/category_snapshots.sql",
    "core.clips": "load/clips.sql",
    "core.vods": "load/vods.sql",
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
    poll_at: datetime


LoadCounts = Counter[tuple[str | None, datetime]]


def load_frame(
    conn: duckdb.DuckDBPyConnection,
    table: str,
    frame: pl.DataFrame,
    first: datetime,
    last: datetime,
) -> LoadCounts:
    """Insert (or upsert) ``frame`` (polls ``first``..``last``) into ``table`` in one statement.

    Rows whose grain is already stored are skipped, so loading the same poll twice is a no-op.
    Returns rows written per ``(source/board or None, poll)`` (the statement's RETURNING).
    """
    if frame.is_empty():
        return Counter()
    statement = sql_text(LOAD_SQL[table])
    params = {"first": first, "last": last} if "$first" in statement else None
    with registered(conn, "candidate_rows", frame):
        rows = conn.execute(statement, params).fetchall()
    return Counter((None if row[0] is None else str(row[0]), row[1]) for row in rows)


def insert_quarantine(
    conn: duckdb.DuckDBPyConnection, table: str, entries: Sequence[QuarantineEntry]
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
            "poll_at": [e.poll_at for e in entries],
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
    polls = [e.poll_at for e in entries]
    with registered(conn, "quarantine_candidates", frame):
        result = conn.execute(
            sql_text("insert_quarantine.sql"), {"first": min(polls), "last": max(polls)}
        ).fetchall()
    return int(result[0][0]) if result else 0
