"""Volts, gift and channel-points leaderboards, aggregated from the same events the world emits.

* volts: sum of ``channel.volts`` amounts per sender;
* gifts: sum of ``gift_count`` of ``channel.subscription.gift`` per gifter (anonymous excluded);
* points: sum of reward costs of ``channel.points.redeem`` per redeemer (points spent).

A board at ``t`` counts events with ``at < t`` (the half-open convention of ``events_between``):
``all`` since the epoch, ``month``/``week`` over ``[t - 30 d, t)`` / ``[t - 7 d, t)``.
All-time sums come from weekly checkpoints of every (creator, user) pair plus the days since.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from pipeline.twin.world.cache import LruCache
from pipeline.twin.world.events import DAY_MS, GIFT, POINTS, VIEWER_SPACE, VOLTS, EventTable
from pipeline.twin.world.models import LeaderboardEntry
from pipeline.twin.world.population import viewer_ref

if TYPE_CHECKING:
    from pipeline.twin.world.events import EventModel

BOARD_CODES = {"volts": VOLTS, "gifts": GIFT, "points": POINTS}
PERIOD_DAYS = {"all": None, "month": 30, "week": 7}
CHECKPOINT_DAYS = 7


class LeaderboardError(ValueError):
    """Unknown board or period."""


@dataclass(frozen=True)
class Sums:
    """Sorted unique keys (creator * VIEWER_SPACE + user) with their summed values."""

    keys: NDArray[np.int64]
    values: NDArray[np.int64]

    @staticmethod
    def of(keys: NDArray[np.int64], values: NDArray[np.int64]) -> Sums:
        # A stable sort is timsort for int64: the already sorted runs callers pass (a checkpoint's
        # keys first) merge in linear time, where np.unique would sort everything again.
        order = np.argsort(keys, kind="stable")
        ordered = keys[order]
        if len(ordered) == 0:
            return _empty()
        starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
        return Sums(ordered[starts], np.add.reduceat(values[order].astype(np.int64), starts))

    def plus(self, other: Sums) -> Sums:
        return Sums.of(
            np.concatenate([self.keys, other.keys]), np.concatenate([self.values, other.values])
        )

    def for_creator(self, c: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        lo, hi = np.searchsorted(self.keys, [c * VIEWER_SPACE, (c + 1) * VIEWER_SPACE])
        return self.keys[lo:hi] - c * VIEWER_SPACE, self.values[lo:hi]


def _empty() -> Sums:
    return Sums(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))


class Boards:
    def __init__(self, events: EventModel) -> None:
        self.events = events
        self.seed = events.seed
        self._rows: LruCache[dict[str, EventTable]] = LruCache(40)
        self._lock = threading.Lock()
        self._checkpoints: dict[str, dict[int, Sums]] = {b: {0: _empty()} for b in BOARD_CODES}

    def day_rows(self, day: int) -> dict[str, EventTable]:
        """The day's board-relevant events of every creator (anonymous gifts dropped)."""

        def compute() -> dict[str, EventTable]:
            parts = self.events.board_parts(day)
            return {
                board: parts[code].take(parts[code].user >= 0)
                for board, code in BOARD_CODES.items()
            }

        return self._rows.get_or_compute(day, compute)

    def _before(self, board: str, day: int) -> Sums:
        """All-time sums of days [0, day), via weekly checkpoints."""
        with self._lock:  # the server may ask from several threads
            return self._before_locked(board, day)

    def _before_locked(self, board: str, day: int) -> Sums:
        points = self._checkpoints[board]
        base = (day // CHECKPOINT_DAYS) * CHECKPOINT_DAYS
        if base not in points:
            prev = max(d for d in points if d < base)
            total = points[prev]
            for d in range(prev, base, CHECKPOINT_DAYS):
                total = self._plus_days(board, total, range(d, d + CHECKPOINT_DAYS))
                points[d + CHECKPOINT_DAYS] = total
        return self._plus_days(board, points[base], range(base, day))

    def _plus_days(self, board: str, total: Sums, days: range) -> Sums:
        """``total`` plus the given days' events, merged with one sort (not one per day)."""
        if not days:
            return total
        rows = [self.day_rows(d)[board] for d in days]
        keys = [total.keys, *(r.creator * VIEWER_SPACE + r.user for r in rows)]
        return Sums.of(
            np.concatenate(keys), np.concatenate([total.values, *(r.value for r in rows)])
        )

    def leaderboard(
        self, board: str, c: int, ms: int, period: str, limit: int
    ) -> list[LeaderboardEntry]:
        if board not in BOARD_CODES:
            raise LeaderboardError(
                f"unknown board {board!r}; expected one of {sorted(BOARD_CODES)}"
            )
        if period not in PERIOD_DAYS:
            raise LeaderboardError(
                f"unknown period {period!r}; expected one of {list(PERIOD_DAYS)}"
            )
        if limit < 0:
            raise LeaderboardError(f"limit must be >= 0, got {limit}")
        length = PERIOD_DAYS[period]
        lo_ms = 0 if length is None else max(0, ms - length * DAY_MS)
        users, values = self._window(board, c, lo_ms, ms, all_time=length is None)
        order = np.lexsort((users, -values))[:limit]
        return [
            LeaderboardEntry(
                rank=r + 1, user=viewer_ref(self.seed, int(users[i])), value=int(values[i])
            )
            for r, i in enumerate(order.tolist())
        ]

    def _window(
        self, board: str, c: int, lo_ms: int, hi_ms: int, all_time: bool
    ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Per-user sums of creator c's events with lo_ms <= at < hi_ms."""
        users: list[NDArray[np.int64]] = []
        values: list[NDArray[np.int64]] = []
        first_full, last_full = -(-lo_ms // DAY_MS), hi_ms // DAY_MS
        if all_time:
            u, v = self._before(board, last_full).for_creator(c)
            users.append(u)
            values.append(v)
        else:
            for day in range(first_full, last_full):
                rows = self._creator_rows(board, day, c)
                users.append(rows.user)
                values.append(rows.value)
        edges = (
            [(lo_ms, hi_ms)]
            if first_full > last_full
            else [(lo_ms, first_full * DAY_MS), (last_full * DAY_MS, hi_ms)]
        )
        if all_time:
            edges = [(last_full * DAY_MS, hi_ms)]
        for lo, hi in edges:
            if hi > lo:
                rows = self._creator_rows(board, lo // DAY_MS, c)
                keep = (rows.ms >= lo) & (rows.ms < hi)
                users.append(rows.user[keep])
                values.append(rows.value[keep])
        if not users:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        merged = Sums.of(np.concatenate(users), np.concatenate(values))
        return merged.keys, merged.values

    def _creator_rows(self, board: str, day: int, c: int) -> EventTable:
        rows = self.day_rows(day)[board]
        return rows.take(rows.creator == c)
