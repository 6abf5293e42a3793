"""The schedule jobs, run in process against the twin on loopback: load, check, publish once."""

from datetime import datetime
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest

from assets.cadence import POLL_AT_TAG
from assets.definitions import defs
from assets.resources import VeloraApiResource, WarehouseResource, WebhookLandingResource
from pipeline.cadence import poll_tick
from pipeline.twin.launcher import running_twin

pytestmark = pytest.mark.timeout(120)

PUBLISH_STEP = "velora__published_snapshot"


@pytest.fixture(autouse=True)
def _no_velora_env(monkeypatch):
    # The resources fall back to the environment; these tests pin every value explicitly.
    import os

    for name in [n for n in os.environ if n.startswith("VELORA_")]:
        monkeypatch.delenv(name)
    # Fewer tracked channels keep the per-channel leaderboard fan-out small.
    monkeypatch.setenv("VELORA_TOP_N_TRACKED", "5")


@pytest.fixture(scope="module")
def twin():
    with running_twin(clock="frozen", creators=300) as handle:
        yield handle


def _resources(twin, tmp_path) -> dict[str, object]:
    return {
        "velora_api": VeloraApiResource(
            base_url=twin.base_url,
            client_id=twin.config.client_id,
            client_secret=twin.config.client_secret,
        ),
        "warehouse": WarehouseResource(
            path=str(tmp_path / "warehouse.duckdb"), data_dir=str(tmp_path)
        ),
        "webhook_landing": WebhookLandingResource(landing_dir=str(tmp_path / "landing")),
    }


def _run(group: str, twin, tmp_path, poll_at: datetime, *, raise_on_error: bool = True):
    """The group's schedule job exactly as defined (its selection includes the publish step)."""
    return defs.resolve_job_def(f"velora_{group}_job").execute_in_process(
        resources=_resources(twin, tmp_path),
        tags={POLL_AT_TAG: poll_at.isoformat()},
        raise_on_error=raise_on_error,
    )


def _metadata(result, name: str) -> dict[str, Any]:
    [event] = result.asset_materializations_for_node(f"velora__{name}")
    return {key: value.value for key, value in event.metadata.items()}


def _checks(result) -> dict[str, dg.AssetCheckEvaluation]:
    return {
        f"{e.asset_key.path[-1]}:{e.check_name}": e for e in result.get_asset_check_evaluations()
    }


def _snapshots(tmp_path: Path) -> list[str]:
    return sorted(p.name for p in (tmp_path / "published").glob("warehouse-*.duckdb"))


def _current(tmp_path: Path) -> str:
    return (tmp_path / "published" / "CURRENT").read_text().strip()


def _started_steps(result) -> list[str]:
    return [e.step_key for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_START]


def _assert_published_once_at_the_end(result, tmp_path: Path, before: list[str]) -> str:
    """One new snapshot, written by the publish step, which started after every other step."""
    new = sorted(set(_snapshots(tmp_path)) - set(before))
    assert len(new) == 1, f"expected one new snapshot, got {new}"
    started = _started_steps(result)
    assert started.count(PUBLISH_STEP) == 1 and started[-1] == PUBLISH_STEP
    published = _metadata(result, "published_snapshot")
    assert published["snapshot"] == new[0] == _current(tmp_path)
    return new[0]


def test_live_job_loads_checks_and_publishes_once_at_the_end(twin, tmp_path):
    poll_at = poll_tick(twin.now(), 5)
    result = _run("live", twin, tmp_path, poll_at)
    assert result.success
    live = _metadata(result, "live_streams")
    assert live["poll_at"] == poll_at.isoformat()
    assert live["requests"] > 0 and live["raw_rows"] > 0 and live["loaded"] > 0
    assert live["quarantined"] == 0
    # the day the marts sensor rebuilds; ingest itself writes no mart
    assert live["changed_day_first"] == live["changed_day_last"] == poll_at.date().isoformat()
    # and the partitions the planner found the poll changes: its day alone (no history yet)
    day = [[poll_at.date().isoformat()] * 2]
    assert live["mart_days"]["live_totals"] == live["mart_days"]["stream_sessions"] == day
    for name in ("top_streams", "growing_streams", "featured_streams"):
        meta = _metadata(result, name)
        assert meta["loaded"] > 0 and "snapshot" not in meta, name  # ingest assets don't publish
    checks = _checks(result)
    assert set(checks) == {
        f"{name}:valid_core_stream_snapshots"
        for name in ("live_streams", "top_streams", "growing_streams", "featured_streams")
    }
    assert all(check.passed for check in checks.values())
    rows: Any = checks["live_streams:valid_core_stream_snapshots"].metadata["rows"].value
    assert rows > 0

    # The publish step ran once, last, although 10 of its 14 upstream assets were not in the run.
    snapshot = _assert_published_once_at_the_end(result, tmp_path, before=[])
    published = _metadata(result, "published_snapshot")
    with duckdb.connect(str(tmp_path / "published" / snapshot), read_only=True) as conn:
        stored = conn.execute("SELECT count(*) FROM core.stream_snapshots").fetchone()
    assert stored is not None and published["rows_core.stream_snapshots"] == stored[0] > 0
    assert published["total_rows"] >= stored[0] and published["tables"] > 1

    # The walking skeleton end to end: what Dagster loaded is the twin's ground truth, each live
    # stream exactly once with its true viewer count.
    truth = twin.truth_live()
    with duckdb.connect(str(tmp_path / "published" / snapshot), read_only=True) as conn:
        live_rows = conn.execute(
            "SELECT stream_id, user_id, viewer_count FROM core.stream_snapshots "
            "WHERE source = 'live' AND snapshot_at = ?",
            [poll_at],
        ).fetchall()
    expected = sorted((s["id"], s["userId"], s["viewerCount"]) for s in truth["streams"])
    assert sorted(live_rows) == expected and len(expected) == truth["count"] > 0

    # Re-running the same tick is idempotent: nothing new stored, nothing loaded twice; it still
    # publishes once.
    again = _run("live", twin, tmp_path, poll_at)
    assert _metadata(again, "live_streams")["raw_rows"] == 0
    assert _metadata(again, "live_streams")["loaded"] == 0
    assert _metadata(again, "live_streams")["duplicates"] > 0
    _assert_published_once_at_the_end(again, tmp_path, before=[snapshot])


def test_each_group_job_publishes_once_into_one_warehouse(twin, tmp_path):
    poll_at = poll_tick(twin.now(), 60)
    for group, asset in [
        ("live", "live_streams"),
        ("hourly", "tracked_channels"),
        ("leaderboards", "volts_leaderboard"),
    ]:
        before = _snapshots(tmp_path)
        result = _run(group, twin, tmp_path, poll_at)
        assert result.success, group
        assert _metadata(result, asset)["loaded"] > 0, group
        assert all(check.passed for check in _checks(result).values()), group
        _assert_published_once_at_the_end(result, tmp_path, before)
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as conn:
        polls = conn.execute(
            "SELECT count(DISTINCT endpoint) FROM raw.api_responses WHERE poll_at = ?", [poll_at]
        ).fetchone()
    assert polls is not None and polls[0] >= 9


def test_failing_blocking_check_stops_the_publish_step(twin, tmp_path):
    poll_at = poll_tick(twin.now(), 5)
    assert _run("live", twin, tmp_path, poll_at).success
    before, current = _snapshots(tmp_path), _current(tmp_path)
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as conn:
        conn.execute(
            "INSERT INTO core.stream_snapshots "
            "SELECT * REPLACE (-1 AS viewer_count, stream_id || '-bad' AS stream_id) "
            "FROM core.stream_snapshots WHERE source = 'live' LIMIT 1"
        )
    result = _run("live", twin, tmp_path, poll_at, raise_on_error=False)
    assert not result.success
    failed = _checks(result)["live_streams:valid_core_stream_snapshots"]
    assert not failed.passed
    failures: Any = failed.metadata["failures"].value
    assert failures >= 1
    assert "viewer_count" in str(failed.metadata["summary"].value)
    # The ingest steps themselves ran; only what depends on the failed check did not.
    assert _metadata(result, "live_streams")["duplicates"] > 0
    assert PUBLISH_STEP not in _started_steps(result)
    assert result.asset_materializations_for_node(PUBLISH_STEP) == []
    assert _snapshots(tmp_path) == before and _current(tmp_path) == current


def test_marts_job_builds_the_days_of_new_data_checks_and_publishes(twin, tmp_path):
    """Ingest, then the marts run the sensor would request: the mart sums the twin's truth."""
    from assets.marts_defs import RANGE_END_TAG, RANGE_START_TAG

    poll_at = poll_tick(twin.now(), 5)
    assert _run("live", twin, tmp_path, poll_at).success
    day = poll_at.date().isoformat()
    before = _snapshots(tmp_path)
    result = defs.resolve_job_def("velora_marts_job").execute_in_process(
        resources=_resources(twin, tmp_path),
        tags={RANGE_START_TAG: day, RANGE_END_TAG: day},
    )
    assert result.success
    checks = _checks(result)
    assert "live_totals:valid_marts_live_totals" in checks
    assert "stream_sessions:reconciles_with_its_sources" in checks
    assert all(check.passed for check in checks.values()), {
        k: c.metadata["summary"].value for k, c in checks.items() if not c.passed
    }
    _assert_published_once_at_the_end(result, tmp_path, before)
    truth = twin.truth_live()
    with duckdb.connect(str(tmp_path / "published" / _current(tmp_path)), read_only=True) as conn:
        totals = conn.execute(
            "SELECT live_channels, total_viewers FROM marts.live_totals"
        ).fetchall()
        sessions = conn.execute("SELECT count(*) FROM marts.stream_sessions").fetchall()
    assert totals == [(truth["count"], truth["totalViewers"])]
    assert sessions == [(truth["count"],)]  # one poll: every live stream is one (ongoing) session
