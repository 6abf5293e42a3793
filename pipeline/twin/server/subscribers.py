"""Active subscribers of a channel, derived from the world's events.

The world has no subscriber list, so the twin derives one the way Velora's billing would: a
``channel.subscribe`` event (paid, renewed or gifted) starts a 30-day period; the latest one per
user counts, unless a later ``channel.subscription.end`` for that user ended it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

SUBSCRIPTION_PERIOD = timedelta(days=30)


@dataclass(frozen=True)
class ActiveSubscriber:
    user_id: str
    username: str
    tier: Any
    is_gift: bool
    started_at: datetime
    months: int


def active_subscribers(world: Any, creator_id: str, t: datetime) -> list[ActiveSubscriber]:
    """Newest first."""
    t0 = max(world.epoch, t - SUBSCRIPTION_PERIOD)
    if t0 >= t:
        return []
    latest: dict[str, Any] = {}
    ended: dict[str, datetime] = {}
    for event in _subscription_events(world, creator_id, t0, t):
        if event.type == "channel.subscribe":
            user = event.data.get("subscriber") or {}
            if user.get("id"):
                latest[user["id"]] = event
        elif event.type == "channel.subscription.end":
            user = event.data.get("user") or {}
            if user.get("id"):
                ended[user["id"]] = event.at
    rows = [
        ActiveSubscriber(
            user_id=uid,
            username=e.data["subscriber"].get("username"),
            tier=e.data.get("tier"),
            is_gift=bool(e.data.get("is_gift")),
            started_at=e.at,
            months=int(e.data.get("months", 1)),
        )
        for uid, e in latest.items()
        if not (uid in ended and ended[uid] >= e.at)
    ]
    rows.sort(key=lambda s: (s.started_at, s.user_id), reverse=True)
    return rows


def _subscription_events(world: Any, creator_id: str, t0: datetime, t1: datetime) -> list[Any]:
    """Only subscribe/end events. Rendering every event of a big channel over 30 days takes
    seconds, so when the world exposes its event rows we filter by type before rendering."""
    wanted = ("channel.subscribe", "channel.subscription.end")
    rows_fn = getattr(world, "_event_rows", None)
    select_fn = getattr(world, "_select", None)
    try:
        import numpy as np

        from pipeline.twin.world.events import EVENT_TYPES
        from pipeline.twin.world.render import render_events
    except ImportError:
        rows_fn = None
    if rows_fn is None or select_fn is None:
        return [
            e for e in world.events_between(t0, t1, creator_ids=[creator_id]) if e.type in wanted
        ]
    codes = [code for code, name in EVENT_TYPES.items() if name in wanted]
    out: list[Any] = []
    for part in rows_fn(t0, t1, select_fn([creator_id])):
        out.extend(render_events(world, part.take(np.isin(part.code, codes))))
    return out
