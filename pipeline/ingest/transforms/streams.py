"""Stream listings (live directory, top, growing, featured) -> core.stream_snapshots rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import partial
from typing import Any

from pipeline.ingest.transforms.base import Body, listing_rows, number_positions
from pipeline.ingest.transforms.values import (
    BadValue,
    TransformResult,
    as_bool,
    as_float,
    as_int,
    as_str,
    as_str_list,
    as_timestamp,
    first,
    spellings,
)

GRAIN = ("source", "snapshot_at", "stream_id")


K_ID = spellings("id", "streamId")
K_USER_ID = spellings("userId", "creatorId")
K_VIEWERS = spellings("viewerCount", "viewers")
K_USERNAME = spellings("username", "login")
K_DISPLAY = spellings("displayName")
K_TITLE = spellings("title")
K_STARTED = spellings("startedAt")
K_THUMBNAIL = spellings("thumbnailUrl", "thumbnail")
K_LANGUAGE = spellings("language")
K_MATURE = spellings("isMature")
K_TAGS = spellings("tags")
K_GROWTH = spellings("viewerGrowth")
K_GROWTH_PCT = spellings("growthPercent")
K_CAT_ID = spellings("categoryId")
K_CAT_SLUG = spellings("categorySlug")
K_CAT_NAME = spellings("categoryName")
K_SLUG = spellings("slug")
K_NAME = spellings("name")


def _category(item: Mapping[str, Any]) -> tuple[Any, Any, Any]:
    nested = item.get("category")
    if isinstance(nested, Mapping):
        return first(nested, K_ID), first(nested, K_SLUG), first(nested, K_NAME)
    if isinstance(nested, str):  # a bare slug
        return None, nested, first(item, K_CAT_NAME)
    return first(item, K_CAT_ID), first(item, K_CAT_SLUG), first(item, K_CAT_NAME)


def stream_row(
    item: Mapping[str, Any], *, source: str, snapshot_at: datetime, fetched_at: datetime
) -> dict[str, Any]:
    stream_id = as_str(first(item, K_ID), "id")
    user_id = as_str(first(item, K_USER_ID), "userId")
    if not stream_id:
        raise BadValue("id: missing stream id")
    if not user_id:
        raise BadValue("userId: missing user id")
    viewers = as_int(first(item, K_VIEWERS), "viewerCount")
    if viewers is None:
        raise BadValue("viewerCount: missing")
    category_id, category_slug, category_name = _category(item)
    return {
        "source": source,
        "snapshot_at": snapshot_at,
        "stream_id": stream_id,
        "user_id": user_id,
        "username": as_str(first(item, K_USERNAME), "username"),
        "display_name": as_str(first(item, K_DISPLAY), "displayName"),
        "title": as_str(first(item, K_TITLE), "title"),
        "viewer_count": viewers,
        "started_at": as_timestamp(first(item, K_STARTED), "startedAt"),
        "thumbnail_url": as_str(first(item, K_THUMBNAIL), "thumbnailUrl"),
        "language": as_str(first(item, K_LANGUAGE), "language"),
        "category_id": as_str(category_id, "category.id"),
        "category_slug": as_str(category_slug, "category.slug"),
        "category_name": as_str(category_name, "category.name"),
        "is_mature": as_bool(first(item, K_MATURE), "isMature"),
        "tags": as_str_list(first(item, K_TAGS), "tags"),
        "position": 0,  # set after de-duplication
        "viewer_growth": as_int(first(item, K_GROWTH), "viewerGrowth"),
        "growth_percent": as_float(first(item, K_GROWTH_PCT), "growthPercent"),
        "fetched_at": fetched_at,
    }


def stream_snapshot_rows(
    source: str, bodies: Sequence[Body], snapshot_at: datetime
) -> TransformResult:
    """Rows of one listing poll in page order; a stream repeated on a later page (the directory
    shifted while we paged) is kept once, at its first position."""
    result = listing_rows(
        sorted(bodies, key=lambda b: b.page),
        ("streams",),
        lambda body: partial(
            stream_row, source=source, snapshot_at=snapshot_at, fetched_at=body.fetched_at
        ),
        GRAIN,
    )
    number_positions(result.rows)
    return result
