"""Tracked channels: the configured usernames plus the top N live channels by viewers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb

from pipeline.config import Settings
from pipeline.ingest.sqlfiles import ingest_sql

# A live snapshot older than this many live cadences no longer says who is live now.
LIVE_FRESHNESS_CADENCES = 3


@dataclass(frozen=True)
class TrackedChannel:
    username: str
    user_id: str | None
    reason: str  # configured / top_n
    viewer_rank: int | None  # rank by viewers in the live snapshot used, None when not live

    @property
    def is_live(self) -> bool:
        return self.viewer_rank is not None


def latest_live_snapshot(
    conn: duckdb.DuckDBPyConnection, poll_at: datetime, settings: Settings
) -> datetime | None:
    window = timedelta(minutes=settings.live_cadence_minutes * LIVE_FRESHNESS_CADENCES)
    # fetchall, not fetchone: DuckDB keeps a half-read result open, and the next
    # conn.register() on this connection then fails with "unfinished result"
    rows = conn.execute(
        ingest_sql("latest_live_snapshot.sql"),
        {"poll_at": poll_at, "not_before": poll_at - window},
    ).fetchall()
    return rows[0][0] if rows else None


def resolve_tracked(
    conn: duckdb.DuckDBPyConnection, settings: Settings, poll_at: datetime
) -> list[TrackedChannel]:
    """Configured channels first (reason ``configured``), then the top ``top_n_tracked`` live
    channels of the freshest live snapshot at or before ``poll_at`` that are not configured."""
    snapshot_at = latest_live_snapshot(conn, poll_at, settings)
    live: list[tuple[str, str]] = []
    if snapshot_at is not None:
        live = [
            (str(r[0]), str(r[1] or ""))
            for r in conn.execute(
                ingest_sql("live_channels_at.sql"), {"snapshot_at": snapshot_at}
            ).fetchall()
        ]
    rank_by_name = {name.lower(): (rank, uid) for rank, (uid, name) in enumerate(live, start=1)}
    configured = list(
        dict.fromkeys(name.strip() for name in settings.tracked_channels if name.strip())
    )
    not_live = [n.lower() for n in configured if n.lower() not in rank_by_name]
    known_ids: dict[str, str] = {}
    if not_live:
        known_ids = {
            str(r[0]): str(r[1])
            for r in conn.execute(
                ingest_sql("known_user_ids.sql"), {"usernames": not_live}
            ).fetchall()
        }
    tracked: list[TrackedChannel] = []
    seen: set[str] = set()
    for name in configured:
        key = name.lower()
        if key in seen:
            continue
        seen.add(key)
        rank, uid = rank_by_name.get(key, (None, known_ids.get(key)))
        tracked.append(TrackedChannel(name, uid, "configured", rank))
    for rank, (uid, name) in enumerate(live[: settings.top_n_tracked], start=1):
        if name and name.lower() not in seen:
            seen.add(name.lower())
            tracked.append(TrackedChannel(name, uid, "top_n", rank))
    return tracked
