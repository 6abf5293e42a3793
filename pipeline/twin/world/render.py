"""Turn event-table rows into ``WorldEvent`` objects with semantic ``data``.

Only the fields that aggregates need (users, amounts, sizes, tiers) live in the table; texts and
flags are drawn here from the event's identity hash, so they are deterministic too.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from pipeline.twin.world import purposes as P
from pipeline.twin.world.config import WORLD_EPOCH
from pipeline.twin.world.events import (
    EVENT_TYPES,
    FOLLOW,
    GIFT,
    OFFLINE,
    ONLINE,
    POINTS,
    RAID,
    SUB_END,
    SUB_GIFTED,
    SUB_PAID,
    VOLTS,
    EventTable,
    event_id,
)
from pipeline.twin.world.hashing import hash_int, hex_id, uniform_int
from pipeline.twin.world.models import Creator, WorldEvent
from pipeline.twin.world.names import MESSAGES, REWARD_INPUT, REWARDS
from pipeline.twin.world.population import viewer_ref

if TYPE_CHECKING:
    from pipeline.twin.world.world import World

ANONYMOUS: dict[str, Any] = {
    "id": None,
    "username": None,
    "display_name": "Anonymous",
    "is_anonymous": True,
}


def at_ms(ms: int) -> datetime:
    return WORLD_EPOCH + timedelta(milliseconds=ms)


def user_dict(seed: int, viewer: int) -> dict[str, Any]:
    if viewer < 0:
        return dict(ANONYMOUS)
    ref = viewer_ref(seed, viewer)
    return {
        "id": ref.id,
        "username": ref.username,
        "display_name": ref.display_name,
        "is_anonymous": False,
    }


def creator_dict(creator: Creator) -> dict[str, Any]:
    return {
        "id": creator.id,
        "username": creator.username,
        "display_name": creator.display_name,
        "is_anonymous": False,
    }


def _u(hid: int, salt: int) -> float:
    return uniform_int(hid, P.EVENT_DETAIL, salt)


def _pick(options: tuple[str, ...], hid: int, salt: int) -> str:
    return options[hash_int(hid, P.EVENT_DETAIL, salt) % len(options)]


def paid_sub_months(hid: int) -> tuple[bool, int]:
    """(is_renewal, cumulative months) of a paid channel.subscribe, from its identity hash."""
    renewal = _u(hid, 1) < 0.55
    return renewal, 2 + int(35 * _u(hid, 2) ** 2) if renewal else 1


def render_events(world: World, table: EventTable) -> list[WorldEvent]:
    return [render_row(world, table, i) for i in range(len(table))]


def render_row(world: World, table: EventTable, i: int) -> WorldEvent:
    seed = world.seed
    code = int(table.code[i])
    hid = int(table.hid[i])
    ms = int(table.ms[i])
    at = at_ms(ms)
    c = int(table.creator[i])
    user = int(table.user[i])
    value = int(table.value[i])
    aux = int(table.aux[i])
    data: dict[str, Any]
    if code == FOLLOW:
        data = {"follower": user_dict(seed, user), "followed_at": at}
    elif code == SUB_PAID:
        renewal, months = paid_sub_months(hid)
        streak = months if _u(hid, 3) < 0.7 else 1 + int((months - 1) * _u(hid, 4))
        data = {
            "subscriber": user_dict(seed, user),
            "tier": value,
            "months": months,
            "streak_months": streak,
            "is_renewal": renewal,
            "is_gift": False,
            "gifter": None,
            "message": _pick(MESSAGES, hid, 5) if renewal else "",
        }
    elif code == SUB_GIFTED:
        data = {
            "subscriber": user_dict(seed, user),
            "tier": value,
            "months": 1,
            "streak_months": 1,
            "is_renewal": False,
            "is_gift": True,
            "gifter": user_dict(seed, aux),
            "message": "",
        }
    elif code == GIFT:
        r = np.arange(value, dtype=np.int64)
        recipients = world._events.recipients(
            np.full(value, c, dtype=np.int64), np.full(value, hid, dtype=np.uint64), r
        )
        data = {
            "gifter": user_dict(seed, user),
            "gift_count": value,
            "tier": aux,
            "recipients": [user_dict(seed, int(v)) for v in recipients],
        }
    elif code == SUB_END:
        is_gift = _u(hid, 1) < 0.25
        expired = _u(hid, 2) < 0.6
        expires = at if expired else at + timedelta(days=1 + int(29 * _u(hid, 3)))
        gifter = None
        if is_gift:
            gifter = (
                dict(ANONYMOUS)
                if _u(hid, 4) < 0.15
                else user_dict(seed, int(hash_int(hid, 9) % 100_000_000))
            )
        data = {
            "user": user_dict(seed, user),
            "tier": value,
            "is_gift": is_gift,
            "gifter": gifter,
            "reason": "expired" if expired else "canceled",
            "ended_at": at,
            "expires_at": expires,
        }
    elif code == VOLTS:
        data = {
            "sender": user_dict(seed, user),
            "amount": value,
            "message": _pick(MESSAGES, hid, 1),
        }
    elif code == POINTS:
        name, cost = REWARDS[aux]
        status_u = _u(hid, 2)
        data = {
            "redemption_id": f"r_{hex_id(hid, 7)}",
            "reward": {"id": f"rw_{hex_id(seed, c, aux, length=12)}", "name": name, "cost": cost},
            "user_input": _pick(REWARD_INPUT, hid, 1),
            "status": "fulfilled"
            if status_u < 0.8
            else "unfulfilled"
            if status_u < 0.95
            else "canceled",
            "redeemer": user_dict(seed, user),
            "redeemed_at": at,
        }
    elif code == RAID:
        data = {
            "from": creator_dict(world.creators[aux]),
            "to": creator_dict(world.creators[c]),
            "viewers": value,
        }
    elif code in (ONLINE, OFFLINE):
        session_day = aux
        info = world.session_info(c, session_day)
        data = {
            "stream_id": info.stream_id,
            "title": info.title,
            "category": {
                "id": info.category.id,
                "slug": info.category.slug,
                "name": info.category.name,
            },
            "started_at": info.started_at,
            "ended_at": info.ended_at if code == OFFLINE else None,
            "viewer_count": value,
        }
    else:  # pragma: no cover - codes are closed
        raise AssertionError(f"unknown event code {code}")
    return WorldEvent(
        id=event_id(hid), type=EVENT_TYPES[code], at=at, channel_id=world.creators[c].id, data=data
    )
