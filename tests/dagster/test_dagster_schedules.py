"""Schedules tag each run with its poll time; cadences from the environment are read per tick."""

from datetime import UTC, datetime

import dagster as dg
import pytest

from assets.cadence import POLL_AT_TAG, CadenceError
from assets.definitions import defs


def _evaluate(name: str, tick: datetime):
    schedule = defs.get_repository_def().get_schedule_def(name)
    with dg.build_schedule_context(scheduled_execution_time=tick) as context:
        return schedule.evaluate_tick(context)


@pytest.mark.parametrize(
    ("schedule", "tick", "poll_at"),
    [
        (
            "velora_live_schedule",
            datetime(2026, 3, 1, 12, 5, tzinfo=UTC),
            "2026-03-01T12:05:00+00:00",
        ),
        (
            "velora_leaderboards_schedule",
            datetime(2026, 3, 1, 12, 45, tzinfo=UTC),
            "2026-03-01T12:45:00+00:00",
        ),
        (
            "velora_hourly_schedule",
            datetime(2026, 3, 1, 13, 0, tzinfo=UTC),
            "2026-03-01T13:00:00+00:00",
        ),
    ],
    ids=["live", "leaderboards", "hourly"],
)
def test_tick_requests_one_run_tagged_with_its_poll_time(monkeypatch, schedule, tick, poll_at):
    for name in ("LIVE", "LEADERBOARD", "HOURLY"):
        monkeypatch.delenv(f"VELORA_{name}_CADENCE_MINUTES", raising=False)
    result = _evaluate(schedule, tick)
    assert result.skip_message is None
    [request] = result.run_requests or []
    assert request.tags[POLL_AT_TAG] == poll_at
    assert request.run_key and poll_at in request.run_key


def test_coarser_cadence_from_the_environment_skips_ticks_in_between(monkeypatch):
    monkeypatch.setenv("VELORA_LIVE_CADENCE_MINUTES", "10")
    skipped = _evaluate("velora_live_schedule", datetime(2026, 3, 1, 12, 5, tzinfo=UTC))
    assert not skipped.run_requests and "10 min" in (skipped.skip_message or "")
    ran = _evaluate("velora_live_schedule", datetime(2026, 3, 1, 12, 10, tzinfo=UTC))
    assert [r.tags[POLL_AT_TAG] for r in ran.run_requests or []] == ["2026-03-01T12:10:00+00:00"]


def test_a_one_minute_live_directory_runs_every_minute(monkeypatch):
    monkeypatch.setenv("VELORA_LIVE_CADENCE_MINUTES", "1")
    ran = _evaluate("velora_live_schedule", datetime(2026, 3, 1, 12, 7, tzinfo=UTC))
    assert [r.tags[POLL_AT_TAG] for r in ran.run_requests or []] == ["2026-03-01T12:07:00+00:00"]


def test_cadence_the_cron_cannot_serve_is_a_named_error(monkeypatch):
    monkeypatch.setenv("VELORA_LEADERBOARD_CADENCE_MINUTES", "20")
    with pytest.raises(dg.DagsterError) as caught:
        _evaluate("velora_leaderboards_schedule", datetime(2026, 3, 1, 12, 15, tzinfo=UTC))
    cause = caught.value.__cause__
    assert isinstance(cause, CadenceError)
    assert "VELORA_LEADERBOARD_CADENCE_MINUTES=20" in str(cause)
