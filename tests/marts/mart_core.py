"""Hand-made core rows in a real DuckDB warehouse, for the marts' SQL (fixtures in conftest)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb

DAY = datetime(2026, 3, 2, tzinfo=UTC)


def at(hour: int, minute: int = 0, *, day: int = 0, second: int = 0) -> datetime:
    return DAY + timedelta(days=day, hours=hour, minutes=minute, seconds=second)


class Core:
    """Inserts core rows the way ingest and the webhook loader would."""

    def __init__(self, conn: duckdb.DuckDBPyConnection) -> None:
        self.conn = conn
        self._events = 0

    def sample(
        self,
        stream: str,
        when: datetime,
        viewers: int,
        *,
        channel: str | None = None,
        started: datetime | None = None,
        category: str = "just-chatting",
        cadence: int = 5,
    ) -> None:
        self.conn.execute(
            "INSERT INTO core.stream_snapshots (source, snapshot_at, stream_id, user_id, username,"
            " viewer_count, started_at, category_slug, position, fetched_at, cadence_minutes)"
            " VALUES ('live', ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
            [
                when,
                stream,
                channel or f"c_{stream}",
                f"name_{channel or stream}",
                viewers,
                started,
                category,
                when,
                cadence,
            ],
        )

    def samples(self, stream: str, start: datetime, values: list[int], **kwargs: Any) -> None:
        step = timedelta(minutes=kwargs.get("cadence", 5))
        for i, viewers in enumerate(values):
            self.sample(stream, start + i * step, viewers, **kwargs)

    def profile(self, channel: str, when: datetime, followers: int) -> None:
        """A channel-profile poll: the channel's follower total at ``when``."""
        self.conn.execute(
            "INSERT INTO core.channel_profiles (snapshot_at, user_id, username, follower_count,"
            " fetched_at) VALUES (?, ?, ?, ?, ?)",
            [when, channel, f"name_{channel}", followers, when],
        )

    def poll(self, when: datetime) -> None:
        """A live poll that listed a stream nobody cares about (moves 'the latest poll')."""
        self.sample("s_other", when, 1, channel="c_other")

    def _event(self, table: str, columns: dict[str, Any]) -> None:
        self._events += 1
        key = f"k{self._events}"
        names = ", ".join(["event_key", *columns])
        marks = ", ".join("?" * (len(columns) + 1))
        self.conn.execute(
            f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608
            [key, *columns.values()],
        )
        kind = {
            "core.stream_status_events": "stream.offline",
            "core.follows": "channel.follow",
            "core.raids": "channel.raid",
        }.get(table, "channel.subscribe")
        self.conn.execute(
            "INSERT INTO core.webhook_events (event_key, event_type, canonical_type, channel_id,"
            " channel_source, event_at, received_at, is_test, envelope_variant, payload, segment)"
            " VALUES (?, ?, ?, ?, 'payload', ?, ?, false, 'id_type', '{}', 'seg')",
            [key, kind, kind, columns.get("channel_id"), columns["event_at"], columns["event_at"]],
        )

    def offline(self, channel: str, stream: str | None, when: datetime) -> None:
        self._event(
            "core.stream_status_events",
            {
                "channel_id": channel,
                "channel_source": "payload",
                "event_at": when,
                "status": "offline",
                "stream_id": stream,
                "ended_at": when,
            },
        )

    def raid(self, to: str, source: str, when: datetime, viewers: int) -> None:
        self._event(
            "core.raids",
            {
                "channel_id": to,
                "channel_source": "payload",
                "event_at": when,
                "from_channel_id": source,
                "viewers": viewers,
                "raided_at": when,
            },
        )

    def follow(self, channel: str, when: datetime) -> None:
        self._event(
            "core.follows",
            {
                "channel_id": channel,
                "channel_source": "payload",
                "event_at": when,
                "follower_id": f"f{self._events}",
                "followed_at": when,
            },
        )


def rows(conn: duckdb.DuckDBPyConnection, sql: str, params: Any = None) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, params or [])
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
