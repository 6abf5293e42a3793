"""World events -> webhook request bodies, in the documented envelope and field-name variants.

Variants are chosen from a hash of the event id, so a given event always looks the same (retries
and duplicates carry identical bytes) while a stream of events mixes every documented variant:

- envelope: ~70% ``{"id", "type", "timestamp", "data"}``, ~30% ``{"event", "timestamp", "data"}``
- user objects: ``id`` or ``userId``
- gifts: ``giftCount`` or (older) ``quantity``; volts: ``amount`` or ``volts``
- raids: ``raider{}`` or ``from{}``, ``viewers`` or ``viewerCount``
- points: nested ``reward{}`` or the older flat ``rewardId/rewardTitle/rewardCost/userInput``
- stream.online/offline: always ``streamId`` (Webhooks page example), plus a nested ``stream{}``
  or the flat ``title/categorySlug``

Top-level ``userId``/``username``/``displayName`` name the channel, except on subscription
events, where they name the subscriber (subscribe, subscription.end) or the gifter
(subscription.gift) -- changelog v1.2.0. On per-broadcaster webhooks about half of those
subscription deliveries carry no channel field at all (see ``is_channel_less``).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from pipeline.twin.server.timefmt import iso

LEGACY_ENVELOPE_SHARE = 30  # percent
# Subscription events whose documented payloads name no channel: on a per-broadcaster webhook
# the receiver must take the channel from the subscription the delivery arrived on.
CHANNEL_LESS_TYPES = frozenset(
    {"channel.subscribe", "channel.subscription.gift", "channel.subscription.end"}
)
CHANNEL_LESS_SHARE = 50  # percent of those deliveries, on per-broadcaster webhooks only
CHANNEL_FIELDS = ("channelId", "broadcaster")


def _bucket(key: str, salt: str) -> int:
    digest = hashlib.sha256(f"{salt}:{key}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100


def _field(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def user_obj(user: Any, key: str) -> dict[str, Any]:
    """A user object with ``id`` or ``userId`` (both documented), or an anonymous one."""
    if user is None or _field(user, "is_anonymous", False):
        return {"isAnonymous": True, "username": "anonymous", "displayName": "Anonymous"}
    ident = _field(user, "id")
    id_key = "userId" if _bucket(key, "user-id") < 40 else "id"
    return {
        id_key: ident,
        "username": _field(user, "username"),
        "displayName": _field(user, "display_name"),
    }


def is_channel_less(event: Any) -> bool:
    """Whether this event, delivered on a per-broadcaster webhook, omits every channel field."""
    return event.type in CHANNEL_LESS_TYPES and (
        _bucket(str(event.id), "channel-less") < CHANNEL_LESS_SHARE
    )


def _set_actor(out: dict[str, Any], user: Any) -> None:
    """Point the top-level user fields at ``user`` (an anonymous gifter has no ``userId``)."""
    for key in ("userId", "username", "displayName"):
        out.pop(key, None)
    if user is None or _field(user, "is_anonymous", False):
        out.update(username="anonymous", displayName="Anonymous", isAnonymous=True)
    else:
        out.update(
            userId=_field(user, "id"),
            username=_field(user, "username"),
            displayName=_field(user, "display_name"),
        )


def _channel_base(event: Any, channel: Any) -> dict[str, Any]:
    return {
        "channelId": event.channel_id,
        "userId": event.channel_id,
        "username": _field(channel, "username"),
        "displayName": _field(channel, "display_name"),
        "isTest": False,
    }


def _time(value: Any) -> str | None:
    return iso(value) if isinstance(value, datetime) else None


def event_data(event: Any, channel: Any = None, *, omit_channel: bool = False) -> dict[str, Any]:
    """Wire ``data`` of one world event (semantic ``event.data`` -> documented field names).

    ``omit_channel`` drops ``channelId`` and ``broadcaster{}`` (per-broadcaster deliveries).
    """
    d = event.data
    key = str(event.id)
    kind = event.type
    out = _channel_base(event, channel)
    if kind == "channel.follow":
        out["follower"] = user_obj(d.get("follower"), key)
        out["followedAt"] = _time(d.get("followed_at")) or iso(event.at)
    elif kind == "channel.subscribe":
        _set_actor(out, d.get("subscriber"))
        out["subscriber"] = user_obj(d.get("subscriber"), key)
        out.update(
            months=d.get("months", 1),
            streakMonths=d.get("streak_months", 1),
            tier=d.get("tier"),
            isRenewal=bool(d.get("is_renewal", False)),
            isGift=bool(d.get("is_gift", False)),
            message=d.get("message", ""),
        )
        if d.get("is_gift"):
            out["gifter"] = user_obj(d.get("gifter"), key + ":g")
    elif kind == "channel.subscription.gift":
        _set_actor(out, d.get("gifter"))
        out["gifter"] = user_obj(d.get("gifter"), key)
        count_key = "quantity" if _bucket(key, "gift-count") < 25 else "giftCount"
        out[count_key] = d.get("gift_count", 1)
        out["tier"] = d.get("tier")
        out["recipients"] = [
            user_obj(r, f"{key}:{i}") for i, r in enumerate(d.get("recipients", []))
        ]
    elif kind == "channel.subscription.end":
        _set_actor(out, d.get("user"))
        out.update(
            broadcaster={"id": event.channel_id, "username": _field(channel, "username")},
            tier=d.get("tier"),
            isGift=bool(d.get("is_gift", False)),
            reason=d.get("reason"),
            endedAt=_time(d.get("ended_at")) or iso(event.at),
            expiresAt=_time(d.get("expires_at")),
        )
        if d.get("is_gift"):
            out["gifter"] = user_obj(d.get("gifter"), key + ":g")
    elif kind == "channel.volts":
        out["sender"] = user_obj(d.get("sender"), key)
        out["amount" if _bucket(key, "volts") < 50 else "volts"] = d.get("amount", 0)
        out["message"] = d.get("message", "")
    elif kind == "channel.raid":
        raider = user_obj(d.get("from"), key)
        out["raider" if _bucket(key, "raid-user") < 50 else "from"] = raider
        out["viewers" if _bucket(key, "raid-viewers") < 50 else "viewerCount"] = d.get("viewers", 0)
    elif kind == "channel.points.redeem":
        reward = d.get("reward") or {}
        user = user_obj(d.get("redeemer"), key)
        if _bucket(key, "points-shape") < 30:  # older flat payload
            out.update(
                rewardId=reward.get("id"),
                rewardTitle=reward.get("name"),
                rewardCost=reward.get("cost"),
                userInput=d.get("user_input", ""),
                redeemer=user,
            )
        else:
            out.update(
                redemptionId=d.get("redemption_id"),
                reward={
                    "id": reward.get("id"),
                    "name": reward.get("name"),
                    "cost": reward.get("cost"),
                },
                userMessage=d.get("user_input", ""),
                status=d.get("status"),
                redeemedAt=_time(d.get("redeemed_at")) or iso(event.at),
                user=user,
            )
    elif kind in ("stream.online", "stream.offline"):
        category = d.get("category") or {}
        out["streamId"] = d.get("stream_id")
        if _bucket(key, "stream-shape") < 50:
            out["stream"] = {
                "id": d.get("stream_id"),
                "title": d.get("title"),
                "category": {"slug": category.get("slug"), "name": category.get("name")},
                "startedAt": _time(d.get("started_at")),
                "endedAt": _time(d.get("ended_at")),
            }
        else:
            out.update(title=d.get("title"), categorySlug=category.get("slug"))
        out["viewerCount"] = d.get("viewer_count", 0)
    else:
        out.update({k: v for k, v in d.items() if isinstance(v, str | int | float | bool)})
    if omit_channel:
        for name in CHANNEL_FIELDS:
            out.pop(name, None)
    return out


def envelope(event_id: str, wire_type: str, at: datetime, data: dict[str, Any]) -> dict[str, Any]:
    if _bucket(event_id, "envelope") < LEGACY_ENVELOPE_SHARE:
        return {"event": wire_type, "timestamp": iso(at), "data": data}
    return {"id": event_id, "type": wire_type, "timestamp": iso(at), "data": data}


def build_body(
    event: Any, wire_type: str, channel: Any = None, *, per_broadcaster: bool = False
) -> bytes:
    """``channel`` is the broadcaster (a Creator), for the payload's user fields;
    ``per_broadcaster``: the webhook serves that one channel (see ``is_channel_less``)."""
    raw_id = str(event.id)
    event_id = raw_id if raw_id.startswith("evt_") else f"evt_{raw_id}"
    omit = per_broadcaster and is_channel_less(event)
    doc = envelope(event_id, wire_type, event.at, event_data(event, channel, omit_channel=omit))
    return json.dumps(doc, separators=(",", ":")).encode()


def test_event_body(canonical: str, wire_type: str, at: datetime, seq: int) -> tuple[str, bytes]:
    """A synthetic ``isTest`` event, as a dashboard "send test event" button would send."""
    event_id = f"evt_test_{seq:06d}"
    data: dict[str, Any] = {
        "channelId": "u_test",
        "userId": "u_test",
        "username": "velora_test",
        "displayName": "Velora Test",
        "isTest": True,
    }
    test_user = {"id": "u_test_viewer", "username": "test_viewer", "displayName": "Test Viewer"}
    actor = {"userId": test_user["id"], "username": "test_viewer", "displayName": "Test Viewer"}
    if canonical == "channel.follow":
        data.update(follower=test_user, followedAt=iso(at))
    elif canonical == "channel.subscribe":
        data.update(
            **actor,
            subscriber=test_user,
            months=1,
            streakMonths=1,
            tier=1000,
            isRenewal=False,
            isGift=False,
            message="",
        )
    elif canonical == "channel.subscription.gift":
        data.update(**actor, gifter=test_user, giftCount=1, tier=1000, recipients=[test_user])
    elif canonical == "channel.volts":
        data.update(sender=test_user, amount=100, message="test")
    elif canonical == "channel.raid":
        data.update(raider=test_user, viewers=10)
    elif canonical == "channel.points.redeem":
        data.update(
            redemptionId=f"red_test_{seq}",
            reward={"id": "rw_test", "name": "Test", "cost": 100},
            userMessage="",
            status="fulfilled",
            redeemedAt=iso(at),
            user=test_user,
        )
    elif canonical in ("stream.online", "stream.offline"):
        data.update(
            streamId="s_test",
            stream={
                "id": "s_test",
                "title": "Test stream",
                "category": {"slug": "just-chatting", "name": "Just Chatting"},
                "startedAt": iso(at),
                "endedAt": None,
            },
            viewerCount=0,
        )
    doc = envelope(event_id, wire_type, at, data)
    return event_id, json.dumps(doc, separators=(",", ":")).encode()
