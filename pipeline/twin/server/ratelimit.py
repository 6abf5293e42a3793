"""Fixed 60-second windows on the wall clock, one counter per (bucket, caller).

Rate limiting is a property of the service, not of the simulated world, so it ignores the twin
clock entirely.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

WINDOW_SECONDS = 60


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # unix seconds, end of the current window
    retry_after: int  # seconds until the window ends (>= 1)

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset),
        }


class FixedWindowLimiter:
    def __init__(self, wall: Callable[[], float] = time.time) -> None:
        self._wall = wall
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, str], tuple[int, int]] = {}  # key -> (window, count)

    def hit(self, bucket: str, caller: str, limit: int) -> RateDecision:
        now = self._wall()
        window = int(now // WINDOW_SECONDS)
        reset = (window + 1) * WINDOW_SECONDS
        retry_after = max(1, math.ceil(reset - now))
        if limit <= 0:  # unlimited: still send headers so clients can read them
            return RateDecision(True, 0, 0, reset, retry_after)
        key = (bucket, caller)
        with self._lock:
            seen_window, count = self._counts.get(key, (window, 0))
            if seen_window != window:
                count = 0
            if count >= limit:
                self._counts[key] = (window, count)
                return RateDecision(False, limit, 0, reset, retry_after)
            count += 1
            self._counts[key] = (window, count)
            if len(self._counts) > 10_000:  # forget callers from old windows
                self._counts = {k: v for k, v in self._counts.items() if v[0] == window}
        return RateDecision(True, limit, limit - count, reset, retry_after)
