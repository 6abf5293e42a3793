from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from pipeline.twin.world import World
from tests.twin_world.conftest import DAY

CANONICAL = {
    "channel.follow",
    "channel.subscribe",
    "channel.subscription.gift",
    "channel.subscription.end",
    "channel.volts",
    "channel.points.redeem",
    "channel.raid",
    "stream.online",
    "stream.offline",
}


@pytest.mark.parametrize(
    ("start", "length"),
    [
        pytest.param(timedelta(hours=20), timedelta(minutes=5), id="five-minutes-at-peak"),
        pytest.param(timedelta(hours=22), timedelta(hours=5), id="crossing-midnight"),
        pytest.param(
            timedelta(hours=3, seconds=1), timedelta(days=2, hours=1), id="whole-days-plus-edges"
        ),
        pytest.param(timedelta(hours=5), timedelta(0), id="empty-range"),
    ],
)
def test_event_totals_equal_counted_events(
    world: World, start: timedelta, length: timedelta
) -> None:
    t0 = DAY + start
    events = world.events_between(t0, t0 + length)
    assert world.event_totals(t0, t0 + length) == {
        name: Counter(e.type for e in events)[name] for name in CANONICAL
    }
    assert all(t0 <= e.at < t0 + length for e in events)
    assert [(e.at, e.id) for e in events] == sorted((e.at, e.id) for e in events)


def test_subset_is_the_filtered_full_stream(world: World) -> None:
    t0, t1 = DAY + timedelta(hours=19), DAY + timedelta(hours=23)
    chosen = list(world.authorized_creator_ids[:40])
    everything = world.events_between(t0, t1)
    subset = world.events_between(t0, t1, chosen)
    assert [e.id for e in subset] == [e.id for e in everything if e.channel_id in set(chosen)]
    assert subset == [e for e in everything if e.channel_id in set(chosen)]
    totals = world.event_totals(t0, t1, chosen)
    assert sum(totals.values()) == len(subset)


def test_event_ids_are_unique_and_types_canonical(world: World) -> None:
    events = world.events_between(DAY, DAY + timedelta(days=1))
    assert len({e.id for e in events}) == len(events)
    assert all(e.id.startswith("evt_") for e in events)
    assert {e.type for e in events} == CANONICAL
    # realistic but moderate: 5-20k per simulated day for 2,000 creators
    assert 5_000 <= len(events) <= 20_000


def test_follower_count_agrees_with_follow_events(world: World) -> None:
    creators = world.authorized_creator_ids[:5] + tuple(c.id for c in world.creators[:5])
    t0, t1 = DAY + timedelta(hours=7, minutes=13), DAY + timedelta(days=3, hours=2)
    follows = Counter(
        e.channel_id for e in world.events_between(t0, t1, creators) if e.type == "channel.follow"
    )
    for creator in creators:
        delta = world.follower_count(creator, t1) - world.follower_count(creator, t0)
        assert delta == follows[creator]
        epoch_total = world.event_totals(world.epoch, t1, [creator])["channel.follow"]
        base = world.creator(creator).base_followers  # type: ignore[union-attr]
        assert world.follower_count(creator, t1) == base + epoch_total
    assert sum(follows.values()) > 100


def test_follower_list_is_newest_first_and_matches_events(world: World) -> None:
    creator = world.authorized_creator_ids[10]
    t = DAY + timedelta(days=1)
    recent = [
        e for e in world.events_between(world.epoch, t, [creator]) if e.type == "channel.follow"
    ][::-1]
    assert len(recent) > 60
    page = world.followers(creator, t, limit=30)
    assert [f.user.id for f in page] == [e.data["follower"]["id"] for e in recent[:30]]
    assert [f.followed_at for f in page] == [e.at for e in recent[:30]]
    second = world.followers(creator, t, limit=30, offset=30)
    assert [f.user.id for f in second] == [e.data["follower"]["id"] for e in recent[30:60]]


def test_small_creator_follower_list_covers_everyone(world: World) -> None:
    creator = next(c for c in world.creators if 40 <= c.base_followers <= 60)
    t = DAY + timedelta(days=3)
    total = world.follower_count(creator.id, t)
    everyone = world.followers(creator.id, t, limit=total + 10)
    assert len(everyone) == total
    times = [f.followed_at for f in everyone]
    assert times == sorted(times, reverse=True)
    assert times[-1] >= creator.created_at
    assert world.followers(creator.id, t, limit=5, offset=total) == []


def test_gifted_subs_arrive_as_gift_plus_one_subscribe_per_recipient(world: World) -> None:
    events = world.events_between(DAY, DAY + timedelta(days=1))
    gifts = [e for e in events if e.type == "channel.subscription.gift"]
    gifted = [e for e in events if e.type == "channel.subscribe" and e.data["is_gift"]]
    assert gifts and sum(g.data["gift_count"] for g in gifts) == len(gifted)
    by_channel_recipient = {(e.channel_id, e.data["subscriber"]["id"], e.at) for e in gifted}
    for gift in gifts:
        recipients = gift.data["recipients"]
        assert len(recipients) == gift.data["gift_count"]
        for r, recipient in enumerate(recipients, start=1):
            at = gift.at + timedelta(milliseconds=r)
            assert (gift.channel_id, recipient["id"], at) in by_channel_recipient
    anonymous = [g for g in gifts if g.data["gifter"]["is_anonymous"]]
    assert 0 < len(anonymous) < len(gifts)


def test_event_payloads_carry_the_semantic_fields(world: World) -> None:
    events = world.events_between(DAY + timedelta(hours=18), DAY + timedelta(hours=23))
    first = {}
    for e in events:
        gift_flag = e.data["is_gift"] if e.type == "channel.subscribe" else None
        first.setdefault((e.type, gift_flag), e)
    sub = first[("channel.subscribe", False)].data
    assert sub["tier"] in (1000, 2000, 3000) and sub["months"] >= 1 and not sub["is_gift"]
    assert {"subscriber", "streak_months", "is_renewal", "gifter", "message"} <= set(sub)
    end = first[("channel.subscription.end", None)].data
    assert end["reason"] in ("canceled", "expired") and end["expires_at"] >= end["ended_at"]
    volts = first[("channel.volts", None)].data
    assert volts["amount"] > 0 and volts["sender"]["id"].startswith("u_")
    points = first[("channel.points.redeem", None)].data
    assert {"id", "name", "cost"} == set(points["reward"]) and points["redemption_id"]
    assert points["status"] in ("fulfilled", "unfulfilled", "canceled")
    online = first[("stream.online", None)]
    live = world.live_stream(online.channel_id, online.at)
    assert live is not None and live.stream_id == online.data["stream_id"]
    assert live.title == online.data["title"] and online.data["ended_at"] is None
