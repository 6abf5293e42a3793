"""Normalisation quirks: envelopes, aliases and payload field variants (ids name the quirk)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from pipeline.webhooks.normalize import (
    NormalizationError,
    canonical_event_type,
    normalize_delivery,
    parse_envelope,
    parse_time,
    user_ref,
)

RECEIVED_MS = 1_795_000_000_000
TS = "2026-11-28T08:15:00.000Z"


def body(doc: Any) -> bytes:
    return json.dumps(doc).encode()


def event(event_type: str, data: dict[str, Any], *, envelope: str = "id") -> bytes:
    if envelope == "id":
        return body({"id": "evt_1", "type": event_type, "timestamp": TS, "data": data})
    return body({"event": event_type, "timestamp": TS, "data": data})


def typed(event_type: str, data: dict[str, Any], **kw: Any) -> dict[str, Any]:
    ev = normalize_delivery(event(event_type, data, **kw), {}, RECEIVED_MS, "k1")
    assert ev.typed_error is None, ev.typed_error
    assert ev.typed_row is not None
    return ev.typed_row


@pytest.mark.parametrize(
    ("alias", "canonical"),
    [
        ("channel.gift", "channel.subscription.gift"),
        ("channel.subscription.gift", "channel.subscription.gift"),
        ("channel.cheer", "channel.volts"),
        ("channel.volts", "channel.volts"),
        ("channel.channel_points_redemption", "channel.points.redeem"),
        ("channel.points.redeem", "channel.points.redeem"),
        ("user.follow", "channel.follow"),
        ("channel.follow", "channel.follow"),
        ("stream.update", "stream.update"),
    ],
    ids=lambda v: v,
)
def test_event_type_aliases_map_to_canonical(alias: str, canonical: str) -> None:
    assert canonical_event_type(alias) == canonical


@pytest.mark.parametrize(
    ("raw", "headers", "variant", "event_id", "event_type"),
    [
        pytest.param(
            {"id": "evt_9", "type": "channel.follow", "timestamp": TS, "data": {}},
            {},
            "id_type",
            "evt_9",
            "channel.follow",
            id="id-type-envelope",
        ),
        pytest.param(
            {"event": "channel.follow", "timestamp": TS, "data": {}},
            {},
            "event",
            None,
            "channel.follow",
            id="event-envelope-without-id",
        ),
        pytest.param(
            {"timestamp": TS, "data": {}},
            {"x-velora-event": "stream.online"},
            "other",
            None,
            "stream.online",
            id="type-only-in-X-Velora-Event-header",
        ),
        pytest.param(
            {"event": "channel.cheer", "timestamp": TS, "data": {}},
            {"x-velora-event": "channel.follow"},
            "event",
            None,
            "channel.cheer",
            id="body-type-wins-over-header",
        ),
    ],
)
def test_both_envelopes_are_parsed(
    raw: dict[str, Any],
    headers: dict[str, str],
    variant: str,
    event_id: str | None,
    event_type: str,
) -> None:
    env = parse_envelope(body(raw), headers)
    assert (env.variant, env.event_id, env.event_type) == (variant, event_id, event_type)
    assert env.timestamp == datetime(2026, 11, 28, 8, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        pytest.param(b"[1, 2]", "not an object", id="envelope-is-array"),
        pytest.param(b"not json", "not JSON", id="body-not-json"),
        pytest.param(body({"timestamp": TS, "data": {}}), "no event type", id="no-type-anywhere"),
        pytest.param(body({"type": "channel.follow", "data": [1]}), "data", id="data-not-object"),
        pytest.param(
            body({"type": "channel.follow", "timestamp": "yesterday", "data": {}}),
            "timestamp",
            id="bad-envelope-timestamp",
        ),
    ],
)
def test_unusable_envelopes_raise(raw: bytes, message: str) -> None:
    with pytest.raises(NormalizationError, match=message):
        parse_envelope(raw, {})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(
            "2026-11-28T08:15:00.000Z", datetime(2026, 11, 28, 8, 15, tzinfo=UTC), id="iso-z-millis"
        ),
        pytest.param(
            "2026-11-28T09:15:00+01:00", datetime(2026, 11, 28, 8, 15, tzinfo=UTC), id="iso-offset"
        ),
        pytest.param(1795853700000, datetime.fromtimestamp(1795853700, tz=UTC), id="epoch-millis"),
        pytest.param(1795853700, datetime.fromtimestamp(1795853700, tz=UTC), id="epoch-seconds"),
        pytest.param(
            "1795853700000", datetime.fromtimestamp(1795853700, tz=UTC), id="epoch-millis-string"
        ),
        pytest.param(None, None, id="missing"),
    ],
)
def test_parse_time_variants(value: Any, expected: datetime | None) -> None:
    assert parse_time(value) == expected


@pytest.mark.parametrize(
    ("obj", "expected_id", "anonymous"),
    [
        pytest.param({"id": "u1", "username": "a"}, "u1", False, id="user-with-id"),
        pytest.param({"userId": "u1", "username": "a"}, "u1", False, id="user-with-userId"),
        pytest.param({"user_id": "u1"}, "u1", False, id="user-snake-case"),
        pytest.param(
            {"isAnonymous": True, "username": "Anonymous"}, None, True, id="anonymous-user"
        ),
        pytest.param({"id": "u1", "isAnonymous": True}, None, True, id="anonymous-flag-hides-id"),
        pytest.param(None, None, True, id="null-user-is-anonymous"),
    ],
)
def test_user_objects(obj: Any, expected_id: str | None, anonymous: bool) -> None:
    ref = user_ref(obj)
    assert (ref.id, ref.is_anonymous) == (expected_id, anonymous)


def test_follow_nested_follower() -> None:
    row = typed(
        "channel.follow",
        {
            "broadcasterId": "c1",
            "follower": {"id": "u1", "username": "ann", "displayName": "Ann"},
            "followedAt": "2026-11-28T08:14:00.000Z",
        },
    )
    assert (row["channel_id"], row["follower_id"], row["follower_username"]) == ("c1", "u1", "ann")
    assert row["followed_at"] == datetime(2026, 11, 28, 8, 14, tzinfo=UTC)


def test_follow_alias_user_follow_with_userId_objects() -> None:
    ev = normalize_delivery(
        event("user.follow", {"channelId": "c1", "follower": {"userId": "u2"}}, envelope="event"),
        {},
        RECEIVED_MS,
        "k",
    )
    assert ev.envelope.canonical_type == "channel.follow"
    assert ev.typed_table == "core.follows"
    assert ev.typed_row is not None and ev.typed_row["follower_id"] == "u2"


@pytest.mark.parametrize(
    ("data", "gift_count", "anonymous", "gifter_id"),
    [
        pytest.param(
            {"gifter": {"id": "g1"}, "giftCount": 5, "amount": 2500, "tier": "1000"},
            5,
            False,
            "g1",
            id="giftCount-not-amount",
        ),
        pytest.param(
            {"gifter": {"userId": "g1"}, "quantity": 3}, 3, False, "g1", id="old-quantity-field"
        ),
        pytest.param(
            {"gifter": {"isAnonymous": True}, "giftCount": 1}, 1, True, None, id="anonymous-gifter"
        ),
        pytest.param({"gifter": None, "giftCount": 2}, 2, True, None, id="null-gifter"),
        pytest.param(
            {"gifter": {"id": "g1"}, "recipients": [{"id": "r1"}, {"userId": "r2"}]},
            2,
            False,
            "g1",
            id="count-from-recipients",
        ),
    ],
)
def test_gift_variants(
    data: dict[str, Any], gift_count: int, anonymous: bool, gifter_id: str | None
) -> None:
    row = typed("channel.gift", {"broadcasterId": "c1", **data})
    assert (row["gift_count"], row["is_anonymous"], row["gifter_id"]) == (
        gift_count,
        anonymous,
        gifter_id,
    )


def test_gift_without_any_count_is_a_typed_error() -> None:
    ev = normalize_delivery(
        event("channel.subscription.gift", {"broadcasterId": "c1", "amount": 5}),
        {},
        RECEIVED_MS,
        "k",
    )
    assert ev.typed_row is None and ev.typed_error is not None and "giftCount" in ev.typed_error


@pytest.mark.parametrize(
    ("event_type", "data", "volts"),
    [
        pytest.param(
            "channel.volts", {"sender": {"id": "s1"}, "amount": 100}, 100, id="volts-amount"
        ),
        pytest.param(
            "channel.volts", {"sender": {"userId": "s1"}, "volts": 250}, 250, id="volts-volts-field"
        ),
        pytest.param(
            "channel.cheer",
            {"sender": {"id": "s1"}, "amount": "75"},
            75,
            id="cheer-alias-string-amount",
        ),
    ],
)
def test_volts_variants(event_type: str, data: dict[str, Any], volts: int) -> None:
    row = typed(event_type, {"broadcasterId": "c1", **data})
    assert row["volts"] == volts and row["sender_id"] == "s1"


@pytest.mark.parametrize(
    ("data", "from_id", "viewers"),
    [
        pytest.param(
            {"raider": {"id": "r1", "username": "rx"}, "viewers": 40}, "r1", 40, id="raider-viewers"
        ),
        pytest.param(
            {"from": {"userId": "r1"}, "viewerCount": 41}, "r1", 41, id="from-viewerCount"
        ),
    ],
)
def test_raid_variants(data: dict[str, Any], from_id: str, viewers: int) -> None:
    row = typed("channel.raid", {"broadcasterId": "c1", **data})
    assert (row["from_channel_id"], row["viewers"], row["channel_id"]) == (from_id, viewers, "c1")


@pytest.mark.parametrize(
    ("event_type", "data"),
    [
        pytest.param(
            "channel.points.redeem",
            {
                "redemptionId": "rd1",
                "reward": {"id": "rw1", "name": "Hydrate", "cost": 500},
                "userMessage": "hi",
                "user": {"id": "u1"},
                "status": "fulfilled",
                "redeemedAt": TS,
            },
            id="nested-reward",
        ),
        pytest.param(
            "channel.channel_points_redemption",
            {
                "redemptionId": "rd1",
                "rewardId": "rw1",
                "rewardTitle": "Hydrate",
                "rewardCost": 500,
                "userInput": "hi",
                "redeemer": {"userId": "u1"},
                "status": "fulfilled",
            },
            id="flat-reward-and-redeemer-alias",
        ),
    ],
)
def test_points_redemption_variants(event_type: str, data: dict[str, Any]) -> None:
    row = typed(event_type, {"broadcasterId": "c1", **data})
    assert (
        row["reward_id"],
        row["reward_title"],
        row["reward_cost"],
        row["user_input"],
        row["user_id"],
    ) == ("rw1", "Hydrate", 500, "hi", "u1")


@pytest.mark.parametrize(
    ("event_type", "data", "expected"),
    [
        pytest.param(
            "stream.online",
            {
                "userId": "c1",
                "stream": {
                    "id": "s1",
                    "title": "T",
                    "category": {"slug": "chess", "name": "Chess"},
                    "startedAt": TS,
                },
                "viewerCount": 3,
            },
            ("online", "s1", "T", "chess", "Chess"),
            id="online-nested-stream",
        ),
        pytest.param(
            "stream.offline",
            {
                "userId": "c1",
                "streamId": "s1",
                "title": "T",
                "categorySlug": "chess",
                "endedAt": TS,
            },
            ("offline", "s1", "T", "chess", None),
            id="offline-flat-stream",
        ),
    ],
)
def test_stream_status_variants(
    event_type: str, data: dict[str, Any], expected: tuple[Any, ...]
) -> None:
    row = typed(event_type, data)
    assert (
        row["status"],
        row["stream_id"],
        row["title"],
        row["category_slug"],
        row["category_name"],
    ) == expected
    assert row["channel_id"] == "c1"


def test_gifted_subscribe_is_flagged_not_dropped() -> None:
    row = typed(
        "channel.subscribe",
        {
            "broadcasterId": "c1",
            "subscriber": {"id": "u1"},
            "isGift": True,
            "gifter": {"id": "g1"},
            "tier": "1000",
            "months": 1,
        },
    )
    assert row["is_gift"] is True and row["gifter_id"] == "g1"


def test_subscription_end_from_base_user_fields() -> None:
    row = typed(
        "channel.subscription.end",
        {
            "broadcasterId": "c1",
            "userId": "u1",
            "username": "ann",
            "tier": "1000",
            "isGift": False,
            "reason": "expired",
            "endedAt": TS,
            "expiresAt": TS,
        },
    )
    assert (row["subscriber_id"], row["reason"], row["is_gift"]) == ("u1", "expired", False)


def test_is_test_flag_is_kept_on_the_envelope() -> None:
    ev = normalize_delivery(
        event("channel.follow", {"broadcasterId": "c1", "follower": {"id": "u"}, "isTest": True}),
        {},
        RECEIVED_MS,
        "k",
    )
    assert ev.envelope.is_test is True


@pytest.mark.parametrize(
    ("data", "served", "channel", "source"),
    [
        pytest.param({"broadcasterId": "c1"}, None, "c1", "payload", id="payload-names-it"),
        pytest.param({}, ("c9",), "c9", "subscription", id="one-channel-subscription"),
        pytest.param({"channelId": "c1"}, ("c9",), "c1", "payload", id="payload-wins"),
        pytest.param({}, ("c1", "c2"), None, None, id="subscription-serves-several"),
        pytest.param({}, None, None, None, id="subscription-unknown"),
        pytest.param({}, (), None, None, id="subscription-serves-none"),
    ],
)
def test_channel_comes_from_payload_else_a_one_channel_subscription(
    data: dict, served: tuple[str, ...] | None, channel: str | None, source: str | None
) -> None:
    ev = normalize_delivery(
        event("channel.follow", {"follower": {"id": "u"}, **data}),
        {},
        RECEIVED_MS,
        "k",
        webhook_id="wh_1",
        subscription_channels=served,
    )
    # An unknown channel is never a reason to quarantine: the docs promise no channel field.
    assert ev.typed_error is None and ev.typed_row is not None
    assert (ev.typed_row["channel_id"], ev.typed_row["channel_source"]) == (channel, source)
    assert ev.event_row("seg")["webhook_id"] == "wh_1"


def test_untyped_event_types_have_no_typed_row() -> None:
    ev = normalize_delivery(event("channel.update", {"broadcasterId": "c1"}), {}, RECEIVED_MS, "k")
    assert ev.typed_table is None and ev.typed_row is None and ev.typed_error is None
