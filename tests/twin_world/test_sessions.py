from __future__ import annotations

from datetime import timedelta

import numpy as np

from pipeline.twin.world import World
from tests.twin_world.conftest import DAY


def test_live_share_is_plausible_at_peak_and_low_off_peak(world: World) -> None:
    shares = np.zeros(24)
    for day in range(7):
        for hour in range(24):
            t = DAY + timedelta(days=day, hours=hour, minutes=30)
            shares[hour] += len(world.live_streams(t)) / len(world.creators) / 7
    assert 0.15 <= shares.max() <= 0.25
    assert shares.min() < shares.max() / 3


def test_live_streams_are_sorted_and_complete(world: World) -> None:
    t = DAY + timedelta(hours=22, minutes=7)
    streams = world.live_streams(t)
    keys = [(-s.viewer_count, s.stream_id) for s in streams]
    assert keys == sorted(keys)
    assert len({s.user_id for s in streams}) == len(streams)
    for s in streams[:25]:
        assert s.started_at <= t
        assert world.viewers_at(s.user_id, t) == s.viewer_count
        assert world.live_stream(s.user_id, t) == s
        assert s.category in world.categories
        assert s.thumbnail_url.startswith("https://")
    assert world.top_live_creator_ids(t, 5) == [s.user_id for s in streams[:5]]


def test_viewers_are_piecewise_constant_per_minute(world: World) -> None:
    t = DAY + timedelta(hours=22, minutes=7)
    for s in world.live_streams(t)[:10]:
        values = {world.viewers_at(s.user_id, t + timedelta(seconds=sec)) for sec in (0, 17, 59)}
        assert values == {s.viewer_count}


def test_viewer_minutes_match_viewers_at_and_sessions(world: World) -> None:
    creator = world.authorized_creator_ids[3]
    t0, t1 = DAY, DAY + timedelta(days=2)
    minutes = world.viewer_minutes(creator, t0, t1)
    sessions = world.sessions_between(creator, t0, t1)
    assert minutes and sessions
    # a session ends on a second of its last minute, which is listed (partly live)
    live_minutes = sum(
        -(-(min(end, t1) - max(start, t0)) // timedelta(minutes=1)) for start, end in sessions
    )
    assert len(minutes) == live_minutes
    for at, value in minutes[::97]:
        assert world.viewers_at(creator, at + timedelta(seconds=30)) == value
    start, end = sessions[0]
    assert world.viewers_at(creator, start - timedelta(minutes=1)) == 0
    assert world.viewers_at(creator, end) == 0


def test_viewer_curve_ramps_plateaus_and_decays(world: World) -> None:
    """Averaged over the big creators' sessions: low start, high middle, fading end."""
    ramps, tails = [], []
    for creator in world.authorized_creator_ids[:30]:
        for start, end in world.sessions_between(creator, DAY, DAY + timedelta(days=3)):
            values = np.array([v for _, v in world.viewer_minutes(creator, start, end)], float)
            middle = np.median(values[len(values) // 3 : 2 * len(values) // 3])
            if middle < 20:
                continue
            ramps.append(values[:3].mean() / middle)
            tails.append(values[-3:].mean() / middle)
    assert len(ramps) >= 20
    assert np.median(ramps) < 0.4
    assert np.median(tails) < 0.6


def test_a_creators_sessions_never_overlap(world: World) -> None:
    for creator in world.creators[:300]:
        sessions = world.sessions_between(creator.id, DAY, DAY + timedelta(days=14))
        for (_, end), (start, _) in zip(sessions, sessions[1:], strict=False):
            assert end <= start
        for start, end in sessions:
            assert timedelta(minutes=30) <= end - start <= timedelta(hours=14)


def test_sessions_end_on_a_second_of_their_last_minute_and_every_view_agrees(world: World) -> None:
    """Whole-minute ends made every poll-based end estimate exactly 30 s early (issue 9 §5)."""
    t0, t1 = DAY, DAY + timedelta(days=1)
    offline = {
        (e.channel_id, e.at) for e in world.events_between(t0, t1) if e.type == "stream.offline"
    }
    seconds_seen = set()
    checked = 0
    for creator in world.creators[:300]:
        for start, end in world.sessions_between(creator.id, t0, t1):
            if not t0 <= end < t1:
                continue
            seconds_seen.add(end.second)
            assert (creator.id, end) in offline  # stream.offline carries the exact end
            *_, (last_at, _, live_seconds) = world.live_minutes(creator.id, start, end)
            assert last_at + timedelta(seconds=live_seconds) == end  # truth's last minute
            assert world.viewers_at(creator.id, end) == 0  # offline from the exact end on
            checked += 1
    assert checked > 50
    assert len(seconds_seen) > 30  # ends spread over the minute, not on its boundary
