"""Value objects the world hands out. Immutable; datetimes are timezone-aware UTC."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

SUBSCRIPTION_DAYS = 30  # a channel.subscribe buys this many days (see subscriptions.py)


@dataclass(frozen=True, slots=True)
class Category:
    id: str
    slug: str
    name: str
    tags: tuple[str, ...]
    image_url: str
    weight: float  # relative popularity used when creators and sessions pick categories


@dataclass(frozen=True, slots=True)
class Creator:
    id: str
    username: str
    display_name: str
    created_at: datetime
    bio: str
    avatar_url: str
    is_partner: bool
    trend: str  # "rising" | "steady" | "declining"
    trend_rate: float  # per-day log growth of follower rate and viewer level
    main_category: Category
    team_slug: str | None
    language: str
    is_mature: bool
    base_followers: int  # followers at the world epoch


@dataclass(frozen=True, slots=True)
class TeamMember:
    user_id: str
    username: str
    display_name: str
    role: str  # "owner" | "member"
    joined_at: datetime


@dataclass(frozen=True, slots=True)
class Team:
    id: str
    slug: str
    name: str
    description: str
    avatar_url: str
    created_at: datetime
    members: tuple[TeamMember, ...]

    @property
    def member_count(self) -> int:
        return len(self.members)


@dataclass(frozen=True, slots=True)
class LiveStream:
    stream_id: str
    user_id: str
    username: str
    display_name: str
    title: str
    category: Category
    viewer_count: int
    started_at: datetime
    language: str
    tags: tuple[str, ...]
    is_mature: bool
    thumbnail_url: str


@dataclass(frozen=True, slots=True)
class WorldEvent:
    """A webhook-relevant event. ``type`` is Velora's canonical name, ``data`` is semantic."""

    id: str
    type: str
    at: datetime
    channel_id: str
    data: dict[str, Any] = field(hash=False, compare=False)


@dataclass(frozen=True, slots=True)
class UserRef:
    """A viewer or creator account as it appears inside events and lists."""

    id: str
    username: str
    display_name: str


@dataclass(frozen=True, slots=True)
class Follower:
    user: UserRef
    followed_at: datetime


@dataclass(frozen=True, slots=True)
class Subscriber:
    """An active subscription of a channel (see ``World.subscribers``)."""

    user: UserRef
    tier: int  # 1000 | 2000 | 3000
    is_gift: bool
    gifter: UserRef | None  # None for paid subs and for anonymous gifts
    started_at: datetime  # the channel.subscribe event that started the current period
    months: int  # cumulative months, as in that event

    @property
    def expires_at(self) -> datetime:
        """When the current period runs out unless a new subscribe renews it."""
        return self.started_at + timedelta(days=SUBSCRIPTION_DAYS)


@dataclass(frozen=True, slots=True)
class LeaderboardEntry:
    rank: int
    user: UserRef
    value: int  # Volts amount, gifted subs, or channel points spent


@dataclass(frozen=True, slots=True)
class Clip:
    id: str
    title: str
    url: str
    thumbnail_url: str
    stream_id: str
    creator_id: str
    creator_username: str
    clipped_by: UserRef
    category: Category
    duration_seconds: int
    view_count: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Vod:
    """The recording of one ended session (``/api/streams/user/:username/vods``)."""

    id: str
    stream_id: str
    title: str
    category: Category
    started_at: datetime
    ended_at: datetime

    @property
    def duration_seconds(self) -> int:
        return int((self.ended_at - self.started_at).total_seconds())


@dataclass(frozen=True, slots=True)
class PollOption:
    id: str
    text: str
    votes: int


@dataclass(frozen=True, slots=True)
class Poll:
    id: str
    question: str
    options: tuple[PollOption, ...]
    started_at: datetime
    ends_at: datetime

    @property
    def total_votes(self) -> int:
        return sum(o.votes for o in self.options)


@dataclass(frozen=True, slots=True)
class Giveaway:
    id: str
    title: str
    entries: int
    started_at: datetime
    ends_at: datetime


@dataclass(frozen=True, slots=True)
class ChatStats:
    channel_id: str
    is_live: bool
    viewer_count: int
    chatters: int
    messages_per_minute: int
    messages_last_hour: int
    unique_chatters_last_hour: int
    emotes_per_minute: int
    updated_at: datetime
