"""Which partitions a change rebuilds: the pure planner, and the data query that feeds it."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import duckdb
import pytest
from mart_core import DAY, Core, at

from pipeline.marts import MARTS, Changes, build_days, find_changes
from pipeline.marts.plan import day_span, from_metadata, plan, ranges, to_metadata

D0 = DAY.date()


def d(n: int) -> date:
    return D0 + timedelta(days=n)


def test_an_update_of_today_rebuilds_today_alone() -> None:
    # the hourly case: whatever the history, nothing before today is read again
    planned = plan(Changes(days=frozenset({d(9)}), session_days=frozenset({d(9)})), d(9))
    assert set(planned) == set(MARTS)
    assert all(spans == ((d(9), d(10)),) for spans in planned.values())


@pytest.mark.parametrize(
    ("changes", "mart", "expected"),
    [
        pytest.param(
            Changes(session_days=frozenset({d(3)})),
            "channel_daily",
            ((d(3), d(6)),),
            id="a-session-reaches-48h-past-its-day",
        ),
        pytest.param(
            Changes(session_days=frozenset({d(3)})),
            "growth_rankings",
            ((d(3), d(10)),),
            id="rankings-read-56-days-so-run-on-to-today",
        ),
        pytest.param(
            Changes(session_days=frozenset({d(3)})),
            "monetization_daily",
            (),
            id="a-session-change-leaves-event-marts-alone",
        ),
        pytest.param(
            Changes(profile_days=frozenset({d(1)})),
            "channel_daily",
            ((d(1), d(9)),),
            id="a-late-total-is-the-base-of-deltas-7-days-on",
        ),
        pytest.param(
            Changes(days=frozenset({d(2), d(6)})),
            "monetization_daily",
            ((d(2), d(3)), (d(6), d(7))),
            id="two-late-days-are-two-ranges",
        ),
        pytest.param(
            Changes(rewrite={"channel_daily": day_span(d(0), d(5))}),
            "channel_daily",
            ((d(0), d(6)),),
            id="a-channels-first-webhook-rewrites-its-days",
        ),
        pytest.param(
            Changes(days=frozenset({d(12)})),
            "live_totals",
            (),
            id="nothing-after-today",
        ),
    ],
)
def test_plan_spreads_by_each_marts_lookback(
    changes: Changes, mart: str, expected: tuple[tuple[date, date], ...]
) -> None:
    assert plan(changes, today=d(9)).get(mart, ()) == expected


def test_a_plan_survives_the_metadata_round_trip() -> None:
    planned = plan(Changes(days=frozenset({d(1), d(2), d(5)})), d(9))
    back = from_metadata(to_metadata(planned))
    assert {name: ranges(days) for name, days in back.items()} == planned


def _build(conn: duckdb.DuckDBPyConnection, days: int = 4) -> None:
    build_days(conn, list(MARTS), D0, D0 + timedelta(days=days))


def _sessions(conn: duckdb.DuckDBPyConnection, lo: datetime, hi: datetime) -> set[date]:
    return set(find_changes(conn, [(lo, hi)]).session_days)


def test_new_samples_name_their_session_day_and_no_other(
    conn: duckdb.DuckDBPyConnection, core: Core
) -> None:
    core.samples("old", at(10), [5] * 6, channel="c1")  # day 0, long over
    core.samples("now", at(10, day=2), [5] * 6, channel="c1")
    core.offline("c1", "old", at(10, 30))
    _build(conn)
    core.sample("now", at(10, 30, day=2), 7, channel="c1")
    assert _sessions(conn, at(10, 30, day=2), at(10, 31, day=2)) == {d(2)}


def test_a_stream_past_midnight_names_the_day_that_owns_it(
    conn: duckdb.DuckDBPyConnection, core: Core
) -> None:
    core.samples("late", at(23, 30), [5] * 6, channel="c1")
    _build(conn)
    core.sample("late", at(0, 5, day=1), 6, channel="c1")
    assert _sessions(conn, at(0, 5, day=1), at(0, 6, day=1)) == {d(0)}


def test_a_late_offline_event_names_its_session(
    conn: duckdb.DuckDBPyConnection, core: Core
) -> None:
    core.samples("s", at(10), [5] * 6, channel="c1")
    core.poll(at(13, day=2))
    _build(conn)
    core.offline("c1", "s", at(10, 27))
    # and day 2, whose stream the latest poll lists: a session that is still ongoing
    assert _sessions(conn, at(10, 27), at(10, 28)) == {d(0), d(2)}


def test_a_new_stream_names_the_previous_session_it_cuts_short(
    conn: duckdb.DuckDBPyConnection, core: Core
) -> None:
    # the next stream reports a start before the last one's offline event: it takes that end
    core.samples("a", at(23, 0), [5] * 6, channel="c1")
    core.offline("c1", None, at(23, 55))
    core.poll(at(3, day=1))
    _build(conn)
    core.samples("b", at(0, 30, day=1), [5] * 3, channel="c1", started=at(23, 40))
    assert _sessions(conn, at(0, 30, day=1), at(0, 41, day=1)) == {d(0), d(1)}


def test_a_first_webhook_event_rewrites_the_channels_days(
    conn: duckdb.DuckDBPyConnection, core: Core
) -> None:
    core.follow("c_other", at(1))  # capture has begun
    for n in range(3):
        core.samples(f"s{n}", at(12, day=n), [5] * 3, channel="c_new")
    _build(conn)
    core.follow("c_new", at(9, day=3))
    found = find_changes(conn, [(at(9, day=3), at(10, day=3))])
    assert found.rewrite == {"channel_daily": day_span(d(0), d(2))}
    core.follow("c_new", at(9, 30, day=3))
    build_days(conn, ["webhook_coverage"], d(3), d(4))
    assert find_changes(conn, [(at(9, 30, day=3), at(10, day=3))]).rewrite == {}
