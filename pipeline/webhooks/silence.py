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

from pipeline.webhooks.secrets import read_secrets_file

SQL = (Path(__file__).with_name("sql") / "silent_channels.sql").read_text(encoding="utf-8")


@dataclass(frozen=True)
class SilentChannel:
    channel_id: str
    username: str | None
    live_snapshot_at: datetime
    viewer_count: int | None
    last_event_at: datetime | None  # last webhook received for the channel (None: never)


def find_silent_channels(
    conn: duckdb.DuckDBPyConnection,
    silence_minutes: int,
    now: datetime | None = None,
    capture_since: datetime | None = None,
) -> list[SilentChannel]:
    """Tracked channels live in the latest ``live`` snapshot with no webhook in the window.

    "Tracked" = in the latest ``ops.tracked_channels`` snapshot; "live" = present in the latest
    ``core.stream_snapshots`` snapshot of source ``live``; the window ends at ``now`` (default:
    that snapshot's time, so a stale warehouse doesn't raise false alarms). Test events count
    as activity: they prove the delivery path works.

    Nobody is silent for a window they were not observable for: a stream that started inside
    the window is skipped, and so is everyone while ``capture_since`` (when webhooks started to
    be captured, e.g. the subscription's first secret) is inside the window.
    """
    if silence_minutes <= 0:
        raise ValueError(f"silence_minutes must be positive, got {silence_minutes}")
    params = {"silence_minutes": silence_minutes, "now": now, "capture_since": capture_since}
    rows = conn.execute(SQL, params).fetchall()
    return [SilentChannel(*row) for row in rows]


def capture_started_at(secrets_file: Path) -> datetime | None:
    """When webhook capture began: the oldest signing secret in ``secrets_file`` (written when
    ``velora webhooks subscribe`` created the subscription). None when there is no secret."""
    entries = read_secrets_file(secrets_file)
    return min((e.created_at for e in entries), default=None)
