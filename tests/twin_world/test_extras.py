from __future__ import annotations

from datetime import timedelta

import numpy as np

from pipeline.twin.world import World
from tests.twin_world.conftest import DAY


def test_clips_come_from_sessions_and_their_views_grow(world: World) -> None:
    creator = world.authorized_creator_ids[2]
    t = DAY + timedelta(days=2)
    clips = world.clips(creator, t, since=DAY - timedelta(days=3))
    assert clips
    assert [c.created_at for c in clips] == sorted((c.created_at for c in clips), reverse=True)
    sessions = world.sessions_between(creator, DAY - timedelta(days=4), t)
    later = {
        c.id: c.view_count
        for c in world.clips(creator, t + timedelta(days=3), since=DAY - timedelta(days=3))
    }
    for clip in clips:
        assert any(start <= clip.created_at < end for start, end in sessions)
        assert clip.created_at < t
        assert later[clip.id] >= clip.view_count
    assert sum(later.values()) > sum(c.view_count for c in clips)


def test_chat_activity_tracks_viewers(world: World) -> None:
    t = DAY + timedelta(hours=21, minutes=30)
    streams = world.live_streams(t)[:60]
    stats = [world.chat_stats(s.user_id, t) for s in streams]
    assert all(
        st.is_live and st.viewer_count == s.viewer_count
        for st, s in zip(stats, streams, strict=True)
    )
    viewers = np.log1p([s.viewer_count for s in streams])
    chatters = np.log1p([st.chatters for st in stats])
    assert np.corrcoef(viewers, chatters)[0, 1] > 0.7
    assert sum(st.messages_last_hour for st in stats) > 0
    offline = next(c for c in world.creators if world.viewers_at(c.id, t) == 0)
    quiet = world.chat_stats(offline.id, t)
    assert not quiet.is_live and quiet.chatters == 0 and quiet.messages_per_minute == 0


def test_polls_and_giveaways_run_only_during_some_sessions(world: World) -> None:
    polls, giveaways = 0, 0
    for minute in range(0, 120, 10):
        t = DAY + timedelta(hours=20, minutes=minute)
        for s in world.live_streams(t)[:80]:
            poll = world.active_poll(s.user_id, t)
            if poll is not None:
                polls += 1
                assert poll.started_at <= t < poll.ends_at
                assert 2 <= len(poll.options) <= 4
                assert poll.total_votes == sum(o.votes for o in poll.options)
            for giveaway in world.active_giveaways(s.user_id, t):
                giveaways += 1
                assert giveaway.started_at <= t < giveaway.ends_at and giveaway.entries >= 0
    assert polls > 0 and giveaways > 0
    offline = next(c for c in world.creators if world.viewers_at(c.id, DAY) == 0)
    assert world.active_poll(offline.id, DAY) is None
    assert world.active_giveaways(offline.id, DAY) == []
