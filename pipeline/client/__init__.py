"""Velora API client: plain Python + httpx (no Dagster, no DuckDB).

See docs/client.md for the behaviour (status → action table, pacing, tolerated variants).
"""

from pipeline.client.client import VeloraClient
from pipeline.client.clock import Clock, SystemClock
from pipeline.client.config import ClientConfig
from pipeline.client.errors import (
    BadRequest,
    ClientConfigError,
    Forbidden,
    MalformedResponseError,
    NotFound,
    PaginationLoopError,
    RateLimited,
    ServerError,
    Unauthorized,
    VeloraApiError,
    VeloraArgumentError,
    VeloraAuthError,
    VeloraTransportError,
)
from pipeline.client.parsing import (
    CategoryItem,
    ChannelStream,
    ChatStats,
    ClipItem,
    FollowerItem,
    LeaderboardEntry,
    StreamItem,
    SubscriberItem,
    TeamItem,
    TeamMember,
    UserProfile,
)
from pipeline.client.ratelimit import RateLimiter
from pipeline.client.responses import ApiResponse, FanOutResult, ListResult, ObjectResult, Page
from pipeline.client.retry import STATUS_ACTIONS, Action
from pipeline.client.stats import ClientStats
from pipeline.client.subscription_parsing import RosterSubscriber, SubscriptionCount

__all__ = [
    "STATUS_ACTIONS",
    "Action",
    "ApiResponse",
    "BadRequest",
    "CategoryItem",
    "ChannelStream",
    "ChatStats",
    "ClientConfig",
    "ClientConfigError",
    "ClientStats",
    "ClipItem",
    "Clock",
    "FanOutResult",
    "FollowerItem",
    "Forbidden",
    "LeaderboardEntry",
    "ListResult",
    "MalformedResponseError",
    "NotFound",
    "ObjectResult",
    "Page",
    "PaginationLoopError",
    "RateLimited",
    "RateLimiter",
    "RosterSubscriber",
    "ServerError",
    "StreamItem",
    "SubscriberItem",
    "SubscriptionCount",
    "SystemClock",
    "TeamItem",
    "TeamMember",
    "Unauthorized",
    "UserProfile",
    "VeloraApiError",
    "VeloraArgumentError",
    "VeloraAuthError",
    "VeloraClient",
    "VeloraTransportError",
]
