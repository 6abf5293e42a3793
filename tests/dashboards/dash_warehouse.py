"""A small, hand-checked warehouse published as a snapshot, for the dashboard tests.

The snapshot is built with the real migrations (``pipeline.warehouse`` + the webhook tables) and
published with the real ``publish_from``, so a column renamed upstream breaks these tests.
Expected numbers in the tests are derived by hand from the rows below (see each test).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from pipeline.marts.build import rebuild_all
from pipeline.warehouse import connect, publish_from
from pipeline.warehouse.run_log import RunRecord, record_runs

DAY1 = datetime(2026, 11, 26, tzinfo=UTC)
DAY2 = datetime(2026, 11, 27, tzinfo=UTC)


def at(day: datetime, hhmm: str) -> datetime:
    hours, minutes = hhmm.split(":")
    return day + timedelta(hours=int(hours), minutes=int(minutes))


CHANNELS = {"u1": "alice", "u2": "bob", "u3": "carol"}
CATEGORY = {
    "u1": ("just-chatting", "Just Chatting"),
    "u2": ("fps", "FPS"),
    "u3": ("music", "Music"),
}

# (source, poll, stream_id, user_id, viewers, started_at). Live polls at 10:15-10:25 on day 2 were
# missed (an outage), so alice's 10:10 -> 10:30 interval is a 20-minute gap (> 3 x 5 min).
STREAM_ROWS = [
    ("live", at(DAY1, "20:00"), "s0", "u1", 10, at(DAY1, "19:55")),
    ("live", at(DAY1, "20:05"), "s0", "u1", 20, at(DAY1, "19:55")),
    ("live", at(DAY2, "10:00"), "s1", "u1", 100, at(DAY2, "09:58")),
    ("live", at(DAY2, "10:00"), "s2", "u2", 50, at(DAY2, "09:50")),
    ("live", at(DAY2, "10:05"), "s1", "u1", 120, at(DAY2, "09:58")),
    ("live", at(DAY2, "10:05"), "s2", "u2", 60, at(DAY2, "09:50")),
    ("live", at(DAY2, "10:05"), "s3", "u3", 30, at(DAY2, "10:03")),
    ("live", at(DAY2, "10:10"), "s1", "u1", 140, at(DAY2, "09:58")),
    ("top", at(DAY2, "10:10"), "s1", "u1", 140, at(DAY2, "09:58")),  # same moment, other list
    ("live", at(DAY2, "10:10"), "s3", "u3", 40, at(DAY2, "10:03")),
    ("live", at(DAY2, "10:30"), "s1", "u1", 160, at(DAY2, "09:58")),
    ("live", at(DAY2, "10:30"), "s3", "u3", 50, at(DAY2, "10:03")),
]

PROFILE_ROWS = [
    (at(DAY1, "20:00"), "u1", 1000),
    (at(DAY2, "10:00"), "u1", 1040),
    (at(DAY2, "11:00"), "u1", 1055),
    (at(DAY2, "10:00"), "u2", 500),
]

# (poll, slug, name, viewers, streams): six categories, so "top 5" must leave cooking out.
CATEGORY_ROWS = [
    (at(DAY2, "10:00"), "just-chatting", "Just Chatting", 300, 10),
    (at(DAY2, "10:00"), "fps", "FPS", 280, 9),
    (at(DAY2, "10:00"), "music", "Music", 100, 4),
    (at(DAY2, "10:00"), "art", "Art", 50, 3),
    (at(DAY2, "10:00"), "irl", "IRL", 30, 2),
    (at(DAY2, "10:00"), "cooking", "Cooking", 20, 1),
    (at(DAY2, "11:00"), "just-chatting", "Just Chatting", 350, 12),
    (at(DAY2, "11:00"), "fps", "FPS", 250, 8),
    (at(DAY2, "11:00"), "music", "Music", 120, 5),
    (at(DAY2, "11:00"), "art", "Art", 60, 3),
    (at(DAY2, "11:00"), "irl", "IRL", 40, 2),
    (at(DAY2, "11:00"), "cooking", "Cooking", 10, 1),
]


class Events:
    """Collects webhook rows: one ``core.webhook_events`` row plus one typed row per event."""

    def __init__(self) -> None:
        self.envelopes: list[dict[str, Any]] = []
        self.typed: dict[str, list[dict[str, Any]]] = {}

    def add(
        self,
        table: str,
        event_type: str,
        key: str,
        channel: str,
        when: datetime,
        *,
        test: bool = False,
        **row: Any,
    ) -> None:
        self.envelopes.append(
            {
                "event_key": key,
                "event_id": key,
                "event_type": event_type,
                "canonical_type": event_type,
                "channel_id": channel,
                "event_at": when,
                "received_at": when + timedelta(seconds=2),
                "is_test": test,
                "envelope_variant": "id_type",
                "payload": json.dumps({"id": key, "type": event_type, "data": {"isTest": test}}),
                "segment": "segment-000001",
            }
        )
        if test:  # like the loader: a test delivery is logged, never typed into a table
            return
        self.typed.setdefault(table, []).append(
            {"event_key": key, "channel_id": channel, "event_at": when, **row}
        )


def webhook_events() -> Events:
    """alice (u1) real totals: follows 4, paid subs 2, gifted subs 2, Volts 350, redemptions 2
    (800 points), raids 1 (40 viewers). Test events and bob's follow must not change them."""
    ev = Events()
    for key, when, test in (
        ("f1", at(DAY1, "20:01"), False),
        ("f2", at(DAY1, "20:02"), False),
        ("f3", at(DAY2, "10:01"), False),
        ("f4", at(DAY2, "10:02"), False),
        ("f5", at(DAY2, "10:03"), True),
    ):
        ev.add(
            "core.follows",
            "channel.follow",
            key,
            "u1",
            when,
            test=test,
            follower_id=f"v-{key}",
            followed_at=when,
        )
    ev.add(
        "core.follows",
        "channel.follow",
        "f6",
        "u2",
        at(DAY2, "10:04"),
        follower_id="v-f6",
        followed_at=at(DAY2, "10:04"),
    )
    for key, when, is_gift in (
        ("sub1", at(DAY1, "20:03"), False),
        ("sub2", at(DAY2, "10:06"), False),
        ("sub3", at(DAY2, "10:07"), True),  # recipients of gift g1: already counted by g1
        ("sub4", at(DAY2, "10:07"), True),
    ):
        ev.add(
            "core.subscriptions",
            "channel.subscribe",
            key,
            "u1",
            when,
            subscriber_id=f"v-{key}",
            tier="1000",
            months=1,
            is_renewal=False,
            is_gift=is_gift,
            subscribed_at=when,
        )
    for key, when, count, test in (
        ("g1", at(DAY2, "10:07"), 2, False),
        ("g2", at(DAY2, "10:08"), 5, True),
    ):
        ev.add(
            "core.gifts",
            "channel.subscription.gift",
            key,
            "u1",
            when,
            test=test,
            gifter_id="v-gifter",
            gifter_username="gifter",
            is_anonymous=False,
            gift_count=count,
            tier="1000",
            recipient_ids=json.dumps(["v-sub3", "v-sub4"]),
            gifted_at=when,
        )
    for key, when, volts in (("v1", at(DAY1, "20:04"), 100), ("v2", at(DAY2, "10:09"), 250)):
        ev.add(
            "core.volts_tips",
            "channel.volts",
            key,
            "u1",
            when,
            sender_id="v-fan",
            sender_username="fan",
            is_anonymous=False,
            volts=volts,
            tipped_at=when,
        )
    for key, when, cost in (("p1", at(DAY2, "10:11"), 500), ("p2", at(DAY2, "10:12"), 300)):
        ev.add(
            "core.points_redemptions",
            "channel.points.redeem",
            key,
            "u1",
            when,
            user_id="v-fan",
            username="fan",
            reward_cost=cost,
            redeemed_at=when,
        )
    ev.add(
        "core.raids",
        "channel.raid",
        "r1",
        "u1",
        at(DAY2, "10:13"),
        from_channel_id="u2",
        viewers=40,
        raided_at=at(DAY2, "10:13"),
    )
    # alice's day-2 session ends at 10:32; a *test* offline at 20:07 on day 1 must be ignored.
    ev.add(
        "core.stream_status_events",
        "stream.offline",
        "off1",
        "u1",
        at(DAY2, "10:32"),
        status="offline",
        stream_id="s1",
        ended_at=at(DAY2, "10:32"),
    )
    ev.add(
        "core.stream_status_events",
        "stream.offline",
        "off0",
        "u1",
        at(DAY1, "20:07"),
        test=True,
        status="offline",
        stream_id="s0",
        ended_at=at(DAY1, "20:07"),
    )
    return ev


def _insert(conn: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, Any]]) -> None:
    columns = list(rows[0])
    placeholders = ", ".join("?" for _ in columns)
    conn.executemany(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})",  # noqa: S608 - test-owned names
        [[row[c] for c in columns] for row in rows],
    )


def fill_warehouse(conn: duckdb.DuckDBPyConnection, *, live_cadence: int | None = None) -> None:
    """``live_cadence``: the cadence stored with the stream samples (None: rows from before
    migration 007 stored one)."""
    _insert(
        conn,
        "core.stream_snapshots",
        [
            {
                "source": source,
                "snapshot_at": poll,
                "stream_id": stream,
                "user_id": user,
                "username": CHANNELS[user],
                "display_name": CHANNELS[user].title(),
                "title": f"{CHANNELS[user]} stream {stream}",
                "viewer_count": viewers,
                "started_at": started,
                "language": "en",
                "category_slug": CATEGORY[user][0],
                "category_name": CATEGORY[user][1],
                "position": 1,
                "fetched_at": poll,
                "cadence_minutes": live_cadence,
            }
            for source, poll, stream, user, viewers, started in STREAM_ROWS
        ],
    )
    # marts.live_totals as the pipeline derives it: per live poll, channels and summed viewers.
    conn.execute(
        "INSERT INTO marts.live_totals SELECT snapshot_at, count(*), sum(viewer_count) "
        "FROM core.stream_snapshots WHERE source = 'live' GROUP BY snapshot_at"
    )
    _insert(
        conn,
        "core.channel_profiles",
        [
            {
                "snapshot_at": poll,
                "user_id": user,
                "username": CHANNELS[user],
                "follower_count": followers,
                "fetched_at": poll,
            }
            for poll, user, followers in PROFILE_ROWS
        ],
    )
    _insert(
        conn,
        "core.category_snapshots",
        [
            {
                "snapshot_at": poll,
                "category_slug": slug,
                "name": name,
                "viewer_count": viewers,
                "stream_count": streams,
                "position": 1,
                "fetched_at": poll,
            }
            for poll, slug, name, viewers, streams in CATEGORY_ROWS
        ],
    )
    events = webhook_events()
    _insert(conn, "core.webhook_events", events.envelopes)
    for table, rows in events.typed.items():
        _insert(conn, table, rows)
    # The run log: two live polls went fine; the last clips run failed on a malformed page.
    record_runs(
        conn,
        [
            RunRecord("ingest", "live_streams", poll, poll, poll + timedelta(seconds=2), "ok", rows)
            for poll, rows in ((at(DAY2, "10:10"), 3), (at(DAY2, "10:30"), 2))
        ]
        + [
            RunRecord(
                "ingest", "clips", at(DAY2, "10:00"), at(DAY2, "10:00"), at(DAY2, "10:01"),
                "failed", 4, "malformed page 2 of /api/streams/alice/clips",
            )
        ],
    )  # fmt: skip
    quarantined = at(DAY2, "10:30")
    _insert(
        conn,
        "core.quarantine",
        [
            {
                "table_name": "core.stream_snapshots",
                "reason": "viewer_count < 0",
                "row_json": "{}",
                "poll_at": quarantined,
                "quarantined_at": quarantined,
            },
            {
                "table_name": "core.stream_snapshots",
                "reason": "viewer_count < 0",
                "row_json": "{}",
                "poll_at": quarantined,
                "quarantined_at": quarantined,
            },
            {
                "table_name": "core.channel_profiles",
                "reason": "username missing",
                "row_json": "{}",
                "poll_at": quarantined,
                "quarantined_at": quarantined,
            },
        ],
    )
    _insert(
        conn,
        "core.webhook_quarantine",
        [
            {
                "segment": "segment-000001",
                "record_offset": 0,
                "reason": "bad signature",
                "quarantined_at": quarantined,
            }
        ],
    )


def build_published(
    data_dir: Path, *, fill: bool = True, migrate: bool = True, live_cadence: int | None = None
) -> Path:
    """Write ``data_dir/published/{CURRENT, warehouse-1.duckdb}``; returns the snapshot path."""
    published = data_dir / "published"
    if not migrate:  # a snapshot from before any table existed
        published.mkdir(parents=True)
        duckdb.connect(str(published / "warehouse-1.duckdb")).close()
        (published / "CURRENT").write_text("warehouse-1.duckdb\n", encoding="utf-8")
        return published / "warehouse-1.duckdb"
    conn = connect(data_dir / "warehouse.duckdb")
    try:
        if fill:
            fill_warehouse(conn, live_cadence=live_cadence)
            rebuild_all(conn, today=(DAY2 + timedelta(days=1)).date())
        return publish_from(conn, published)
    finally:
        conn.close()
