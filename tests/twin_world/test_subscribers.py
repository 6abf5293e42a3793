"""World.subscribers and events_between(types=...): the public API the twin server relies on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pipeline.twin.world import WORLD_EPOCH, UnknownEventTypeError, World
from pipeline.twin.world.subscriptions import SUBSCRIPTION_DAYS

SUB_TYPES = ("channel.subscribe", "channel.subscription.end")
MID_FEB = datetime(2026, 2, 12, 21, 30, tzinfo=UTC)


def reference_subscribers(world: World, creator_id: str, t: datetime) -> list[tuple]:
    """The documented rule, recomputed from rendered events: latest subscribe per user within
    the period, unless an end for that user came at or after it."""
    t0 = max(WORLD_EPOCH, t - timedelta(days=SUBSCRIPTION_DAYS))
    latest: dict[str, dict] = {}
    ended: dict[str, datetime] = {}
    # types= is checked against filtering afterwards below; it keeps this reference fast
    for e in world.events_between(t0, t, [creator_id], types=SUB_TYPES):
        if e.type == "channel.subscribe":
            latest[e.data["subscriber"]["id"]] = {"at": e.at, **e.data}
        elif e.type == "channel.subscription.end":
            ended[e.data["user"]["id"]] = e.at
    rows = [
        (d["at"], uid, d["tier"], d["is_gift"], (d["gifter"] or {}).get("id"), d["months"])
        for uid, d in latest.items()
        if not (uid in ended and ended[uid] >= d["at"])
    ]
    return sorted(rows, reverse=True)


def _cases(world: World) -> dict[str, tuple[str, datetime]]:
    biggest = world.authorized_creator_ids[0]
    return {
        "biggest-channel-mid-february": (biggest, MID_FEB),
        "biggest-channel-first-days": (biggest, WORLD_EPOCH + timedelta(days=2, hours=3)),
        "mid-sized-authorized-channel": (world.authorized_creator_ids[40], MID_FEB),
        "at-the-epoch-nobody-yet": (biggest, WORLD_EPOCH),
    }


@pytest.mark.parametrize(
    "case",
    [
        "biggest-channel-mid-february",
        "biggest-channel-first-days",
        "mid-sized-authorized-channel",
        "at-the-epoch-nobody-yet",
    ],
)
def test_subscribers_follow_the_documented_rule_over_the_events(world: World, case: str) -> None:
    creator_id, t = _cases(world)[case]
    got = [
        (s.started_at, s.user.id, s.tier, s.is_gift, s.gifter.id if s.gifter else None, s.months)
        for s in world.subscribers(creator_id, t)
    ]
    assert got == reference_subscribers(world, creator_id, t)
    if case == "at-the-epoch-nobody-yet":
        assert got == []
    else:
        assert got, "a big channel has subscribers after a few days"


def test_a_later_end_removes_a_subscriber(world: World) -> None:
    """Guards the 'unless an end followed it' half of the rule with a real case."""
    creator_id = world.authorized_creator_ids[0]
    t0 = MID_FEB - timedelta(days=SUBSCRIPTION_DAYS)
    events = world.events_between(t0, MID_FEB, [creator_id], types=SUB_TYPES)
    subscribed = {e.data["subscriber"]["id"]: e.at for e in events if e.type == SUB_TYPES[0]}
    ended = {
        e.data["user"]["id"]
        for e in events
        if e.type == SUB_TYPES[1] and subscribed.get(e.data["user"]["id"], e.at) < e.at
    }
    assert ended, "the world should produce ends after subscribes for some users"
    active = {s.user.id for s in world.subscribers(creator_id, MID_FEB)}
    assert not ended & active
    assert active <= set(subscribed)


def test_subscribers_are_newest_first_and_unique(world: World) -> None:
    subs = world.subscribers(world.authorized_creator_ids[0], MID_FEB)
    keys = [(s.started_at, s.user.id) for s in subs]
    assert keys == sorted(keys, reverse=True)
    assert len({s.user.id for s in subs}) == len(subs)
    assert all(s.started_at < MID_FEB for s in subs)
    gifts = [s for s in subs if s.is_gift]
    assert gifts and all(s.months == 1 for s in gifts)
    assert all(s.gifter is None for s in subs if not s.is_gift)


@pytest.mark.parametrize(
    "types",
    [
        ("channel.subscribe",),
        ("channel.subscription.end", "channel.subscription.gift"),
        ("stream.online", "stream.offline", "channel.raid"),
        ("channel.follow",),
    ],
    ids=["subscribe-both-codes", "end-and-gift", "session-kinds", "follows"],
)
@pytest.mark.parametrize("scope", ["one-channel", "every-channel"])
def test_events_between_types_equals_filtering_afterwards(
    world: World, types: tuple[str, ...], scope: str
) -> None:
    biggest = world.authorized_creator_ids[0]
    start, end = world.sessions_between(biggest, MID_FEB - timedelta(days=3), MID_FEB)[-1]
    t0, t1 = start - timedelta(minutes=30), end + timedelta(minutes=30)  # one whole stream
    creators = [biggest] if scope == "one-channel" else None
    everything = world.events_between(t0, t1, creators)
    filtered = world.events_between(t0, t1, creators, types=types)
    expected = [e for e in everything if e.type in types]
    assert [e.id for e in filtered] == [e.id for e in expected]
    assert [e.data for e in filtered] == [e.data for e in expected]
    assert expected, f"no {types} events in the window: the test would prove nothing"


@pytest.mark.parametrize(
    ("types", "error"),
    [
        (["channel.nope"], UnknownEventTypeError),
        (["channel.gift"], UnknownEventTypeError),  # wire alias, not a canonical name
        ("channel.follow", TypeError),
    ],
    ids=["unknown-type", "alias-is-not-canonical", "single-string"],
)
def test_events_between_rejects_bad_types(world: World, types: object, error: type) -> None:
    with pytest.raises(error):
        world.events_between(MID_FEB - timedelta(hours=1), MID_FEB, types=types)  # type: ignore[arg-type]
