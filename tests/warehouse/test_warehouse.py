"""The warehouse on a real DuckDB file: migrations, raw idempotency, derivation, quarantine."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from pipeline.config import Settings
from pipeline.ingest.derive import derive_poll
from pipeline.schemas import UnknownTableError
from pipeline.warehouse import WarehouseMissingError, connect, migrate
from pipeline.warehouse.raw import insert_raw_responses
from pipeline.warehouse.tables import check_table

from .conftest import POLL, live_stream, raw_response

CORE_TABLES = {
    "stream_snapshots",
    "category_snapshots",
    "clips",
    "leaderboard_entries",
    "chat_stats",
    "teams",
    "team_members",
    "channel_profiles",
    "quarantine",
}


def tables(conn: duckdb.DuckDBPyConnection, schema: str) -> set[str]:
    rows = conn.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = ?", [schema]
    ).fetchall()
    return {r[0] for r in rows}


def test_migrations_create_every_table_and_are_idempotent(warehouse_path: Path) -> None:
    first = connect(warehouse_path)
    assert tables(first, "core") >= CORE_TABLES
    assert {"api_responses"} <= tables(first, "raw")
    assert {"live_totals"} <= tables(first, "marts")
    assert {"tracked_channels", "schema_migrations"} <= tables(first, "ops")
    applied = first.execute("SELECT count(*) FROM ops.schema_migrations").fetchone()
    assert migrate(first) == []
    first.close()
    second = connect(warehouse_path)  # reopening re-runs migrate: nothing new
    assert second.execute("SELECT count(*) FROM ops.schema_migrations").fetchone() == applied
    second.close()


def test_read_only_open_of_missing_warehouse_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.duckdb"
    with pytest.raises(WarehouseMissingError, match="nope.duckdb"):
        connect(missing, read_only=True)
    assert not missing.exists()


def test_same_poll_twice_inserts_raw_once(conn: duckdb.DuckDBPyConnection) -> None:
    rows = [
        raw_response("live_streams", {"streams": [live_stream(1, 10)]}, page=0),
        raw_response("live_streams", {"streams": [live_stream(2, 5)]}, page=1),
    ]
    assert insert_raw_responses(conn, rows) == {("live_streams", POLL): 2}
    assert sum(insert_raw_responses(conn, rows).values()) == 0
    assert conn.execute("SELECT count(*) FROM raw.api_responses").fetchone() == (2,)


def test_unparseable_body_is_kept_with_parse_error_and_not_derived(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    rows = [
        raw_response("live_streams", {"streams": [live_stream(1, 10)]}, page=0),
        raw_response("live_streams", '{"streams": [{"id": "s_2", "userId"', page=1),
    ]
    insert_raw_responses(conn, rows)
    stored = conn.execute(
        "SELECT page, parse_error IS NOT NULL, body_text FROM raw.api_responses ORDER BY page"
    ).fetchall()
    assert stored[1][1] is True and stored[1][2].startswith('{"streams"')
    counts = derive_poll(conn, ["live_streams"], POLL, Settings())
    assert counts["live_streams"].loaded == 1
    assert conn.execute("SELECT stream_id FROM core.stream_snapshots").fetchall() == [("s_1",)]


def _snapshot_rows(conn: duckdb.DuckDBPyConnection) -> list[tuple]:
    return conn.execute(
        "SELECT source, snapshot_at, stream_id, viewer_count, position FROM core.stream_snapshots "
        "ORDER BY source, stream_id"
    ).fetchall()


def test_deriving_the_same_poll_twice_gives_the_same_rows(conn: duckdb.DuckDBPyConnection) -> None:
    insert_raw_responses(
        conn,
        [
            raw_response("live_streams", {"streams": [live_stream(1, 30), live_stream(2, 20)]}),
            raw_response(
                "live_streams", {"streams": [live_stream(2, 20), live_stream(3, 10)]}, page=1
            ),
            raw_response("top_streams", {"streams": [live_stream(1, 30)]}, path="/api/streams/top"),
        ],
    )
    first = derive_poll(conn, ["live_streams", "top_streams"], POLL, Settings())
    rows = _snapshot_rows(conn)
    assert first["live_streams"].loaded == 3 and first["live_streams"].duplicates == 1
    assert first["top_streams"].loaded == 1
    second = derive_poll(conn, ["live_streams", "top_streams"], POLL, Settings())
    assert second["live_streams"].loaded == 0 and second["top_streams"].loaded == 0
    assert _snapshot_rows(conn) == rows
    assert conn.execute("SELECT * FROM marts.live_totals").fetchall() == []  # marts build it


@pytest.mark.parametrize(
    ("bad_item", "reason"),
    [
        pytest.param(live_stream(9, -5), "viewer_count", id="negative-viewers"),
        pytest.param(
            live_stream(9, 5, startedAt="2026-01-16T20:00:00Z"),
            "started_at",
            id="started-in-the-future",
        ),
        pytest.param(live_stream(9, 5, startedAt="noonish"), "startedAt", id="bad-timestamp"),
        pytest.param(live_stream(9, 5, userId=None), "userId", id="missing-user-id"),
    ],
)
def test_invalid_rows_are_quarantined_not_loaded(
    conn: duckdb.DuckDBPyConnection, bad_item: dict, reason: str
) -> None:
    insert_raw_responses(
        conn, [raw_response("live_streams", {"streams": [live_stream(1, 10), bad_item]})]
    )
    counts = derive_poll(conn, ["live_streams"], POLL, Settings())
    assert counts["live_streams"].loaded == 1
    assert counts["live_streams"].quarantined == 1
    assert conn.execute("SELECT stream_id FROM core.stream_snapshots").fetchall() == [("s_1",)]
    table, why, row_json, poll_at = conn.execute(
        "SELECT table_name, reason, row_json, poll_at FROM core.quarantine"
    ).fetchone()  # type: ignore[misc]
    assert table == "core.stream_snapshots"
    assert reason in why
    assert "s_9" in row_json and poll_at == POLL
    json.loads(row_json)
    derive_poll(conn, ["live_streams"], POLL, Settings())  # a re-run does not repeat it
    assert conn.execute("SELECT count(*) FROM core.quarantine").fetchone() == (1,)


def test_clips_upsert_keeps_first_seen_and_takes_latest_views(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    from datetime import timedelta

    path = "/api/streams/alice/clips"
    clip = {"id": "cl_1", "viewCount": 5, "createdAt": "2026-01-15T19:00:00Z"}
    later = POLL + timedelta(hours=1)
    insert_raw_responses(conn, [raw_response("clips", {"clips": [clip]}, path=path)])
    derive_poll(conn, ["clips"], POLL, Settings())
    insert_raw_responses(
        conn,
        [raw_response("clips", {"clips": [{**clip, "viewCount": 9}]}, path=path, poll_at=later)],
    )
    again = derive_poll(conn, ["clips"], later, Settings())
    assert again["clips"].loaded == 1
    assert conn.execute(
        "SELECT clip_id, view_count, first_seen_at, last_seen_at FROM core.clips"
    ).fetchall() == [("cl_1", 9, POLL, later)]
    assert derive_poll(conn, ["clips"], later, Settings())["clips"].loaded == 0


def test_validate_table_reports_failures_in_stored_rows(conn: duckdb.DuckDBPyConnection) -> None:
    insert_raw_responses(conn, [raw_response("live_streams", {"streams": [live_stream(1, 10)]})])
    derive_poll(conn, ["live_streams"], POLL, Settings())
    ok = check_table(conn, "core.stream_snapshots")
    assert ok.passed and ok.rows == 1 and ok.failures == 0
    conn.execute("UPDATE core.stream_snapshots SET viewer_count = -1, position = 0")
    bad = check_table(conn, "core.stream_snapshots")
    assert not bad.passed and bad.failures == 2
    assert "viewer_count" in bad.summary and "position" in bad.summary
    empty = check_table(conn, "core.clips")
    assert empty.passed and empty.rows == 0
    with pytest.raises(UnknownTableError):
        check_table(conn, "core.nope")
