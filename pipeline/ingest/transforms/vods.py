"""Channel VOD listings -> core.vods rows: the exact start and end of ended sessions.

The docs list ``/api/streams/user/:username/vods`` without a shape; the assumed one is in
docs/velora-api-shapes.md § VODs. Tolerated: the list under ``vods``/``videos``/``items``/
``data`` or bare; ``duration`` in seconds or ``HH:MM:SS``; a missing ``endedAt`` (start +
duration). A VOD with neither an end nor a duration tells nothing and is quarantined.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from pipeline.ingest.transforms.base import Body, listing_rows
from pipeline.ingest.transforms.values import (
    BadValue,
    TransformResult,
    as_float,
    as_str,
    as_timestamp,
    pick,
)

VOD_LIST_KEYS = ("vods", "videos")


def username_from_vods_path(path: str) -> str | None:
    """``/api/streams/user/<username>/vods`` -> ``<username>``."""
    parts = [p for p in path.split("/") if p]
    if len(parts) >= 4 and parts[-1] == "vods" and parts[-3] == "user":
        return parts[-2]
    return None


def duration_seconds(value: Any) -> float | None:
    """Seconds from a number or an ``[H:]MM:SS`` string."""
    if isinstance(value, str) and ":" in value:
        try:
            parts = [float(p) for p in value.split(":")]
        except ValueError as exc:
            raise BadValue(f"duration: not [H:]MM:SS: {value!r}") from exc
        if len(parts) > 3 or any(p < 0 for p in parts):
            raise BadValue(f"duration: not [H:]MM:SS: {value!r}")
        seconds = 0.0
        for part in parts:
            seconds = seconds * 60 + part
        return seconds
    return as_float(value, "duration")


def vod_row(item: Mapping[str, Any], *, poll_at: datetime, channel: str | None) -> dict[str, Any]:
    nested = item.get("stream")
    stream: Mapping[str, Any] = nested if isinstance(nested, Mapping) else {}
    stream_id = as_str(pick(item, "streamId") or pick(stream, "id"), "streamId")
    if not stream_id:
        raise BadValue("streamId: missing (a VOD must name its stream to end a session)")
    started_at = as_timestamp(pick(item, "startedAt", "createdAt"), "startedAt")
    if started_at is None:
        raise BadValue("startedAt: missing")
    duration = duration_seconds(pick(item, "duration", "durationSeconds"))
    ended_at = as_timestamp(pick(item, "endedAt"), "endedAt")
    if ended_at is None and duration is not None:
        ended_at = started_at + timedelta(seconds=duration)
    if ended_at is None:
        raise BadValue("endedAt: missing, and no duration to derive it from")
    if ended_at < started_at:
        raise BadValue(f"endedAt {ended_at.isoformat()} is before startedAt")
    if not channel:
        raise BadValue("channel: the VOD listing path names no channel")
    return {
        "stream_id": stream_id,
        "vod_id": as_str(pick(item, "id", "vodId"), "id"),
        "channel_username": channel,
        "title": as_str(pick(item, "title"), "title"),
        "started_at": started_at,
        "ended_at": ended_at,
        "duration_seconds": (ended_at - started_at).total_seconds(),
        "first_seen_at": poll_at,
    }


def vod_rows(bodies: Sequence[Body], poll_at: datetime) -> TransformResult:
    """VODs of every channel fetched in the poll; a stream listed twice is kept once."""
    return listing_rows(
        sorted(bodies, key=lambda b: (b.path, b.page)),
        VOD_LIST_KEYS,
        lambda body: partial(vod_row, poll_at=poll_at, channel=username_from_vods_path(body.path)),
        ("stream_id",),
    )
