"""Request accounting: what the client actually asked of the API (the benchmark compares it with
the minimum the data requires)."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any


class ClientStats:
    """Thread-safe counters. Read them with :meth:`snapshot` (a plain dict)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests_by_endpoint: Counter[str] = Counter()
        self.responses_by_status: Counter[int] = Counter()
        self.retries = 0
        self.rate_limited = 0  # 429s seen
        self.reauths = 0
        self.token_fetches = 0
        self.transport_errors = 0
        self.pacing_sleep_seconds = 0.0
        self.rate_limit_wait_seconds = 0.0  # announced by 429s (slept inside pacing)
        self.backoff_sleep_seconds = 0.0
        self.pages = 0
        self.duplicates_removed = 0

    def add(self, **increments: float) -> None:
        with self._lock:
            for name, value in increments.items():
                setattr(self, name, getattr(self, name) + value)

    def count_request(self, endpoint: str) -> None:
        with self._lock:
            self.requests_by_endpoint[endpoint] += 1

    def count_status(self, status: int) -> None:
        with self._lock:
            self.responses_by_status[status] += 1

    @property
    def requests(self) -> int:
        with self._lock:
            return sum(self.requests_by_endpoint.values())

    @property
    def throttled_sleep_seconds(self) -> float:
        """Seconds spent waiting on rate limits (proactive pacing, which includes 429 waits)."""
        return self.pacing_sleep_seconds

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": sum(self.requests_by_endpoint.values()),
                "requests_by_endpoint": dict(self.requests_by_endpoint),
                "responses_by_status": dict(self.responses_by_status),
                "retries": self.retries,
                "rate_limited": self.rate_limited,
                "reauths": self.reauths,
                "token_fetches": self.token_fetches,
                "transport_errors": self.transport_errors,
                "throttled_sleep_seconds": round(self.pacing_sleep_seconds, 3),
                "rate_limit_wait_seconds": round(self.rate_limit_wait_seconds, 3),
                "backoff_sleep_seconds": round(self.backoff_sleep_seconds, 3),
                "pages": self.pages,
                "duplicates_removed": self.duplicates_removed,
            }
