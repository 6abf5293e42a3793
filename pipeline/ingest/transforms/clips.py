"""Channel clip listings -> core.clips rows (first/last seen at this poll)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import partial
from typing import Any

from pipeline.ingest.transforms.base import Body, listing_rows
from pipeline.ingest.transforms.values import (
    BadValue,
    TransformResult,
    as_float,
    as_int,
    as_str,
    as_timestamp,
    pick,
)


def username_from_clips_path(path: str) -> str | None:
    """``/api/streams/<username>/clips`` -> ``<username>``."""
    parts = [p for p in path.split("/") if p]
    if len(parts) >= 4 and parts[-1] == "clips" and parts[-3] == "streams":
        return parts[-2]
    return None


def clip_row(item: Mapping[str, Any], *, poll_at: datetime, channel: str | None) -> dict[str, Any]:
    clip_id = as_str(pick(item, "id", "clipId"), "id")
    if not clip_id:
        raise BadValue("id: missing clip id")
    created_at = as_timestamp(pick(item, "createdAt"), "createdAt")
    if created_at is None:
        raise BadValue("createdAt: missing")
    clipped_by = item.get("clippedBy") or item.get("clipped_by")
    clipped_by = clipped_by if isinstance(clipped_by, Mapping) else {}
    creator_username = as_str(
        pick(item, "creatorUsername", "broadcasterUsername"), "creatorUsername"
    )
    creator_username = creator_username or channel
    if not creator_username:
        raise BadValue("creatorUsername: missing")
    views = as_int(pick(item, "viewCount", "views"), "viewCount")
    return {
        "clip_id": clip_id,
        "title": as_str(pick(item, "title"), "title"),
        "url": as_str(pick(item, "url"), "url"),
        "stream_id": as_str(pick(item, "streamId"), "streamId"),
        "creator_id": as_str(pick(item, "creatorId", "broadcasterId", "userId"), "creatorId"),
        "creator_username": creator_username,
        "clipped_by_id": as_str(pick(clipped_by, "id", "userId"), "clippedBy.id"),
        "clipped_by_username": as_str(pick(clipped_by, "username"), "clippedBy.username"),
        "category_slug": as_str(pick(item, "categorySlug"), "categorySlug"),
        "duration_seconds": as_float(pick(item, "durationSeconds", "duration"), "durationSeconds"),
        "view_count": 0 if views is None else views,
        "created_at": created_at,
        "first_seen_at": poll_at,
        "last_seen_at": poll_at,
    }


def clip_rows(bodies: Sequence[Body], poll_at: datetime) -> TransformResult:
    """Clips of every channel fetched in the poll; a clip listed twice is kept once."""
    return listing_rows(
        sorted(bodies, key=lambda b: (b.path, b.page)),
        ("clips",),
        lambda body: partial(
            clip_row, poll_at=poll_at, channel=username_from_clips_path(body.path)
        ),
        ("clip_id",),
    )
