from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

import numpy as np

from pipeline.twin.world import World

DAY_ = timedelta(days=1)


def _group(world: World, trend: str) -> list[str]:
    return [c.id for c in world.creators if c.trend == trend and c.base_followers >= 300]


def test_follower_growth_diverges_over_thirty_days(world: World) -> None:
    epoch = world.epoch
    medians = {}
    for trend in ("rising", "steady", "declining"):
        ratios = []
        for creator in _group(world, trend):
            early = world.event_totals(epoch, epoch + 5 * DAY_, [creator])["channel.follow"]
            late = world.event_totals(epoch + 25 * DAY_, epoch + 30 * DAY_, [creator])[
                "channel.follow"
            ]
            if early >= 10:
                ratios.append(late / early)
        medians[trend] = float(np.median(ratios))
    assert medians["rising"] > 1.4
    assert 0.8 < medians["steady"] < 1.25
    assert medians["declining"] < 0.8


def test_viewer_levels_drift_with_the_trend(world: World) -> None:
    def levels(first_day: int) -> dict[str, float]:
        sums: dict[str, list[int]] = defaultdict(list)
        for step in range(3 * 48):
            t = world.epoch + first_day * DAY_ + step * timedelta(minutes=30)
            for s in world.live_streams(t):
                sums[s.user_id].append(s.viewer_count)
        return {k: float(np.mean(v)) for k, v in sums.items()}

    early, late = levels(1), levels(28)
    medians = {}
    for trend in ("rising", "declining"):
        ratios = [
            late[c] / early[c] for c in _group(world, trend) if early.get(c, 0) >= 5 and c in late
        ]
        assert len(ratios) >= 20
        medians[trend] = float(np.median(ratios))
    assert medians["rising"] > 1.3
    assert medians["declining"] < 0.8


def test_follower_counts_only_grow(world: World) -> None:
    for creator in _group(world, "declining")[:20]:
        counts = [world.follower_count(creator, world.epoch + d * DAY_) for d in range(0, 31, 5)]
        assert counts == sorted(counts)
