"""Request counters for ``GET /_twin/stats`` (client tests use them to count calls and 429s)."""

from __future__ import annotations

import threading
from collections import defaultdict
from typing import Any


class RequestStats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with getattr(self, "_lock", threading.Lock()):
            self._by_endpoint: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
            self.total = 0
            self.rate_limited = 0  # 429s from the rate limiter
            self.storm_429 = 0  # 429s from an injected storm

    def record(self, endpoint: str, status: int, *, storm: bool = False) -> None:
        with self._lock:
            self._by_endpoint[endpoint][str(status)] += 1
            self.total += 1
            if status == 429:
                if storm:
                    self.storm_429 += 1
                else:
                    self.rate_limited += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            endpoints = {k: dict(v) for k, v in sorted(self._by_endpoint.items())}
            by_status: dict[str, int] = defaultdict(int)
            for counts in endpoints.values():
                for status, n in counts.items():
                    by_status[status] += n
            return {
                "total": self.total,
                "by_status": dict(sorted(by_status.items())),
                "endpoints": endpoints,
                "rate_limited_429": self.rate_limited,
                "storm_429": self.storm_429,
                "served_429": self.rate_limited + self.storm_429,
            }
