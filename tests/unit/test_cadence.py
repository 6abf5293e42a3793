"""Cadence arithmetic (pipeline.cadence): cron strings, ticks, configured cadences."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from pipeline.cadence import CadenceError, cadence_minutes, cron_for, is_tick, poll_tick
from pipeline.config import Settings


@pytest.mark.parametrize(
    ("minutes", "cron"),
    [
        (1, "* * * * *"),
        (5, "*/5 * * * *"),
        (15, "*/15 * * * *"),
        (60, "0 * * * *"),
        (120, "0 */2 * * *"),
    ],
    ids=["every-minute", "live", "leaderboards", "hourly", "two-hourly"],
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
def test_poll_tick_floors_to_the_cadence_in_utc(moment, minutes, expected):
    got = poll_tick(moment, minutes)
    assert got == expected and got.tzinfo == UTC


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
def test_is_tick(tick, minutes, due):
    assert is_tick(tick, minutes) is due
    # a schedule's tick may carry seconds; the minute decides
    assert is_tick(tick + timedelta(seconds=7), minutes) is due


def test_configured_cadence_must_be_a_multiple_of_the_cron():
    assert cadence_minutes("live", Settings.from_env({"VELORA_LIVE_CADENCE_MINUTES": "10"})) == 10
    bad = Settings.from_env({"VELORA_LEADERBOARD_CADENCE_MINUTES": "20"})
    with pytest.raises(CadenceError, match="VELORA_LEADERBOARD_CADENCE_MINUTES=20"):
        cadence_minutes("leaderboards", bad)
