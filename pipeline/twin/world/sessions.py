"""Daily session tables, the per-minute viewer curve, and raids.

Minutes are counted from the world epoch (minute 0 = 2026-01-01T00:00Z); day ``d`` covers minutes
``[1440 d, 1440 (d + 1))``. The session of a creator's schedule day ``d`` starts at
``1440 d + usual_start + jitter`` with ``|jitter| <= 3 sigma <= 135`` min, so it may begin a little
before or after its day, and lasts at most 14 h. Hence the sessions live during day ``d`` come
from the tables of days ``d - 1``, ``d`` and ``d + 1``, and one creator's sessions never overlap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from pipeline.twin.world import purposes as P
from pipeline.twin.world.hashing import normal_array, uniform_array
from pipeline.twin.world.population import Population

MINUTES_PER_DAY = 1440
EPOCH_WEEKDAY = 3  # 2026-01-01 is a Thursday (Monday = 0)
SKIP_PROBABILITY = 0.1  # a scheduled day is skipped this often
MIN_DURATION, MAX_DURATION = 30, 840
MAX_TREND_LOG = 3.0  # trend multiplier stays within [e^-3, e^3]
RAID_PROBABILITY = 0.3
RAID_WINDOW = 240  # minutes a raid bump lasts
RAID_DECAY = 45.0  # e-folding minutes of the raid bump
RAID_STAY = 0.85  # share of raiders still watching right after the raid
RAID_MIN_REMAINING = 30  # a raid target must stay live at least this long afterwards
RAID_ATTEMPTS = 12


@dataclass(frozen=True)
class SessionTable:
    """Sessions that start on one day (or a union of such tables), one row per session."""

    day: NDArray[np.int64]  # schedule day whose table the session belongs to
    creator: NDArray[np.int64]
    start: NDArray[np.int64]  # first live minute
    end: NDArray[np.int64]  # first minute after the session
    # Seconds live in the last minute (end - 1), 1..60: real streams end on any second, and a
    # whole-minute end would make every poll-based end estimate 30 s early (issue 9 §5).
    tail_seconds: NDArray[np.int64]
    level: NDArray[np.float64]  # plateau viewers, trend included
    category: NDArray[np.int64]
    ramp_tau: NDArray[np.float64]
    decay_window: NDArray[np.float64]
    wander_amp: NDArray[np.float64]
    wander_period: NDArray[np.float64]
    wander_phase: NDArray[np.float64]
    raid_flag: NDArray[np.bool_]
    extras: NDArray[np.float64]  # uniform used for polls / giveaways / clips

    def __len__(self) -> int:
        return len(self.creator)

    def take(self, rows: NDArray[np.int64] | NDArray[np.bool_]) -> SessionTable:
        return SessionTable(**{name: getattr(self, name)[rows] for name in _FIELDS})

    @staticmethod
    def concat(tables: list[SessionTable]) -> SessionTable:
        return SessionTable(
            **{name: np.concatenate([getattr(t, name) for t in tables]) for name in _FIELDS}
        )


_FIELDS = tuple(SessionTable.__dataclass_fields__)


def trend_multiplier(pop: Population, day: int) -> NDArray[np.float64]:
    return np.exp(np.clip(pop.trend_rate * day, -MAX_TREND_LOG, MAX_TREND_LOG))


def build_day_sessions(
    pop: Population, seed: int, day: int, category_weights: NDArray[np.float64]
) -> SessionTable:
    """Sessions starting on ``day``: at most one per creator, on the creator's streaming days."""
    n = len(pop.followers0)
    idx = np.arange(n, dtype=np.int64)
    weekday = (EPOCH_WEEKDAY + day) % 7
    streams = pop.day_mask[:, weekday] & (
        uniform_array(seed, P.SESSION_SKIP, day, idx) >= SKIP_PROBABILITY
    )
    c = idx[streams]

    def u(purpose: int, extra: int = 0) -> NDArray[np.float64]:
        return uniform_array(seed, purpose, day, c, extra)

    def z(purpose: int, extra: int = 0) -> NDArray[np.float64]:
        return normal_array(seed, purpose, day, c, extra)

    jitter = pop.start_jitter[c] * np.clip(z(P.SESSION_START), -3.0, 3.0)
    start = day * MINUTES_PER_DAY + np.round(pop.start_minute[c] + jitter).astype(np.int64)
    duration = np.clip(
        np.round(pop.duration_mean[c] * np.exp(0.25 * z(P.SESSION_DURATION))),
        MIN_DURATION,
        MAX_DURATION,
    )
    level = pop.peak_level[c] * trend_multiplier(pop, day)[c] * np.exp(0.3 * z(P.SESSION_LEVEL))
    cdf = np.cumsum(category_weights) / category_weights.sum()
    other = np.minimum(np.searchsorted(cdf, u(P.SESSION_CATEGORY, 1), side="right"), len(cdf) - 1)
    category = np.where(u(P.SESSION_CATEGORY) < 0.8, pop.main_category[c], other)
    return SessionTable(
        day=np.full(len(c), day, dtype=np.int64),
        creator=c,
        start=start,
        end=start + duration.astype(np.int64),
        tail_seconds=1 + np.floor(60 * u(P.SESSION_END_SECOND)).astype(np.int64),
        level=level,
        category=category.astype(np.int64),
        ramp_tau=8.0 + 20.0 * u(P.SESSION_SHAPE, 0),
        decay_window=20.0 + 40.0 * u(P.SESSION_SHAPE, 1),
        wander_amp=0.05 + 0.08 * u(P.SESSION_SHAPE, 2),
        wander_period=40.0 + 80.0 * u(P.SESSION_SHAPE, 3),
        wander_phase=2.0 * np.pi * u(P.SESSION_SHAPE, 4),
        raid_flag=u(P.SESSION_RAID) < RAID_PROBABILITY,
        extras=u(P.SESSION_EXTRAS),
    )


def base_viewers(
    seed: int, table: SessionTable, rows: NDArray[np.int64], minutes: NDArray[np.int64]
) -> NDArray[np.float64]:
    """Viewer curve without raid bumps, for session ``rows`` at ``minutes`` (same shape).

    ramp = 1 - exp(-(x + 1) / tau)                      x = minutes since start
    decay = 0.35 + 0.65 * min(1, (end - 1 - m) / D)     fades over the last D minutes
    wander = 1 + A sin(2 pi x / period + phase)         slow drift on the plateau
    v = L ramp decay wander + (0.05 L' + 0.5 sqrt(L')) z(creator, minute),  L' = L ramp decay wander
    """
    x = (minutes - table.start[rows]).astype(np.float64)
    remaining = (table.end[rows] - 1 - minutes).astype(np.float64)
    ramp = 1.0 - np.exp(-(x + 1.0) / table.ramp_tau[rows])
    decay = 0.35 + 0.65 * np.minimum(1.0, remaining / table.decay_window[rows])
    wander = 1.0 + table.wander_amp[rows] * np.sin(
        2.0 * np.pi * x / table.wander_period[rows] + table.wander_phase[rows]
    )
    mean = table.level[rows] * ramp * decay * wander
    noise = normal_array(seed, P.MINUTE_NOISE, table.creator[rows], minutes)
    return mean + (0.05 * mean + 0.5 * np.sqrt(mean)) * noise


def raid_bump(viewers: NDArray[np.float64], since: NDArray[np.int64]) -> NDArray[np.float64]:
    """Raiders still watching ``since`` minutes after a raid of ``viewers``."""
    inside = (since >= 0) & (since < RAID_WINDOW)
    return np.where(inside, RAID_STAY * viewers * np.exp(-np.maximum(since, 0) / RAID_DECAY), 0.0)


def finish(values: NDArray[np.float64]) -> NDArray[np.int64]:
    """Viewers are whole and never negative."""
    return np.maximum(np.round(values), 0).astype(np.int64)


@dataclass(frozen=True)
class RaidTable:
    """Raids at the end of sessions from one day's table, sorted by minute."""

    source: NDArray[np.int64]  # creator index of the raiding channel
    source_day: NDArray[np.int64]  # table day of the raiding session (stream identity)
    target: NDArray[np.int64]
    minute: NDArray[np.int64]  # the source's end minute: the target's bump starts there
    ms: NDArray[np.int64]  # the source's exact end: the raid event's time
    viewers: NDArray[np.int64]

    @staticmethod
    def concat(tables: list[RaidTable]) -> RaidTable:
        names = tuple(RaidTable.__dataclass_fields__)
        return RaidTable(**{k: np.concatenate([getattr(t, k) for t in tables]) for k in names})


def build_raids(seed: int, day: int, sources: SessionTable, candidates: SessionTable) -> RaidTable:
    """Some sessions end with a raid into a random channel live then for another 30+ minutes.

    ``candidates`` are the sessions of days ``day - 1 .. day + 1``. The raid carries the source's
    base viewers of its last minute (bumps excluded, so raids never depend on other raids).
    """
    rows = np.flatnonzero(sources.raid_flag)
    last = sources.end[rows] - 1
    viewers = finish(base_viewers(seed, sources, rows, last))
    keep = viewers >= 1
    rows, viewers = rows[keep], viewers[keep]
    minute = sources.end[rows]
    end_ms = (minute - 1) * 60_000 + sources.tail_seconds[rows] * 1000
    src = sources.creator[rows]
    order = np.argsort(candidates.start, kind="stable")
    c_start, c_end, c_creator = (
        candidates.start[order],
        candidates.end[order],
        candidates.creator[order],
    )
    lo = np.searchsorted(c_start, minute - MAX_DURATION, side="left")
    # the target must be live at the raid, inside the source's last minute (minute - 1)
    hi = np.searchsorted(c_start, minute - 1, side="right")
    target = np.full(len(rows), -1, dtype=np.int64)
    span = np.maximum(hi - lo, 1)
    for attempt in range(RAID_ATTEMPTS):
        open_ = target < 0
        if not open_.any() or len(c_start) == 0:
            break
        pos = lo + np.floor(uniform_array(seed, P.RAID_TARGET, day, src, attempt) * span).astype(
            np.int64
        )
        pos = np.clip(pos, 0, len(c_start) - 1)
        ok = (
            open_
            & (hi > lo)
            & (c_end[pos] >= minute + RAID_MIN_REMAINING)
            & (c_start[pos] <= minute - 1)
            & (c_creator[pos] != src)
        )
        target = np.where(ok, c_creator[pos], target)
    found = target >= 0
    by_time = np.argsort(minute[found], kind="stable")
    return RaidTable(
        source=src[found][by_time],
        source_day=np.full(int(found.sum()), day, dtype=np.int64),
        target=target[found][by_time],
        minute=minute[found][by_time],
        ms=end_ms[found][by_time],
        viewers=viewers[found][by_time],
    )
