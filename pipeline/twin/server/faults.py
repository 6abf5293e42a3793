"""Deterministic fault injection.

Each request gets a uniform number from ``sha256(seed, method, path?query, n)`` where ``n`` counts
earlier requests with the same method and URL. The same request sequence against the same fault
seed therefore sees the same faults, even when other URLs are requested in between.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from pipeline.twin.server.config import FaultConfig

FAULT_KINDS = ("error", "timeout", "slow", "malformed")


@dataclass(frozen=True)
class FaultDecision:
    kind: str | None  # one of FAULT_KINDS, "storm", or None
    status: int = 200
    html: bool = False
    storm_remaining: float = 0.0
    delay: float = 0.0


def _uniform(*parts: object) -> float:
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


class FaultInjector:
    def __init__(self, config: FaultConfig, wall: Callable[[], float] = time.time) -> None:
        self._wall = wall
        self._lock = threading.Lock()
        self._occurrences: dict[str, int] = {}
        self._storm_until = 0.0
        self.counts: dict[str, int] = {}
        self.config = config

    def configure(self, config: FaultConfig, *, start_storm: bool = False) -> None:
        with self._lock:
            self.config = config
            self._occurrences.clear()
            self.counts = {}
            self._storm_until = self._wall() + config.storm_seconds if start_storm else 0.0

    def snapshot(self) -> dict[str, object]:
        with self._lock:
            storm_left = max(0.0, self._storm_until - self._wall())
            return {
                "config": self.config.__dict__.copy(),
                "injected": dict(self.counts),
                "storm_remaining_seconds": round(storm_left, 3),
            }

    def decide(self, method: str, url_key: str) -> FaultDecision:
        cfg = self.config
        now = self._wall()
        with self._lock:
            if now < self._storm_until:
                self._count("storm")
                return FaultDecision("storm", 429, storm_remaining=self._storm_until - now)
            if not cfg.active:
                return FaultDecision(None)
            key = f"{method} {url_key}"
            n = self._occurrences.get(key, 0)
            self._occurrences[key] = n + 1
            if cfg.storm_rate > 0 and _uniform(cfg.seed, "storm", key, n) < cfg.storm_rate:
                self._storm_until = now + cfg.storm_seconds
                self._count("storm")
                return FaultDecision("storm", 429, storm_remaining=cfg.storm_seconds)
            u = _uniform(cfg.seed, key, n)
            detail = _uniform(cfg.seed, "detail", key, n)
            edge = cfg.error_rate
            if u < edge:
                self._count("error")
                status = (500, 502, 503)[int(detail * 3) % 3]
                return FaultDecision("error", status, html=detail * 3 % 1 < 0.3)
            edge += cfg.timeout_rate
            if u < edge:
                self._count("timeout")
                return FaultDecision("timeout", delay=cfg.timeout_delay)
            edge += cfg.slow_rate
            if u < edge:
                self._count("slow")
                return FaultDecision("slow", delay=cfg.slow_delay)
            edge += cfg.malformed_rate
            if u < edge:
                self._count("malformed")
                return FaultDecision("malformed")
            return FaultDecision(None)

    def _count(self, kind: str) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1


HTML_ERROR_PAGE = """<!DOCTYPE html>
<html><head><title>{status} {reason}</title></head>
<body><center><h1>{status} {reason}</h1></center><hr><center>velora-edge</center></body></html>
"""
