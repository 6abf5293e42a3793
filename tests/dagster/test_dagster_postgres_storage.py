"""With VELORA_DAGSTER_POSTGRES_URL set, the instance keeps its runs, events and pool slots in
PostgreSQL (dagster-postgres): a run materialised through it is visible from a fresh instance
object and in the database's own tables, and nothing is stored under DAGSTER_HOME."""

from __future__ import annotations

import dagster as dg
import psycopg2
import pytest

from assets.common import WAREHOUSE_POOL
from assets.definitions import defs
from assets.instance import prepare_instance
from assets.maintenance_defs import RETENTION_KEY
from assets.resources import WarehouseResource
from pipeline.config import POSTGRES_URL_VARIABLE, Settings
from pipeline.warehouse.postgres_launcher import Postgres

pytestmark = pytest.mark.timeout(180)


def test_runs_and_events_are_stored_in_postgres(postgres: Postgres, tmp_path, monkeypatch):
    postgres.create_database("dagster_storage")
    url = f"postgresql+psycopg2://{postgres.user}@{postgres.host}:{postgres.port}/dagster_storage"
    # Dagster resolves the `env:` indirection from os.environ when it loads the instance
    monkeypatch.setenv(POSTGRES_URL_VARIABLE, url)
    monkeypatch.delenv("VELORA_RETENTION_DAYS", raising=False)
    lake_env = {"VELORA_WAREHOUSE_BACKEND": "ducklake", "VELORA_LAKE_CATALOG": "postgres:x"}
    settings = Settings.from_env(
        {POSTGRES_URL_VARIABLE: url, "VELORA_DATA_DIR": str(tmp_path), **lake_env}
    )
    home = prepare_instance(settings)
    assert url not in (home / "dagster.yaml").read_text()

    with dg.DagsterInstance.from_config(str(home)) as instance:
        # retention is off, so the step opens no warehouse: only the pool slot and the storage
        result = defs.resolve_job_def("velora_maintenance_job").execute_in_process(
            instance=instance,
            resources={"warehouse": WarehouseResource(path=str(tmp_path / "w.duckdb"))},
        )
        assert result.success
        run_id = result.run_id

    with dg.DagsterInstance.from_config(str(home)) as fresh:
        assert type(fresh.run_storage).__name__ == "PostgresRunStorage"
        [record] = fresh.get_run_records()
        assert (record.dagster_run.run_id, record.dagster_run.status) == (
            run_id,
            dg.DagsterRunStatus.SUCCESS,
        )
        materialized = fresh.get_latest_materialization_event(RETENTION_KEY)
        assert materialized is not None and materialized.run_id == run_id
        # the lake limit prepare_instance set is in the same database
        info = fresh.event_log_storage.get_concurrency_info(WAREHOUSE_POOL)
        assert info.slot_count == 4

    with psycopg2.connect(url.replace("+psycopg2", "")) as conn, conn.cursor() as cur:
        cur.execute("SELECT status FROM runs WHERE run_id = %s", (run_id,))
        assert cur.fetchall() == [("SUCCESS",)]
        cur.execute(
            "SELECT count(*) FROM event_logs WHERE run_id = %s AND dagster_event_type = %s",
            (run_id, "ASSET_MATERIALIZATION"),
        )
        assert cur.fetchone() == (1,)
    # no sqlite database under DAGSTER_HOME (storage/ keeps only the steps' captured logs)
    assert not [p for p in home.rglob("*.db")]
