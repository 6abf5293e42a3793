"""Which channels are tracked: configured usernames plus the top N of the freshest live poll."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from pipeline.config import Settings
from pipeline.ingest.tracked import resolve_tracked
from pipeline.warehouse import connect

POLL = datetime(2026, 1, 15, 20, 0, tzinfo=UTC)
# live every 5 minutes here: a snapshot stays "fresh" for 3 cadences (15 min)
FIVE_MINUTE_LIVE = Settings(live_cadence_minutes=5)


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = connect(tmp_path / "w.duckdb")
    for i, viewers in enumerate([500, 400, 300, 200], start=1):
        connection.execute(
            "INSERT INTO core.stream_snapshots (source, snapshot_at, stream_id, user_id, username, "
            "viewer_count, position, fetched_at) VALUES ('live', ?, ?, ?, ?, ?, ?, ?)",
            [POLL, f"s_{i}", f"u_{i}", f"user{i}", viewers, i, POLL],
        )
    connection.execute("INSERT INTO marts.live_totals VALUES (?, 4, 1400)", [POLL])
    connection.execute(
        "INSERT INTO core.channel_profiles (snapshot_at, user_id, username, follower_count, fetched_at) "
        "VALUES (?, 'u_99', 'Offline', 10, ?)",
        [POLL - timedelta(hours=1), POLL],
    )
    yield connection
    connection.close()


def test_configured_first_then_top_n_without_repeats(conn: duckdb.DuckDBPyConnection) -> None:
    settings = replace(
        FIVE_MINUTE_LIVE, tracked_channels=("USER3", "offline", "ghost"), top_n_tracked=3
    )
    tracked = resolve_tracked(conn, settings, POLL + timedelta(minutes=5))
    assert [(t.username, t.user_id, t.reason, t.viewer_rank) for t in tracked] == [
        ("USER3", "u_3", "configured", 3),  # live: id and rank from the snapshot
        ("offline", "u_99", "configured", None),  # not live: id from its stored profile
        ("ghost", None, "configured", None),  # unknown: the job fetches its profile
        ("user1", "u_1", "top_n", 1),
        ("user2", "u_2", "top_n", 2),
    ]


def test_a_stale_live_snapshot_says_nobody_is_live(conn: duckdb.DuckDBPyConnection) -> None:
    settings = replace(FIVE_MINUTE_LIVE, top_n_tracked=3)
    assert resolve_tracked(conn, settings, POLL + timedelta(hours=2)) == []
    assert len(resolve_tracked(conn, settings, POLL + timedelta(minutes=15))) == 3
    # at the 1-minute default, 3 cadences are 3 minutes
    one_minute = replace(Settings(), top_n_tracked=3)
    assert len(resolve_tracked(conn, one_minute, POLL + timedelta(minutes=3))) == 3
    assert resolve_tracked(conn, one_minute, POLL + timedelta(minutes=4)) == []
