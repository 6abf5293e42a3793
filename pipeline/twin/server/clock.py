"""The twin clock: real time, accelerated (``speed`` × wall time) or frozen (moves only on advance).

Switching mode re-anchors at the current simulated time, so simulated time never jumps.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from pipeline.twin.server.config import CLOCK_MODES, TwinConfigError


class ClockError(ValueError):
    """An invalid clock request (unknown mode, moving backwards, ...)."""


class TwinClock:
    def __init__(
        self,
        start: datetime,
        mode: str = "real",
        speed: float = 1.0,
        wall: Callable[[], float] = time.time,
    ) -> None:
        if mode not in CLOCK_MODES:
            raise TwinConfigError(f"clock must be one of {', '.join(CLOCK_MODES)}")
        self._wall = wall
        self._lock = threading.Lock()
        self._mode = mode
        self._speed = 1.0 if mode == "real" else float(speed)
        self._anchor_sim = start.astimezone(UTC)
        self._anchor_wall = wall()

    @property
    def mode(self) -> str:
        return self._mode

    @property
    def speed(self) -> float:
        return 0.0 if self._mode == "frozen" else self._speed

    def now(self) -> datetime:
        with self._lock:
            return self._now_locked()

    def _now_locked(self) -> datetime:
        if self._mode == "frozen":
            return self._anchor_sim
        elapsed = (self._wall() - self._anchor_wall) * self._speed
        return self._anchor_sim + timedelta(seconds=elapsed)

    def set_mode(self, mode: str, speed: float | None = None) -> None:
        if mode not in CLOCK_MODES:
            raise ClockError(f"mode must be one of {', '.join(CLOCK_MODES)}, got {mode!r}")
        if speed is not None and speed <= 0:
            raise ClockError(f"speed must be positive, got {speed!r}")
        with self._lock:
            current = self._now_locked()
            self._anchor_sim = current
            self._anchor_wall = self._wall()
            self._mode = mode
            if mode == "real":
                self._speed = 1.0
            elif mode == "accelerated":
                self._speed = float(speed) if speed is not None else max(self._speed, 1.0)

    def advance(self, seconds: float) -> datetime:
        if seconds < 0:
            raise ClockError("the twin clock cannot move backwards")
        with self._lock:
            current = self._now_locked()
            self._anchor_sim = current + timedelta(seconds=seconds)
            self._anchor_wall = self._wall()
            return self._anchor_sim

    def advance_to(self, target: datetime) -> datetime:
        with self._lock:
            current = self._now_locked()
            if target < current:
                raise ClockError(
                    f"the twin clock cannot move backwards (now {current.isoformat()})"
                )
            self._anchor_sim = target.astimezone(UTC)
            self._anchor_wall = self._wall()
            return self._anchor_sim
