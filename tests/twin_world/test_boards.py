from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from pipeline.twin.world import World
from tests.twin_world.conftest import DAY

T = DAY + timedelta(hours=21, minutes=13)


def _expected(world: World, creator: str, board: str, since) -> Counter[str]:
    sums: Counter[str] = Counter()
    for e in world.events_between(since, T, [creator]):
        if board == "volts" and e.type == "channel.volts":
            sums[e.data["sender"]["id"]] += e.data["amount"]
        elif board == "gifts" and e.type == "channel.subscription.gift":
            if not e.data["gifter"]["is_anonymous"]:
                sums[e.data["gifter"]["id"]] += e.data["gift_count"]
        elif board == "points" and e.type == "channel.points.redeem":
            sums[e.data["redeemer"]["id"]] += e.data["reward"]["cost"]
    return sums


@pytest.mark.parametrize("board", ["volts", "gifts", "points"])
@pytest.mark.parametrize("period", ["all", "month", "week"])
def test_leaderboards_are_sums_of_events(world: World, board: str, period: str) -> None:
    creator = world.authorized_creator_ids[1]
    since = {"all": world.epoch, "month": T - timedelta(days=30), "week": T - timedelta(days=7)}
    since_t = max(since[period], world.epoch)
    expected = _expected(world, creator, board, since_t)
    method = {
        "volts": world.volts_leaderboard,
        "gifts": world.gift_leaderboard,
        "points": world.points_leaderboard,
    }[board]
    everyone = method(creator, T, period, 10**6)
    assert expected, "the busiest channels have board activity"
    assert {e.user.id: e.value for e in everyone} == dict(expected)
    assert [e.rank for e in everyone] == list(range(1, len(everyone) + 1))
    values = [e.value for e in everyone]
    assert values == sorted(values, reverse=True)
    assert method(creator, T, period, 10) == everyone[:10]


def test_week_board_excludes_older_events(world: World) -> None:
    creator = world.authorized_creator_ids[1]
    week = {e.user.id: e.value for e in world.volts_leaderboard(creator, T, "week", 10**6)}
    alltime = {e.user.id: e.value for e in world.volts_leaderboard(creator, T, "all", 10**6)}
    assert sum(week.values()) < sum(alltime.values())
    assert all(alltime[u] >= v for u, v in week.items())


def test_bad_period_is_rejected(world: World) -> None:
    with pytest.raises(ValueError, match="period"):
        world.volts_leaderboard(world.authorized_creator_ids[0], T, "year")
