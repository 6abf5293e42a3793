"""Webhook-relevant events: per-day counts (cheap, cumulable) and per-day event tables.

Two levels keep months of history cheap and consistent:

* ``counts(day)`` — an ``(n_codes, n_creators)`` integer matrix: Poisson draws for the rate-driven
  kinds (one numpy Generator seeded from ``(seed, day)``), gifted-sub totals from the gifts'
  hashed sizes, and session-driven kinds (online/offline/raid) from the session tables.
  ``rated_counts(day)`` is the same without the session kinds (no raid computation): follows,
  leaderboards and subscribers only need that part.
* ``table(day, creators, codes)`` — the events themselves as columns. Event ``k`` of kind ``code`` for
  creator ``c`` on ``day`` draws every field from ``hash(seed, day, code, c, k)``, so a table for a
  subset of creators is exactly the matching rows of the full table, and the table always holds
  exactly ``counts(day)`` events. Objects (``WorldEvent``) are only built for returned rows.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from pipeline.twin.world import purposes as P
from pipeline.twin.world.cache import LruCache
from pipeline.twin.world.hashing import U64, hash_array, uniform_array
from pipeline.twin.world.names import REWARDS
from pipeline.twin.world.sessions import MINUTES_PER_DAY, base_viewers, finish

if TYPE_CHECKING:
    from pipeline.twin.world.world import World

# internal kinds ("codes"); both subscribe codes map to channel.subscribe
FOLLOW, SUB_PAID, SUB_GIFTED, GIFT, SUB_END, VOLTS, POINTS, RAID, ONLINE, OFFLINE = range(10)
N_CODES = 10
EVENT_TYPES = {
    FOLLOW: "channel.follow",
    SUB_PAID: "channel.subscribe",
    SUB_GIFTED: "channel.subscribe",
    GIFT: "channel.subscription.gift",
    SUB_END: "channel.subscription.end",
    VOLTS: "channel.volts",
    POINTS: "channel.points.redeem",
    RAID: "channel.raid",
    ONLINE: "stream.online",
    OFFLINE: "stream.offline",
}
ALL_TYPES = tuple(dict.fromkeys(EVENT_TYPES.values()))
POISSON_CODES = (FOLLOW, SUB_PAID, GIFT, SUB_END, VOLTS, POINTS)
LIVE_CODES = (SUB_PAID, GIFT, VOLTS, POINTS)  # only while the channel is live

# Rates. "audience" = live minutes x plateau viewers x 0.8 (viewer-minutes of the day).
FOLLOW_RATE = 0.003  # follows per day per epoch follower (x trend, x1.5 on live days, x0.5 off)
FOLLOW_LIVE_SHARE = 0.7  # share of a live day's follows that happen during the stream
SUB_PER_AUDIENCE = 1 / 2000
GIFT_PER_AUDIENCE = 1 / 20000
VOLTS_PER_AUDIENCE = 1 / 2500
POINTS_PER_AUDIENCE = 1 / 700
SUB_END_RATE = 0.0004  # per day per epoch follower (x trend)
VIEWER_SPACE = 100_000_000  # synthetic viewer accounts are numbered below this
ANONYMOUS_GIFT_SHARE = 0.15
GIFT_SIZES = np.array([1] * 11 + [2, 3, 5, 5, 5, 5, 10, 10, 20, 50, 100], dtype=np.int64)
TIERS = np.array([1000] * 88 + [2000] * 8 + [3000] * 4, dtype=np.int64)
VOLTS_AMOUNTS = np.array(
    [100, 100, 100, 200, 250, 500, 500, 1000, 1000, 2500, 5000, 10000], dtype=np.int64
)
DAY_MS = 86_400_000


@dataclass(frozen=True)
class EventTable:
    """Events of one day (optionally only some creators), sorted by (ms, hid)."""

    ms: NDArray[np.int64]  # milliseconds since the epoch
    creator: NDArray[np.int64]  # channel the event belongs to
    code: NDArray[np.int64]
    hid: NDArray[np.uint64]  # identity hash: the event id and the root of lazy details
    user: NDArray[np.int64]  # viewer index (-1: none or anonymous)
    value: NDArray[np.int64]  # volts | gift count | reward cost | viewers | tier | follower no.
    aux: NDArray[np.int64]  # reward index | raid source | gifter viewer | session table day

    def __len__(self) -> int:
        return len(self.ms)

    def take(self, rows: NDArray[np.int64] | NDArray[np.bool_]) -> EventTable:
        return EventTable(**{k: getattr(self, k)[rows] for k in _EVENT_FIELDS})

    @staticmethod
    def concat(tables: list[EventTable]) -> EventTable:
        return EventTable(
            **{k: np.concatenate([getattr(t, k) for t in tables]) for k in _EVENT_FIELDS}
        )


_EVENT_FIELDS = tuple(EventTable.__dataclass_fields__)


@dataclass(frozen=True)
class DayCounts:
    counts: NDArray[np.int64]  # (N_CODES, n_creators)
    gift_sizes: NDArray[np.int64]  # sizes of the day's gifts, creator-major then k


@dataclass(frozen=True)
class FollowIndex:
    ms: NDArray[np.int64]
    user: NDArray[np.int64]
    bounds: NDArray[np.int64]  # creator c's follows are rows bounds[c]:bounds[c + 1]


@dataclass(frozen=True)
class LiveIntervals:
    """Per creator, up to two live stretches inside one day: [start, start + length) minutes."""

    start: NDArray[np.int64]  # (n_creators, 2)
    length: NDArray[np.int64]  # (n_creators, 2)


def _ranks(counts: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """For counts per creator: (creator index, k) of every event, creator-major."""
    owner = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    first = np.cumsum(counts) - counts
    return owner, np.arange(len(owner), dtype=np.int64) - np.repeat(first, counts)


def _time_rank(
    creator: NDArray[np.int64], ms: NDArray[np.int64], hid: NDArray[np.uint64]
) -> NDArray[np.int64]:
    """Position of each event among its creator's events ordered by (ms, hid)."""
    order = np.lexsort((hid, ms, creator))
    sorted_creator = creator[order]
    starts = np.flatnonzero(np.r_[True, sorted_creator[1:] != sorted_creator[:-1]])
    group_start = np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order), dtype=np.int64) - group_start
    return rank


class EventModel:
    """Event generation and aggregates for one world."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.seed = world.seed
        pop = world._pop
        self.followers0 = pop.followers0
        self.n = len(pop.followers0)
        self.supporter_pool = np.maximum(30, pop.followers0 // 4)
        self._counts: LruCache[DayCounts] = LruCache(64)
        self._rated_counts: LruCache[DayCounts] = LruCache(64)
        self._intervals: LruCache[LiveIntervals] = LruCache(16)
        self._tables: LruCache[EventTable] = LruCache(8)
        self._follow_index: LruCache[FollowIndex] = LruCache(8)
        self._subset_tables: LruCache[EventTable] = LruCache(8)
        # one channel's tables are small; keep a month of days for many channels (subscribers)
        self._channel_tables: LruCache[EventTable] = LruCache(2048)
        self._checkpoint_lock = threading.Lock()
        self._follow_checkpoints: dict[int, NDArray[np.int64]] = {
            0: np.zeros(self.n, dtype=np.int64)
        }

    # ----- live time per day -------------------------------------------------------------
    def intervals(self, day: int) -> LiveIntervals:
        def compute() -> LiveIntervals:
            start = np.zeros((self.n, 2), dtype=np.int64)
            length = np.zeros((self.n, 2), dtype=np.int64)
            lo, hi = day * MINUTES_PER_DAY, (day + 1) * MINUTES_PER_DAY
            # a creator has at most two sessions touching a day (schedule days d-1..d+1)
            for d in (day - 1, day, day + 1):
                if d < 0:
                    continue
                table = self.world.day_sessions(d)
                s = np.maximum(table.start, lo)
                e = np.minimum(table.end, hi)
                ok = e > s
                c, s, e = table.creator[ok], s[ok], e[ok]
                slot = (length[c, 0] > 0).astype(np.int64)
                start[c, slot] = s
                length[c, slot] = e - s
            return LiveIntervals(start=start, length=length)

        return self._intervals.get_or_compute(day, compute)

    # ----- counts ------------------------------------------------------------------------
    def counts(self, day: int) -> DayCounts:
        """Every kind's counts of ``day`` (the rate-driven ones plus online/offline/raid)."""

        def compute() -> DayCounts:
            rated = self.rated_counts(day)
            counts = rated.counts.copy()
            online, offline, raids = self._session_events(day, None)
            counts[ONLINE] = np.bincount(online.creator, minlength=self.n)
            counts[OFFLINE] = np.bincount(offline.creator, minlength=self.n)
            counts[RAID] = np.bincount(raids.creator, minlength=self.n)
            return DayCounts(counts=counts, gift_sizes=rated.gift_sizes)

        return self._counts.get_or_compute(day, compute)

    def rated_counts(self, day: int) -> DayCounts:
        """Counts of the rate-driven kinds only (session kinds are 0): no raid computation, so
        callers that need only follows/subs/gifts/Volts/points stay cheap."""
        return self._rated_counts.get_or_compute(day, lambda: self._compute_rated_counts(day))

    def _compute_rated_counts(self, day: int) -> DayCounts:
        world = self.world
        pop = world._pop
        live_minutes = self.intervals(day).length.sum(axis=1)
        trend = np.exp(np.clip(pop.trend_rate * day, -3.0, 3.0))
        audience = live_minutes * pop.peak_level * trend * 0.8
        follow_rate = self.followers0 * trend * FOLLOW_RATE * np.where(live_minutes > 0, 1.5, 0.5)
        lam = np.zeros((N_CODES, self.n))
        lam[FOLLOW] = follow_rate
        lam[SUB_PAID] = audience * SUB_PER_AUDIENCE
        lam[GIFT] = audience * GIFT_PER_AUDIENCE
        lam[SUB_END] = self.followers0 * trend * SUB_END_RATE
        lam[VOLTS] = audience * VOLTS_PER_AUDIENCE
        lam[POINTS] = audience * POINTS_PER_AUDIENCE
        rng = np.random.default_rng([self.seed, P.COUNTS, day])
        counts = np.zeros((N_CODES, self.n), dtype=np.int64)
        counts[list(POISSON_CODES)] = rng.poisson(lam[list(POISSON_CODES)])
        owner, k = _ranks(counts[GIFT])
        sizes = self._gift_sizes(day, owner, k)
        counts[SUB_GIFTED] = np.bincount(owner, weights=sizes, minlength=self.n).astype(np.int64)
        return DayCounts(counts=counts, gift_sizes=sizes)

    def _hid(
        self, day: int, code: int, creator: NDArray[np.int64], k: NDArray[np.int64]
    ) -> NDArray[np.uint64]:
        return hash_array(self.seed, P.EVENT, day, code, creator, k)

    def _gift_sizes(
        self, day: int, owner: NDArray[np.int64], k: NDArray[np.int64]
    ) -> NDArray[np.int64]:
        h = self._hid(day, GIFT, owner, k)
        return GIFT_SIZES[(hash_array(h, P.EVENT_VALUE) % U64(len(GIFT_SIZES))).astype(np.int64)]

    def follows_before(self, day: int) -> NDArray[np.int64]:
        """Follow events per creator in days [0, day): cumulated from 16-day checkpoints."""
        with self._checkpoint_lock:  # the server may ask from several threads
            return self._follows_before(day)

    def _follows_before(self, day: int) -> NDArray[np.int64]:
        base_day = (day // 16) * 16
        if base_day not in self._follow_checkpoints:
            prev = max(d for d in self._follow_checkpoints if d < base_day)
            total = self._follow_checkpoints[prev].copy()
            for d in range(prev, base_day):
                total += self.rated_counts(d).counts[FOLLOW]
                if (d + 1) % 16 == 0:
                    self._follow_checkpoints[d + 1] = total.copy()
        total = self._follow_checkpoints[base_day].copy()
        for d in range(base_day, day):
            total += self.rated_counts(d).counts[FOLLOW]
        return total

    def follow_index(self, day: int) -> FollowIndex:
        """The day's follows of every creator, sorted by (creator, time)."""

        def compute() -> FollowIndex:
            part = self._poisson_part(
                day, FOLLOW, self.rated_counts(day), np.arange(self.n, dtype=np.int64)
            )
            order = np.lexsort((part.hid, part.ms, part.creator))
            part = part.take(order)
            bounds = np.searchsorted(part.creator, np.arange(self.n + 1))
            return FollowIndex(ms=part.ms, user=part.user, bounds=bounds)

        return self._follow_index.get_or_compute(day, compute)

    # ----- event tables ------------------------------------------------------------------
    def table(
        self,
        day: int,
        creators: NDArray[np.int64] | None = None,
        codes: tuple[int, ...] | None = None,
    ) -> EventTable:
        """Events of ``day``; only ``creators`` (sorted, unique) and ``codes`` if given.

        The rows are exactly the matching rows of the full table, in the same (ms, hid) order.
        """
        if creators is None or len(creators) * 4 > self.n:
            full = self._tables.get_or_compute(day, lambda: self._build(day, None, None))
            if creators is None and codes is None:
                return full
            keep = np.ones(len(full), dtype=bool)
            if creators is not None:
                keep &= np.isin(full.creator, creators)
            if codes is not None:
                keep &= np.isin(full.code, codes)
            return full.take(keep)
        key = (day, creators.tobytes(), codes)
        cache = self._channel_tables if len(creators) == 1 else self._subset_tables
        return cache.get_or_compute(key, lambda: self._build(day, creators, codes))

    def _build(
        self, day: int, creators: NDArray[np.int64] | None, codes: tuple[int, ...] | None
    ) -> EventTable:
        wanted = set(range(N_CODES) if codes is None else codes)
        dc = self.rated_counts(day)
        select = np.arange(self.n, dtype=np.int64) if creators is None else creators
        parts = [
            self._poisson_part(day, code, dc, select)
            for code in POISSON_CODES
            if code != GIFT and code in wanted
        ]
        if wanted & {GIFT, SUB_GIFTED}:
            parts.extend(self._gift_parts(day, dc, select))
        if wanted & {ONLINE, OFFLINE, RAID}:
            parts.extend(self._session_events(day, select))
        table = EventTable.concat(parts) if parts else _empty_table()
        if codes is not None:
            table = table.take(np.isin(table.code, codes))
        order = np.lexsort((table.hid, table.ms))
        return table.take(order)

    def board_parts(self, day: int) -> dict[int, EventTable]:
        """Volts, gift and points events of every creator (the same rows as in ``table``)."""
        dc = self.rated_counts(day)
        everyone = np.arange(self.n, dtype=np.int64)
        return {
            VOLTS: self._poisson_part(day, VOLTS, dc, everyone),
            POINTS: self._poisson_part(day, POINTS, dc, everyone),
            GIFT: self._gift_parts(day, dc, everyone)[0],
        }

    def _poisson_part(
        self, day: int, code: int, dc: DayCounts, select: NDArray[np.int64]
    ) -> EventTable:
        owner_local, k = _ranks(dc.counts[code][select])
        creator = select[owner_local]
        hid = self._hid(day, code, creator, k)
        ms = self._times(day, code, creator, hid)
        user = self._supporters(creator, hid)
        value = np.zeros(len(hid), dtype=np.int64)
        aux = np.full(len(hid), -1, dtype=np.int64)
        if code == FOLLOW:
            # follower number n (0-based over the creator's whole history, in time order) names
            # the account, so "newest first" lists and follower_count agree
            number = (
                self.followers0[creator]
                + self.follows_before(day)[creator]
                + _time_rank(creator, ms, hid)
            )
            user = self._viewer(P.BASE_FOLLOWER, creator, number)
            value = number
        elif code in (SUB_PAID, SUB_END):
            value = TIERS[(hash_array(hid, P.EVENT_VALUE) % U64(len(TIERS))).astype(np.int64)]
        elif code == VOLTS:
            value = VOLTS_AMOUNTS[
                (hash_array(hid, P.EVENT_VALUE) % U64(len(VOLTS_AMOUNTS))).astype(np.int64)
            ]
        elif code == POINTS:
            aux = (hash_array(hid, P.EVENT_VALUE) % U64(len(REWARDS))).astype(np.int64)
            value = np.array([cost for _, cost in REWARDS], dtype=np.int64)[aux]
        return EventTable(
            ms=ms,
            creator=creator,
            code=np.full(len(hid), code, dtype=np.int64),
            hid=hid,
            user=user,
            value=value,
            aux=aux,
        )

    def _gift_parts(self, day: int, dc: DayCounts, select: NDArray[np.int64]) -> list[EventTable]:
        counts = dc.counts[GIFT]
        owner_all, _ = _ranks(counts)
        keep = np.isin(owner_all, select)
        sizes = dc.gift_sizes[keep]
        owner_local, k = _ranks(counts[select])
        creator = select[owner_local]
        hid = self._hid(day, GIFT, creator, k)
        ms = np.minimum(self._times(day, GIFT, creator, hid), (day + 1) * DAY_MS - 1000)
        anonymous = uniform_array(hid, P.EVENT_USER, 1) < ANONYMOUS_GIFT_SHARE
        gifter = np.where(anonymous, -1, self._supporters(creator, hid))
        tier = TIERS[(hash_array(hid, P.EVENT_DETAIL) % U64(len(TIERS))).astype(np.int64)]
        gifts = EventTable(
            ms=ms,
            creator=creator,
            code=np.full(len(hid), GIFT, dtype=np.int64),
            hid=hid,
            user=gifter,
            value=sizes,
            aux=tier,
        )
        # one channel.subscribe (is_gift) per recipient, 1 ms apart after the gift event
        parent = np.repeat(np.arange(len(hid), dtype=np.int64), sizes)
        r = np.arange(len(parent), dtype=np.int64) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        recipients = self.recipients(creator[parent], hid[parent], r)
        subs = EventTable(
            ms=ms[parent] + r + 1,
            creator=creator[parent],
            code=np.full(len(parent), SUB_GIFTED, dtype=np.int64),
            hid=hash_array(hid[parent], P.EVENT_ID, r),
            user=recipients,
            value=tier[parent],
            aux=gifter[parent],
        )
        return [gifts, subs]

    def _times(
        self, day: int, code: int, creator: NDArray[np.int64], hid: NDArray[np.uint64]
    ) -> NDArray[np.int64]:
        """Event times: live kinds inside the day's live stretches, others anywhere in the day."""
        iv = self.intervals(day)
        length = iv.length[creator]
        total = length.sum(axis=1)
        u = uniform_array(hid, P.EVENT_TIME)
        anywhere = day * DAY_MS + np.floor(u * DAY_MS).astype(np.int64)
        pos = np.floor(u * total * 60_000).astype(np.int64)
        first = length[:, 0] * 60_000
        live_ms = np.where(
            pos < first,
            iv.start[creator, 0] * 60_000 + pos,
            iv.start[creator, 1] * 60_000 + pos - first,
        )
        if code in LIVE_CODES:
            return live_ms
        if code == FOLLOW:
            during = (total > 0) & (uniform_array(hid, P.EVENT_LIVE) < FOLLOW_LIVE_SHARE)
            return np.where(during, live_ms, anywhere)
        return anywhere

    def _supporters(self, creator: NDArray[np.int64], hid: NDArray[np.uint64]) -> NDArray[np.int64]:
        """A viewer from the creator's supporter pool; low ranks recur (loyal supporters)."""
        rank = np.floor(
            self.supporter_pool[creator] * uniform_array(hid, P.EVENT_USER) ** 2.5
        ).astype(np.int64)
        return self.audience_viewer(creator, rank)

    def _viewer(
        self, purpose: int, creator: NDArray[np.int64], key: NDArray[np.int64]
    ) -> NDArray[np.int64]:
        """A viewer id hashed from (creator, key) under ``purpose``."""
        return (hash_array(self.seed, purpose, creator, key) % U64(VIEWER_SPACE)).astype(np.int64)

    def audience_viewer(
        self, creator: NDArray[np.int64], rank: NDArray[np.int64]
    ) -> NDArray[np.int64]:
        return self._viewer(P.AUDIENCE, creator, rank)

    def recipients(
        self, creator: NDArray[np.int64], gift_hid: NDArray[np.uint64], r: NDArray[np.int64]
    ) -> NDArray[np.int64]:
        rank = np.floor(
            self.supporter_pool[creator] * uniform_array(gift_hid, P.EVENT_USER, 2, r)
        ).astype(np.int64)
        return self.audience_viewer(creator, rank)

    def follower_viewer(self, creator: int, number: NDArray[np.int64]) -> NDArray[np.int64]:
        return self._viewer(P.BASE_FOLLOWER, np.full(len(number), creator, dtype=np.int64), number)

    def _session_events(
        self, day: int, select: NDArray[np.int64] | None
    ) -> tuple[EventTable, EventTable, EventTable]:
        """stream.online / stream.offline / channel.raid events whose time falls in ``day``."""
        world = self.world
        lo, hi = day * MINUTES_PER_DAY, (day + 1) * MINUTES_PER_DAY
        onl, offl, raid_parts = [], [], []
        for d in (day - 1, day, day + 1):
            if d < 0:
                continue
            table = world.day_sessions(d)
            chosen = (
                np.ones(len(table), dtype=bool)
                if select is None
                else np.isin(table.creator, select)
            )
            # stream.offline is sent at the exact end, inside the session's last minute
            end_ms = (table.end - 1) * 60_000 + table.tail_seconds * 1000
            for at_ms, out, code in (
                (table.start * 60_000, onl, ONLINE),
                (end_ms, offl, OFFLINE),
            ):
                rows = np.flatnonzero(chosen & (at_ms >= lo * 60_000) & (at_ms < hi * 60_000))
                creator = table.creator[rows]
                # viewers: first minute at start; last live minute at the end (no raid bumps)
                at_minute = table.start[rows] if code == ONLINE else table.end[rows] - 1
                viewers = finish(base_viewers(self.seed, table, rows, at_minute))
                out.append(
                    EventTable(
                        ms=at_ms[rows],
                        creator=creator,
                        code=np.full(len(rows), code, dtype=np.int64),
                        hid=self._hid(d, code, creator, np.zeros(len(rows), dtype=np.int64)),
                        user=np.full(len(rows), -1, dtype=np.int64),
                        value=viewers,
                        aux=np.full(len(rows), d, dtype=np.int64),
                    )
                )
            raids = world.day_raids(d)
            rmask = (raids.ms >= lo * 60_000) & (raids.ms < hi * 60_000)
            if select is not None:
                rmask &= np.isin(raids.target, select)
            rows = np.flatnonzero(rmask)
            raid_parts.append(
                EventTable(
                    ms=raids.ms[rows],
                    creator=raids.target[rows],
                    code=np.full(len(rows), RAID, dtype=np.int64),
                    hid=self._hid(d, RAID, raids.source[rows], np.zeros(len(rows), dtype=np.int64)),
                    user=np.full(len(rows), -1, dtype=np.int64),
                    value=raids.viewers[rows],
                    aux=raids.source[rows],
                )
            )
        empty = _empty_table()
        return (
            EventTable.concat(onl) if onl else empty,
            EventTable.concat(offl) if offl else empty,
            EventTable.concat(raid_parts) if raid_parts else empty,
        )


def _empty_table() -> EventTable:
    e = np.zeros(0, dtype=np.int64)
    return EventTable(
        ms=e, creator=e, code=e, hid=np.zeros(0, dtype=np.uint64), user=e, value=e, aux=e
    )


def event_id(hid: int) -> str:
    return f"evt_{hid:016x}"
