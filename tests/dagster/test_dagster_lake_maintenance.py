"""The hourly lake maintenance job: skipped on the DuckDB file, compacts a real lake."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from assets.definitions import defs
from assets.resources import WarehouseResource
from pipeline.warehouse import connect
from pipeline.warehouse.lake import LakeConfig
from pipeline.warehouse.lake_maintenance import NOTHING_TO_DO, lake_state

TICK = datetime(2026, 3, 1, 4, 45, tzinfo=UTC)
JOB = "velora_lake_maintenance_job"


@pytest.fixture(autouse=True)
def _no_velora_env(monkeypatch):
    import os

    for name in [n for n in os.environ if n.startswith("VELORA_")]:
        monkeypatch.delenv(name)


def _use_lake(monkeypatch, config: LakeConfig) -> None:
    monkeypatch.setenv("VELORA_WAREHOUSE_BACKEND", "ducklake")
    monkeypatch.setenv("VELORA_LAKE_CATALOG", config.catalog)
    monkeypatch.setenv("VELORA_LAKE_DATA_PATH", config.data_path)


@pytest.mark.parametrize(
    ("lake", "runs"),
    [
        pytest.param(False, False, id="duckdb-file-skips"),
        pytest.param(True, True, id="ducklake-runs-hourly"),
    ],
)
def test_schedule_runs_only_on_a_lake(monkeypatch, tmp_path, lake, runs):
    if lake:  # the tick reads the settings only: no catalog is opened
        _use_lake(monkeypatch, LakeConfig("postgres:dbname=x host=127.0.0.1", str(tmp_path)))
    schedule = defs.get_repository_def().get_schedule_def("velora_lake_maintenance_schedule")
    with dg.build_schedule_context(scheduled_execution_time=TICK) as context:
        result = schedule.evaluate_tick(context)
    requests = result.run_requests or []
    assert bool(requests) is runs
    if runs:
        assert requests[0].run_key == "lake-maintenance:2026-03-01T04:45"
    else:
        assert "DuckDB file" in (result.skip_message or "")


def _metadata(result: dg.ExecuteInProcessResult) -> dict[str, Any]:
    [event] = result.asset_materializations_for_node("velora__lake_maintenance")
    return {key: value.value for key, value in event.metadata.items()}


def test_job_compacts_a_lake_and_keeps_every_row(monkeypatch, tmp_path, lake_config):
    _use_lake(monkeypatch, lake_config)
    monkeypatch.setenv("VELORA_LAKE_SNAPSHOT_RETENTION_HOURS", "0")
    conn = connect(lake_config)
    for batch in range(15):  # fifteen polls, fifteen small files
        conn.execute(
            "INSERT INTO marts.live_totals SELECT TIMESTAMPTZ '2026-01-01 00:00:00+00'"
            " + to_minutes(? * 100 + r), 1, r FROM range(30) t(r)",
            [batch],
        )
    before = conn.execute("SELECT * FROM marts.live_totals ORDER BY ALL").fetchall()
    files, _ = lake_state(conn)
    result = defs.resolve_job_def(JOB).execute_in_process(
        resources={"warehouse": WarehouseResource(data_dir=str(tmp_path))}
    )
    metadata = _metadata(result)
    assert metadata["files_before"] == files >= 15
    assert metadata["files_merged"] == 15 and metadata["files_after"] == lake_state(conn)[0] <= 2
    assert metadata["snapshots_expired"] >= 15  # retention 0: all history but the run's own
    assert metadata["files_deleted"] == 0  # the merged files wait out the grace for readers
    assert conn.execute("SELECT * FROM marts.live_totals ORDER BY ALL").fetchall() == before
    conn.close()


def test_job_on_the_duckdb_file_does_nothing(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    result = defs.resolve_job_def(JOB).execute_in_process(
        resources={"warehouse": WarehouseResource(path=str(path), data_dir=str(tmp_path))}
    )
    assert _metadata(result) == {"lake_maintenance": NOTHING_TO_DO}
    assert not Path(path).exists()  # never opened, so never created nor locked
