"""Webhook payload builders, quirk by quirk, on hand-made world events (no server)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from pipeline.twin.server.webhook_payloads import build_body, event_data, is_channel_less
from pipeline.twin.world import Creator, World, WorldEvent

AT = datetime(2026, 1, 15, 20, 0, tzinfo=UTC)
FAN = {"id": "u_fan", "username": "fan", "display_name": "Fan", "is_anonymous": False}
GIFTER = {"id": "u_gifter", "username": "gifter", "display_name": "Gifter", "is_anonymous": False}
ANONYMOUS = {"id": None, "username": None, "display_name": None, "is_anonymous": True}
DATA: dict[str, dict[str, Any]] = {
    "channel.subscribe": {"subscriber": FAN, "tier": 1000, "months": 3, "is_gift": False},
    "channel.subscription.gift": {"gifter": GIFTER, "gift_count": 2, "tier": 1000},
    "channel.subscription.end": {"user": FAN, "tier": 1000, "reason": "expired"},
    "stream.online": {"stream_id": "s_1", "title": "hi", "category": {"slug": "art"}},
}
# Documented field names (velora-api-facts.md: base, Mix It Up names, changelog v1.2.0).
DOCUMENTED = {
    "channel.subscribe": {"userId", "username", "displayName", "isTest", "subscriber"}
    | {"months", "streakMonths", "tier", "isRenewal", "isGift", "message", "gifter"},
    "channel.subscription.gift": {"userId", "username", "displayName", "isTest", "isAnonymous"}
    | {"gifter", "giftCount", "quantity", "tier", "recipients"},
    "channel.subscription.end": {"userId", "username", "displayName", "isTest", "tier"}
    | {"isGift", "gifter", "reason", "endedAt", "expiresAt"},
}


def event(kind: str, n: int = 0, **data: Any) -> WorldEvent:
    return WorldEvent(f"evt_{n:016x}", kind, AT, "u_channel", {**DATA.get(kind, {}), **data})


@pytest.fixture(scope="module")
def channel(world: World) -> Creator:
    return world.creators[0]


def _ids(kind: str, channel_less: bool, count: int) -> list[int]:
    return [n for n in range(400) if is_channel_less(event(kind, n)) is channel_less][:count]


@pytest.mark.parametrize(
    ("kind", "data", "actor"),
    [
        ("channel.subscribe", {}, FAN),
        ("channel.subscribe", {"is_gift": True, "gifter": GIFTER}, FAN),
        ("channel.subscription.gift", {}, GIFTER),
    ],
    ids=[
        "subscribe-userId-is-the-subscriber-not-the-channel",
        "gifted-subscribe-userId-is-the-recipient-not-the-gifter",
        "gift-userId-is-the-gifter",
    ],
)
def test_subscription_events_name_their_user_at_top_level(
    channel: Creator, kind: str, data: dict[str, Any], actor: dict[str, Any]
) -> None:
    out = event_data(event(kind, **data), channel)
    assert (out["userId"], out["username"], out["displayName"]) == (
        actor["id"],
        actor["username"],
        actor["display_name"],
    )
    assert out["channelId"] == "u_channel", "app-wide deliveries keep the assumed channelId"
    if kind == "channel.subscribe":
        assert out["subscriber"]["username"] == "fan", "the subscriber{} object stays"


def test_anonymous_gifter_has_no_user_id_at_top_level(channel: Creator) -> None:
    out = event_data(event("channel.subscription.gift", gifter=ANONYMOUS), channel)
    assert "userId" not in out and out["isAnonymous"] is True
    assert out["gifter"]["isAnonymous"] is True


@pytest.mark.parametrize("kind", ["stream.online", "stream.offline"])
def test_stream_events_always_carry_stream_id_and_channel_user(channel: Creator, kind: str) -> None:
    shapes = set()
    for n in range(50):
        out = event_data(event(kind, n, **DATA["stream.online"]), channel)
        shapes.add("stream" in out)
        assert out["streamId"] == "s_1", "also beside a nested stream{}"
        assert (out["userId"], out["username"]) == ("u_channel", channel.username)
    assert shapes == {True, False}, "both the nested and the flat variant occur"


@pytest.mark.parametrize("kind", sorted(DOCUMENTED))
def test_per_broadcaster_channel_less_deliveries_carry_only_documented_fields(
    channel: Creator, kind: str
) -> None:
    for n in _ids(kind, channel_less=True, count=5):
        data = json.loads(build_body(event(kind, n), kind, channel, per_broadcaster=True))["data"]
        assert "channelId" not in data and "broadcaster" not in data
        assert set(data) <= DOCUMENTED[kind], set(data) - DOCUMENTED[kind]
        app_wide = json.loads(build_body(event(kind, n), kind, channel))["data"]
        assert app_wide["channelId"] == "u_channel", "app-wide deliveries always keep it"
    for n in _ids(kind, channel_less=False, count=5):
        data = json.loads(build_body(event(kind, n), kind, channel, per_broadcaster=True))["data"]
        assert data["channelId"] == "u_channel"


def test_about_half_of_subscription_events_are_channel_less() -> None:
    share = sum(is_channel_less(event("channel.subscribe", n)) for n in range(1000)) / 1000
    assert 0.4 < share < 0.6
    assert not any(is_channel_less(event("channel.follow", n)) for n in range(100))
