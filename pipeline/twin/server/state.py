"""Everything one running twin holds: world, clock, tokens, limits, faults, webhooks, caches."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pipeline.twin.server import wire
from pipeline.twin.server.auth import Token, TokenStore, require_user
from pipeline.twin.server.clock import TwinClock
from pipeline.twin.server.config import TwinConfig
from pipeline.twin.server.errors import ApiError, not_found
from pipeline.twin.server.faults import FaultInjector
from pipeline.twin.server.ratelimit import FixedWindowLimiter
from pipeline.twin.server.stats import RequestStats
from pipeline.twin.server.timefmt import floor_minute
from pipeline.twin.server.webhook_delivery import DeliveryEngine
from pipeline.twin.server.webhook_registry import WebhookRegistry
from pipeline.twin.world import Creator, LiveStream, Subscriber, World


@dataclass
class LiveSnapshot:
    """The live list at one twin-time minute, sorted by viewers desc then stream id."""

    at: datetime
    streams: list[LiveStream]
    wire: list[dict[str, Any]]
    by_user_id: dict[str, int] = field(default_factory=dict)
    category_totals: dict[str, tuple[int, int]] = field(
        default_factory=dict
    )  # slug -> (viewers, n)

    @classmethod
    def build(cls, at: datetime, streams: list[LiveStream]) -> LiveSnapshot:
        ordered = sorted(streams, key=lambda s: (-s.viewer_count, s.stream_id))
        totals: dict[str, tuple[int, int]] = {}
        for s in ordered:
            viewers, count = totals.get(s.category.slug, (0, 0))
            totals[s.category.slug] = (viewers + s.viewer_count, count + 1)
        return cls(
            at=at,
            streams=ordered,
            wire=[wire.stream(s) for s in ordered],
            by_user_id={s.user_id: i for i, s in enumerate(ordered)},
            category_totals=totals,
        )

    def for_user(self, user_id: str) -> LiveStream | None:
        index = self.by_user_id.get(user_id)
        return None if index is None else self.streams[index]


class TwinState:
    def __init__(self, config: TwinConfig, world: World, start: datetime) -> None:
        self.config = config
        self.world = world
        self.clock = TwinClock(start, config.clock, config.speed)
        self.tokens = TokenStore(
            config.client_id, config.client_secret, config.token_ttl, self.broadcaster_for_code
        )
        self.limiter = FixedWindowLimiter()
        self.faults = FaultInjector(config.faults)
        self.stats = RequestStats()
        self.webhooks = WebhookRegistry(allow_http=config.allow_http_webhooks)
        self.delivery = DeliveryEngine(world, self.clock, self.webhooks, config)
        self._live_lock = threading.Lock()
        self._live_cache: OrderedDict[datetime, LiveSnapshot] = OrderedDict()
        self._subscriber_cache: OrderedDict[tuple[str, datetime], list[Subscriber]] = OrderedDict()
        self.routes: list[Any] = []  # set by create_app; used to label requests in stats

    # ---- time --------------------------------------------------------------------------------
    def now(self) -> datetime:
        return self.clock.now()

    # ---- identity --------------------------------------------------------------------------
    def caller_identity(self, authorization: str | None, client: Any) -> str:
        """Rate-limit key: the client of a valid token, otherwise the remote address."""
        if authorization and authorization[:7].lower() == "bearer ":
            token = self.tokens.lookup(authorization[7:].strip())
            if token is not None and token.expires_at > self.now():
                return f"client:{token.client_id}"
        host = client[0] if client else "unknown"
        return f"addr:{host}"

    def authenticate(self, authorization: str | None) -> Token:
        return self.tokens.authenticate(authorization, self.now())

    # ---- live list (cached per twin-time minute) -------------------------------------------
    def live(self, t: datetime | None = None) -> LiveSnapshot:
        minute = floor_minute(t or self.now())
        with self._live_lock:
            cached = self._live_cache.get(minute)
            if cached is not None:
                self._live_cache.move_to_end(minute)
                return cached
        snapshot = LiveSnapshot.build(minute, list(self.world.live_streams(minute)))
        with self._live_lock:
            self._live_cache[minute] = snapshot
            while len(self._live_cache) > 4:  # now, 15 min ago (growing), plus slack
                self._live_cache.popitem(last=False)
        return snapshot

    def live_minutes_ago(self, minutes: int) -> LiveSnapshot:
        return self.live(floor_minute(self.now()) - timedelta(minutes=minutes))

    # ---- subscribers (world.subscribers, cached per channel and twin minute) -----------------
    def subscribers(self, creator_id: str, t: datetime) -> list[Subscriber]:
        key = (creator_id, floor_minute(t))
        with self._live_lock:
            cached = self._subscriber_cache.get(key)
        if cached is None:
            cached = self.world.subscribers(creator_id, key[1])
            with self._live_lock:
                self._subscriber_cache[key] = cached
                while len(self._subscriber_cache) > 64:
                    self._subscriber_cache.popitem(last=False)
        return cached

    # ---- creators ------------------------------------------------------------------------------
    def creator_by_username(self, username: str) -> Creator | None:
        found = self.world.creator_by_username(username)
        if found is None and username.lower() != username:
            found = self.world.creator_by_username(username.lower())
        return found

    def resolve_creator(self, key: str) -> Creator:
        """A path segment that may be a user id or a username; 404 when neither matches."""
        creator = self.world.creator(key) or self.creator_by_username(key)
        if creator is None:
            raise not_found(f"user {key!r} not found", user=key)
        return creator

    def creator_named(self, username: str) -> Creator:
        creator = self.creator_by_username(username)
        if creator is None:
            raise not_found(f"user {username!r} not found", username=username)
        return creator

    def broadcaster_for_code(self, code: str) -> str:
        """The creator an authorization code stands for: the authorized creator whose id or
        username the code is, else (a twin convenience) the first authorized creator by id."""
        authorized = sorted(self.world.authorized_creator_ids)
        if not authorized:
            raise ApiError(400, "no creator has authorized this application", code="invalid_grant")
        named = self.world.creator(code) or self.creator_by_username(code)
        if named is not None and named.id in set(authorized):
            return named.id
        return authorized[0]

    def token_channel(self, token: Token) -> Creator:
        """The channel of a user token (403 for app-only tokens)."""
        creator = self.world.creator(require_user(token))
        if creator is None:  # tokens are only issued for the world's creators
            raise not_found("the token's user no longer exists", userId=token.user_id)
        return creator
