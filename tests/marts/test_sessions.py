"""marts.stream_sessions and marts.stream_intervals: the viewer curve as docs/metrics.md defines it."""

from __future__ import annotations

import random
from datetime import date, timedelta

import duckdb
import pytest
from mart_core import DAY, Core, at, rows

from pipeline.marts import build_days
from pipeline.marts.metrics import watch_metrics

D0 = DAY.date()


def build(conn: duckdb.DuckDBPyConnection, first: date = D0, days: int = 2) -> None:
    build_days(conn, ["stream_sessions"], first, first + timedelta(days=days))


def session(conn: duckdb.DuckDBPyConnection, stream: str = "s1") -> dict:
    [row] = rows(conn, "SELECT * FROM marts.stream_sessions WHERE stream_id = ?", [stream])
    return row


def test_edges_extend_the_curve_to_started_at_and_the_offline_time(
    conn: duckdb.DuckDBPyConnection, core: Core
) -> None:
    core.samples("s1", at(12), [10, 20, 30], started=at(11, 58))
    core.offline("c_s1", "s1", at(12, 13))
    core.poll(at(12, 30))
    build(conn)
    s = session(conn)
    # (11:58-12:00 flat 10) + (12:00-12:05 10..20) + (12:05-12:10 20..30) + (12:10-12:13 flat 30)
    assert s["hours_watched"] == pytest.approx((2 * 10 + 5 * 15 + 5 * 25 + 3 * 30) / 60)
    assert s["hours_live"] == pytest.approx(15 / 60) and s["coverage"] == pytest.approx(1)
    assert s["average_viewers"] == pytest.approx(s["hours_watched"] / (15 / 60))
    assert (s["peak_viewers"], s["end_source"], s["ended_at"]) == (30, "offline_event", at(12, 13))
    intervals = rows(conn, "SELECT sum(hours_watched) AS w FROM marts.stream_intervals")
    assert intervals[0]["w"] == pytest.approx(s["hours_watched"])


@pytest.mark.parametrize(
    ("gap_minutes", "counted"),
    [
        pytest.param(15, True, id="three-cadences-is-still-interpolated"),
        pytest.param(20, False, id="longer-gap-is-airtime-but-not-watched"),
    ],
)
def test_gap_rule(
    conn: duckdb.DuckDBPyConnection, core: Core, gap_minutes: int, counted: bool
) -> None:
    core.sample("s1", at(12), 10, started=at(12))
    core.sample("s1", at(12, gap_minutes), 10)
    core.offline("c_s1", "s1", at(12, gap_minutes))
    core.poll(at(13))
    build(conn)
    s = session(conn)
    assert s["hours_live"] == pytest.approx(gap_minutes / 60)
    assert s["hours_watched"] == pytest.approx(10 * gap_minutes / 60 if counted else 0)
    assert s["skipped_gaps"] == (0 if counted else 1)


def test_an_unreported_end_is_the_midpoint_to_the_next_poll(
    conn: duckdb.DuckDBPyConnection, core: Core
) -> None:
    core.samples("s1", at(12), [10, 10, 10], started=at(12))
    core.poll(at(12, 15))  # the first poll without s1
    build(conn)
    s = session(conn)
    assert (s["end_source"], s["ended_at"]) == ("estimated", at(12, 12, second=30))
    assert s["hours_live"] == pytest.approx(12.5 / 60)


@pytest.mark.parametrize("with_stream_id", [True, False], ids=["by-stream-id", "by-channel"])
def test_a_test_offline_event_ends_no_stream(
    conn: duckdb.DuckDBPyConnection, core: Core, with_stream_id: bool
) -> None:
    core.samples("s1", at(12), [10, 10, 10], started=at(12))
    core.offline("c_s1", "s1" if with_stream_id else None, at(12, 11))
    conn.execute("UPDATE core.webhook_events SET is_test = true")  # the dashboard's test send
    core.poll(at(12, 15))
    build(conn)
    s = session(conn)
    assert (s["end_source"], s["ended_at"]) == ("estimated", at(12, 12, second=30))


def test_a_stream_in_the_latest_poll_is_ongoing(
    conn: duckdb.DuckDBPyConnection, core: Core
) -> None:
    core.samples("s1", at(12), [10, 10, 10], started=at(12))
    build(conn)
    s = session(conn)
    assert (s["end_source"], s["ended_at"]) == ("ongoing", None)
    assert s["hours_live"] == pytest.approx(10 / 60)


def test_an_estimated_end_stops_at_the_next_stream_of_the_channel(
    conn: duckdb.DuckDBPyConnection, core: Core
) -> None:
    core.samples("a", at(12), [10, 10], channel="c1", started=at(12))
    core.samples("b", at(12, 10), [10, 10], channel="c1", started=at(12, 6))
    core.poll(at(12, 30))
    build(conn)
    assert session(conn, "a")["ended_at"] == at(12, 6)  # not the midpoint 12:07:30
    sessions = rows(
        conn,
        "SELECT started_at, coalesce(ended_at, last_sample_at) AS ends FROM marts.stream_sessions"
        " WHERE channel_id = 'c1' ORDER BY started_at",
    )
    assert sessions[0]["ends"] <= sessions[1]["started_at"]


def test_a_session_across_midnight_gives_each_day_its_share(
    conn: duckdb.DuckDBPyConnection, core: Core
) -> None:
    core.samples("s1", at(23, 50), [100, 100, 100, 100], started=at(23, 50))
    core.offline("c_s1", "s1", at(0, 5, day=1))
    core.poll(at(1, day=1))
    build(conn)
    per_day = rows(
        conn,
        "SELECT CAST(interval_start AS DATE) AS day, sum(hours_watched) AS w, sum(airtime_hours) AS a"
        " FROM marts.stream_intervals GROUP BY 1 ORDER BY 1",
    )
    assert [(r["day"], round(r["w"], 6), round(r["a"], 6)) for r in per_day] == [
        (D0, round(100 * 10 / 60, 6), round(10 / 60, 6)),
        (D0 + timedelta(days=1), round(100 * 5 / 60, 6), round(5 / 60, 6)),
    ]
    assert session(conn)["session_day"] == D0  # owned by the day of its first sample


def test_raids_received_and_sent_are_attached(conn: duckdb.DuckDBPyConnection, core: Core) -> None:
    core.samples("s1", at(12), [10, 10, 10], started=at(12))
    core.samples("s2", at(12), [50, 50, 50], channel="c2", started=at(12))
    core.raid("c_s1", "c_s0", at(12, 4), 40)
    core.raid("c9", "c2", at(12, 12), 50)  # c2 raids out just after its last sample
    core.poll(at(12, 30))
    build(conn)
    s1, s2 = session(conn, "s1"), session(conn, "s2")
    assert (s1["raids_received"], s1["raid_viewers_received"], s1["raids_sent"]) == (1, 40, 0)
    assert (s2["raids_received"], s2["raids_sent"]) == (0, 1)


def test_a_session_is_built_once_by_the_day_of_its_first_sample(
    conn: duckdb.DuckDBPyConnection, core: Core
) -> None:
    core.samples("s1", at(23, 50), [10, 10, 10, 10], started=at(23, 50))
    core.poll(at(2, day=1))
    build_days(conn, ["stream_sessions"], D0, D0 + timedelta(days=1))
    build_days(conn, ["stream_sessions"], D0 + timedelta(days=1), D0 + timedelta(days=2))
    assert len(rows(conn, "SELECT * FROM marts.stream_sessions WHERE stream_id = 's1'")) == 1


def test_sessions_match_the_reference_metric_functions(
    conn: duckdb.DuckDBPyConnection, core: Core
) -> None:
    """Random sessions (gaps, mixed cadences, edges) against pipeline.marts.metrics."""
    rng = random.Random(7)
    expected = {}
    for n in range(40):
        cadence = rng.choice([1, 5, 15])
        start = at(1) + timedelta(minutes=rng.randrange(0, 600))
        when, points = start, []
        for _ in range(rng.randrange(2, 40)):
            when += timedelta(minutes=cadence * rng.choice([1, 1, 1, 2, 4]))
            points.append((when, rng.randrange(0, 5000)))
        stream = f"r{n}"
        started = start + timedelta(minutes=cadence)
        offline = points[-1][0] + timedelta(minutes=rng.randrange(0, 2 * cadence))
        for moment, viewers in points:
            core.sample(stream, moment, viewers, started=started, cadence=cadence)
        core.offline(f"c_{stream}", stream, offline)
        expected[stream] = watch_metrics(
            points, timedelta(minutes=cadence), started_at=started, ended_at=offline
        )
    core.poll(at(23))
    build(conn)
    got = {r["stream_id"]: r for r in rows(conn, "SELECT * FROM marts.stream_sessions")}
    for stream, want in expected.items():
        assert got[stream]["hours_watched"] == pytest.approx(want.hours_watched), stream
        assert got[stream]["covered_hours"] == pytest.approx(want.covered_hours), stream
        assert got[stream]["hours_live"] == pytest.approx(want.hours_live), stream
        assert got[stream]["peak_viewers"] == want.peak_viewers
