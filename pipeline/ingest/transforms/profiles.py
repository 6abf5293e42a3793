"""User profiles of tracked channels -> core.channel_profiles rows (follower totals over time)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from pipeline.ingest.transforms.base import Body, object_rows
from pipeline.ingest.transforms.values import (
    BadValue,
    TransformResult,
    as_bool,
    as_int,
    as_str,
    as_timestamp,
    pick,
)


def profile_row(
    user: Mapping[str, Any], *, snapshot_at: datetime, fetched_at: datetime
) -> dict[str, Any]:
    user_id = as_str(pick(user, "id", "userId"), "id")
    username = as_str(pick(user, "username", "login"), "username")
    if not user_id or not username:
        raise BadValue("id/username: missing")
    followers = as_int(pick(user, "followerCount", "followers"), "followerCount")
    if followers is None:
        raise BadValue("followerCount: missing")
    return {
        "snapshot_at": snapshot_at,
        "user_id": user_id,
        "username": username,
        "display_name": as_str(pick(user, "displayName"), "displayName"),
        "follower_count": followers,
        "following_count": as_int(pick(user, "followingCount", "following"), "followingCount"),
        "is_live": as_bool(pick(user, "isLive"), "isLive"),
        "is_partner": as_bool(pick(user, "isPartner"), "isPartner"),
        "created_at": as_timestamp(pick(user, "createdAt"), "createdAt"),
        "fetched_at": fetched_at,
    }


def channel_profile_rows(bodies: Sequence[Body], snapshot_at: datetime) -> TransformResult:
    """One row per profile response (``{...}`` or ``{"user": {...}}``)."""
    return object_rows(
        sorted(bodies, key=lambda b: b.path),
        "user",
        "profile",
        lambda user, body: profile_row(user, snapshot_at=snapshot_at, fetched_at=body.fetched_at),
        ("snapshot_at", "user_id"),
    )
