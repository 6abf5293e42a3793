"""Category directory -> core.category_snapshots rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import partial
from typing import Any

from pipeline.ingest.transforms.base import Body, listing_rows, number_positions
from pipeline.ingest.transforms.values import (
    BadValue,
    TransformResult,
    as_int,
    as_str,
    pick,
)


def category_row(
    item: Mapping[str, Any], *, snapshot_at: datetime, fetched_at: datetime
) -> dict[str, Any]:
    slug = as_str(pick(item, "slug", "categorySlug"), "slug")
    if not slug:
        raise BadValue("slug: missing category slug")
    viewers = as_int(pick(item, "viewerCount", "viewers"), "viewerCount")
    streams = as_int(pick(item, "streamCount", "streams", "liveStreams"), "streamCount")
    return {
        "snapshot_at": snapshot_at,
        "category_slug": slug,
        "category_id": as_str(pick(item, "id", "categoryId"), "id"),
        "name": as_str(pick(item, "name"), "name"),
        # an absent total means nobody is watching that category right now
        "viewer_count": 0 if viewers is None else viewers,
        "stream_count": 0 if streams is None else streams,
        "position": 0,
        "fetched_at": fetched_at,
    }


def category_snapshot_rows(bodies: Sequence[Body], snapshot_at: datetime) -> TransformResult:
    result = listing_rows(
        sorted(bodies, key=lambda b: b.page),
        ("categories",),
        lambda body: partial(category_row, snapshot_at=snapshot_at, fetched_at=body.fetched_at),
        ("snapshot_at", "category_slug"),
    )
    number_positions(result.rows)
    return result
