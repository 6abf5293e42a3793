"""Proactive pacing shared by every thread of one client.

Each bucket (``default``; ``subscribers`` for ``/api/subscriptions/creator/*/subscribers`` and
``/api/developer/subscriptions[/count]``, which Velora limits together at 120/min per client)
spreads the requests the server says remain (``X-RateLimit-Remaining``, minus a safety margin for
requests in flight) over the time left until ``X-RateLimit-Reset``, never faster than our own
ceiling, with a small burst allowance (GCRA). A sliding 60 s log enforces the ceiling hard.
A 429 blocks the whole bucket until its ``Retry-After`` has passed. See docs/client.md.
"""

from __future__ import annotations

import math
import re
import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field

from pipeline.client.clock import Clock

WINDOW_SECONDS = 60.0  # Velora uses fixed 60 s windows
RESET_SKEW_SECONDS = 0.25  # wait a little past a reset: clocks differ slightly

SUBSCRIBERS_PATH = re.compile(
    r"^/api/(subscriptions/creator/[^/]+/subscribers|developer/subscriptions(/count)?)/?$"
)


@dataclass
class _Bucket:
    name: str
    ceiling_per_minute: int
    # server view (None until a response carried rate-limit headers)
    limit: int | None = None
    remaining: int | None = None
    reset_at: float | None = None
    sent_since_observation: int = 0
    # our own schedule
    tat: float = 0.0  # GCRA theoretical arrival time
    blocked_until: float = 0.0
    sent_log: deque[float] = field(default_factory=deque)


def _header_number(headers: Mapping[str, str], name: str) -> float | None:
    raw = headers.get(name)
    if raw is None:
        return None
    try:
        return float(raw.strip())
    except ValueError:
        return None


class RateLimiter:
    """Thread-safe pacing; :meth:`acquire` before each request, :meth:`observe` after it."""

    def __init__(
        self,
        clock: Clock,
        *,
        ceiling_per_minute: int = 800,
        subscribers_ceiling_per_minute: int = 120,
        burst: int = 8,
        safety_margin: int = 6,
    ) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._burst = burst
        self._margin = safety_margin
        self._buckets = {
            "default": _Bucket("default", ceiling_per_minute),
            "subscribers": _Bucket("subscribers", subscribers_ceiling_per_minute),
        }

    @staticmethod
    def buckets_for(path: str) -> tuple[str, ...]:
        """Bucket names a request to ``path`` draws from (specific buckets also count globally)."""
        if SUBSCRIBERS_PATH.match(path):
            return ("default", "subscribers")
        return ("default",)

    @staticmethod
    def observing_bucket(path: str) -> str:
        """The bucket whose server state a response's headers describe."""
        return "subscribers" if SUBSCRIBERS_PATH.match(path) else "default"

    def acquire(self, path: str) -> float:
        """Reserve a send slot for ``path``, sleep until it, and return the seconds slept."""
        with self._lock:
            now = self._clock.time()
            send_at = now
            for name in self.buckets_for(path):
                send_at = max(send_at, self._earliest(self._buckets[name], now))
            for name in self.buckets_for(path):
                self._reserve(self._buckets[name], send_at)
        wait = send_at - now
        if wait > 0:
            self._clock.sleep(wait)
        return max(wait, 0.0)

    def _roll_window(self, bucket: _Bucket, at: float) -> None:
        # The server's window ended: assume a fresh one until a response tells us otherwise.
        if bucket.reset_at is not None and at >= bucket.reset_at:
            windows_passed = math.floor((at - bucket.reset_at) / WINDOW_SECONDS) + 1
            bucket.reset_at += windows_passed * WINDOW_SECONDS
            bucket.remaining = bucket.limit
            bucket.sent_since_observation = 0

    def _earliest(self, bucket: _Bucket, now: float) -> float:
        start = max(now, bucket.blocked_until)
        interval = WINDOW_SECONDS / bucket.ceiling_per_minute
        burst = self._burst
        if bucket.remaining is not None and bucket.reset_at is not None:
            self._roll_window(bucket, start)
            available = (bucket.remaining or 0) - bucket.sent_since_observation - self._margin
            if available <= 0:
                # Nothing left in this window: wait for the reset, then start a fresh window.
                start = bucket.reset_at + RESET_SKEW_SECONDS
                self._roll_window(bucket, start)
                available = (bucket.remaining or 0) - self._margin
            if available > 0:
                left = max(bucket.reset_at - start, 0.0)
                interval = max(interval, left / available)
                # Burst only while plenty remains, so a nearly spent window is spread evenly.
                burst = max(1, min(self._burst, available // 10))
        tat = max(bucket.tat, start)
        send_at = max(start, tat - (burst - 1) * interval)
        bucket.tat = tat + interval
        # Hard ceiling: never more than ceiling_per_minute sends in any 60 s.
        log = bucket.sent_log
        while log and log[0] <= send_at - WINDOW_SECONDS:
            log.popleft()
        if len(log) >= bucket.ceiling_per_minute:
            send_at = max(send_at, log[len(log) - bucket.ceiling_per_minute] + WINDOW_SECONDS)
        return send_at

    def _reserve(self, bucket: _Bucket, send_at: float) -> None:
        bucket.sent_log.append(send_at)
        bucket.sent_since_observation += 1
        bucket.tat = max(bucket.tat, send_at)

    def observe(self, path: str, headers: Mapping[str, str]) -> None:
        """Learn the server's window state from a response's ``X-RateLimit-*`` headers."""
        remaining = _header_number(headers, "x-ratelimit-remaining")
        reset = _header_number(headers, "x-ratelimit-reset")
        limit = _header_number(headers, "x-ratelimit-limit")
        if remaining is None or reset is None:
            return
        if limit is not None and limit <= 0:
            # A window of zero requests is no window: the server advertises no limit (the twin
            # with limits switched off does this); pace by our own ceiling instead of stalling.
            return
        with self._lock:
            bucket = self._buckets[self.observing_bucket(path)]
            now = self._clock.time()
            # Clamp nonsense (skewed clocks): a window is at most 60 s long.
            reset = min(max(reset, now), now + WINDOW_SECONDS)
            if limit is not None:
                bucket.limit = int(limit)
            elif bucket.limit is None:
                bucket.limit = bucket.ceiling_per_minute
            same_window = bucket.reset_at is not None and abs(reset - bucket.reset_at) < 1.0
            if same_window and bucket.remaining is not None:
                # Responses arrive out of order; within a window remaining only goes down.
                if int(remaining) < bucket.remaining:
                    bucket.remaining = int(remaining)
                    bucket.sent_since_observation = 0
            else:
                bucket.remaining = int(remaining)
                bucket.reset_at = reset
                bucket.sent_since_observation = 0

    def block(self, path: str, seconds: float) -> None:
        """After a 429: nobody sends to ``path``'s bucket for ``seconds``."""
        with self._lock:
            bucket = self._buckets[self.observing_bucket(path)]
            until = self._clock.time() + max(seconds, 0.0)
            bucket.blocked_until = max(bucket.blocked_until, until)
            bucket.tat = max(bucket.tat, bucket.blocked_until)
            if bucket.reset_at is not None and bucket.reset_at < until:
                bucket.reset_at = None  # window state unknown until the next response
                bucket.remaining = None

    def state(self, bucket: str = "default") -> dict[str, float | int | None]:
        """Snapshot of a bucket's view, for logs and tests."""
        with self._lock:
            b = self._buckets[bucket]
            return {
                "limit": b.limit,
                "remaining": b.remaining,
                "reset_at": b.reset_at,
                "blocked_until": b.blocked_until,
                "sent_since_observation": b.sent_since_observation,
            }
