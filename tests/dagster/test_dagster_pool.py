"""Two schedule jobs launched at once, as separate processes on one instance, both succeed:
the `warehouse` pool (limit 1, from assets/dagster.yaml) serialises every warehouse step, so
no step ever meets DuckDB's file lock."""

import json
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from assets.cadence import POLL_AT_TAG
from assets.instance import ensure_dagster_home
from pipeline.cadence import poll_tick
from pipeline.twin.launcher import running_twin

REPO = Path(__file__).resolve().parents[2]
JOBS = ("velora_live_job", "velora_hourly_job")

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]


def _step_intervals(instance: dg.DagsterInstance) -> list[tuple[float, float, str]]:
    intervals = []
    for record in instance.get_run_records():
        starts: dict[str, float] = {}
        for entry in instance.all_logs(record.dagster_run.run_id):
            event = entry.dagster_event
            if event is None or entry.step_key is None:
                continue
            if event.event_type == dg.DagsterEventType.STEP_START:
                starts[entry.step_key] = entry.timestamp
            elif event.event_type in (
                dg.DagsterEventType.STEP_SUCCESS,
                dg.DagsterEventType.STEP_FAILURE,
            ):
                intervals.append((starts[entry.step_key], entry.timestamp, entry.step_key))
    return sorted(intervals)


def test_two_jobs_at_once_are_serialised_by_the_pool(tmp_path):
    home = ensure_dagster_home(tmp_path)
    # Create the instance's sqlite storage once, as `dagster dev` does before any run; two
    # processes initialising a fresh instance at the same moment race on its migrations.
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert instance.get_concurrency_config().pool_config.default_pool_limit == 1
    with running_twin(clock="frozen", creators=300) as twin:
        env = {k: v for k, v in os.environ.items() if not k.startswith("VELORA_")}
        env.update(
            DAGSTER_HOME=str(home),
            PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])),
            VELORA_API_BASE_URL=twin.base_url,
            VELORA_CLIENT_ID=twin.config.client_id,
            VELORA_CLIENT_SECRET=twin.config.client_secret,
            VELORA_DATA_DIR=str(tmp_path),
            VELORA_TOP_N_TRACKED="5",
        )
        tags = json.dumps({POLL_AT_TAG: poll_tick(twin.now(), 60).isoformat()})
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "dagster", "job", "execute", "-m", "assets.definitions"]
                + ["-j", job, "--tags", tags],
                cwd=REPO,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for job in JOBS
        ]
        outputs = [proc.communicate(timeout=200)[0] for proc in procs]
    for job, proc, output in zip(JOBS, procs, outputs, strict=True):
        assert proc.returncode == 0, f"{job} failed:\n{output[-4000:]}"
        assert "WarehouseLockedError" not in output and "Conflicting lock" not in output

    with dg.DagsterInstance.from_config(str(home)) as instance:
        runs = instance.get_run_records()
        assert sorted(r.dagster_run.job_name for r in runs) == sorted(JOBS)
        assert all(r.dagster_run.status == dg.DagsterRunStatus.SUCCESS for r in runs)
        intervals = _step_intervals(instance)
    # 8 live + 11 hourly steps (assets and checks), plus each run's one publish step
    assert len(intervals) >= 21
    assert [step for *_, step in intervals].count("velora__published_snapshot") == 2
    assert len(list((tmp_path / "published").glob("warehouse-*.duckdb"))) == 2
    for (_, end, step), (start, _, next_step) in zip(intervals, intervals[1:], strict=False):
        assert end <= start, f"{step} and {next_step} held the warehouse at the same time"

    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as conn:
        rows = conn.execute("SELECT DISTINCT endpoint FROM raw.api_responses").fetchall()
    stored = {row[0] for row in rows}
    # Both runs wrote. (clips/profiles may fetch nothing here: the tracked channels come from a
    # live poll, which the concurrent live run may not have stored yet.)
    assert {"live_streams", "top_streams", "growing_streams", "featured_streams"} <= stored
    assert {"categories", "teams"} <= stored
