"""Active subscribers of a channel, derived from its subscribe / end events.

The world draws subscription events independently (Poisson per day, users from the channel's
supporter pool), not from per-subscriber billing histories. The subscriber list is therefore
*defined* by those events, deterministically: every ``channel.subscribe`` (paid, renewal or
gifted) starts a ``SUBSCRIPTION_PERIOD``; a user is subscribed at ``t`` when their latest
subscribe lies in ``[t - period, t)`` and no ``channel.subscription.end`` for them happened at or
after it (and before ``t``). Only event-table columns are read; nothing is rendered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from pipeline.twin.world.events import DAY_MS, SUB_END, SUB_GIFTED, SUB_PAID, EventTable
from pipeline.twin.world.models import SUBSCRIPTION_DAYS, Subscriber
from pipeline.twin.world.population import viewer_refs
from pipeline.twin.world.render import at_ms, paid_sub_months

if TYPE_CHECKING:
    from pipeline.twin.world.world import World

SUBSCRIPTION_CODES = (SUB_PAID, SUB_GIFTED, SUB_END)


def active_subscribers(world: World, c: int, ms: int) -> list[Subscriber]:
    """Subscribers of creator index ``c`` at ``ms`` (ms since the epoch), newest first."""
    ms0 = max(0, ms - SUBSCRIPTION_DAYS * DAY_MS)
    if ms0 >= ms:
        return []
    select = np.array([c], dtype=np.int64)
    parts = []
    for day in range(ms0 // DAY_MS, -(-ms // DAY_MS)):
        table = world._events.table(day, select, SUBSCRIPTION_CODES)
        lo, hi = np.searchsorted(table.ms, [ms0, ms], side="left")
        parts.append(table.take(np.arange(lo, hi)))
    rows = EventTable.concat(parts)  # in (ms, hid) order
    is_end = rows.code == SUB_END
    subs = rows.take(~is_end)
    ends = rows.take(is_end)
    # each user's latest subscribe: the last row of the user's run after a stable sort by user
    order = np.argsort(subs.user, kind="stable")
    users = subs.user[order]
    last = order[np.r_[users[1:] != users[:-1], True]] if len(users) else order
    latest = subs.take(last)
    # ... unless an end for that user came at or after it
    end_order = np.argsort(ends.user, kind="stable")
    end_users = ends.user[end_order]
    end_last = end_order[np.r_[end_users[1:] != end_users[:-1], True]] if len(ends) else end_order
    pos = np.searchsorted(ends.user[end_last], latest.user)
    pos_ok = np.minimum(pos, max(len(end_last) - 1, 0))
    has_end = (pos < len(end_last)) & (ends.user[end_last][pos_ok] == latest.user)
    ended = has_end & (ends.ms[end_last][pos_ok] >= latest.ms)
    active = latest.take(~ended)
    users_out = viewer_refs(world.seed, active.user)
    gifted = active.code == SUB_GIFTED
    gifter_rows = np.flatnonzero(gifted & (active.aux >= 0))
    gifters = dict(
        zip(gifter_rows.tolist(), viewer_refs(world.seed, active.aux[gifter_rows]), strict=True)
    )
    out = [
        Subscriber(
            user=users_out[i],
            tier=tier,
            is_gift=gift,
            gifter=gifters.get(i),
            started_at=at_ms(at),
            months=1 if gift else paid_sub_months(hid)[1],
        )
        for i, (at, hid, tier, gift) in enumerate(
            zip(
                active.ms.tolist(),
                active.hid.tolist(),
                active.value.tolist(),
                gifted.tolist(),
                strict=True,
            )
        )
    ]
    out.sort(key=lambda s: (s.started_at, s.user.id), reverse=True)
    return out
