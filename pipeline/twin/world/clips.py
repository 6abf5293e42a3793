"""Clips, derived from sessions and viewer levels; listed newest first, a page at a time.

* A session gets ``floor(2 u E)`` clips with ``E = (0.3 + sqrt(L) / 3) * minutes / 240``
  (``L`` the session's plateau viewers), created at hashed moments inside the session. A clip's
  views grow as ``V (1 - exp(-age / 1.5 d))`` with a hashed final count ``V``.
* Clip ids are ``clip_<creator index>-<schedule day>-<k>-<8 hex check>``, so ``clip(id, t)``
  rebuilds one session's clips instead of scanning.
* ``page(c, t, offset, limit)`` costs what it returns: a session's clip count is one hash, so the
  sessions before the page are skipped by count and only the sessions the page draws from are
  built. A creator's sessions never overlap and a clip lies inside its session, so sessions
  newest first, each sorted newest first, is the whole list sorted by ``(created_at, id)``.
* Built sessions (their time-independent part) sit in an LRU bounded by session count, so memory
  stays flat however far the clock moves; view counts are applied per request.
* Without ``since`` a listing covers the last ``CLIP_HISTORY_DAYS`` (90) days, so its cost does
  not grow with the world's age.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import numpy as np

from pipeline.twin.world import purposes as P
from pipeline.twin.world.cache import LruCache
from pipeline.twin.world.hashing import hash_int, hex_id, uniform_int
from pipeline.twin.world.models import Clip
from pipeline.twin.world.names import CLIP_TITLES
from pipeline.twin.world.population import STATIC, viewer_refs
from pipeline.twin.world.sessions import MINUTES_PER_DAY

if TYPE_CHECKING:
    from pipeline.twin.world.world import World

CLIP_VIEW_TAU_DAYS = 1.5
CLIP_HISTORY_DAYS = 90  # listings without ``since`` reach only this many days back
# ~100 channels x 90 days of sessions; a session's clips are a few kB (the biggest ~200 kB)
CLIP_SESSION_CACHE = 6_000
CLIP_ID = re.compile(r"clip_([0-9a-f]{1,8})-([0-9a-f]{1,6})-([0-9a-f]{1,6})-([0-9a-f]{8})")


def clip_id(c: int, day: int, k: int, h: int) -> str:
    """``clip_<creator index>-<schedule day>-<k>-<check>`` (hex): enough to find the clip without a
    scan; the check digits (from the clip's hash) reject ids from other worlds or made up ones."""
    return f"clip_{c:x}-{day:x}-{k:x}-{hex_id(h, 2, length=8)}"


def parse_clip_id(clip_id: str) -> tuple[int, int, int, str] | None:
    """(creator index, day, k, check) of a well-formed clip id, else None."""
    m = CLIP_ID.fullmatch(clip_id)
    if m is None:
        return None
    return int(m[1], 16), int(m[2], 16), int(m[3], 16), m[4]


@dataclass(frozen=True, slots=True)
class _Seeded:
    """A clip without its views (``view_count`` 0) and the final view count they approach."""

    clip: Clip
    final: float
    k: int

    def at(self, t: datetime) -> Clip:
        age_days = max(0.0, (t - self.clip.created_at).total_seconds() / 86400.0)
        views = int(self.final * (1.0 - math.exp(-age_days / CLIP_VIEW_TAU_DAYS)))
        return replace(self.clip, view_count=views)


@dataclass(frozen=True, slots=True)
class _Session:
    day: int
    start: int  # minutes since the epoch, [start, end)
    end: int


class ClipModel:
    """Clips of one world; ``sessions_built`` counts session builds (cache misses)."""

    def __init__(self, world: World, session_cache: int = CLIP_SESSION_CACHE) -> None:
        self.world = world
        self._sessions: LruCache[tuple[_Seeded, ...]] = LruCache(session_cache)
        self.sessions_built = 0

    @property
    def cached_sessions(self) -> int:
        return len(self._sessions)

    # ----- listing ------------------------------------------------------------------------
    def listing(self, c: int, t: datetime, since: datetime | None) -> list[Clip]:
        """Every clip created in ``[since, t)``, newest first."""
        return [x.at(t) for x in self._newest_first(c, t, since, skip=0)[1]]

    def page(
        self, c: int, t: datetime, since: datetime | None, offset: int, limit: int
    ) -> tuple[list[Clip], bool]:
        """``listing(c, t, since)[offset:offset + limit]`` and whether more clips follow."""
        skipped, rest = self._newest_first(c, t, since, skip=offset)
        out: list[Clip] = []
        for seeded in rest:
            if skipped < offset:
                skipped += 1
            elif len(out) == limit:
                return out, True
            else:
                out.append(seeded.at(t))
        return out, False

    def _newest_first(
        self, c: int, t: datetime, since: datetime | None, skip: int
    ) -> tuple[int, Iterator[_Seeded]]:
        """(clips skipped by count, the following clips newest first): whole sessions are
        skipped while fewer than ``skip`` clips precede them and none of theirs is cut off."""
        from pipeline.twin.world.world import minute_time, to_minute  # noqa: PLC0415 - cycle

        now = to_minute(t)
        if since is None:
            since = max(self.world.epoch, t - timedelta(days=CLIP_HISTORY_DAYS))
        first_day = to_minute(since, "since") // MINUTES_PER_DAY - 1
        sessions = [
            _Session(day, start, end)
            for day, start, end in self.world._creator_sessions(
                c, first_day, now // MINUTES_PER_DAY + 1
            )
            if start < now
        ]
        sessions.reverse()

        def visible(s: _Session) -> list[_Seeded]:
            return [x for x in self.session(c, s) if since <= x.clip.created_at < t]

        skipped = 0
        index = 0
        while index < len(sessions):
            s = sessions[index]
            # a session inside [since, t) is counted without building it; one cut by t (live
            # now) or by since (the window's edge) is built to see which of its clips count
            whole = minute_time(s.end) <= t and minute_time(s.start) >= since
            count = self.count(c, s) if whole else len(visible(s))
            if skipped + count > skip:
                break
            skipped += count
            index += 1

        def rest() -> Iterator[_Seeded]:
            for s in sessions[index:]:
                yield from visible(s)

        return skipped, rest()

    # ----- one session --------------------------------------------------------------------
    def _level(self, c: int, day: int) -> float:
        table = self.world.day_sessions(day)
        return float(table.level[int(np.searchsorted(table.creator, c))])

    def count(self, c: int, s: _Session) -> int:
        """How many clips the session has, whatever their creation times (one hash)."""
        level = self._level(c, s.day)
        expected = (0.3 + math.sqrt(level) / 3.0) * (s.end - s.start) / 240.0
        return int(2.0 * uniform_int(self.world.seed, P.CLIP, c, s.day) * expected)

    def session(self, c: int, s: _Session) -> tuple[_Seeded, ...]:
        """The session's clips newest first (by ``(created_at, id)``), cached per (c, day)."""
        count = self.count(c, s)
        if count == 0:
            return ()
        return self._sessions.get_or_compute((c, s.day), lambda: self._build(c, s, count))

    def _build(self, c: int, s: _Session, count: int) -> tuple[_Seeded, ...]:
        from pipeline.twin.world.world import minute_time  # noqa: PLC0415 - import cycle

        self.sessions_built += 1
        world = self.world
        level = self._level(c, s.day)
        creator = world.creators[c]
        info = world.session_info(c, s.day)
        hashes = [hash_int(world.seed, P.CLIP, c, s.day, k) for k in range(count)]
        clippers = world._events.audience_viewer(
            np.full(count, c, dtype=np.int64), np.array([h % 500 for h in hashes], dtype=np.int64)
        )
        out: list[_Seeded] = []
        for k, (h, clipper) in enumerate(
            zip(hashes, viewer_refs(world.seed, clippers), strict=True)
        ):
            length = (s.end - s.start) * 60
            created = minute_time(s.start) + timedelta(seconds=length * ((h >> 11) / 2**53))
            cid = clip_id(c, s.day, k, h)
            clip = Clip(
                id=cid,
                title=CLIP_TITLES[h % len(CLIP_TITLES)],
                url=f"https://velora.tv/{creator.username}/clip/{cid}",
                thumbnail_url=f"{STATIC}/clips/{cid}.jpg",
                stream_id=info.stream_id,
                creator_id=creator.id,
                creator_username=creator.username,
                clipped_by=clipper,
                category=info.category,
                duration_seconds=15 + int(45 * uniform_int(h, 3)),
                view_count=0,
                created_at=created,
            )
            final = level * (0.5 + 20.0 * uniform_int(h, 1) ** 3) + 3.0
            out.append(_Seeded(clip=clip, final=final, k=k))
        out.sort(key=lambda x: (x.clip.created_at, x.clip.id), reverse=True)
        return tuple(out)

    # ----- lookup -------------------------------------------------------------------------
    def by_id(self, clip_id: str, t: datetime) -> Clip | None:
        """The clip with this id if it exists and was created before ``t`` (any age), else None."""
        from pipeline.twin.world.world import to_minute  # noqa: PLC0415 - import cycle

        parsed = parse_clip_id(clip_id)
        now = to_minute(t)
        if parsed is None:
            return None
        c, day, k, _ = parsed
        if c >= len(self.world.creators) or day > now // MINUTES_PER_DAY + 1:
            return None
        found = self.world._creator_sessions(c, day, day)
        if not found:
            return None
        _, start, end = found[0]
        for seeded in self.session(c, _Session(day, start, end)):
            if seeded.k == k and seeded.clip.id == clip_id and seeded.clip.created_at < t:
                return seeded.at(t)
        return None
