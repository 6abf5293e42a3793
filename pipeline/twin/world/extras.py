"""Clips, polls, giveaways and chat statistics, all derived from sessions and viewer curves.

* Clips: a session gets ``floor(2 u E)`` clips with ``E = (0.3 + sqrt(L) / 3) * minutes / 240``
  (``L`` the session's plateau viewers), created at hashed moments inside the session. A clip's
  views grow as ``V (1 - exp(-age / 1.5 d))`` with a hashed final count ``V``. Clip ids are
  ``clip_<creator index>-<schedule day>-<k>-<8 hex check>`` so ``clip(id, t)`` rebuilds one
  session's clips instead of scanning; ``clips(c, t)`` without ``since`` covers the last
  ``CLIP_HISTORY_DAYS`` (90) days, so its cost does not grow with the world's age.
* Polls: 30% of sessions run polls every 60 min from minute 20 (3-10 min each); votes grow
  linearly over the poll with ~30% of current viewers voting, split by hashed shares.
* Giveaways: 12% of sessions run one from minute 30 (30-90 min); entries reach 40% of viewers.
* Chat: chatters = viewers x creator chat ratio x (1 + 0.1 z); messages per minute = 0.5 x
  chatters x (1 + 0.2 z'); emotes = 0.35 x messages (z, z' hashed per creator-minute).
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import numpy as np

from pipeline.twin.world import purposes as P
from pipeline.twin.world.hashing import hash_int, hex_id, normal_array, uniform_int
from pipeline.twin.world.models import ChatStats, Clip, Giveaway, Poll, PollOption
from pipeline.twin.world.names import CLIP_TITLES, GIVEAWAY_TITLES, POLL_QUESTIONS
from pipeline.twin.world.population import STATIC, viewer_ref
from pipeline.twin.world.sessions import MINUTES_PER_DAY

if TYPE_CHECKING:
    from pipeline.twin.world.world import World

CLIP_VIEW_TAU_DAYS = 1.5
CLIP_HISTORY_DAYS = 90  # clips() without ``since`` lists only this many days back
CLIP_ID = re.compile(r"clip_([0-9a-f]{1,8})-([0-9a-f]{1,6})-([0-9a-f]{1,6})-([0-9a-f]{8})")
POLL_SHARE, GIVEAWAY_LOW, GIVEAWAY_HIGH = 0.3, 0.3, 0.42
POLL_EVERY, POLL_FIRST = 60, 20


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


def clips(world: World, c: int, t: datetime, since: datetime | None) -> list[Clip]:
    from pipeline.twin.world.world import to_minute  # noqa: PLC0415 - import cycle

    now = to_minute(t)
    if since is None:
        since = max(world.epoch, t - timedelta(days=CLIP_HISTORY_DAYS))
    first_day = to_minute(since, "since") // MINUTES_PER_DAY - 1
    out: list[Clip] = []
    for day, start, end in world._creator_sessions(c, first_day, now // MINUTES_PER_DAY + 1):
        if start >= now:
            continue
        out.extend(
            clip
            for clip in _session_clips(world, c, day, start, end, t)
            if clip.created_at < t and clip.created_at >= since
        )
    out.sort(key=lambda clip: (clip.created_at, clip.id), reverse=True)
    return out


def clip(world: World, clip_id: str, t: datetime) -> Clip | None:
    """The clip with this id if it exists and was created before ``t`` (any age), else None."""
    from pipeline.twin.world.world import to_minute  # noqa: PLC0415 - import cycle

    parsed = parse_clip_id(clip_id)
    now = to_minute(t)
    if parsed is None:
        return None
    c, day, k, _ = parsed
    if c >= len(world.creators) or day > now // MINUTES_PER_DAY + 1:
        return None
    session = world._creator_sessions(c, day, day)
    if not session:
        return None
    _, start, end = session[0]
    found = [x for x in _session_clips(world, c, day, start, end, t, only=k) if x.id == clip_id]
    return found[0] if found and found[0].created_at < t else None


def _session_clips(
    world: World, c: int, day: int, start: int, end: int, t: datetime, only: int | None = None
) -> list[Clip]:
    """Every clip of creator ``c``'s session of schedule day ``day`` (or only clip ``only``),
    whatever its creation time; view counts as seen at ``t``."""
    from pipeline.twin.world.world import minute_time  # noqa: PLC0415 - import cycle

    table = world.day_sessions(day)
    level = float(table.level[int(np.searchsorted(table.creator, c))])
    expected = (0.3 + math.sqrt(level) / 3.0) * (end - start) / 240.0
    count = int(2.0 * uniform_int(world.seed, P.CLIP, c, day) * expected)
    ks = range(count) if only is None else ([only] if 0 <= only < count else [])
    if not ks:
        return []
    creator = world.creators[c]
    info = world.session_info(c, day)
    out: list[Clip] = []
    for k in ks:
        h = hash_int(world.seed, P.CLIP, c, day, k)
        created = minute_time(start) + timedelta(seconds=(end - start) * 60 * ((h >> 11) / 2**53))
        age_days = max(0.0, (t - created).total_seconds() / 86400.0)
        final = level * (0.5 + 20.0 * uniform_int(h, 1) ** 3) + 3.0
        cid = clip_id(c, day, k, h)
        clipper = int(world._events.audience_viewer(np.array([c]), np.array([h % 500]))[0])
        out.append(
            Clip(
                id=cid,
                title=CLIP_TITLES[h % len(CLIP_TITLES)],
                url=f"https://velora.tv/{creator.username}/clip/{cid}",
                thumbnail_url=f"{STATIC}/clips/{cid}.jpg",
                stream_id=info.stream_id,
                creator_id=creator.id,
                creator_username=creator.username,
                clipped_by=viewer_ref(world.seed, clipper),
                category=info.category,
                duration_seconds=15 + int(45 * uniform_int(h, 3)),
                view_count=int(final * (1.0 - math.exp(-age_days / CLIP_VIEW_TAU_DAYS))),
                created_at=created,
            )
        )
    return out


def _live_session(world: World, c: int, minute: int) -> tuple[int, int, int, float] | None:
    """(day, start, end, extras uniform) of the session live at ``minute``."""
    day = minute // MINUTES_PER_DAY
    for d, start, end in world._creator_sessions(c, day - 1, day + 1):
        if start <= minute < end:
            table = world.day_sessions(d)
            return d, start, end, float(table.extras[int(np.searchsorted(table.creator, c))])
    return None


def active_poll(world: World, c: int, t: datetime) -> Poll | None:
    from pipeline.twin.world.world import minute_time, to_minute  # noqa: PLC0415

    minute = to_minute(t)
    live = _live_session(world, c, minute)
    if live is None or live[3] >= POLL_SHARE:
        return None
    day, start, end, _ = live
    since_first = minute - start - POLL_FIRST
    if since_first < 0:
        return None
    k = since_first // POLL_EVERY
    h = hash_int(world.seed, P.POLL, c, day, k)
    opened = start + POLL_FIRST + k * POLL_EVERY
    length = 3 + h % 8
    closes = min(opened + length, end)
    if minute >= closes:
        return None
    question, texts = POLL_QUESTIONS[(h >> 8) % len(POLL_QUESTIONS)]
    shares = [0.2 + uniform_int(h, i) for i in range(len(texts))]
    progress = (minute - opened + 1) / (closes - opened)
    voters = world.viewers_at(world.creators[c].id, t) * 0.3 * progress
    options = tuple(
        PollOption(
            id=f"opt_{hex_id(h, i, length=8)}", text=text, votes=int(voters * share / sum(shares))
        )
        for i, (text, share) in enumerate(zip(texts, shares, strict=True))
    )
    return Poll(
        id=f"poll_{hex_id(h, 99)}",
        question=question,
        options=options,
        started_at=minute_time(opened),
        ends_at=minute_time(closes),
    )


def active_giveaways(world: World, c: int, t: datetime) -> list[Giveaway]:
    from pipeline.twin.world.world import minute_time, to_minute  # noqa: PLC0415

    minute = to_minute(t)
    live = _live_session(world, c, minute)
    if live is None or not GIVEAWAY_LOW <= live[3] < GIVEAWAY_HIGH:
        return []
    day, start, end, _ = live
    h = hash_int(world.seed, P.GIVEAWAY, c, day)
    opened = start + 30
    closes = min(opened + 30 + h % 61, end)
    if not opened <= minute < closes:
        return []
    progress = min(1.0, (minute - opened + 1) / 15.0)
    entries = int(world.viewers_at(world.creators[c].id, t) * 0.4 * progress)
    return [
        Giveaway(
            id=f"ga_{hex_id(h, 1)}",
            title=GIVEAWAY_TITLES[(h >> 8) % len(GIVEAWAY_TITLES)],
            entries=entries,
            started_at=minute_time(opened),
            ends_at=minute_time(closes),
        )
    ]


def chat_stats(world: World, c: int, t: datetime) -> ChatStats:
    from pipeline.twin.world.world import minute_time, to_minute  # noqa: PLC0415

    creator = world.creators[c]
    minute = to_minute(t)
    # the 60 minutes ending with the one containing t
    hour = world.viewer_minutes(
        creator.id, minute_time(max(minute - 59, 0)), minute_time(minute + 1)
    )
    minutes = np.array([to_minute(m) for m, _ in hour], dtype=np.int64)
    viewers = np.array([v for _, v in hour], dtype=np.float64)
    ratio = float(world._pop.chat_ratio[c])
    chatters = np.maximum(
        0.0, np.round(viewers * ratio * (1 + 0.1 * normal_array(world.seed, P.CHAT, c, minutes)))
    )
    mpm = np.maximum(
        0.0, np.round(chatters * 0.5 * (1 + 0.2 * normal_array(world.seed, P.CHAT, c, minutes, 1)))
    )
    live_now = len(minutes) > 0 and int(minutes[-1]) == minute
    now_chatters = int(chatters[-1]) if live_now else 0
    now_mpm = int(mpm[-1]) if live_now else 0
    return ChatStats(
        channel_id=creator.id,
        is_live=live_now,
        viewer_count=int(viewers[-1]) if live_now else 0,
        chatters=now_chatters,
        messages_per_minute=now_mpm,
        messages_last_hour=int(mpm.sum()),
        unique_chatters_last_hour=int(round(float(chatters.max()) * 1.6)) if len(chatters) else 0,
        emotes_per_minute=int(round(now_mpm * 0.35)),
        updated_at=t,
    )
