"""World.clip (lookup by id), the bounded clips() window and following_count."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from pipeline.twin.world import World, WorldConfig, WorldTimeError
from pipeline.twin.world.clips import CLIP_HISTORY_DAYS

T = datetime(2026, 1, 20, 22, 0, tzinfo=UTC)
LATE = datetime(2026, 5, 20, 22, 0, tzinfo=UTC)  # more than 90 days after the epoch


@pytest.mark.parametrize("rank", [0, 10, 60], ids=["biggest", "big", "mid"])
def test_every_listed_clip_is_found_by_id(world: World, rank: int) -> None:
    creator_id = world.authorized_creator_ids[rank]
    listed = world.clips(creator_id, T)
    assert listed, "the channel should have clips after three weeks"
    for clip in listed:
        assert world.clip(clip.id, T) == clip


def _mangle(world: World, how: str) -> str:
    clip = world.clips(world.authorized_creator_ids[0], T)[0]
    prefix, check = clip.id.rsplit("-", 1)
    c, day, k = prefix.removeprefix("clip_").split("-")
    return {
        "malformed": "clip_not-an-id",
        "empty": "",
        "bad-check-digits": f"{prefix}-{int(check, 16) ^ 1:08x}",
        "creator-index-out-of-range": f"clip_{len(world.creators):x}-{day}-{k}-{check}",
        "k-beyond-the-session-count": f"clip_{c}-{day}-{int(k, 16) + 500:x}-{check}",
        "day-without-a-session": f"clip_{c}-{int(day, 16) + 400:x}-{k}-{check}",
        "uppercase-hex": clip.id.upper(),
    }[how]


@pytest.mark.parametrize(
    "how",
    [
        "malformed",
        "empty",
        "bad-check-digits",
        "creator-index-out-of-range",
        "k-beyond-the-session-count",
        "day-without-a-session",
        "uppercase-hex",
    ],
)
def test_clip_lookup_rejects_ids_that_are_not_clips(world: World, how: str) -> None:
    assert world.clip(_mangle(world, how), T) is None


def test_clip_is_not_found_before_it_was_created(world: World) -> None:
    clip = world.clips(world.authorized_creator_ids[0], T)[0]
    assert world.clip(clip.id, clip.created_at) is None
    later = world.clip(clip.id, clip.created_at + timedelta(milliseconds=1))
    assert later is not None and later.view_count <= clip.view_count


def test_clip_ids_of_another_seed_are_not_found(world: World) -> None:
    other = World(replace(world.config, seed=world.config.seed + 1))
    clip = world.clips(world.authorized_creator_ids[0], T)[0]
    assert other.clip(clip.id, T) is None or other.clip(clip.id, T) != clip


def test_clip_rejects_a_naive_time(world: World) -> None:
    with pytest.raises(WorldTimeError):
        world.clip("clip_not-an-id", datetime(2026, 1, 20))  # noqa: DTZ001 - the point


def test_clips_without_since_cover_only_the_history_window(world: World) -> None:
    creator_id = world.authorized_creator_ids[5]
    window_start = LATE - timedelta(days=CLIP_HISTORY_DAYS)
    default = world.clips(creator_id, LATE)
    assert default and all(c.created_at >= window_start for c in default)
    assert default == world.clips(creator_id, LATE, since=window_start)
    older = world.clips(creator_id, LATE, since=window_start - timedelta(days=10))
    assert len(older) > len(default), "asking with since reaches further back"
    assert world.clip(older[-1].id, LATE) == older[-1], "old clips stay reachable by id"


def test_following_count_is_deterministic_plausible_and_never_decreases() -> None:
    a = World(WorldConfig(seed=3, creators=300))
    b = World(WorldConfig(seed=3, creators=300))
    counts = [a.following_count(c.id, T) for c in a.creators]
    assert counts == [b.following_count(c.id, T) for c in b.creators]
    assert min(counts) >= 0 and max(counts) <= 10_000
    assert len(set(counts)) > 50, "creators differ"
    for c in a.creators[:50]:
        series = [a.following_count(c.id, T + timedelta(days=d)) for d in (0, 1, 30, 200)]
        assert series == sorted(series)
    assert sum(a.following_count(c.id, T + timedelta(days=200)) for c in a.creators) > sum(counts)
