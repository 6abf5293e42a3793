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

from pipeline.twin.world.events import DAY_MS, SUB_END, SUB_GIFTED, SUB_PAID
from pipeline.twin.world.models import Subscriber
from pipeline.twin.world.population import viewer_ref
from pipeline.twin.world.render import at_ms, paid_sub_months

if TYPE_CHECKING:
    from pipeline.twin.world.world import World

SUBSCRIPTION_DAYS = 30
SUBSCRIPTION_CODES = (SUB_PAID, SUB_GIFTED, SUB_END)


def active_subscribers(world: World, c: int, ms: int) -> list[Subscriber]:
    """Subscribers of creator index ``c`` at ``ms`` (ms since the epoch), newest first."""
    ms0 = max(0, ms - SUBSCRIPTION_DAYS * DAY_MS)
    if ms0 >= ms:
        return []
    select = np.array([c], dtype=np.int64)
    latest: dict[int, tuple[int, int, int, int, int]] = {}  # user -> (ms, code, hid, tier, aux)
    ended: dict[int, int] = {}  # user -> ms of the latest end
    for day in range(ms0 // DAY_MS, -(-ms // DAY_MS)):
        table = world._events.table(day, select, SUBSCRIPTION_CODES)
        lo, hi = np.searchsorted(table.ms, [ms0, ms], side="left")
        rows = zip(
            table.ms[lo:hi].tolist(),
            table.code[lo:hi].tolist(),
            table.hid[lo:hi].tolist(),
            table.user[lo:hi].tolist(),
            table.value[lo:hi].tolist(),
            table.aux[lo:hi].tolist(),
            strict=True,
        )
        for at, code, hid, user, tier, aux in rows:  # in (ms, hid) order: later rows win
            if code == SUB_END:
                ended[user] = at
            else:
                latest[user] = (at, code, hid, tier, aux)
    out: list[Subscriber] = []
    for user, (at, code, hid, tier, aux) in latest.items():
        if ended.get(user, -1) >= at:
            continue
        gifted = code == SUB_GIFTED
        out.append(
            Subscriber(
                user=viewer_ref(world.seed, user),
                tier=tier,
                is_gift=gifted,
                gifter=viewer_ref(world.seed, aux) if gifted and aux >= 0 else None,
                started_at=at_ms(at),
                months=1 if gifted else paid_sub_months(hid)[1],
            )
        )
    out.sort(key=lambda s: (s.started_at, s.user.id), reverse=True)
    return out
