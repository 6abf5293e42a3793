"""World objects -> Velora wire shapes (docs/velora-api-shapes.md). Written from the docs only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pipeline.twin.server.timefmt import iso
from pipeline.twin.world import (
    Category,
    ChatStats,
    Clip,
    Creator,
    Follower,
    Giveaway,
    LeaderboardEntry,
    LiveStream,
    Poll,
    Subscriber,
    Team,
    TeamMember,
    UserRef,
    Vod,
)


def category_ref(c: Category) -> dict[str, Any]:
    return {"id": c.id, "slug": c.slug, "name": c.name}


def stream(s: LiveStream) -> dict[str, Any]:
    return {
        "id": s.stream_id,
        "userId": s.user_id,
        "username": s.username,
        "displayName": s.display_name,
        "title": s.title,
        "viewerCount": s.viewer_count,
        "startedAt": iso(s.started_at),
        "thumbnailUrl": s.thumbnail_url,
        "language": s.language,
        "tags": list(s.tags),
        "isMature": s.is_mature,
        "category": category_ref(s.category),
    }


def category(c: Category, viewer_count: int, stream_count: int) -> dict[str, Any]:
    return {
        "id": c.id,
        "slug": c.slug,
        "name": c.name,
        "imageUrl": c.image_url,
        "tags": list(c.tags),
        "viewerCount": viewer_count,
        "streamCount": stream_count,
    }


def user_profile(
    c: Creator, follower_count: int, following_count: int, is_live: bool
) -> dict[str, Any]:
    return {
        "id": c.id,
        "username": c.username,
        "displayName": c.display_name,
        "bio": c.bio,
        "avatarUrl": c.avatar_url,
        "followerCount": follower_count,
        "followingCount": following_count,
        "isLive": is_live,
        "isPartner": c.is_partner,
        "createdAt": iso(c.created_at),
    }


def user_ref(u: UserRef) -> dict[str, Any]:
    return {"userId": u.id, "username": u.username, "displayName": u.display_name}


def roster_subscription(s: Subscriber) -> dict[str, Any]:
    """An item of ``GET /api/developer/subscriptions`` (fields per changelog v1.2.0)."""
    return {
        **user_ref(s.user),
        "tier": s.tier,
        "isGift": s.is_gift,
        "gifter": user_ref(s.gifter) if s.gifter is not None else None,
        "expiresAt": iso(s.expires_at),
    }


def follower(f: Follower) -> dict[str, Any]:
    return {**user_ref(f.user), "followedAt": iso(f.followed_at)}


def clip(c: Clip) -> dict[str, Any]:
    return {
        "id": c.id,
        "title": c.title,
        "url": c.url,
        "thumbnailUrl": c.thumbnail_url,
        "streamId": c.stream_id,
        "creatorId": c.creator_id,
        "creatorUsername": c.creator_username,
        "clippedBy": {"id": c.clipped_by.id, "username": c.clipped_by.username},
        "categorySlug": c.category.slug,
        "durationSeconds": c.duration_seconds,
        "viewCount": c.view_count,
        "createdAt": iso(c.created_at),
    }


def vod(v: Vod) -> dict[str, Any]:
    """Shape assumed (the docs list the endpoint only): docs/velora-api-shapes.md § VODs."""
    return {
        "id": v.id,
        "streamId": v.stream_id,
        "title": v.title,
        "categorySlug": v.category.slug,
        "startedAt": iso(v.started_at),
        "endedAt": iso(v.ended_at),
        "duration": v.duration_seconds,
    }


def leaderboard(
    creator_id: str,
    period: str,
    updated_at: datetime,
    entries: list[LeaderboardEntry],
    value_key: str,
) -> dict[str, Any]:
    return {
        "creatorId": creator_id,
        "period": period,
        "updatedAt": iso(updated_at),
        "leaderboard": [{"rank": e.rank, **user_ref(e.user), value_key: e.value} for e in entries],
    }


def chat_stats(s: ChatStats) -> dict[str, Any]:
    return {
        "channelId": s.channel_id,
        "isLive": s.is_live,
        "viewerCount": s.viewer_count,
        "chatters": s.chatters,
        "messagesPerMinute": s.messages_per_minute,
        "messagesLastHour": s.messages_last_hour,
        "uniqueChattersLastHour": s.unique_chatters_last_hour,
        "emotesPerMinute": s.emotes_per_minute,
        "updatedAt": iso(s.updated_at),
    }


def team(t: Team) -> dict[str, Any]:
    return {
        "id": t.id,
        "slug": t.slug,
        "name": t.name,
        "description": t.description,
        "avatarUrl": t.avatar_url,
        "memberCount": t.member_count,
        "createdAt": iso(t.created_at),
    }


def team_member(m: TeamMember, is_live: bool) -> dict[str, Any]:
    return {
        "userId": m.user_id,
        "username": m.username,
        "displayName": m.display_name,
        "role": m.role,
        "isLive": is_live,
        "joinedAt": iso(m.joined_at),
    }


def poll(p: Poll) -> dict[str, Any]:
    return {
        "id": p.id,
        "question": p.question,
        "options": [{"id": o.id, "text": o.text, "votes": o.votes} for o in p.options],
        "startedAt": iso(p.started_at),
        "endsAt": iso(p.ends_at),
        "totalVotes": p.total_votes,
    }


def giveaway(g: Giveaway) -> dict[str, Any]:
    return {
        "id": g.id,
        "title": g.title,
        "entries": g.entries,
        "startedAt": iso(g.started_at),
        "endsAt": iso(g.ends_at),
    }
