"""Retention's thinning and body rule (pipeline/warehouse/retention.py) on each backend: a real
DuckDB file and a DuckLake on a real PostgreSQL."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import duckdb
import pytest

from pipeline.warehouse import Warehouse, connect
from pipeline.warehouse.raw import insert_raw_responses
from pipeline.warehouse.retention import GRID_MINUTES, days_to_prune, prune_days

from .conftest import live_stream, raw_response

DAY = date(2026, 1, 10)
MIDNIGHT = datetime(2026, 1, 10, tzinfo=UTC)
LIVE = ("live_streams", "top_streams", "growing_streams", "featured_streams")
SOURCE_OF = {"live_streams": "live", "top_streams": "top"}


@pytest.fixture
def conn(warehouse_target: Warehouse) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = connect(warehouse_target)
    yield connection
    connection.close()


def at(minutes: float, *, day: int = 0) -> datetime:
    return MIDNIGHT + timedelta(days=day, minutes=minutes)


def add_sample(
    conn: duckdb.DuckDBPyConnection,
    when: datetime,
    *,
    source: str = "live",
    stream: str = "s_1",
    cadence: int | None = 1,
) -> None:
    conn.execute(
        "INSERT INTO core.stream_snapshots (source, snapshot_at, stream_id, user_id, username,"
        " viewer_count, position, fetched_at, cadence_minutes)"
        " VALUES (?, ?, ?, 'u', 'name', 10, 1, ?, ?)",
        [source, when, stream, when, cadence],
    )


def samples(conn: duckdb.DuckDBPyConnection) -> list[tuple[object, ...]]:
    return conn.execute(
        "SELECT source, snapshot_at, stream_id, cadence_minutes FROM core.stream_snapshots"
        " ORDER BY ALL"
    ).fetchall()


def kept(conn: duckdb.DuckDBPyConnection, source: str = "live") -> list[float]:
    """Minutes after DAY's midnight of the polls of ``source`` still stored."""
    rows = conn.execute(
        "SELECT DISTINCT snapshot_at FROM core.stream_snapshots WHERE source = ? ORDER BY 1",
        [source],
    ).fetchall()
    return [(row[0] - MIDNIGHT).total_seconds() / 60 for row in rows]


@pytest.mark.parametrize(
    ("polls", "expected"),
    [
        pytest.param(
            list(range(15)), [0, 5, 10, 14], id="one-minute-polls-keep-the-poll-on-each-boundary"
        ),
        pytest.param([0, 5, 10, 15], [0, 5, 10, 15], id="samples-already-on-the-grid"),
        pytest.param(
            [0, 2, 4, 6, 8, 10, 12], [0, 4, 10], id="two-minute-cadence-nearest-earlier-on-a-tie"
        ),
        pytest.param([1, 3], [1, 3], id="a-boundary-without-a-poll-on-it-keeps-its-nearest"),
        pytest.param([0, 2.5], [0, 2.5], id="a-poll-halfway-goes-to-the-later-boundary"),
        pytest.param([1438, 1439], [1439], id="the-polls-before-midnight-keep-one-of-their-own"),
    ],
)
def test_thinning_keeps_the_poll_nearest_each_boundary(conn, polls, expected):
    for minute in polls:
        add_sample(conn, at(minute))
        add_sample(conn, at(minute), stream="s_2")  # a whole poll: every stream of it
    result = prune_days(conn, [DAY], endpoints=LIVE)
    assert kept(conn) == expected
    assert result.total("samples_dropped") == 2 * (len(polls) - len(expected))
    per_poll = conn.execute(
        "SELECT count(*) FROM core.stream_snapshots GROUP BY snapshot_at HAVING count(*) <> 2"
    ).fetchall()
    assert per_poll == []  # polls are kept or dropped whole


def test_each_source_is_thinned_on_its_own_polls(conn):
    for minute in range(3):  # all nearest boundary 0
        add_sample(conn, at(minute))
    add_sample(conn, at(1), source="top")  # the top listing's only poll near boundary 0
    prune_days(conn, [DAY], endpoints=LIVE)
    assert kept(conn, "live") == [0]
    assert kept(conn, "top") == [1]


def test_a_stream_crossing_the_horizon_is_thinned_only_before_it(conn):
    for minute in range(1430, 1450):  # 23:50 .. 00:09, one stream across midnight
        add_sample(conn, at(minute))
    prune_days(conn, [DAY], endpoints=LIVE)  # the day after is newer than the horizon
    assert kept(conn) == [1430, 1435, 1439, *range(1440, 1450)]
    after = conn.execute(
        "SELECT DISTINCT cadence_minutes FROM core.stream_snapshots WHERE snapshot_at >= ?",
        [at(0, day=1)],
    ).fetchall()
    assert after == [(1,)]  # untouched, cadence too


@pytest.mark.parametrize(
    ("cadence", "expected"),
    [
        pytest.param(1, GRID_MINUTES, id="finer-than-the-grid-now-reads-as-the-grid"),
        pytest.param(15, 15, id="coarser-cadence-is-left-as-it-is"),
        pytest.param(None, None, id="unknown-cadence-stays-null-marts-read-it-as-5"),
    ],
)
def test_rows_left_say_the_cadence_they_now_have(conn, cadence, expected):
    add_sample(conn, at(0), cadence=cadence)
    prune_days(conn, [DAY], endpoints=LIVE)
    assert conn.execute("SELECT cadence_minutes FROM core.stream_snapshots").fetchall() == [
        (expected,)
    ]


def _raw(conn, endpoint, minute, *, status=200, body=None, day=0):
    row = raw_response(
        endpoint,
        body if body is not None else {"streams": [live_stream(1, 10)]},
        poll_at=at(minute, day=day),
        path=f"/api/{endpoint}",
    )
    insert_raw_responses(conn, [dataclasses.replace(row, status=status)])


def bodies(conn) -> dict[tuple[str, int], bool]:
    rows = conn.execute(
        "SELECT endpoint, poll_at, body_text IS NOT NULL FROM raw.api_responses"
    ).fetchall()
    return {(e, int((p - MIDNIGHT).total_seconds() // 60)): b for e, p, b in rows}


@pytest.mark.parametrize(
    ("endpoint", "minute", "status", "body", "in_core", "day", "dropped"),
    [
        pytest.param("live_streams", 0, 200, None, True, 0, True, id="derived-live-body-dropped"),
        pytest.param("top_streams", 1, 200, None, True, 0, True, id="off-grid-live-poll-too"),
        pytest.param("categories", 0, 200, None, True, 0, False, id="non-live-endpoint-untouched"),
        pytest.param(
            "live_streams", 0, 200, None, False, 0, False, id="poll-not-in-core-can-still-derive"
        ),
        pytest.param(
            "live_streams", 0, 200, '{"streams": [', True, 0, False, id="unparseable-kept-to-read"
        ),
        pytest.param("live_streams", 0, 503, None, True, 0, False, id="error-response-kept"),
        pytest.param(
            "live_streams", 0, 200, None, True, 1, False, id="day-at-the-horizon-untouched"
        ),
    ],
)
def test_live_bodies_are_dropped_only_when_core_has_the_poll(
    conn, endpoint, minute, status, body, in_core, day, dropped
):
    _raw(conn, endpoint, minute, status=status, body=body, day=day)
    if in_core:
        add_sample(conn, at(minute, day=day), source=SOURCE_OF.get(endpoint, "live"))
    result = prune_days(conn, [DAY], endpoints=LIVE)
    assert bodies(conn) == {(endpoint, minute + 1440 * day): not dropped}
    assert result.total("bodies_dropped") == int(dropped)


def _history(conn):
    for minute in range(0, 30):
        add_sample(conn, at(minute))
        add_sample(conn, at(minute), source="top")
        _raw(conn, "live_streams", minute)
    add_sample(conn, at(3, day=1))  # the next day: not pruned
    _raw(conn, "live_streams", 3, day=1)


def test_re_running_is_a_no_op(conn):
    _history(conn)
    first = prune_days(conn, [DAY], endpoints=LIVE)
    rows, stored = samples(conn), bodies(conn)
    second = prune_days(conn, [DAY], endpoints=LIVE)
    assert first.changed > 0
    assert second.changed == 0
    assert (samples(conn), bodies(conn)) == (rows, stored)


def test_dry_run_reports_what_a_run_does_and_changes_nothing(conn):
    _history(conn)
    rows, stored = samples(conn), bodies(conn)
    dry = prune_days(conn, [DAY], endpoints=LIVE, dry_run=True)
    assert (samples(conn), bodies(conn)) == (rows, stored)
    real = prune_days(conn, [DAY], endpoints=LIVE)
    assert dry.dry_run and not real.dry_run
    assert dry.days == real.days and real.changed > 0


def test_days_to_prune_skips_days_already_pruned_and_the_horizon_day(conn):
    _history(conn)
    before = DAY + timedelta(days=1)  # DAY is old enough, DAY + 1 is at the horizon
    assert days_to_prune(conn, before, endpoints=LIVE) == [DAY]
    prune_days(conn, [DAY], endpoints=LIVE)
    assert days_to_prune(conn, before, endpoints=LIVE) == []
    assert days_to_prune(conn, before + timedelta(days=1), endpoints=LIVE) == [before]
