"""Polls, giveaways and chat statistics, all derived from sessions and viewer curves (clips: see
``clips.py``).

* Polls: 30% of sessions run polls every 60 min from minute 20 (3-10 min each); votes grow
  linearly over the poll with ~30% of current viewers voting, split by hashed shares.
* Giveaways: 12% of sessions run one from minute 30 (30-90 min); entries reach 40% of viewers.
* Chat: chatters = viewers x creator chat ratio x (1 + 0.1 z); messages per minute = 0.5 x
  chatters x (1 + 0.2 z'); emotes = 0.35 x messages (z, z' hashed per creator-minute).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np

from pipeline.twin.world import purposes as P
from pipeline.twin.world.hashing import hash_int, hex_id, normal_array, uniform_int
from pipeline.twin.world.models import ChatStats, Giveaway, Poll, PollOption
from pipeline.twin.world.names import GIVEAWAY_TITLES, POLL_QUESTIONS
from pipeline.twin.world.sessions import MINUTES_PER_DAY

if TYPE_CHECKING:
    from pipeline.twin.world.world import World

POLL_SHARE, GIVEAWAY_LOW, GIVEAWAY_HIGH = 0.3, 0.3, 0.42
POLL_EVERY, POLL_FIRST = 60, 20


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
