"""The daily retention job: skipped while VELORA_RETENTION_DAYS is unset, prunes when it is set."""

from datetime import UTC, datetime, time, timedelta

import dagster as dg
import pytest

from assets.definitions import defs
from assets.resources import WarehouseResource
from pipeline.marts import MARTS, build_days
from pipeline.warehouse import connect

TICK = datetime(2026, 3, 1, 3, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _no_velora_env(monkeypatch):
    import os

    for name in [n for n in os.environ if n.startswith("VELORA_")]:
        monkeypatch.delenv(name)


def _tick():
    schedule = defs.get_repository_def().get_schedule_def("velora_maintenance_schedule")
    with dg.build_schedule_context(scheduled_execution_time=TICK) as context:
        return schedule.evaluate_tick(context)


@pytest.mark.parametrize(
    ("value", "runs"),
    [
        pytest.param(None, False, id="unset-keeps-everything"),
        pytest.param("", False, id="empty-is-off-too"),
        pytest.param("7", True, id="set-runs-daily"),
    ],
)
def test_schedule_runs_only_when_retention_is_on(monkeypatch, value, runs):
    if value is not None:
        monkeypatch.setenv("VELORA_RETENTION_DAYS", value)
    result = _tick()
    assert bool(result.run_requests) is runs
    if not runs:
        assert "VELORA_RETENTION_DAYS" in (result.skip_message or "")


def _old_history(path):
    """One old day of 1-minute samples whose marts are built."""
    old = datetime.now(UTC).date() - timedelta(days=10)
    start = datetime.combine(old, time(12), tzinfo=UTC)
    conn = connect(path)
    try:
        for minute in range(60):
            when = start + timedelta(minutes=minute)
            conn.execute(
                "INSERT INTO core.stream_snapshots (source, snapshot_at, stream_id, user_id,"
                " username, viewer_count, started_at, position, fetched_at, cadence_minutes)"
                " VALUES ('live', ?, 's', 'c', 'name', 10, ?, 1, ?, 1)",
                [when, start, when],
            )
        build_days(conn, list(MARTS), old, old + timedelta(days=1))
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        pytest.param(None, {"retention": "off"}, id="off-changes-nothing"),
        # 12:00 .. 12:59: the polls on 12:00 .. 12:55 stay, and 12:59 for the 13:00 boundary
        pytest.param("7", {"days_pruned": 1, "samples_dropped": 60 - 13}, id="on-prunes-old-days"),
    ],
)
def test_job_prunes_only_when_on(monkeypatch, tmp_path, days, expected):
    if days is not None:
        monkeypatch.setenv("VELORA_RETENTION_DAYS", days)
    path = tmp_path / "warehouse.duckdb"
    _old_history(path)
    result = defs.resolve_job_def("velora_maintenance_job").execute_in_process(
        resources={"warehouse": WarehouseResource(path=str(path), data_dir=str(tmp_path))}
    )
    [event] = result.asset_materializations_for_node("velora__warehouse_retention")
    metadata = {key: value.value for key, value in event.metadata.items()}
    assert {key: metadata[key] for key in expected} == expected
    conn = connect(path, read_only=True)
    left = conn.execute("SELECT count(*) FROM core.stream_snapshots").fetchone()
    conn.close()
    assert left == (60 - expected.get("samples_dropped", 0),)
