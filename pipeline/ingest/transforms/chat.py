"""Chat statistics of tracked live channels -> core.chat_stats rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from pipeline.ingest.transforms.base import Body, object_rows
from pipeline.ingest.transforms.values import (
    BadValue,
    TransformResult,
    as_bool,
    as_float,
    as_int,
    as_str,
    as_timestamp,
    pick,
)


def channel_from_stats_path(path: str) -> str | None:
    """``/api/chat/channels/<id>/stats`` -> ``<id>``."""
    parts = [p for p in path.split("/") if p]
    if len(parts) >= 2 and parts[-1] == "stats":
        return parts[-2]
    return None


def chat_stats_row(stats: Mapping[str, Any], body: Body, snapshot_at: datetime) -> dict[str, Any]:
    channel_id = as_str(pick(stats, "channelId", "userId"), "channelId")
    channel_id = channel_id or channel_from_stats_path(body.path)
    if not channel_id:
        raise BadValue("channelId: missing")
    return {
        "snapshot_at": snapshot_at,
        "channel_id": channel_id,
        "is_live": as_bool(pick(stats, "isLive"), "isLive"),
        "viewer_count": as_int(pick(stats, "viewerCount", "viewers"), "viewerCount"),
        "chatters": as_int(pick(stats, "chatters", "chatterCount"), "chatters"),
        "messages_per_minute": as_float(pick(stats, "messagesPerMinute"), "messagesPerMinute"),
        "messages_last_hour": as_int(pick(stats, "messagesLastHour"), "messagesLastHour"),
        "unique_chatters_last_hour": as_int(
            pick(stats, "uniqueChattersLastHour"), "uniqueChattersLastHour"
        ),
        "emotes_per_minute": as_float(pick(stats, "emotesPerMinute"), "emotesPerMinute"),
        "updated_at": as_timestamp(pick(stats, "updatedAt"), "updatedAt"),
        "fetched_at": body.fetched_at,
    }


def chat_stats_rows(bodies: Sequence[Body], snapshot_at: datetime) -> TransformResult:
    return object_rows(
        bodies,
        "stats",
        "stats",
        lambda stats, body: chat_stats_row(stats, body, snapshot_at),
        ("snapshot_at", "channel_id"),
    )
