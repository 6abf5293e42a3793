"""A clips page costs what it returns, and the clip cache stays bounded as the clock moves.

Costs are counted (sessions whose clips were built), never timed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pipeline.twin.world import World, WorldConfig
from pipeline.twin.world.clips import ClipModel

EARLY = datetime(2026, 1, 25, 22, 30, tzinfo=UTC)  # about three weeks of history
LATE = datetime(2026, 11, 25, 22, 30, tzinfo=UTC)  # 90 days of history behind the default window


def _page_sessions(clips: list) -> int:
    return len({clip.id.rsplit("-", 2)[0] for clip in clips})  # clip_<creator>-<day>


@pytest.mark.parametrize(
    ("t", "offset", "limit"),
    [
        (EARLY, 0, 25),  # a young world: little history to walk
        (LATE, 0, 25),  # an old world: the page must not build the 90-day window
        (LATE, 0, 100),  # the client's page size
        (LATE, 150, 100),  # a deep page: the sessions before it are skipped by count
    ],
    ids=["first-page-young-world", "first-page-old-world", "full-page", "deep-page"],
)
def test_a_page_builds_only_the_sessions_it_draws_from(
    t: datetime, offset: int, limit: int
) -> None:
    world = World(WorldConfig(seed=42, creators=2000))
    creator_id = world.authorized_creator_ids[0]
    page, more = world.clips_page(creator_id, t, offset, limit)
    built = world._clips.sessions_built
    listing = world.clips(creator_id, t)
    assert page == listing[offset : offset + limit]
    assert more == (offset + limit < len(listing))
    # the page's sessions, plus one cut at the front (the live one) and one peeked for `more`
    assert built <= _page_sessions(page) + 2
    listing_sessions = _page_sessions(listing)
    if t == LATE:
        assert listing_sessions > 4 * (_page_sessions(page) + 2), "the window is much bigger"


def test_paging_a_whole_listing_builds_each_session_once() -> None:
    world = World(WorldConfig(seed=42, creators=2000))
    creator_id = world.authorized_creator_ids[0]
    pages, offset, more = [], 0, True
    while more:
        page, more = world.clips_page(creator_id, LATE, offset, 100)
        pages.extend(page)
        offset += 100
    assert pages == world.clips(creator_id, LATE)
    # each listed session once, plus at most the two the window cuts (live now, and at its edge)
    assert world._clips.sessions_built <= _page_sessions(pages) + 2, "no session rebuilt per page"


def test_the_session_cache_stays_bounded_while_polls_advance_the_clock() -> None:
    """Hourly polls of many channels touch far more sessions than the cache keeps: it stays at
    its cap, and evicted sessions rebuild to the same clips."""
    world = World(WorldConfig(seed=42, creators=2000))
    cap = 20
    world._clips = ClipModel(world, session_cache=cap)
    channels = world.authorized_creator_ids[:8]
    sizes = []
    for hour in range(0, 24 * 20, 12):  # 20 days of polls
        t = LATE + timedelta(hours=hour)
        for creator_id in channels:
            world.clips_page(creator_id, t, 0, 100)
        sizes.append(world._clips.cached_sessions)
    assert world._clips.sessions_built > 3 * cap, "the polls touched many more sessions"
    assert max(sizes) == cap, "the cache fills up to its cap and never beyond"
    t = LATE + timedelta(days=20)
    fresh = World(WorldConfig(seed=42, creators=2000))
    for creator_id in channels[:3]:
        assert world.clips(creator_id, t) == fresh.clips(creator_id, t)
