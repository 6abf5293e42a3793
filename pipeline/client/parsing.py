"""Tolerant parsing of Velora payloads into plain dataclasses with snake_case fields.

Rules (docs/client.md, "Tolerated variants"):
- every item keeps its full original dict under ``raw`` (unknown fields are never lost);
- a missing optional field becomes ``None``; a value of the wrong type becomes ``None`` plus a
  warning appended to the caller's ``warnings`` list — never an exception;
- each field accepts its documented aliases, camelCase or snake_case;
- timestamps become aware UTC datetimes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

Warnings = list[str]

LIST_ENVELOPE_KEYS = ("items", "data")
_FRACTION = re.compile(r"(\.\d{6})\d+")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def snake_case(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def pick(d: dict[str, Any], *names: str) -> Any:
    """The first present, non-None value among ``names`` (each tried camelCase and snake_case)."""
    for name in names:
        for key in (name, snake_case(name)):
            value = d.get(key)
            if value is not None:
                return value
    return None


# ---------------------------------------------------------------- scalar coercion


def parse_timestamp(
    value: Any, what: str = "timestamp", warnings: Warnings | None = None
) -> datetime | None:
    """ISO 8601 (with or without fraction, ``Z`` or offset; naive = UTC) or unix seconds/ms →
    aware UTC datetime. Anything else → None and a warning."""
    if value is None or value == "":
        return None
    parsed: datetime | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000.0 if value > 1e11 else float(value)
        try:
            parsed = datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            parsed = None
    elif isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        text = _FRACTION.sub(r"\1", text)  # Python takes at most microseconds
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            parsed = None
        if parsed is not None:
            parsed = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    if parsed is None and warnings is not None:
        warnings.append(f"{what}: unparseable timestamp {value!r}")
    return parsed


def parse_int(value: Any, what: str = "number", warnings: Warnings | None = None) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        result = None
    elif isinstance(value, int):
        return value
    elif isinstance(value, float):
        result = int(value) if value.is_integer() else round(value)
    elif isinstance(value, str):
        try:
            result = int(float(value.strip()))
        except ValueError:
            result = None
    else:
        result = None
    if result is None and warnings is not None:
        warnings.append(f"{what}: not a number {value!r}")
    return result


def parse_float(value: Any, what: str = "number", warnings: Warnings | None = None) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            pass
    if warnings is not None:
        warnings.append(f"{what}: not a number {value!r}")
    return None


def parse_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in {"true", "false", "1", "0"}:
        return value.strip().lower() in {"true", "1"}
    return None


def parse_str(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)  # ids are documented as strings; accept numbers too
    return None


def parse_tags(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(t) for t in value if isinstance(t, str | int)]
    if isinstance(value, str) and value.strip():
        return [t.strip() for t in value.split(",") if t.strip()]
    return []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


# ---------------------------------------------------------------- envelopes


def extract_list(body: Any, item_keys: tuple[str, ...]) -> list[Any] | None:
    """The item list of a list envelope: ``<plural>`` (any of ``item_keys``), ``items``,
    ``data``, a bare array, or ``{"data": {"<plural>": [...]}}``. None when there is none."""
    if isinstance(body, list):
        return body
    if not isinstance(body, dict):
        return None
    for key in (*item_keys, *LIST_ENVELOPE_KEYS):
        value = body.get(key)
        if isinstance(value, list):
            return value
    data = body.get("data")
    if isinstance(data, dict):
        return extract_list(data, item_keys)
    # Last resort for an envelope key we were not told about: the one top-level list.
    lists = [value for value in body.values() if isinstance(value, list)]
    if len(lists) == 1 and all(isinstance(item, dict) for item in lists[0]):
        return lists[0]
    return None


def extract_cursor(body: Any) -> str | None:
    """``pagination.cursor`` (or ``nextCursor``/``next_cursor``, or top-level variants);
    null, missing or empty string all mean "last page"."""
    if not isinstance(body, dict):
        return None
    candidates: list[Any] = []
    pagination = body.get("pagination")
    if isinstance(pagination, dict):
        candidates += [pagination.get(k) for k in ("cursor", "nextCursor", "next_cursor", "next")]
    candidates += [body.get(k) for k in ("cursor", "nextCursor", "next_cursor")]
    for value in candidates:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str) and value.strip():
            return value
    return None


def extract_total(body: Any) -> int | None:
    if not isinstance(body, dict):
        return None
    pagination = _dict(body.get("pagination"))
    return parse_int(pick(body, "total", "totalCount") or pick(pagination, "total", "totalCount"))


def unwrap(body: Any, *keys: str) -> dict[str, Any] | None:
    """An object that may arrive wrapped (``{"user": {...}}``) or flat."""
    if not isinstance(body, dict):
        return None
    for key in keys:
        inner = body.get(key)
        if isinstance(inner, dict):
            return inner
    data = body.get("data")
    if isinstance(data, dict):
        return unwrap(data, *keys) or data
    return body


def item_id(item: Any, id_keys: tuple[str, ...]) -> str | None:
    """Identity used to drop items repeated across pages (None: never deduplicated)."""
    if not isinstance(item, dict):
        return None
    value = pick(item, *id_keys)
    return parse_str(value)


# ---------------------------------------------------------------- items


@dataclass
class StreamItem:
    stream_id: str | None
    user_id: str | None
    username: str | None
    display_name: str | None
    title: str | None
    viewer_count: int | None
    started_at: datetime | None
    category_slug: str | None
    category_name: str | None
    language: str | None
    tags: list[str]
    thumbnail_url: str | None
    is_mature: bool | None = None
    category_id: str | None = None
    viewer_growth: int | None = None
    growth_percent: float | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


def _category_fields(d: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    category = d.get("category")
    if isinstance(category, dict):
        return (
            parse_str(pick(category, "id")),
            parse_str(pick(category, "slug")),
            parse_str(pick(category, "name")),
        )
    slug = parse_str(pick(d, "categorySlug"))
    name = parse_str(pick(d, "categoryName"))
    if isinstance(category, str) and category:
        if _SLUG.match(category):
            slug = slug or category
        else:
            name = name or category
    return parse_str(pick(d, "categoryId")), slug, name


def parse_stream(d: dict[str, Any], warnings: Warnings) -> StreamItem:
    user = _dict(d.get("user"))
    category_id, slug, name = _category_fields(d)
    return StreamItem(
        stream_id=parse_str(pick(d, "id", "streamId")),
        user_id=parse_str(
            pick(d, "userId", "creatorId", "channelId") or pick(user, "id", "userId")
        ),
        username=parse_str(pick(d, "username", "userName") or pick(user, "username")),
        display_name=parse_str(pick(d, "displayName") or pick(user, "displayName")),
        title=parse_str(pick(d, "title")),
        viewer_count=parse_int(pick(d, "viewerCount", "viewers"), "viewerCount", warnings),
        started_at=parse_timestamp(pick(d, "startedAt"), "startedAt", warnings),
        category_slug=slug,
        category_name=name,
        language=parse_str(pick(d, "language", "lang")),
        tags=parse_tags(pick(d, "tags")),
        thumbnail_url=parse_str(pick(d, "thumbnailUrl", "thumbnail")),
        is_mature=parse_bool(pick(d, "isMature", "mature")),
        category_id=category_id,
        viewer_growth=parse_int(pick(d, "viewerGrowth", "growth"), "viewerGrowth", warnings),
        growth_percent=parse_float(pick(d, "growthPercent"), "growthPercent", warnings),
        raw=d,
    )


@dataclass
class CategoryItem:
    category_id: str | None
    slug: str | None
    name: str | None
    image_url: str | None
    tags: list[str]
    viewer_count: int | None
    stream_count: int | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


def parse_category(d: dict[str, Any], warnings: Warnings) -> CategoryItem:
    return CategoryItem(
        category_id=parse_str(pick(d, "id", "categoryId")),
        slug=parse_str(pick(d, "slug")),
        name=parse_str(pick(d, "name")),
        image_url=parse_str(pick(d, "imageUrl", "image", "boxArtUrl")),
        tags=parse_tags(pick(d, "tags")),
        viewer_count=parse_int(pick(d, "viewerCount", "viewers"), "viewerCount", warnings),
        stream_count=parse_int(
            pick(d, "streamCount", "streams", "liveCount"), "streamCount", warnings
        ),
        raw=d,
    )


@dataclass
class ClipItem:
    clip_id: str | None
    title: str | None
    url: str | None
    thumbnail_url: str | None
    stream_id: str | None
    creator_id: str | None
    creator_username: str | None
    clipped_by_id: str | None
    clipped_by_username: str | None
    category_slug: str | None
    duration_seconds: float | None
    view_count: int | None
    created_at: datetime | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


def parse_clip(d: dict[str, Any], warnings: Warnings) -> ClipItem:
    clipped_by = d.get("clippedBy")
    if clipped_by is None:
        clipped_by = d.get("clipped_by")
    by = _dict(clipped_by)
    creator = _dict(d.get("creator"))
    _, slug, _ = _category_fields(d)
    return ClipItem(
        clip_id=parse_str(pick(d, "id", "clipId")),
        title=parse_str(pick(d, "title")),
        url=parse_str(pick(d, "url", "clipUrl")),
        thumbnail_url=parse_str(pick(d, "thumbnailUrl", "thumbnail")),
        stream_id=parse_str(pick(d, "streamId")),
        creator_id=parse_str(
            pick(d, "creatorId", "channelId", "broadcasterId") or pick(creator, "id", "userId")
        ),
        creator_username=parse_str(
            pick(d, "creatorUsername", "channelUsername") or pick(creator, "username")
        ),
        clipped_by_id=parse_str(pick(by, "id", "userId") or pick(d, "clippedById")),
        clipped_by_username=parse_str(
            pick(by, "username") or (clipped_by if isinstance(clipped_by, str) else None)
        ),
        category_slug=slug,
        duration_seconds=parse_float(
            pick(d, "durationSeconds", "duration"), "durationSeconds", warnings
        ),
        view_count=parse_int(pick(d, "viewCount", "views"), "viewCount", warnings),
        created_at=parse_timestamp(pick(d, "createdAt"), "createdAt", warnings),
        raw=d,
    )


BOARD_VALUE_KEYS: dict[str, tuple[str, ...]] = {
    "volts": ("amount", "volts", "total", "totalVolts"),
    "gifts": ("giftCount", "gifts", "count", "totalGifts"),
    "points": ("points", "balance", "totalPoints"),
}


@dataclass
class LeaderboardEntry:
    board: str  # volts | gifts | points
    creator_id: str | None  # the channel the board belongs to
    rank: int
    user_id: str | None
    username: str | None
    display_name: str | None
    value: int | None  # volts amount, gift count or points
    period: str | None
    updated_at: datetime | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


def parse_leaderboard(
    body: Any, board: str, creator_id: str, warnings: Warnings
) -> list[LeaderboardEntry] | None:
    """Entries of a leaderboard body (``leaderboard``/``entries``/``items``/``data``/bare array).
    A missing rank becomes the 1-based position. None when the body holds no list at all."""
    rows = extract_list(body, ("leaderboard", "entries", board))
    if rows is None:
        return None
    envelope = body if isinstance(body, dict) else {}
    period = parse_str(pick(envelope, "period"))
    updated_at = parse_timestamp(pick(envelope, "updatedAt"), "updatedAt", warnings)
    owner = parse_str(pick(envelope, "creatorId", "channelId")) or creator_id
    entries: list[LeaderboardEntry] = []
    for position, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            warnings.append(f"{board} leaderboard entry {position}: not an object")
            continue
        user = _dict(row.get("user"))
        rank = parse_int(pick(row, "rank", "position"), "rank", warnings)
        entries.append(
            LeaderboardEntry(
                board=board,
                creator_id=owner,
                rank=rank if rank is not None else position,
                user_id=parse_str(pick(row, "userId", "id") or pick(user, "id", "userId")),
                username=parse_str(pick(row, "username") or pick(user, "username")),
                display_name=parse_str(pick(row, "displayName") or pick(user, "displayName")),
                value=parse_int(pick(row, *BOARD_VALUE_KEYS[board]), board, warnings),
                period=period,
                updated_at=updated_at,
                raw=row,
            )
        )
    return entries


@dataclass
class ChatStats:
    channel_id: str | None
    is_live: bool | None
    viewer_count: int | None
    chatters: int | None
    messages_per_minute: float | None
    messages_last_hour: int | None
    unique_chatters_last_hour: int | None
    emotes_per_minute: float | None
    updated_at: datetime | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


_CHAT_STATS_KEYS = (
    "chatters",
    "messagesPerMinute",
    "messagesLastHour",
    "uniqueChattersLastHour",
    "viewerCount",
    "isLive",
)


def parse_chat_stats(body: Any, channel_id: str, warnings: Warnings) -> ChatStats | None:
    """Flat or ``{"stats": {...}}``; None when no chat-stats field is there at all."""
    d = unwrap(body, "stats", "chatStats")
    if d is None or all(pick(d, key) is None for key in _CHAT_STATS_KEYS):
        return None
    return ChatStats(
        channel_id=parse_str(pick(d, "channelId", "userId")) or channel_id,
        is_live=parse_bool(pick(d, "isLive", "live")),
        viewer_count=parse_int(pick(d, "viewerCount", "viewers"), "viewerCount", warnings),
        chatters=parse_int(pick(d, "chatters", "chatterCount"), "chatters", warnings),
        messages_per_minute=parse_float(
            pick(d, "messagesPerMinute"), "messagesPerMinute", warnings
        ),
        messages_last_hour=parse_int(pick(d, "messagesLastHour"), "messagesLastHour", warnings),
        unique_chatters_last_hour=parse_int(
            pick(d, "uniqueChattersLastHour"), "uniqueChattersLastHour", warnings
        ),
        emotes_per_minute=parse_float(pick(d, "emotesPerMinute"), "emotesPerMinute", warnings),
        updated_at=parse_timestamp(pick(d, "updatedAt"), "updatedAt", warnings),
        raw=d,
    )


@dataclass
class TeamItem:
    team_id: str | None
    slug: str | None
    name: str | None
    description: str | None
    avatar_url: str | None
    member_count: int | None
    created_at: datetime | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


def parse_team(d: dict[str, Any], warnings: Warnings) -> TeamItem:
    return TeamItem(
        team_id=parse_str(pick(d, "id", "teamId")),
        slug=parse_str(pick(d, "slug")),
        name=parse_str(pick(d, "name", "displayName")),
        description=parse_str(pick(d, "description")),
        avatar_url=parse_str(pick(d, "avatarUrl", "logoUrl")),
        member_count=parse_int(pick(d, "memberCount", "members"), "memberCount", warnings),
        created_at=parse_timestamp(pick(d, "createdAt"), "createdAt", warnings),
        raw=d,
    )


def parse_team_object(body: Any, warnings: Warnings) -> TeamItem | None:
    """``GET /api/teams/:slug``: ``{"team": {...}}`` or flat; None without an id or slug."""
    d = unwrap(body, "team")
    if d is None or pick(d, "id", "teamId", "slug") is None:
        return None
    return parse_team(d, warnings)


@dataclass
class TeamMember:
    team_slug: str
    user_id: str | None
    username: str | None
    display_name: str | None
    role: str | None
    is_live: bool | None
    joined_at: datetime | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


def parse_team_member(d: dict[str, Any], team_slug: str, warnings: Warnings) -> TeamMember:
    user = _dict(d.get("user"))
    return TeamMember(
        team_slug=team_slug,
        user_id=parse_str(pick(d, "userId", "id") or pick(user, "id", "userId")),
        username=parse_str(pick(d, "username") or pick(user, "username")),
        display_name=parse_str(pick(d, "displayName") or pick(user, "displayName")),
        role=parse_str(pick(d, "role")),
        is_live=parse_bool(pick(d, "isLive")),
        joined_at=parse_timestamp(pick(d, "joinedAt"), "joinedAt", warnings),
        raw=d,
    )


@dataclass
class UserProfile:
    user_id: str | None
    username: str | None
    display_name: str | None
    bio: str | None
    avatar_url: str | None
    follower_count: int | None
    following_count: int | None
    is_live: bool | None
    is_partner: bool | None
    created_at: datetime | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


def parse_user_profile(body: Any, warnings: Warnings) -> UserProfile | None:
    d = unwrap(body, "user", "profile")
    if d is None or pick(d, "id", "userId", "username") is None:
        return None  # not a user at all (an error page in JSON, another endpoint's body)
    return UserProfile(
        user_id=parse_str(pick(d, "id", "userId")),
        username=parse_str(pick(d, "username")),
        display_name=parse_str(pick(d, "displayName")),
        bio=parse_str(pick(d, "bio", "description")),
        avatar_url=parse_str(pick(d, "avatarUrl", "avatar", "profileImageUrl")),
        follower_count=parse_int(
            pick(d, "followerCount", "followers", "followersCount"), "followerCount", warnings
        ),
        following_count=parse_int(
            pick(d, "followingCount", "following"), "followingCount", warnings
        ),
        is_live=parse_bool(pick(d, "isLive")),
        is_partner=parse_bool(pick(d, "isPartner", "partner")),
        created_at=parse_timestamp(pick(d, "createdAt"), "createdAt", warnings),
        raw=d,
    )


@dataclass
class ChannelStream:
    """``GET /api/streams/user/:username``: the channel and, when live, its stream."""

    username: str | None
    user_id: str | None
    is_live: bool
    stream: StreamItem | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


_STREAM_MARKERS = ("title", "viewerCount", "viewers", "startedAt", "streamId")


def parse_channel_stream(body: Any, username: str, warnings: Warnings) -> ChannelStream | None:
    """Nested ``{"user", "stream"|null, "category"|null, "isLive"}`` or a flat stream object."""
    if not isinstance(body, dict):
        return None
    d = body
    if isinstance(body.get("data"), dict):
        d = body["data"]
    user = _dict(d.get("user"))
    is_live_flag = parse_bool(pick(d, "isLive", "live"))
    if "stream" in d or user:
        stream_doc = d.get("stream")
        stream = None
        if isinstance(stream_doc, dict):
            merged = dict(stream_doc)
            if "category" not in merged and isinstance(d.get("category"), dict):
                merged["category"] = d["category"]
            for key, user_key in (
                ("userId", "id"),
                ("username", "username"),
                ("displayName", "displayName"),
            ):
                if pick(merged, key) is None and pick(user, user_key) is not None:
                    merged[key] = pick(user, user_key)
            stream = parse_stream(merged, warnings)
        is_live = is_live_flag if is_live_flag is not None else stream is not None
        return ChannelStream(
            username=parse_str(pick(user, "username"))
            or (stream.username if stream else None)
            or username,
            user_id=parse_str(pick(user, "id", "userId")) or (stream.user_id if stream else None),
            is_live=bool(is_live),
            stream=stream if is_live else None,
            raw=body,
        )
    looks_live = (
        is_live_flag
        if is_live_flag is not None
        else any(pick(d, k) is not None for k in _STREAM_MARKERS)
    )
    stream = parse_stream(d, warnings) if looks_live else None
    return ChannelStream(
        username=parse_str(pick(d, "username")) or username,
        user_id=parse_str(pick(d, "userId")),
        is_live=bool(looks_live),
        stream=stream,
        raw=body,
    )


@dataclass
class FollowerItem:
    user_id: str | None
    username: str | None
    display_name: str | None
    followed_at: datetime | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


def parse_follower(d: dict[str, Any], warnings: Warnings) -> FollowerItem:
    user = _dict(d.get("user")) or _dict(d.get("follower"))
    return FollowerItem(
        user_id=parse_str(pick(d, "userId", "id") or pick(user, "id", "userId")),
        username=parse_str(pick(d, "username") or pick(user, "username")),
        display_name=parse_str(pick(d, "displayName") or pick(user, "displayName")),
        followed_at=parse_timestamp(pick(d, "followedAt", "createdAt"), "followedAt", warnings),
        raw=d,
    )


@dataclass
class SubscriberItem:
    user_id: str | None
    username: str | None
    tier: str | None
    is_gift: bool | None
    started_at: datetime | None
    months: int | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


def parse_subscriber(d: dict[str, Any], warnings: Warnings) -> SubscriberItem:
    user = _dict(d.get("user")) or _dict(d.get("subscriber"))
    return SubscriberItem(
        user_id=parse_str(pick(d, "userId", "id") or pick(user, "id", "userId")),
        username=parse_str(pick(d, "username") or pick(user, "username")),
        tier=parse_str(pick(d, "tier")),
        is_gift=parse_bool(pick(d, "isGift", "gift")),
        started_at=parse_timestamp(pick(d, "startedAt", "createdAt"), "startedAt", warnings),
        months=parse_int(pick(d, "months", "cumulativeMonths"), "months", warnings),
        raw=d,
    )
