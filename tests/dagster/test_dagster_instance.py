"""The instance written to DAGSTER_HOME serialises warehouse steps (and lake maintenance runs) and frees slots of dead runs."""

import dagster as dg
import pytest

from assets.instance import ensure_dagster_home


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
