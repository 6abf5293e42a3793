"""Pandera (polars backend) schemas of every core/ops/marts table, plus their polars dtypes.

``FRAME_SCHEMAS`` is the single source of column order and dtypes used to build candidate
frames; ``SCHEMAS`` holds the value rules checked before loading and by asset checks.
Validate a ``DataFrame`` (not a ``LazyFrame``) with ``lazy=True`` to check values and gather
every failure.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from pipeline.pandera_polars import pa
from pipeline.schemas.checks import not_after

TS = pl.Datetime("us", "UTC")
STREAM_SOURCES = ("live", "top", "growing", "featured")
LEADERBOARD_BOARDS = ("volts", "gifts", "points")
TRACK_REASONS = ("configured", "top_n")


def _col(dtype: Any, *, nullable: bool = True, checks: Any = None) -> pa.Column:
    return pa.Column(dtype, nullable=nullable, checks=checks)


def _key(dtype: Any = pl.String) -> pa.Column:
    return pa.Column(dtype, nullable=False)


def _count(nullable: bool = True) -> pa.Column:
    return pa.Column(pl.Int64, nullable=nullable, checks=pa.Check.ge(0))


# The cadence (minutes) the row's poll was taken at; NULL only on rows loaded before it was kept.
CADENCE = pa.Column(pl.Int16, nullable=True, checks=pa.Check.ge(1))


FRAME_SCHEMAS: dict[str, dict[str, Any]] = {
    "core.stream_snapshots": {
        "source": pl.String,
        "snapshot_at": TS,
        "stream_id": pl.String,
        "user_id": pl.String,
        "username": pl.String,
        "display_name": pl.String,
        "title": pl.String,
        "viewer_count": pl.Int64,
        "started_at": TS,
        "thumbnail_url": pl.String,
        "language": pl.String,
        "category_id": pl.String,
        "category_slug": pl.String,
        "category_name": pl.String,
        "is_mature": pl.Boolean,
        "tags": pl.List(pl.String),
        "position": pl.Int32,
        "viewer_growth": pl.Int64,
        "growth_percent": pl.Float64,
        "fetched_at": TS,
        "cadence_minutes": pl.Int16,
    },
    "core.category_snapshots": {
        "snapshot_at": TS,
        "category_slug": pl.String,
        "category_id": pl.String,
        "name": pl.String,
        "viewer_count": pl.Int64,
        "stream_count": pl.Int64,
        "position": pl.Int32,
        "fetched_at": TS,
        "cadence_minutes": pl.Int16,
    },
    "core.clips": {
        "clip_id": pl.String,
        "title": pl.String,
        "url": pl.String,
        "stream_id": pl.String,
        "creator_id": pl.String,
        "creator_username": pl.String,
        "clipped_by_id": pl.String,
        "clipped_by_username": pl.String,
        "category_slug": pl.String,
        "duration_seconds": pl.Float64,
        "view_count": pl.Int64,
        "created_at": TS,
        "first_seen_at": TS,
        "last_seen_at": TS,
    },
    "core.vods": {
        "stream_id": pl.String,
        "vod_id": pl.String,
        "channel_username": pl.String,
        "title": pl.String,
        "started_at": TS,
        "ended_at": TS,
        "duration_seconds": pl.Float64,
        "first_seen_at": TS,
    },
    "core.leaderboard_entries": {
        "snapshot_at": TS,
        "board": pl.String,
        "creator_id": pl.String,
        "user_id": pl.String,
        "rank": pl.Int32,
        "username": pl.String,
        "display_name": pl.String,
        "amount": pl.Int64,
        "period": pl.String,
        "updated_at": TS,
        "fetched_at": TS,
        "cadence_minutes": pl.Int16,
    },
    "core.chat_stats": {
        "snapshot_at": TS,
        "channel_id": pl.String,
        "is_live": pl.Boolean,
        "viewer_count": pl.Int64,
        "chatters": pl.Int64,
        "messages_per_minute": pl.Float64,
        "messages_last_hour": pl.Int64,
        "unique_chatters_last_hour": pl.Int64,
        "emotes_per_minute": pl.Float64,
        "updated_at": TS,
        "fetched_at": TS,
        "cadence_minutes": pl.Int16,
    },
    "core.teams": {
        "snapshot_at": TS,
        "team": pl.String,
        "team_id": pl.String,
        "name": pl.String,
        "description": pl.String,
        "member_count": pl.Int64,
        "created_at": TS,
        "fetched_at": TS,
        "cadence_minutes": pl.Int16,
    },
    "core.team_members": {
        "snapshot_at": TS,
        "team": pl.String,
        "user_id": pl.String,
        "username": pl.String,
        "display_name": pl.String,
        "role": pl.String,
        "is_live": pl.Boolean,
        "joined_at": TS,
        "fetched_at": TS,
        "cadence_minutes": pl.Int16,
    },
    "core.channel_profiles": {
        "snapshot_at": TS,
        "user_id": pl.String,
        "username": pl.String,
        "display_name": pl.String,
        "follower_count": pl.Int64,
        "following_count": pl.Int64,
        "is_live": pl.Boolean,
        "is_partner": pl.Boolean,
        "created_at": TS,
        "fetched_at": TS,
        "cadence_minutes": pl.Int16,
    },
    "ops.tracked_channels": {
        "snapshot_at": TS,
        "user_id": pl.String,
        "username": pl.String,
        "reason": pl.String,
        "viewer_rank": pl.Int32,
        "cadence_minutes": pl.Int16,
    },
    "marts.live_totals": {
        "snapshot_at": TS,
        "live_channels": pl.Int64,
        "total_viewers": pl.Int64,
    },
}

# The grain of each table: uniqueness is checked on these columns.
GRAINS: dict[str, tuple[str, ...]] = {
    "core.stream_snapshots": ("source", "snapshot_at", "stream_id"),
    "core.category_snapshots": ("snapshot_at", "category_slug"),
    "core.clips": ("clip_id",),
    "core.vods": ("stream_id",),
    "core.leaderboard_entries": ("snapshot_at", "board", "creator_id", "user_id"),
    "core.chat_stats": ("snapshot_at", "channel_id"),
    "core.teams": ("snapshot_at", "team"),
    "core.team_members": ("snapshot_at", "team", "user_id"),
    "core.channel_profiles": ("snapshot_at", "user_id"),
    "ops.tracked_channels": ("snapshot_at", "user_id"),
    "marts.live_totals": ("snapshot_at",),
}

# The column holding the poll tick (time-partitioned tables), used to validate one poll.
SNAPSHOT_COLUMN: dict[str, str] = {
    table: "snapshot_at" for table, grain in GRAINS.items() if "snapshot_at" in grain
} | {"core.clips": "last_seen_at", "core.vods": "first_seen_at"}


def _table_schema(
    table: str, columns: dict[str, pa.Column], checks: list[Any] | None = None
) -> pa.DataFrameSchema:
    """A table's value rules, unique on its grain and named after it."""
    if "cadence_minutes" in FRAME_SCHEMAS.get(table, {}):
        columns = {**columns, "cadence_minutes": CADENCE}
    return pa.DataFrameSchema(columns, checks=checks, unique=list(GRAINS[table]), name=table)


StreamSnapshotSchema = _table_schema(
    "core.stream_snapshots",
    {
        "source": _col(pl.String, nullable=False, checks=pa.Check.isin(STREAM_SOURCES)),
        "snapshot_at": _key(TS),
        "stream_id": _key(),
        "user_id": _key(),
        "viewer_count": _count(nullable=False),
        "started_at": _col(TS),
        "position": _col(pl.Int32, nullable=False, checks=pa.Check.ge(1)),
        "fetched_at": _key(TS),
    },
    checks=[not_after("started_at", "snapshot_at")],
)

CategorySnapshotSchema = _table_schema(
    "core.category_snapshots",
    {
        "snapshot_at": _key(TS),
        "category_slug": _key(),
        "viewer_count": _count(nullable=False),
        "stream_count": _count(nullable=False),
        "position": _col(pl.Int32, nullable=False, checks=pa.Check.ge(1)),
    },
)

ClipSchema = _table_schema(
    "core.clips",
    {
        "clip_id": _key(),
        "creator_username": _key(),
        "view_count": _count(nullable=False),
        "duration_seconds": _col(pl.Float64, checks=pa.Check.ge(0)),
        "created_at": _key(TS),
        "first_seen_at": _key(TS),
        "last_seen_at": _key(TS),
    },
    checks=[not_after("created_at", "last_seen_at")],
)

VodSchema = _table_schema(
    "core.vods",
    {
        "stream_id": _key(),
        "channel_username": _key(),
        "started_at": _key(TS),
        "ended_at": _key(TS),
        "duration_seconds": _col(pl.Float64, nullable=False, checks=pa.Check.ge(0)),
        "first_seen_at": _key(TS),
    },
    checks=[not_after("started_at", "ended_at"), not_after("ended_at", "first_seen_at")],
)

LeaderboardEntrySchema = _table_schema(
    "core.leaderboard_entries",
    {
        "snapshot_at": _key(TS),
        "board": _col(pl.String, nullable=False, checks=pa.Check.isin(LEADERBOARD_BOARDS)),
        "creator_id": _key(),
        "user_id": _key(),
        "rank": _col(pl.Int32, nullable=False, checks=pa.Check.ge(1)),
        "amount": _count(nullable=False),
        "updated_at": _col(TS),
    },
    checks=[not_after("updated_at", "snapshot_at")],
)

ChatStatsSchema = _table_schema(
    "core.chat_stats",
    {
        "snapshot_at": _key(TS),
        "channel_id": _key(),
        "viewer_count": _count(),
        "chatters": _count(),
        "messages_per_minute": _col(pl.Float64, checks=pa.Check.ge(0)),
        "messages_last_hour": _count(),
        "unique_chatters_last_hour": _count(),
        "emotes_per_minute": _col(pl.Float64, checks=pa.Check.ge(0)),
        "updated_at": _col(TS),
    },
    checks=[not_after("updated_at", "snapshot_at")],
)

TeamSchema = _table_schema(
    "core.teams",
    {
        "snapshot_at": _key(TS),
        "team": _key(),
        "member_count": _count(),
        "created_at": _col(TS),
    },
    checks=[not_after("created_at", "snapshot_at")],
)

TeamMemberSchema = _table_schema(
    "core.team_members",
    {
        "snapshot_at": _key(TS),
        "team": _key(),
        "user_id": _key(),
        "joined_at": _col(TS),
    },
    checks=[not_after("joined_at", "snapshot_at")],
)

ChannelProfileSchema = _table_schema(
    "core.channel_profiles",
    {
        "snapshot_at": _key(TS),
        "user_id": _key(),
        "username": _key(),
        "follower_count": _count(nullable=False),
        "following_count": _count(),
        "created_at": _col(TS),
    },
    checks=[not_after("created_at", "snapshot_at")],
)

TrackedChannelSchema = _table_schema(
    "ops.tracked_channels",
    {
        "snapshot_at": _key(TS),
        "user_id": _key(),
        "username": _key(),
        "reason": _col(pl.String, nullable=False, checks=pa.Check.isin(TRACK_REASONS)),
        "viewer_rank": _col(pl.Int32, checks=pa.Check.ge(1)),
    },
)

LiveTotalsSchema = _table_schema(
    "marts.live_totals",
    {
        "snapshot_at": _key(TS),
        "live_channels": _count(nullable=False),
        "total_viewers": _count(nullable=False),
    },
)

SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "core.stream_snapshots": StreamSnapshotSchema,
    "core.category_snapshots": CategorySnapshotSchema,
    "core.clips": ClipSchema,
    "core.vods": VodSchema,
    "core.leaderboard_entries": LeaderboardEntrySchema,
    "core.chat_stats": ChatStatsSchema,
    "core.teams": TeamSchema,
    "core.team_members": TeamMemberSchema,
    "core.channel_profiles": ChannelProfileSchema,
    "ops.tracked_channels": TrackedChannelSchema,
    "marts.live_totals": LiveTotalsSchema,
}
