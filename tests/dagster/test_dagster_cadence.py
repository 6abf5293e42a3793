"""Cadence arithmetic: cron strings, tick truncation and the poll time a run derives."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from assets.cadence import (
    POLL_AT_TAG,
    CadenceError,
    configured_minutes,
    cron_for,
    is_due,
    poll_at_for_run,
    truncate,
)
from pipeline.config import Settings


@pytest.mark.parametrize(
    ("minutes", "cron"),
    [(5, "*/5 * * * *"), (15, "*/15 * * * *"), (60, "0 * * * *"), (120, "0 */2 * * *")],
    ids=["live", "leaderboards", "hourly", "two-hourly"],
)
def test_cron_for_cadence(minutes, cron):
    assert cron_for(minutes) == cron


@pytest.mark.parametrize(
    "minutes", [0, 7, 90], ids=["zero", "not-dividing-an-hour", "not-whole-hours"]
)
def test_cron_for_rejects_cadences_without_a_cron_form(minutes):
    with pytest.raises(CadenceError, match=f"{minutes} min"):
        cron_for(minutes)


@pytest.mark.parametrize(
    ("moment", "minutes", "expected"),
    [
        (datetime(2026, 3, 1, 12, 7, 59, tzinfo=UTC), 5, datetime(2026, 3, 1, 12, 5, tzinfo=UTC)),
        (datetime(2026, 3, 1, 12, 59, tzinfo=UTC), 15, datetime(2026, 3, 1, 12, 45, tzinfo=UTC)),
        (datetime(2026, 3, 1, 12, 59, tzinfo=UTC), 60, datetime(2026, 3, 1, 12, 0, tzinfo=UTC)),
        (
            datetime(2026, 3, 1, 14, 7, tzinfo=timezone(timedelta(hours=2))),
            60,
            datetime(2026, 3, 1, 12, 0, tzinfo=UTC),
        ),
        (datetime(2026, 3, 1, 12, 7), 5, datetime(2026, 3, 1, 12, 5, tzinfo=UTC)),
    ],
    ids=["floor-5", "floor-15", "floor-hour", "offset-zone-to-utc", "naive-is-utc"],
)
def test_truncate_floors_to_the_cadence_in_utc(moment, minutes, expected):
    got = truncate(moment, minutes)
    assert got == expected and got.tzinfo == UTC


def test_poll_at_prefers_our_tag_then_dagsters_scheduled_time():
    tags = {
        ".dagster/scheduled_execution_time": "2026-03-01T12:10:00+00:00",
        POLL_AT_TAG: "2026-03-01T12:05:00+00:00",
    }
    assert poll_at_for_run(tags, 5) == datetime(2026, 3, 1, 12, 5, tzinfo=UTC)
    del tags[POLL_AT_TAG]
    assert poll_at_for_run(tags, 5) == datetime(2026, 3, 1, 12, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    "tag",
    [".dagster/scheduled_execution_time", "dagster/scheduled_execution_time"],
    ids=["dagster-1.13-hidden-tag", "older-public-tag"],
)
def test_rerunning_a_tick_polls_the_same_time(tag):
    tags = {tag: "2026-03-01T12:17:42.123456+00:00"}
    first = poll_at_for_run(tags, 15, now=datetime(2026, 3, 1, 12, 18, tzinfo=UTC))
    again = poll_at_for_run(tags, 15, now=datetime(2026, 3, 1, 15, 0, tzinfo=UTC))
    assert first == again == datetime(2026, 3, 1, 12, 15, tzinfo=UTC)


def test_untagged_run_polls_now_truncated():
    now = datetime(2026, 3, 1, 12, 18, 30, tzinfo=UTC)
    assert poll_at_for_run({}, 5, now=now) == datetime(2026, 3, 1, 12, 15, tzinfo=UTC)


def test_bad_tag_is_a_named_error():
    with pytest.raises(CadenceError, match=POLL_AT_TAG):
        poll_at_for_run({POLL_AT_TAG: "yesterday"}, 5)


@pytest.mark.parametrize(
    ("tick", "minutes", "due"),
    [
        (datetime(2026, 3, 1, 12, 10, tzinfo=UTC), 10, True),
        (datetime(2026, 3, 1, 12, 5, tzinfo=UTC), 10, False),
        (datetime(2026, 3, 1, 12, 0, tzinfo=UTC), 120, True),
        (datetime(2026, 3, 1, 13, 0, tzinfo=UTC), 120, False),
    ],
    ids=["aligned-10", "between-10", "aligned-2h", "between-2h"],
)
def test_is_due(tick, minutes, due):
    assert is_due(tick, minutes) is due


def test_configured_cadence_must_be_a_multiple_of_the_cron():
    assert (
        configured_minutes("live", Settings.from_env({"VELORA_LIVE_CADENCE_MINUTES": "10"})) == 10
    )
    bad = Settings.from_env({"VELORA_LEADERBOARD_CADENCE_MINUTES": "20"})
    with pytest.raises(CadenceError, match="VELORA_LEADERBOARD_CADENCE_MINUTES=20"):
        configured_minutes("leaderboards", bad)
