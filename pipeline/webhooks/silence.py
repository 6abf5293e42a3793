"""Silence alarm: tracked channels that are live (per the API) but whose webhooks went quiet.

A live tracked channel normally produces follows, subs or at least stream events; if its last
webhook event is older than the window (or it never had one), deliveries may be failing — e.g.
Velora disabled the webhook after 5 failed attempts, which it does without notice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

SQL = (Path(__file__).with_name("sql") / "silent_channels.sql").read_text(encoding="utf-8")


@dataclass(frozen=True)
class SilentChannel:
    channel_id: str
    username: str | None
    live_snapshot_at: datetime
    viewer_count: int | None
    last_event_at: datetime | None  # last webhook received for the channel (None: never)


def find_silent_channels(
    conn: duckdb.DuckDBPyConnection, silence_minutes: int, now: datetime | None = None
) -> list[SilentChannel]:
    """Tracked channels live in the latest ``live`` snapshot with no webhook in the window.

    "Tracked" = in the latest ``ops.tracked_channels`` snapshot; "live" = present in the latest
    ``core.stream_snapshots`` snapshot of source ``live``; the window ends at ``now`` (default:
    that snapshot's time, so a stale warehouse doesn't raise false alarms). Test events count
    as activity: they prove the delivery path works.
    """
    if silence_minutes <= 0:
        raise ValueError(f"silence_minutes must be positive, got {silence_minutes}")
    rows = conn.execute(SQL, {"silence_minutes": silence_minutes, "now": now}).fetchall()
    return [SilentChannel(*row) for row in rows]
