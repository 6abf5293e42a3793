"""Channel clip listings -> core.clips rows (first/last seen at this poll)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from pipeline.ingest.transforms.base import Body, body_context, rows_from_items
from pipeline.ingest.transforms.values import (
    BadValue,
    TransformResult,
    as_float,
    as_int,
    as_str,
    as_timestamp,
    dedupe,
    list_items,
    pick,
    reject,
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
    result = TransformResult()
    for body in sorted(bodies, key=lambda b: (b.path, b.page)):
        context = body_context(body)
        channel = username_from_clips_path(body.path)
        try:
            items = list_items(body.data, ("clips",))
        except BadValue as exc:
            result.rejects.append(reject(f"envelope: {exc}", body.data, context, whole_body=True))
            continue
        result.extend(
            rows_from_items(
                items,
                lambda item, ch=channel: clip_row(item, poll_at=poll_at, channel=ch),
                context,
            )
        )
    result.rows, dropped = dedupe(result.rows, ("clip_id",))
    result.duplicates += dropped
    return result
