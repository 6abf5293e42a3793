"""Team directory and member lists -> core.teams and core.team_members rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import partial
from typing import Any

from pipeline.ingest.transforms.base import Body, listing_rows
from pipeline.ingest.transforms.values import (
    BadValue,
    TransformResult,
    as_bool,
    as_int,
    as_str,
    as_timestamp,
    pick,
)


def team_from_members_path(path: str) -> str | None:
    """``/api/teams/<slug>/members`` -> ``<slug>``."""
    parts = [p for p in path.split("/") if p]
    if len(parts) >= 3 and parts[-1] == "members" and parts[-3] == "teams":
        return parts[-2]
    return None


def is_members_path(path: str) -> bool:
    return team_from_members_path(path) is not None


def team_row(
    item: Mapping[str, Any], *, snapshot_at: datetime, fetched_at: datetime
) -> dict[str, Any]:
    slug = as_str(pick(item, "slug", "team"), "slug")
    if not slug:
        raise BadValue("slug: missing team slug")
    return {
        "snapshot_at": snapshot_at,
        "team": slug,
        "team_id": as_str(pick(item, "id", "teamId"), "id"),
        "name": as_str(pick(item, "name", "displayName"), "name"),
        "description": as_str(pick(item, "description"), "description"),
        "member_count": as_int(pick(item, "memberCount", "members"), "memberCount"),
        "created_at": as_timestamp(pick(item, "createdAt"), "createdAt"),
        "fetched_at": fetched_at,
    }


def member_row(
    item: Mapping[str, Any], *, team: str, snapshot_at: datetime, fetched_at: datetime
) -> dict[str, Any]:
    user_id = as_str(pick(item, "userId", "id"), "userId")
    if not user_id:
        raise BadValue("userId: missing")
    return {
        "snapshot_at": snapshot_at,
        "team": team,
        "user_id": user_id,
        "username": as_str(pick(item, "username"), "username"),
        "display_name": as_str(pick(item, "displayName"), "displayName"),
        "role": as_str(pick(item, "role"), "role"),
        "is_live": as_bool(pick(item, "isLive"), "isLive"),
        "joined_at": as_timestamp(pick(item, "joinedAt"), "joinedAt"),
        "fetched_at": fetched_at,
    }


def team_rows(bodies: Sequence[Body], snapshot_at: datetime) -> TransformResult:
    return listing_rows(
        sorted((b for b in bodies if not is_members_path(b.path)), key=lambda b: b.page),
        ("teams",),
        lambda body: partial(team_row, snapshot_at=snapshot_at, fetched_at=body.fetched_at),
        ("snapshot_at", "team"),
    )


def team_member_rows(bodies: Sequence[Body], snapshot_at: datetime) -> TransformResult:
    member_bodies = [b for b in bodies if is_members_path(b.path)]
    return listing_rows(
        sorted(member_bodies, key=lambda b: (b.path, b.page)),
        ("members",),
        lambda body: partial(
            member_row,
            team=team_from_members_path(body.path) or "",
            snapshot_at=snapshot_at,
            fetched_at=body.fetched_at,
        ),
        ("snapshot_at", "team", "user_id"),
    )
