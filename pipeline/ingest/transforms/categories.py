"""Category directory -> core.category_snapshots rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from pipeline.ingest.transforms.base import Body, body_context, rows_from_items
from pipeline.ingest.transforms.values import (
    BadValue,
    TransformResult,
    as_int,
    as_str,
    dedupe,
    list_items,
    pick,
    reject,
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
    result = TransformResult()
    for body in sorted(bodies, key=lambda b: b.page):
        context = body_context(body)
        try:
            items = list_items(body.data, ("categories",))
        except BadValue as exc:
            result.rejects.append(reject(f"envelope: {exc}", body.data, context, whole_body=True))
            continue
        result.extend(
            rows_from_items(
                items,
                lambda item, fetched=body.fetched_at: category_row(
                    item, snapshot_at=snapshot_at, fetched_at=fetched
                ),
                context,
            )
        )
    result.rows, dropped = dedupe(result.rows, ("snapshot_at", "category_slug"))
    result.duplicates += dropped
    for position, row in enumerate(result.rows, start=1):
        row["position"] = position
    return result
