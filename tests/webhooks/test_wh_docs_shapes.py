"""Deliveries shaped exactly as Velora's docs show them are typed, never quarantined.

Fixtures are copied from the pages (not from the twin, whose payloads are richer):
- Webhooks (developer.velora.tv/docs/webhooks): the ``{id, type, timestamp, data}`` example,
  a ``stream.online`` with ``streamId``, ``userId``, ``username``.
- Webhook Events Reference (developer.velora.tv/developer/docs/webhooks/events): the
  ``{event, timestamp, data}`` envelope, with no event id.
- Changelog v1.2.0 (developer.velora.tv/changelog): ``channel.subscription.end`` carries
  ``userId, username, displayName, tier, isGift + gifter, reason, endedAt, expiresAt``, and
  ``channel.subscribe`` / ``channel.subscription.gift`` gained a top-level ``userId`` (the
  subscriber / the gifter). None of these lists a channel field.
- Payload field names of a public integration (velora-api-facts.md, Mix It Up): follow with
  ``follower{}``/``followedAt``, gifts with ``giftCount``/``recipients[]``.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipeline.schemas.webhooks import TYPED_TABLE_NAMES
from pipeline.warehouse.tables import check_table
from pipeline.webhooks.framing import LandingRecord
from pipeline.webhooks.landing import LandingLog
from pipeline.webhooks.loader import load_sealed_segments
from pipeline.webhooks.normalize import normalize_delivery
from pipeline.webhooks.receiver import idempotency_key

RECEIVED_MS = 1_768_750_000_000  # 2026-01-18, beside the docs' examples
ONE_CHANNEL = ("user_123",)  # the subscription the delivery arrived on serves this channel

WEBHOOKS_PAGE_STREAM_ONLINE = {
    "id": "evt_abc123",
    "type": "stream.online",
    "timestamp": "2026-01-18T15:30:00Z",
    "data": {"streamId": "stream_xyz", "userId": "user_123", "username": "coolstreamer"},
}
EVENTS_REFERENCE_STREAM_OFFLINE = {
    "event": "stream.offline",
    "timestamp": "2026-01-19T02:30:00.000Z",
    "data": {"streamId": "stream_xyz", "userId": "user_123", "username": "coolstreamer"},
}
CHANGELOG_SUBSCRIPTION_END = {
    "event": "channel.subscription.end",
    "timestamp": "2026-01-19T02:30:00.000Z",
    "data": {
        "userId": "user_456",
        "username": "loyalviewer",
        "displayName": "LoyalViewer",
        "tier": "1",
        "isGift": True,
        "gifter": {"userId": "user_789", "username": "generous", "displayName": "Generous"},
        "reason": "expired",
        "endedAt": "2026-01-19T02:30:00.000Z",
        "expiresAt": "2026-01-19T02:30:00.000Z",
    },
}
CHANGELOG_SUBSCRIBE = {
    "id": "evt_sub_1",
    "type": "channel.subscribe",
    "timestamp": "2026-01-18T15:31:00Z",
    "data": {
        "userId": "user_456",
        "username": "loyalviewer",
        "displayName": "LoyalViewer",
        "tier": "1",
        "months": 3,
        "streakMonths": 3,
        "isRenewal": True,
        "isGift": False,
        "message": "hi",
    },
}
CHANGELOG_GIFT = {
    "event": "channel.subscription.gift",
    "timestamp": "2026-01-18T15:32:00.000Z",
    "data": {
        "userId": "user_789",
        "username": "generous",
        "displayName": "Generous",
        "giftCount": 5,
        "tier": "1",
        "recipients": [{"userId": f"user_r{i}", "username": f"lucky{i}"} for i in range(5)],
    },
}
INTEGRATION_FOLLOW = {
    "id": "evt_follow_1",
    "type": "channel.follow",
    "timestamp": "2026-01-18T15:33:00Z",
    "data": {
        "follower": {"id": "user_999", "username": "newfan", "displayName": "NewFan"},
        "followedAt": "2026-01-18T15:33:00Z",
    },
}


def raw(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc).encode()


@pytest.mark.parametrize(
    ("doc", "table", "expected"),
    [
        pytest.param(
            WEBHOOKS_PAGE_STREAM_ONLINE,
            "core.stream_status_events",
            {
                "channel_id": "user_123",
                "channel_source": "payload",
                "stream_id": "stream_xyz",
                "username": "coolstreamer",
                "status": "online",
            },
            id="webhooks-page-example-id-envelope",
        ),
        pytest.param(
            EVENTS_REFERENCE_STREAM_OFFLINE,
            "core.stream_status_events",
            {"channel_id": "user_123", "stream_id": "stream_xyz", "status": "offline"},
            id="events-reference-id-less-envelope",
        ),
        pytest.param(
            CHANGELOG_SUBSCRIPTION_END,
            "core.subscription_ends",
            {
                "channel_id": "user_123",
                "channel_source": "subscription",
                "subscriber_id": "user_456",
                "subscriber_username": "loyalviewer",
                "subscriber_display_name": "LoyalViewer",
                "is_gift": True,
                "gifter_id": "user_789",
                "gifter_username": "generous",
                "reason": "expired",
            },
            id="changelog-subscription-end-names-no-channel",
        ),
        pytest.param(
            CHANGELOG_SUBSCRIBE,
            "core.subscriptions",
            {
                "channel_id": "user_123",
                "channel_source": "subscription",
                "subscriber_id": "user_456",
                "subscriber_display_name": "LoyalViewer",
                "months": 3,
                "is_renewal": True,
            },
            id="changelog-subscribe-userId-is-the-subscriber",
        ),
        pytest.param(
            CHANGELOG_GIFT,
            "core.gifts",
            {
                "channel_id": "user_123",
                "gifter_id": "user_789",
                "gifter_display_name": "Generous",
                "gift_count": 5,
            },
            id="changelog-gift-userId-is-the-gifter",
        ),
        pytest.param(
            INTEGRATION_FOLLOW,
            "core.follows",
            {"channel_id": "user_123", "channel_source": "subscription", "follower_id": "user_999"},
            id="integration-follow-without-channel",
        ),
    ],
)
def test_documented_delivery_is_typed(doc: dict[str, Any], table: str, expected: dict) -> None:
    body = raw(doc)
    event = normalize_delivery(
        body,
        {"x-velora-event": doc.get("type") or doc["event"]},
        RECEIVED_MS,
        idempotency_key(body, doc),
        webhook_id="wh_1",
        subscription_channels=ONE_CHANNEL,
    )
    assert event.typed_error is None and event.typed_table == table
    assert event.typed_row is not None
    assert {k: event.typed_row[k] for k in expected} == expected


DOCUMENTED = [
    WEBHOOKS_PAGE_STREAM_ONLINE,
    EVENTS_REFERENCE_STREAM_OFFLINE,
    CHANGELOG_SUBSCRIPTION_END,
    CHANGELOG_SUBSCRIBE,
    CHANGELOG_GIFT,
    INTEGRATION_FOLLOW,
]


@pytest.mark.parametrize(
    "channels",
    [pytest.param(ONE_CHANNEL, id="one-channel-subscription"), pytest.param(None, id="app-wide")],
)
def test_documented_deliveries_load_and_pass_every_check(
    tmp_path: Path, channels: tuple[str, ...] | None
) -> None:
    log = LandingLog(tmp_path / "landing")
    log.start()
    for doc in DOCUMENTED:
        body = raw(doc)
        log.append(
            LandingRecord(
                RECEIVED_MS,
                idempotency_key(body, doc),
                {},
                body,
                webhook_id="wh_1",
                channels=channels,
            )
        )
    log.close()
    db = tmp_path / "wh.duckdb"
    result = load_sealed_segments(tmp_path / "landing", db)
    # Never quarantined for lacking a field the docs never promise (such as the channel).
    assert (result.quarantined, result.errors, result.inserted) == (0, [], len(DOCUMENTED))
    assert sum(result.typed_inserted.values()) == len(DOCUMENTED)
    conn = duckdb.connect(str(db))
    with contextlib.closing(conn):
        unknown = conn.execute(
            "SELECT count(*) FROM core.webhook_events WHERE channel_id IS NULL"
        ).fetchall()
        reports = [check_table(conn, t) for t in ("core.webhook_events", *TYPED_TABLE_NAMES)]
    # Stream events name their channel; the other four rely on the subscription.
    assert unknown == [(0,) if channels else (4,)]
    assert [r.summary for r in reports if not r.passed] == []
