"""Idempotent loads of validated candidate frames into core/ops tables, and the quarantine."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import polars as pl

from pipeline.warehouse.frames import registered
from pipeline.warehouse.inserts import WriteCounts, insert_counted
from pipeline.warehouse.sqlfiles import sql_text


@dataclass(frozen=True)
class LoadSpec:
    """How candidate rows reach a table: ``select`` picks the rows not stored yet (an anti-join on
    the grain); ``merge`` applies them when they update stored rows; ``counted_by`` is the
    (source/board, poll time) a load's counts are reported by."""

    select: str
    counted_by: tuple[str | None, str] = (None, "snapshot_at")
    merge: str | None = None


LOADS: dict[str, LoadSpec] = {
    "core.stream_snapshots": LoadSpec("load/stream_snapshots.sql", ("source", "snapshot_at")),
    "core.category_snapshots": LoadSpec("load/category_snapshots.sql"),
    "core.clips": LoadSpec("load/clips.sql", (None, "last_seen_at"), "load/clips_merge.sql"),
    "core.vods": LoadSpec("load/vods.sql", (None, "first_seen_at")),
    "core.leaderboard_entries": LoadSpec("load/leaderboard_entries.sql", ("board", "snapshot_at")),
    "core.chat_stats": LoadSpec("load/chat_stats.sql"),
    "core.teams": LoadSpec("load/teams.sql"),
    "core.team_members": LoadSpec("load/team_members.sql"),
    "core.channel_profiles": LoadSpec("load/channel_profiles.sql"),
    "ops.tracked_channels": LoadSpec("load/tracked_channels.sql"),
}


@dataclass(frozen=True)
class QuarantineEntry:
    reason: str
    row_json: str
    poll_at: datetime


LoadCounts = WriteCounts


def load_frame(
    conn: duckdb.DuckDBPyConnection,
    table: str,
    frame: pl.DataFrame,
    first: datetime,
    last: datetime,
) -> LoadCounts:
    """Insert (or upsert) ``frame`` (polls ``first``..``last``) into ``table``.

    Rows whose grain is already stored are skipped, so loading the same poll twice is a no-op.
    Returns rows written per ``(source/board or None, poll)``.
    """
    if frame.is_empty():
        return Counter()
    spec = LOADS[table]
    statement = sql_text(spec.select)
    params = {"first": first, "last": last} if "$first" in statement else None
    with registered(conn, "candidate_rows", frame):
        return insert_counted(conn, table, statement, params, spec.counted_by, spec.merge)


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
