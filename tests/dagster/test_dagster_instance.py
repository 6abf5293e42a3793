"""The instance written to DAGSTER_HOME serialises warehouse steps (and lake maintenance runs) and frees slots of dead runs."""

import dagster as dg
import pytest
import yaml

from assets.common import WAREHOUSE_POOL
from assets.instance import ensure_dagster_home, prepare_instance, write_dagster_home
from pipeline.config import Settings


@pytest.mark.parametrize(
    "pool",
    [
        pytest.param("warehouse", id="one-writer-of-the-duckdb-file"),
        pytest.param("lake_maintenance", id="never-two-maintenance-runs-at-once"),
    ],
)
def test_dagster_home_limits_each_pool_to_one(tmp_path, pool):
    home = ensure_dagster_home(tmp_path)
    assert home == tmp_path / "dagster_home"
    with dg.DagsterInstance.from_config(str(home)) as instance:
        info = instance.event_log_storage.get_concurrency_info(pool)
        assert info.limit == 1
        assert instance.run_monitoring_settings["free_slots_after_run_end_seconds"] > 0
        queue = instance.get_concurrency_config().run_queue_config
        assert queue is not None and queue.max_concurrent_runs >= 2


def test_ensure_dagster_home_is_idempotent_and_repairs_edits(tmp_path):
    home = ensure_dagster_home(str(tmp_path))
    config = home / "dagster.yaml"
    first = config.read_text()
    config.write_text("telemetry:\n  enabled: true\n")
    assert ensure_dagster_home(tmp_path) == home
    assert config.read_text() == first
    assert sorted(p.name for p in home.iterdir()) == ["dagster.yaml"]


LAKE_ENV = {"VELORA_WAREHOUSE_BACKEND": "ducklake", "VELORA_LAKE_CATALOG": "postgres:dbname=x"}


def _limit(home) -> int | None:
    with dg.DagsterInstance.from_config(str(home)) as instance:
        return instance.event_log_storage.get_concurrency_info(WAREHOUSE_POOL).slot_count


@pytest.mark.parametrize(
    ("steps", "limits"),
    [
        pytest.param([{}], [1], id="file-one-writer"),
        pytest.param([LAKE_ENV], [4], id="lake-default-four-writers"),
        pytest.param(
            [{**LAKE_ENV, "VELORA_WAREHOUSE_WRITERS": "2"}], [2], id="lake-writers-setting"
        ),
        # the limit lives in the instance database, not dagster.yaml: a home that served a lake
        # keeps 4 unless preparing it for the file sets 1 again
        pytest.param([LAKE_ENV, {}], [4, 1], id="back-to-file-lowers-the-stored-limit"),
        # VELORA_WAREHOUSE_WRITERS means nothing to the file: one read-write process per file
        pytest.param([{"VELORA_WAREHOUSE_WRITERS": "8"}], [1], id="file-ignores-writers"),
    ],
)
def test_prepare_instance_sets_the_warehouse_pool_for_the_backend(tmp_path, steps, limits):
    for env, limit in zip(steps, limits, strict=True):
        settings = Settings.from_env({**env, "VELORA_DATA_DIR": str(tmp_path)})
        home = prepare_instance(settings)
        assert home == (tmp_path / "dagster_home").resolve()
        assert _limit(home) == limit


def test_postgres_storage_names_the_variable_not_the_url(tmp_path):
    settings = Settings.from_env(
        {"VELORA_DAGSTER_POSTGRES_URL": "postgresql+psycopg2://u:hunter2@db/dagster"}
    )
    home = write_dagster_home(tmp_path, postgres_storage=settings.dagster_postgres_url is not None)
    text = (home / "dagster.yaml").read_text()
    assert yaml.safe_load(text)["storage"] == {
        "postgres": {"postgres_url": {"env": "VELORA_DAGSTER_POSTGRES_URL"}}
    }
    assert "hunter2" not in text
    # the sqlite default keeps no storage key at all
    assert "storage" not in yaml.safe_load(
        (ensure_dagster_home(tmp_path) / "dagster.yaml").read_text()
    )
