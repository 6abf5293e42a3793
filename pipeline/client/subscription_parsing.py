"""Tolerant parsing of the broadcaster's own subscriber roster and count (changelog v1.2.0).

The docs name the item fields but not the envelopes, so every plausible variant is accepted
(docs/client.md, "Tolerated variants"):

- roster list under ``subscriptions``, ``subscribers``, ``items`` or ``data``, or a bare array;
- roster total as ``total``, ``totalCount`` or ``count`` (also in ``pagination``/``meta``/``data``);
- gifter as an object ``{userId|id, username, displayName}`` or flat ``gifterId`` /
  ``gifterUsername`` / ``gifterDisplayName`` (a bare string is a username);
- count body ``count``, ``total``, ``subscriberCount`` or ``activeSubscribers`` (flat or under
  ``data``), or a bare number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pipeline.client.parsing import (
    Warnings,
    extract_list,
    parse_bool,
    parse_int,
    parse_str,
    parse_timestamp,
    pick,
    unwrap,
)

ROSTER_ITEM_KEYS = ("subscriptions", "subscribers")
ROSTER_TOTAL_KEYS = ("total", "totalCount", "count")
COUNT_KEYS = ("count", "total", "subscriberCount", "activeSubscribers")


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


@dataclass
class RosterSubscriber:
    """One active subscriber of the token user's channel."""

    user_id: str | None
    username: str | None
    display_name: str | None
    tier: str | None
    is_gift: bool | None
    gifter_id: str | None  # None for paid subs and anonymous gifts
    gifter_username: str | None
    gifter_display_name: str | None
    expires_at: datetime | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass
class SubscriptionCount:
    """The authoritative count of the channel's active (non-expired) subscribers."""

    count: int
    raw: Any = field(default=None, repr=False)


def roster_rows(body: Any) -> list[Any] | None:
    return extract_list(body, ROSTER_ITEM_KEYS)


def roster_total(body: Any) -> int | None:
    """The whole channel's total, independent of the page window (None when not reported)."""
    if not isinstance(body, dict):
        return None
    holders = (body, *(_object(body.get(key)) for key in ("pagination", "meta", "data")))
    for holder in holders:
        total = parse_int(pick(holder, *ROSTER_TOTAL_KEYS))
        if total is not None:
            return total
    return None


def roster_page_size(body: Any) -> int | None:
    """The page size the server says it used, when it echoes one."""
    if not isinstance(body, dict):
        return None
    return parse_int(pick(body, "perPage", "pageSize", "limit"))


def parse_roster_subscriber(d: dict[str, Any], warnings: Warnings) -> RosterSubscriber:
    user = _object(d.get("user")) or _object(d.get("subscriber"))
    gifter_value = d.get("gifter")
    gifter = _object(gifter_value)
    gifter_name = gifter_value if isinstance(gifter_value, str) else None
    return RosterSubscriber(
        user_id=parse_str(pick(d, "userId", "id") or pick(user, "id", "userId")),
        username=parse_str(pick(d, "username") or pick(user, "username")),
        display_name=parse_str(pick(d, "displayName") or pick(user, "displayName")),
        tier=parse_str(pick(d, "tier")),
        is_gift=parse_bool(pick(d, "isGift", "gift")),
        gifter_id=parse_str(pick(gifter, "userId", "id") or pick(d, "gifterId", "gifterUserId")),
        gifter_username=parse_str(
            pick(gifter, "username") or pick(d, "gifterUsername") or gifter_name
        ),
        gifter_display_name=parse_str(pick(gifter, "displayName") or pick(d, "gifterDisplayName")),
        expires_at=parse_timestamp(pick(d, "expiresAt", "endsAt"), "expiresAt", warnings),
        raw=d,
    )


def parse_subscription_count(body: Any, warnings: Warnings) -> SubscriptionCount | None:
    """None when the body holds no count at all (the caller raises MalformedResponseError)."""
    if isinstance(body, int | float | str) and not isinstance(body, bool):
        value = parse_int(body, "count", warnings)
    else:
        d = unwrap(body, "subscriptions")
        value = parse_int(pick(d, *COUNT_KEYS), "count", warnings) if d is not None else None
    return None if value is None else SubscriptionCount(value, body)
