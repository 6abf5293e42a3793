from __future__ import annotations

import numpy as np

from pipeline.twin.world import World, WorldConfig


def test_followers_follow_a_power_law(world: World) -> None:
    followers = np.sort(np.array([c.base_followers for c in world.creators], dtype=float))[::-1]
    # Hill estimator of the tail index over the top 10%: Pareto alpha around 0.85
    k = len(followers) // 10
    alpha = 1.0 / np.mean(np.log(followers[:k] / followers[k]))
    assert 0.6 < alpha < 1.2
    top_share = followers[: len(followers) // 100].sum() / followers.sum()
    assert top_share > 0.25  # the top 1% hold a large share of all followers
    assert np.median(followers) < followers.mean() / 3


def test_categories_have_real_names_and_unique_slugs(world: World) -> None:
    assert len(world.categories) == 60
    slugs = [c.slug for c in world.categories]
    assert len(set(slugs)) == len(slugs)
    assert {"just-chatting", "fortnite", "valorant", "counter-strike-2"} <= set(slugs)
    assert world.category_by_slug("just-chatting").name == "Just Chatting"  # type: ignore[union-attr]
    assert len({c.id for c in world.categories}) == 60


def test_creators_are_unique_and_findable(world: World) -> None:
    assert len({c.id for c in world.creators}) == 2000
    assert len({c.username for c in world.creators}) == 2000
    some = world.creators[123]
    assert world.creator(some.id) is some
    assert world.creator_by_username(some.username.upper()) is some
    assert {c.trend for c in world.creators} == {"rising", "steady", "declining"}


def test_teams_have_about_one_per_forty_creators(world: World) -> None:
    assert len(world.teams) == 2000 // 40
    for team in world.teams:
        roles = [m.role for m in team.members]
        assert roles.count("owner") == 1 and team.member_count >= 3
        for member in team.members:
            assert world.creator(member.user_id).team_slug == team.slug  # type: ignore[union-attr]
    members = [m.user_id for t in world.teams for m in t.members]
    assert len(members) == len(set(members))


def test_authorized_creators_are_the_top_by_followers(world: World) -> None:
    ids = world.authorized_creator_ids
    assert len(ids) == 100
    threshold = min(world.creator(i).base_followers for i in ids)  # type: ignore[union-attr]
    outside = [c.base_followers for c in world.creators if c.id not in set(ids)]
    assert max(outside) <= threshold


def test_hundred_thousand_creators_can_be_constructed() -> None:
    big = World(WorldConfig(seed=5, creators=100_000))
    assert len(big.creators) == 100_000
    assert len({c.username for c in big.creators}) == 100_000
    assert len(big.teams) == 2500
