"""On a lake the same definitions run with the multiprocess executor, chosen by run config alone:
`dagster job execute` on an instance prepared for the lake (pool `warehouse` limit 4) runs each
step in its own process against a DuckLake on a real PostgreSQL, and every step's rows land."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from assets.cadence import POLL_AT_TAG
from assets.common import WAREHOUSE_POOL
from assets.instance import prepare_instance
from pipeline.cadence import poll_tick
from pipeline.config import Settings
from pipeline.twin.launcher import running_twin
from pipeline.warehouse import connect
from pipeline.warehouse.lake import LakeConfig

REPO = Path(__file__).resolve().parents[2]
# two independent hourly loads: the executor may run them side by side
STEPS = ("velora__categories", "velora__teams")
MULTIPROCESS = {"execution": {"config": {"multiprocess": {"max_concurrent": 2}}}}

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


def test_a_multiprocess_run_writes_the_lake(lake_config: LakeConfig, tmp_path: Path):
    lake_env = {
        "VELORA_DATA_DIR": str(tmp_path),
        "VELORA_WAREHOUSE_BACKEND": "ducklake",
        "VELORA_LAKE_CATALOG": lake_config.catalog,
        "VELORA_LAKE_DATA_PATH": lake_config.data_path,
    }
    home = prepare_instance(Settings.from_env(lake_env))
    config = tmp_path / "run_config.json"  # JSON is YAML: `-c` reads it as run config
    config.write_text(json.dumps(MULTIPROCESS))
    with running_twin(clock="frozen", creators=300) as twin:
        env = {k: v for k, v in os.environ.items() if not k.startswith("VELORA_")}
        env.update(
            lake_env,
            DAGSTER_HOME=str(home),
            PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])),
            VELORA_API_BASE_URL=twin.base_url,
            VELORA_CLIENT_ID=twin.config.client_id,
            VELORA_CLIENT_SECRET=twin.config.client_secret,
            VELORA_TOP_N_TRACKED="5",
        )
        tags = json.dumps({POLL_AT_TAG: poll_tick(twin.now(), 60).isoformat()})
        done = subprocess.run(
            [sys.executable, "-m", "dagster", "job", "execute", "-m", "assets.definitions"]
            + ["-j", "velora_hourly_job", "-o", ",".join(STEPS), "--tags", tags, "-c", str(config)],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
        )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]

    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert instance.event_log_storage.get_concurrency_info(WAREHOUSE_POOL).slot_count == 4
        [record] = instance.get_run_records()
        assert record.dagster_run.status == dg.DagsterRunStatus.SUCCESS
        events = [
            (entry.step_key, entry.dagster_event)
            for entry in instance.all_logs(record.dagster_run.run_id)
            if entry.dagster_event is not None
        ]
    [parent] = [
        event.pid
        for _, event in events
        if event.event_type == dg.DagsterEventType.ENGINE_EVENT
        and "multiprocess executor: parent process" in (event.message or "")
    ]
    step_pids = {
        step: event.pid
        for step, event in events
        if step and event.event_type == dg.DagsterEventType.STEP_START
    }
    assert set(step_pids) == set(STEPS)
    # a process per step, none of them the run's own
    assert len(set(step_pids.values()) - {parent}) == len(STEPS), (parent, step_pids)

    with connect(lake_config, read_only=True) as conn:
        for table in ("core.category_snapshots", "core.teams"):
            [(rows,)] = conn.execute(f"SELECT count(*) FROM {table}").fetchall()  # noqa: S608
            assert rows > 0, table
