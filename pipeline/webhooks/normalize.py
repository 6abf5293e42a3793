"""Pure normalisation of landed webhook deliveries into typed rows.

Velora sends two envelopes (``{id, type, timestamp, data}`` and ``{event, timestamp, data}``
without an id), aliases for several event types, and older flat payload variants. Everything
here is a pure function of (raw body, kept headers, received time, idempotency key, the
subscription it arrived on) so it can be unit-tested quirk by quirk; the loader only moves the
results into DuckDB.

A delivery shaped exactly as the docs list is always typed: the docs promise no channel field
for several events (``channel.subscribe``, ``channel.subscription.gift``,
``channel.subscription.end``), so the channel comes from the payload when it names one, else
from the subscription the delivery arrived on when that serves exactly one channel, else it is
left NULL (``channel_source`` says which) — never a reason to quarantine.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pipeline.schemas.webhooks import CHANNEL_FROM_PAYLOAD, CHANNEL_FROM_SUBSCRIPTION
from pipeline.webhooks import times

# Alias -> canonical name (canonical names as used by the twin world and architecture.md).
EVENT_ALIASES: dict[str, str] = {
    "channel.gift": "channel.subscription.gift",
    "channel.cheer": "channel.volts",
    "channel.channel_points_redemption": "channel.points.redeem",
    "user.follow": "channel.follow",
}

TYPED_TABLES: dict[str, str] = {
    "channel.follow": "core.follows",
    "channel.subscribe": "core.subscriptions",
    "channel.subscription.end": "core.subscription_ends",
    "channel.subscription.gift": "core.gifts",
    "channel.volts": "core.volts_tips",
    "channel.points.redeem": "core.points_redemptions",
    "channel.raid": "core.raids",
    "stream.online": "core.stream_status_events",
    "stream.offline": "core.stream_status_events",
}

# Keys that can name the channel (broadcaster) an event belongs to, most specific first.
_CHANNEL_KEYS = (
    "broadcasterId",
    "broadcasterUserId",
    "broadcaster_id",
    "channelId",
    "channel_id",
    "creatorId",
    "toUserId",
    "toChannelId",
)
_CHANNEL_OBJECTS = ("broadcaster", "channel", "creator", "to")


class NormalizationError(ValueError):
    """A delivery cannot be turned into a row; the message is stored as the quarantine reason."""


@dataclass(frozen=True)
class Envelope:
    variant: str  # "id_type" | "event" | "other"
    event_id: str | None
    event_type: str  # as sent (may be an alias)
    canonical_type: str
    timestamp: datetime | None
    data: dict[str, Any]
    is_test: bool


@dataclass(frozen=True)
class UserRef:
    id: str | None
    username: str | None
    display_name: str | None
    is_anonymous: bool


@dataclass(frozen=True)
class NormalizedEvent:
    event_key: str
    envelope: Envelope
    channel_id: str | None
    channel_source: str | None  # payload / subscription / None (unknown)
    event_at: datetime | None
    received_at: datetime
    sent_at: datetime | None  # X-Velora-Timestamp: unsigned, a diagnostic only
    webhook_id: str | None
    payload_json: str
    typed_table: str | None
    typed_row: dict[str, Any] | None
    typed_error: str | None  # set when the envelope was fine but the typed row was not

    def event_row(self, segment: str) -> dict[str, Any]:
        env = self.envelope
        return {
            "event_key": self.event_key,
            "event_id": env.event_id,
            "event_type": env.event_type,
            "canonical_type": env.canonical_type,
            "channel_id": self.channel_id,
            "channel_source": self.channel_source,
            "event_at": self.event_at,
            "received_at": self.received_at,
            "sent_at": self.sent_at,
            "webhook_id": self.webhook_id,
            "is_test": env.is_test,
            "envelope_variant": env.variant,
            "payload": self.payload_json,
            "segment": segment,
        }


# -- scalar helpers ---------------------------------------------------------------------------
def canonical_event_type(name: str) -> str:
    cleaned = name.strip()
    return EVENT_ALIASES.get(cleaned, cleaned)


def parse_time(value: object) -> datetime | None:
    """ISO 8601 (``Z`` or offset) or a unix epoch in seconds or milliseconds, as UTC."""
    try:
        return times.parse_time(value)
    except times.TimestampError as exc:
        raise NormalizationError(str(exc)) from None


def as_int(value: object, field: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise NormalizationError(f"{field} must be a number, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise NormalizationError(f"{field} must be a whole number, got {value!r}")


def as_bool(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "yes"}
    return bool(value)


def as_str(value: object) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    text = str(value)
    return text if text != "" else None


def first(data: Mapping[str, Any], *keys: str) -> Any:
    """The first present, non-null value among ``keys``."""
    for key in keys:
        value = data.get(key)
        if value is not None:
            return value
    return None


def user_ref(obj: object) -> UserRef:
    """A user object with ``id`` or ``userId`` (or snake case); may be anonymous or absent."""
    if not isinstance(obj, dict):
        return UserRef(as_str(obj), None, None, obj is None)
    anonymous = as_bool(first(obj, "isAnonymous", "is_anonymous", "anonymous") or False)
    return UserRef(
        id=None if anonymous else as_str(first(obj, "id", "userId", "user_id")),
        username=as_str(first(obj, "username", "login", "userName")),
        display_name=as_str(first(obj, "displayName", "display_name")),
        is_anonymous=anonymous,
    )


def _base_user(data: Mapping[str, Any]) -> UserRef:
    """The payload's base user fields (``userId``, ``username``, ``displayName``)."""
    return user_ref(
        {
            "userId": first(data, "userId", "user_id"),
            "username": data.get("username"),
            "displayName": data.get("displayName"),
            "isAnonymous": data.get("isAnonymous"),
        }
    )


def _actor(data: Mapping[str, Any], *object_keys: str) -> UserRef:
    for key in object_keys:
        if isinstance(data.get(key), dict):
            return user_ref(data[key])
    return _base_user(data)


# -- envelope ---------------------------------------------------------------------------------
def parse_envelope(body: bytes | str, headers: Mapping[str, str] | None = None) -> Envelope:
    try:
        doc = json.loads(body)
    except ValueError as exc:
        raise NormalizationError(f"body is not JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise NormalizationError(f"envelope is a JSON {type(doc).__name__}, not an object")
    header_type = (headers or {}).get("x-velora-event")
    raw_type = first(doc, "type", "event", "eventType") or header_type
    if not isinstance(raw_type, str) or not raw_type.strip():
        raise NormalizationError("no event type in envelope `type`/`event` or X-Velora-Event")
    if "data" in doc:
        data = doc["data"]
        if not isinstance(data, dict):
            raise NormalizationError(f"envelope `data` is a {type(data).__name__}, not an object")
    else:  # tolerate a flat payload: everything that isn't envelope
        envelope_keys = {"id", "type", "event", "eventType", "timestamp"}
        data = {k: v for k, v in doc.items() if k not in envelope_keys}
    event_id = as_str(doc.get("id"))
    variant = "id_type" if event_id and "type" in doc else "event" if "event" in doc else "other"
    return Envelope(
        variant=variant,
        event_id=event_id,
        event_type=raw_type.strip(),
        canonical_type=canonical_event_type(raw_type),
        timestamp=parse_time(doc.get("timestamp")),
        data=data,
        is_test=as_bool(data.get("isTest") or doc.get("isTest") or False),
    )


def channel_id_of(canonical_type: str, data: Mapping[str, Any]) -> str | None:
    """The broadcaster's channel id; the base ``userId`` only for stream and authorization
    events (elsewhere it is the acting user: subscriber, gifter, ...)."""
    for key in _CHANNEL_KEYS:
        if data.get(key) is not None:
            return as_str(data[key])
    for key in _CHANNEL_OBJECTS:
        obj = data.get(key)
        if isinstance(obj, dict):
            ref = user_ref(obj)
            if ref.id:
                return ref.id
    stream = data.get("stream")
    if isinstance(stream, dict):
        found = as_str(first(stream, "userId", "channelId", "broadcasterId"))
        if found:
            return found
    # Stream events name the channel as the base user (documented); so do authorization events,
    # whose user is the broadcaster granting or revoking access.
    if canonical_type.startswith(("stream.", "user.authorization.")):
        return as_str(first(data, "userId", "user_id"))
    return None


# -- typed rows -------------------------------------------------------------------------------
def follow_row(data: Mapping[str, Any], event_at: datetime | None) -> dict[str, Any]:
    follower = _actor(data, "follower", "user")
    if follower.id is None:
        raise NormalizationError("channel.follow without a follower id")
    return {
        "follower_id": follower.id,
        "follower_username": follower.username,
        "follower_display_name": follower.display_name,
        "followed_at": parse_time(data.get("followedAt")) or event_at,
    }


def _subscriber_and_gifter(
    data: Mapping[str, Any], event_type: str
) -> tuple[UserRef, UserRef | None]:
    """The subscriber (an id or a username is required; the changelog's top-level ``userId``
    when there is no ``subscriber{}``) and the gifter, if any."""
    subscriber = _actor(data, "subscriber", "user")
    if subscriber.id is None and subscriber.username is None:
        raise NormalizationError(f"{event_type} without a subscriber")
    gifter = user_ref(data.get("gifter")) if data.get("gifter") is not None else None
    return subscriber, gifter


def _subscription_people(subscriber: UserRef, gifter: UserRef | None) -> dict[str, Any]:
    return {
        "subscriber_id": subscriber.id,
        "subscriber_username": subscriber.username,
        "subscriber_display_name": subscriber.display_name,
        "gifter_id": gifter.id if gifter else None,
        "gifter_username": gifter.username if gifter else None,
    }


def subscription_row(data: Mapping[str, Any], event_at: datetime | None) -> dict[str, Any]:
    subscriber, gifter = _subscriber_and_gifter(data, "channel.subscribe")
    return {
        **_subscription_people(subscriber, gifter),
        "tier": as_str(data.get("tier")),
        "months": as_int(first(data, "months", "cumulativeMonths"), "months"),
        "streak_months": as_int(data.get("streakMonths"), "streakMonths"),
        "is_renewal": as_bool(data.get("isRenewal") or False),
        "is_gift": as_bool(data.get("isGift") or False),
        "message": as_str(data.get("message")),
        "subscribed_at": parse_time(first(data, "subscribedAt", "startedAt")) or event_at,
    }


def subscription_end_row(data: Mapping[str, Any], event_at: datetime | None) -> dict[str, Any]:
    subscriber, gifter = _subscriber_and_gifter(data, "channel.subscription.end")
    return {
        **_subscription_people(subscriber, gifter),
        "tier": as_str(data.get("tier")),
        "is_gift": as_bool(data.get("isGift") or False),
        "reason": as_str(data.get("reason")),
        "ended_at": parse_time(data.get("endedAt")) or event_at,
        "expires_at": parse_time(data.get("expiresAt")),
    }


def gift_row(data: Mapping[str, Any], event_at: datetime | None) -> dict[str, Any]:
    # `amount` is deliberately not read: on gifts it is not the number of subs.
    count = as_int(first(data, "giftCount", "quantity", "count"), "giftCount")
    recipients = data.get("recipients")
    recipient_ids = (
        [r for r in (user_ref(x).id for x in recipients) if r]
        if isinstance(recipients, list)
        else []
    )
    if count is None:
        if not recipient_ids:
            raise NormalizationError("gift without giftCount/quantity or recipients")
        count = len(recipient_ids)
    if count <= 0:
        raise NormalizationError(f"gift count must be positive, got {count}")
    gifter_obj = data.get("gifter")
    gifter = user_ref(gifter_obj) if "gifter" in data else _base_user(data)
    anonymous = gifter.is_anonymous or as_bool(data.get("isAnonymous") or False)
    return {
        "gifter_id": None if anonymous else gifter.id,
        "gifter_username": None if anonymous else gifter.username,
        "gifter_display_name": None if anonymous else gifter.display_name,
        "is_anonymous": anonymous,
        "gift_count": count,
        "tier": as_str(data.get("tier")),
        "recipient_ids": json.dumps(recipient_ids),
        "gifted_at": parse_time(data.get("giftedAt")) or event_at,
    }


def volts_row(data: Mapping[str, Any], event_at: datetime | None) -> dict[str, Any]:
    volts = as_int(first(data, "amount", "volts", "bits"), "amount")
    if volts is None:
        raise NormalizationError("channel.volts without amount/volts")
    if volts <= 0:
        raise NormalizationError(f"volts amount must be positive, got {volts}")
    sender = _actor(data, "sender", "user")
    anonymous = sender.is_anonymous or as_bool(data.get("isAnonymous") or False)
    return {
        "sender_id": None if anonymous else sender.id,
        "sender_username": None if anonymous else sender.username,
        "sender_display_name": None if anonymous else sender.display_name,
        "is_anonymous": anonymous,
        "volts": volts,
        "message": as_str(data.get("message")),
        "tipped_at": parse_time(data.get("sentAt")) or event_at,
    }


def points_row(data: Mapping[str, Any], event_at: datetime | None) -> dict[str, Any]:
    reward = data.get("reward")
    if isinstance(reward, dict):
        reward_id = as_str(first(reward, "id", "rewardId"))
        title = as_str(first(reward, "name", "title"))
        cost = as_int(first(reward, "cost", "points"), "reward.cost")
    else:  # older flat payloads
        reward_id = as_str(data.get("rewardId"))
        title = as_str(first(data, "rewardTitle", "rewardName"))
        cost = as_int(data.get("rewardCost"), "rewardCost")
    if reward_id is None and title is None:
        raise NormalizationError("points redemption without a reward")
    user = _actor(data, "redeemer", "user")
    return {
        "redemption_id": as_str(first(data, "redemptionId", "id")),
        "user_id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "reward_id": reward_id,
        "reward_title": title,
        "reward_cost": cost,
        "user_input": as_str(first(data, "userMessage", "userInput")),
        "status": as_str(data.get("status")),
        "redeemed_at": parse_time(data.get("redeemedAt")) or event_at,
    }


def raid_row(data: Mapping[str, Any], event_at: datetime | None) -> dict[str, Any]:
    raider = _actor(data, "raider", "from", "fromUser")
    viewers = as_int(first(data, "viewers", "viewerCount", "viewer_count"), "viewers")
    if raider.id is None and raider.username is None:
        raise NormalizationError("channel.raid without raider/from")
    return {
        "from_channel_id": raider.id,
        "from_username": raider.username,
        "from_display_name": raider.display_name,
        "viewers": viewers,
        "raided_at": parse_time(data.get("raidedAt")) or event_at,
    }


def stream_status_row(
    canonical_type: str, data: Mapping[str, Any], event_at: datetime | None
) -> dict[str, Any]:
    stream = data.get("stream")
    src: Mapping[str, Any] = stream if isinstance(stream, dict) else data
    category = src.get("category")
    if isinstance(category, dict):
        slug, name = as_str(category.get("slug")), as_str(category.get("name"))
    else:
        slug = as_str(first(src, "categorySlug", "category"))
        name = as_str(src.get("categoryName"))
    stream_id = (
        as_str(first(src, "id", "streamId")) if src is stream else as_str(src.get("streamId"))
    )
    channel = _base_user(data)  # stream events: the base user is the channel (documented)
    return {
        "status": "online" if canonical_type == "stream.online" else "offline",
        "username": channel.username or as_str(src.get("username")),
        "display_name": channel.display_name or as_str(src.get("displayName")),
        "stream_id": stream_id or as_str(data.get("streamId")),
        "title": as_str(first(src, "title")) or as_str(data.get("title")),
        "category_slug": slug or as_str(data.get("categorySlug")),
        "category_name": name,
        "started_at": parse_time(first(src, "startedAt") or data.get("startedAt")),
        "ended_at": parse_time(first(src, "endedAt") or data.get("endedAt")),
        "viewer_count": as_int(
            first(src, "viewerCount", "viewers") or data.get("viewerCount"), "viewerCount"
        ),
    }


def typed_row(
    canonical_type: str, data: Mapping[str, Any], event_at: datetime | None
) -> dict[str, Any]:
    builders = {
        "channel.follow": follow_row,
        "channel.subscribe": subscription_row,
        "channel.subscription.end": subscription_end_row,
        "channel.subscription.gift": gift_row,
        "channel.volts": volts_row,
        "channel.points.redeem": points_row,
        "channel.raid": raid_row,
    }
    if canonical_type.startswith("stream.") and canonical_type in TYPED_TABLES:
        return stream_status_row(canonical_type, data, event_at)
    return builders[canonical_type](data, event_at)


def _event_time(
    canonical_type: str, data: Mapping[str, Any], envelope_ts: datetime | None
) -> datetime | None:
    """When the event happened: the payload's own time if it has one, else the envelope's."""
    keys = {
        "channel.follow": ("followedAt",),
        "channel.points.redeem": ("redeemedAt",),
        "channel.subscription.end": ("endedAt",),
        "stream.online": ("startedAt",),
        "stream.offline": ("endedAt",),
    }.get(canonical_type, ())
    for key in keys:
        found = data.get(key)
        if found is None and isinstance(data.get("stream"), dict):
            found = data["stream"].get(key)
        if found is not None:
            return parse_time(found)
    return envelope_ts


def _header_time(headers: Mapping[str, str]) -> datetime | None:
    raw = (headers.get("x-velora-timestamp") or "").strip()
    try:
        return datetime.fromtimestamp(int(raw) / 1000.0, tz=UTC) if raw else None
    except (ValueError, OverflowError, OSError):
        return None


def resolve_channel(
    canonical_type: str, data: Mapping[str, Any], subscription_channels: tuple[str, ...] | None
) -> tuple[str | None, str | None]:
    """(channel id, where it came from): the payload, else a subscription serving one channel."""
    named = channel_id_of(canonical_type, data)
    if named is not None:
        return named, CHANNEL_FROM_PAYLOAD
    if subscription_channels is not None and len(subscription_channels) == 1:
        return subscription_channels[0], CHANNEL_FROM_SUBSCRIPTION
    return None, None


def normalize_delivery(
    body: bytes,
    headers: Mapping[str, str],
    received_at_ms: int,
    event_key: str,
    *,
    webhook_id: str | None = None,
    subscription_channels: tuple[str, ...] | None = None,
) -> NormalizedEvent:
    """Turn one landed delivery into an event row plus (if it has one) its typed row.

    ``webhook_id``/``subscription_channels``: the subscription the delivery arrived on and the
    channels it serves, as the receiver recorded them. Raises NormalizationError only when even
    the envelope is unusable; a bad typed payload is reported in ``typed_error`` so the raw
    event is still kept.
    """
    envelope = parse_envelope(body, headers)
    data = envelope.data
    channel_id, channel_source = resolve_channel(
        envelope.canonical_type, data, subscription_channels
    )
    event_at = _event_time(envelope.canonical_type, data, envelope.timestamp)
    received_at = datetime.fromtimestamp(received_at_ms / 1000.0, tz=UTC)
    table = TYPED_TABLES.get(envelope.canonical_type)
    row: dict[str, Any] | None = None
    error: str | None = None
    if table is not None:
        try:
            row = {
                "event_key": event_key,
                "channel_id": channel_id,
                "channel_source": channel_source,
                "event_at": event_at or received_at,
                **typed_row(envelope.canonical_type, data, event_at or received_at),
            }
        except NormalizationError as exc:
            error, row = str(exc), None
    return NormalizedEvent(
        event_key=event_key,
        envelope=envelope,
        channel_id=channel_id,
        channel_source=channel_source,
        event_at=event_at,
        received_at=received_at,
        sent_at=_header_time(headers),
        webhook_id=webhook_id,
        payload_json=body.decode("utf-8", "replace"),
        typed_table=table,
        typed_row=row,
        typed_error=error,
    )
