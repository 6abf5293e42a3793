from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np

from pipeline.twin.world import World
from tests.twin_world.conftest import DAY

MINUTE = timedelta(minutes=1)


def bump_minute(raid_at: datetime) -> datetime:
    """Raiders arrive with the minute after the raider's exact end (viewers are per minute)."""
    return raid_at.replace(second=0, microsecond=0) + MINUTE


def test_raids_move_viewers_to_a_live_channel(world: World) -> None:
    events = world.events_between(DAY, DAY + timedelta(days=1))
    raids = [e for e in events if e.type == "channel.raid"]
    offline = {(e.channel_id, e.at) for e in events if e.type == "stream.offline"}
    assert len(raids) > 50
    gains = []
    for raid in raids:
        source, target = raid.data["from"]["id"], raid.data["to"]["id"]
        assert raid.channel_id == target != source
        assert (source, raid.at) in offline  # the raider's stream ends with the raid
        assert world.sessions_between(target, raid.at, raid.at + MINUTE)  # the target is live
        assert world.viewers_at(source, raid.at) == 0
        if raid.data["viewers"] >= 40:
            arrived = bump_minute(raid.at)
            jump = world.viewers_at(target, arrived) - world.viewers_at(target, arrived - MINUTE)
            gains.append(jump / raid.data["viewers"])
    assert len(gains) >= 5
    assert np.median(gains) > 0.5  # most raiders arrive at once


def test_raid_bump_decays(world: World) -> None:
    raids = [
        e
        for e in world.events_between(DAY, DAY + timedelta(days=2))
        if e.type == "channel.raid" and e.data["viewers"] >= 100
    ]
    assert raids
    decayed = 0
    for raid in raids:
        target = raid.channel_id
        sessions = world.sessions_between(target, raid.at, raid.at + MINUTE)
        if sessions[0][1] < raid.at + timedelta(hours=2):
            continue  # target ends soon; its own decay would blur the raid's
        right_after = world.viewers_at(target, bump_minute(raid.at))
        later = world.viewers_at(target, raid.at + timedelta(minutes=90))
        decayed += later < right_after
    assert decayed >= 1
