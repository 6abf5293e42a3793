from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pipeline.twin.world import (
    UnknownCreatorError,
    World,
    WorldConfig,
    WorldConfigError,
    WorldTimeError,
)
from tests.twin_world.conftest import DAY

EVENING = DAY + timedelta(hours=21)


def test_same_seed_gives_identical_world(world: World) -> None:
    twin = World(WorldConfig(seed=42, creators=2000))
    assert [c.id for c in twin.creators] == [c.id for c in world.creators]
    assert twin.creators[:50] == world.creators[:50]
    assert twin.teams == world.teams
    assert twin.live_streams(EVENING) == world.live_streams(EVENING)
    window = (EVENING, EVENING + timedelta(minutes=30))
    assert [(e.id, e.type, e.at, e.channel_id, e.data) for e in twin.events_between(*window)] == [
        (e.id, e.type, e.at, e.channel_id, e.data) for e in world.events_between(*window)
    ]
    top = world.authorized_creator_ids[0]
    assert twin.follower_count(top, EVENING) == world.follower_count(top, EVENING)
    assert twin.authorized_creator_ids == world.authorized_creator_ids


def test_answers_do_not_depend_on_query_order() -> None:
    """A pure function of t: asking later days first changes nothing."""
    a, b = World(WorldConfig(seed=7, creators=300)), World(WorldConfig(seed=7, creators=300))
    late, early = DAY + timedelta(days=9, hours=20), DAY + timedelta(hours=20)
    first = a.live_streams(early), a.event_totals(early, late)
    b.live_streams(late)
    b.follower_count(b.creators[0].id, late)
    assert (b.live_streams(early), b.event_totals(early, late)) == first


def test_different_seed_gives_different_world(world: World) -> None:
    other = World(WorldConfig(seed=43, creators=2000))
    assert [c.id for c in other.creators] != [c.id for c in world.creators]
    assert [c.base_followers for c in other.creators] != [c.base_followers for c in world.creators]
    assert [s.user_id for s in other.live_streams(EVENING)] != [
        s.user_id for s in world.live_streams(EVENING)
    ]


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"creators": 0}, id="no-creators"),
        pytest.param({"creators": 100_001}, id="too-many-creators"),
        pytest.param({"categories": 0}, id="no-categories"),
        pytest.param({"categories": 500}, id="more-categories-than-known"),
        pytest.param({"seed": -1}, id="negative-seed"),
        pytest.param({"seed": "42"}, id="string-seed"),
        pytest.param({"authorized_creators": -1}, id="negative-authorized"),
        pytest.param({"creators": 2.5}, id="float-creators"),
    ],
)
def test_bad_config_is_rejected_with_a_named_field(kwargs: dict[str, object]) -> None:
    with pytest.raises(WorldConfigError, match=next(iter(kwargs))):
        WorldConfig(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "t",
    [
        pytest.param(datetime(2026, 1, 5, 12), id="naive-datetime"),
        pytest.param(datetime(2025, 12, 31, 23, 59, tzinfo=UTC), id="before-epoch"),
        pytest.param("2026-01-05T12:00:00Z", id="string-not-datetime"),
    ],
)
def test_bad_times_are_rejected(world: World, t: object) -> None:
    with pytest.raises(WorldTimeError):
        world.live_streams(t)  # type: ignore[arg-type]


def test_reversed_range_and_unknown_creator_are_rejected(world: World) -> None:
    with pytest.raises(WorldTimeError, match="before t0"):
        world.events_between(EVENING, EVENING - timedelta(minutes=1))
    with pytest.raises(UnknownCreatorError, match="u_nope"):
        world.viewers_at("u_nope", EVENING)
    with pytest.raises(UnknownCreatorError):
        world.event_totals(DAY, EVENING, ["u_nope"])
    assert world.creator("u_nope") is None
    assert world.creator_by_username("no-such-user") is None


def test_authorized_creators_clamp_to_small_worlds() -> None:
    small = World(WorldConfig(seed=1, creators=30, authorized_creators=100))
    assert len(small.authorized_creator_ids) == 30
