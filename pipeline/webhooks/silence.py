"""Silence alarm: covered, tracked channels that are live (per the API) but whose webhooks went
quiet.

A live tracked channel normally produces follows, subs or at least stream events; if its last
webhook event is older than the window (or it never had one), deliveries may be failing — e.g.
Velora disabled the webhook after 5 failed attempts, which it does without notice. Webhooks only
deliver events of channels that authorized the app, so only channels our subscriptions cover are
judged: those a subscription names, and those that have delivered before (app-wide
subscriptions cannot list the channels they serve), minus revoked authorizations.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from pipeline.webhooks.secrets import read_secrets_file, read_subscriptions

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
    covered_channels: Iterable[str] = (),
) -> list[SilentChannel]:
    """Covered, tracked channels live in the latest ``live`` snapshot with no webhook in the
    window. ``covered_channels``: the channels our subscriptions name (``covered_by``).

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
    params = {
        "silence_minutes": silence_minutes,
        "now": now,
        "capture_since": capture_since,
        "covered_channels": sorted(set(covered_channels)),
    }
    rows = conn.execute(SQL, params).fetchall()
    return [SilentChannel(*row) for row in rows]


def capture_started_at(secrets_file: Path) -> datetime | None:
    """When webhook capture began: the oldest signing secret in ``secrets_file`` (written when
    ``velora webhooks subscribe`` created the subscription). None when there is no secret."""
    entries = read_secrets_file(secrets_file)
    return min((e.created_at for e in entries), default=None)


def covered_by(secrets_file: Path) -> set[str]:
    """Channels named by the subscriptions recorded in ``secrets_file`` (app-wide ones name
    none: their channels are known from what they deliver)."""
    return {
        channel
        for subscription in read_subscriptions(secrets_file).values()
        for channel in subscription.channels or ()
    }
