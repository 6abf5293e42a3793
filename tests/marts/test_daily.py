"""The daily marts: channel-days, monetization, growth, revenue, and incremental = rebuilt."""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from mart_core import DAY, Core, at, rows

from pipeline.marts import MART_TABLES, MARTS, build_days, rebuild_all, refresh_windows
from pipeline.marts.checks import reconcile_day
from pipeline.marts.revenue import DEFAULT, RevenueAssumptions, estimate
from pipeline.warehouse import connect

D0 = DAY.date()
ALL = list(MARTS)


def build_all(conn: duckdb.DuckDBPyConnection, first: date = D0, days: int = 3) -> None:
    build_days(conn, ALL, first, first + timedelta(days=days))


def subscribe(
    core: Core,
    channel: str,
    when: datetime,
    *,
    tier: str = "1000",
    gift: bool = False,
    renewal: bool = False,
) -> None:
    core._event(
        "core.subscriptions",
        {
            "channel_id": channel,
            "channel_source": "payload",
            "event_at": when,
            "subscriber_id": f"u{when.minute}{tier}",
            "tier": tier,
            "is_renewal": renewal,
            "is_gift": gift,
            "subscribed_at": when,
        },
    )


def gift(
    core: Core, channel: str, when: datetime, count: int, gifter: str | None, tier: str = "1000"
) -> None:
    core._event(
        "core.gifts",
        {
            "channel_id": channel,
            "channel_source": "payload",
            "event_at": when,
            "gifter_id": gifter,
            "gifter_username": gifter,
            "is_anonymous": gifter is None,
            "gift_count": count,
            "tier": tier,
            "recipient_ids": "[]",
            "gifted_at": when,
        },
    )


def tip(core: Core, channel: str, when: datetime, volts: int, sender: str | None) -> None:
    core._event(
        "core.volts_tips",
        {
            "channel_id": channel,
            "channel_source": "payload",
            "event_at": when,
            "sender_id": sender,
            "sender_username": sender,
            "is_anonymous": sender is None,
            "volts": volts,
            "tipped_at": when,
        },
    )


def end(core: Core, channel: str, when: datetime) -> None:
    core._event(
        "core.subscription_ends",
        {
            "channel_id": channel,
            "channel_source": "payload",
            "event_at": when,
            "subscriber_id": "u_end",
            "is_gift": False,
            "reason": "expired",
            "ended_at": when,
        },
    )


def test_monetization_counts_gifted_subs_once_and_nets_the_day(
    conn: duckdb.DuckDBPyConnection, core: Core
) -> None:
    subscribe(core, "c1", at(10))
    subscribe(core, "c1", at(10, 5), renewal=True)
    for minute in range(5):  # the five channel.subscribe Velora also sends for the gift below
        subscribe(core, "c1", at(11, minute), gift=True)
    gift(core, "c1", at(11), 5, "g1")
    gift(core, "c1", at(12), 1, None)
    end(core, "c1", at(13))
    tip(core, "c1", at(14), 500, "t1")
    tip(core, "c1", at(14, 1), 100, "t1")
    tip(core, "c1", at(14, 2), 50, None)
    core.follow("c1", at(15))
    build_all(conn)
    [day] = rows(conn, "SELECT * FROM marts.monetization_daily WHERE channel_id = 'c1'")
    assert (day["subs_new"], day["subs_renewed"], day["subs_gifted"], day["subs_ended"]) == (
        1,
        1,
        6,
        1,
    )
    assert day["subs_net"] == 1 + 6 - 1
    assert (day["gift_events"], day["gifters"], day["anonymous_gift_events"]) == (2, 1, 1)
    assert (day["volts_events"], day["volts"], day["tippers"], day["follows"]) == (3, 650, 1, 1)
    supporters = rows(
        conn, "SELECT supporter_id, volts, gift_subs FROM marts.top_supporters ORDER BY 1"
    )
    assert supporters == [
        {"supporter_id": "g1", "volts": 0, "gift_subs": 5},
        {"supporter_id": "t1", "volts": 600, "gift_subs": 0},
    ]
    assert reconcile_day(conn, D0).passed


def test_revenue_is_an_estimate_with_assumptions_overridable_per_query(
    conn: duckdb.DuckDBPyConnection, core: Core
) -> None:
    subscribe(core, "c1", at(10), tier="1000")
    subscribe(core, "c1", at(10, 1), tier="3000")
    gift(core, "c1", at(11), 2, "g1", tier="2000")
    tip(core, "c1", at(12), 1000, "t1")
    build_all(conn)
    [stored] = rows(conn, "SELECT * FROM marts.revenue_estimate_daily")
    subs = (
        DEFAULT.tier1_price + 2 * DEFAULT.tier2_price + DEFAULT.tier3_price
    ) * DEFAULT.creator_share
    assert stored["sub_revenue"] == pytest.approx(subs)
    assert stored["volts_revenue"] == pytest.approx(1000 * DEFAULT.volt_value)
    assert stored["is_estimate"] is True
    cheaper = RevenueAssumptions(
        tier1_price=1, tier2_price=2, tier3_price=3, creator_share=1, volt_value=0
    )
    [custom] = estimate(conn, D0, D0 + timedelta(days=1), channel_id="c1", assumptions=cheaper)
    assert (custom["sub_revenue"], custom["volts_revenue"]) == (pytest.approx(1 + 4 + 3), 0)
    with pytest.raises(ValueError, match="creator_share"):
        RevenueAssumptions(creator_share=1.5)


def test_followers_come_from_events_where_webhooks_cover_else_from_totals(
    conn: duckdb.DuckDBPyConnection, core: Core
) -> None:
    core.follow("c_events", at(0, 5))  # webhook capture has begun by the day after
    for day in (1, 2):
        core.follow("c_events", at(10, day=day))
        core.follow("c_events", at(11, day=day))
    for day, total in ((0, 1000), (1, 1040), (2, 1100)):
        conn.execute(
            "INSERT INTO core.channel_profiles (snapshot_at, user_id, username, follower_count, fetched_at)"
            " VALUES (?, 'c_totals', 'totals', ?, ?)",
            [at(20, day=day), total, at(20, day=day)],
        )
    build_all(conn)
    got = {
        (r["channel_id"], r["day"]): (r["followers_gained"], r["followers_source"])
        for r in rows(conn, "SELECT * FROM marts.channel_daily")
    }
    assert got[("c_events", D0 + timedelta(days=1))] == (2, "events")
    assert got[("c_totals", D0 + timedelta(days=1))] == (40, "follower_totals")
    assert got[("c_totals", D0 + timedelta(days=2))] == (60, "follower_totals")
    assert got[("c_totals", D0)] == (None, None)  # nothing to difference against yet


def test_growth_ranks_the_window_against_the_previous_one(
    conn: duckdb.DuckDBPyConnection, core: Core
) -> None:
    # a grows from 10 to 100 viewers, b stays at 50, over two 7-day windows
    for day in range(14):
        for stream, channel, viewers in (("a", "ca", 10 if day < 7 else 100), ("b", "cb", 50)):
            sid = f"{stream}{day}"
            core.samples(
                sid, at(12, day=day), [viewers] * 13, channel=channel, started=at(12, day=day)
            )
            core.offline(channel, sid, at(13, day=day))
    core.poll(at(23, day=13))
    build_days(conn, ALL, D0, D0 + timedelta(days=14))
    ranked = {
        r["channel_id"]: r
        for r in rows(
            conn,
            "SELECT * FROM marts.growth_rankings WHERE as_of = ? AND window_days = 7"
            " AND metric = 'hours_watched'",
            [D0 + timedelta(days=13)],
        )
    }
    assert (ranked["ca"]["rank"], ranked["ca"]["previous_rank"], ranked["ca"]["rank_change"]) == (
        1,
        2,
        1,
    )
    assert ranked["ca"]["change_pct"] == pytest.approx(9.0)
    assert ranked["cb"]["change"] == pytest.approx(0)


Arrival = tuple[datetime, datetime, Callable[[], None]]  # arrives at, the row's time, insert


def _random_history(core: Core, days: int, seed: int) -> list[Arrival]:
    """Sessions, offline events and monetization events over ``days``, as timed arrivals."""
    rng = random.Random(seed)
    arrivals: list[Arrival] = []
    for n in range(40):
        start = DAY + timedelta(minutes=rng.randrange(0, days * 24 * 60 - 600))
        length = rng.randrange(2, 80)
        channel = f"c{n % 12}"
        stream = f"s{n}"
        viewers = [rng.randrange(1, 3000) for _ in range(length)]
        for i, v in enumerate(viewers):
            when = start + timedelta(minutes=5 * i)
            arrivals.append(
                (
                    when,
                    when,
                    lambda w=when, v=v, s=stream, c=channel, st=start: core.sample(
                        s, w, v, channel=c, started=st
                    ),
                )
            )
        finish = start + timedelta(minutes=5 * (length - 1) + rng.randrange(0, 5))
        if rng.random() < 0.6:
            # sometimes the offline webhook arrives hours late
            late = timedelta(hours=rng.choice([0, 0, 3, 30]))
            arrivals.append(
                (finish + late, finish, lambda c=channel, s=stream, f=finish: core.offline(c, s, f))
            )
        for _ in range(rng.randrange(0, 4)):
            when = start + timedelta(minutes=rng.randrange(0, 5 * length))
            kind = rng.choice(["tip", "sub", "gift", "follow"])
            action = {
                "tip": lambda c=channel, w=when: tip(
                    core, c, w, rng.randrange(1, 900), f"t{rng.randrange(3)}"
                ),
                "sub": lambda c=channel, w=when: subscribe(core, c, w),
                "gift": lambda c=channel, w=when: gift(core, c, w, rng.randrange(1, 5), "g"),
                "follow": lambda c=channel, w=when: core.follow(c, w),
            }[kind]
            arrivals.append((when + timedelta(hours=rng.choice([0, 0, 26])), when, action))
    return arrivals


def _late_sample(core: Core) -> list[Arrival]:
    """A sample of day 0's stream arrives a day late and moves the start of the channel's next
    stream, owned by day 1 (which reported a start before that sample)."""
    first, late, second = at(23, 0), at(23, 50), at(0, 5, day=1)
    out: list[Arrival] = [
        (first + timedelta(minutes=5 * i), first + timedelta(minutes=5 * i),
         lambda i=i: core.sample("l1", first + timedelta(minutes=5 * i), 50, channel="cl"))
        for i in range(9)
    ]  # fmt: skip
    out += [
        (second + timedelta(minutes=5 * i), second + timedelta(minutes=5 * i),
         lambda i=i: core.sample("l2", second + timedelta(minutes=5 * i), 80, channel="cl",
                                 started=at(23, 45)))
        for i in range(12)
    ]  # fmt: skip
    out.append((at(12, day=1), late, lambda: core.sample("l1", late, 60, channel="cl")))
    return out


def _late_profile(core: Core) -> list[Arrival]:
    """Day 0's evening follower total arrives on day 4, after every other row of days 0 and 1:
    day 1's delta is now against it (a total is the base of deltas up to 7 days on)."""
    totals = ((0, 100), (1, 130))
    out: list[Arrival] = [
        (at(6, day=d), at(6, day=d), lambda d=d, n=n: core.profile("cp", at(6, day=d), n))
        for d, n in totals
    ]
    out.append((at(1, day=4), at(20), lambda: core.profile("cp", at(20), 110)))
    return out


def _late_offline(core: Core) -> list[Arrival]:
    """The offline event of a day-0 stream arrives 40 h late, past the 2 days a conservative
    plan would reach back."""
    start = at(8)
    out: list[Arrival] = [
        (start + timedelta(minutes=5 * i), start + timedelta(minutes=5 * i),
         lambda i=i: core.sample("lo", start + timedelta(minutes=5 * i), 40, channel="co"))
        for i in range(6)
    ]  # fmt: skip
    end_at = at(8, 40)
    out.append((end_at + timedelta(hours=40), end_at, lambda: core.offline("co", "lo", end_at)))
    return out


def _first_webhook(core: Core) -> list[Arrival]:
    """A channel streams and has follower totals for days before its first webhook event: the
    event makes all its past channel-days count follows from events."""
    begun = at(1)  # another channel's event: the capture has begun
    out: list[Arrival] = [(begun, begun, lambda: core.follow("c_other", begun))]
    for d in range(4):
        when = at(9, day=d)
        out.append((when, when, lambda w=when, d=d: core.profile("cw", w, 100 + 10 * d)))
        out.append((when, when, lambda w=when, d=d: core.sample(f"w{d}", w, 30, channel="cw")))
    follow_at = at(2, day=4)
    out.append((follow_at, follow_at, lambda: core.follow("cw", follow_at)))
    return out


def _snapshot(conn: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    out = {}
    for table in MART_TABLES:
        result = conn.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()  # noqa: S608
        out[table] = [
            tuple(round(v, 6) if isinstance(v, float) else v for v in row) for row in result
        ]
    return out


def _shows_late_sample(conn: duckdb.DuckDBPyConnection) -> bool:
    got = conn.execute("SELECT started_at FROM marts.stream_sessions WHERE stream_id = 'l2'")
    return got.fetchall() == [(at(23, 50),)]


def _shows_late_profile(conn: duckdb.DuckDBPyConnection) -> bool:
    got = conn.execute(
        "SELECT followers_gained FROM marts.channel_daily WHERE channel_id = 'cp' AND day = ?",
        [D0 + timedelta(days=1)],
    )
    return got.fetchall() == [(20,)]


def _shows_late_offline(conn: duckdb.DuckDBPyConnection) -> bool:
    got = conn.execute(
        "SELECT end_source, ended_at FROM marts.stream_sessions WHERE stream_id = 'lo'"
    )
    return got.fetchall() == [("offline_event", at(8, 40))]


def _shows_first_webhook(conn: duckdb.DuckDBPyConnection) -> bool:
    got = conn.execute(
        "SELECT DISTINCT followers_source FROM marts.channel_daily WHERE channel_id = 'cw'"
        " AND day >= ?",
        [D0 + timedelta(days=1)],
    )
    return got.fetchall() == [("events",)]


@pytest.mark.parametrize(
    ("late", "shows"),
    [
        pytest.param(None, None, id="random-history-with-late-offline-and-monetization-events"),
        pytest.param(_late_sample, _shows_late_sample, id="late-sample-moves-a-later-partition"),
        pytest.param(_late_profile, _shows_late_profile, id="late-total-changes-a-later-delta"),
        pytest.param(_late_offline, _shows_late_offline, id="offline-event-40h-late"),
        pytest.param(_first_webhook, _shows_first_webhook, id="first-webhook-rewrites-past-days"),
    ],
)
def test_incremental_marts_equal_a_rebuild_row_for_row(
    tmp_path: Path,
    late: Callable[[Core], list[Arrival]] | None,
    shows: Callable[[duckdb.DuckDBPyConnection], bool] | None,
) -> None:
    """Data arrives three hours at a time (a random history with late rows, or one late case
    alone); after each batch only the partitions ``refresh_windows`` plans for the hours of the
    batch's rows are built. The result equals ``velora rebuild``'s."""
    db = tmp_path / "incremental.duckdb"
    conn = connect(db)
    core = Core(conn)
    days = 3
    # a late case alone: nothing else rebuilds the days it must rebuild itself
    arrivals = late(core) if late else _random_history(core, days, seed=11)
    arrivals.sort(key=lambda item: item[0])
    hour = DAY
    index = 0
    end_time = DAY + timedelta(days=days + 2)
    while hour < end_time:
        hour += timedelta(hours=3)
        # a new UTC day is built even without new data (the daily schedule): rankings roll on
        windows = [(hour, hour + timedelta(days=1))] if hour.hour < 3 else []
        times: list[datetime] = []
        while index < len(arrivals) and arrivals[index][0] <= hour:
            _, when, action = arrivals[index]
            action()
            times.append(when)
            index += 1
        # the hours the batch's rows fall in, each its own window: a late row alone in its hour
        for start in sorted({t.replace(minute=0, second=0, microsecond=0) for t in times}):
            if windows and windows[-1][1] == start:
                windows[-1] = (windows[-1][0], start + timedelta(hours=1))
            else:
                windows.append((start, start + timedelta(hours=1)))
        if windows:
            refresh_windows(conn, windows, today=hour.date())
    incremental = _snapshot(conn)
    conn.close()
    copy = tmp_path / "rebuilt.duckdb"
    shutil.copy(db, copy)
    rebuilt_conn = connect(copy)
    for table in MART_TABLES:
        rebuilt_conn.execute(f"DELETE FROM {table}")  # noqa: S608
    rebuild_all(rebuilt_conn, today=end_time.date())
    rebuilt = _snapshot(rebuilt_conn)
    failing = [
        d for d in range(days + 2) if not reconcile_day(rebuilt_conn, D0 + timedelta(days=d)).passed
    ]
    shown = shows is None or shows(rebuilt_conn)
    rebuilt_conn.close()
    assert failing == []
    assert shown, "the late rows must change the marts, or the case guards nothing"
    assert sum(len(v) for v in incremental.values()) > (1000 if late is None else 10)
    for table in MART_TABLES:
        assert incremental[table] == rebuilt[table], table
