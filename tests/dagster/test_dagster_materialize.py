"""In-process materialisations of the ingest assets against the twin on loopback."""

from datetime import datetime
from typing import Any

import dagster as dg
import duckdb
import pytest

from assets.cadence import POLL_AT_TAG, truncate
from assets.definitions import defs
from assets.resources import VeloraApiResource, WarehouseResource, WebhookLandingResource
from pipeline.twin.testing import running_twin

pytestmark = pytest.mark.timeout(120)


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


def _group(group: str) -> list:
    """The group's assets and their checks, as the group's schedule job runs them."""
    assets = [
        a
        for a in defs.assets or []
        if isinstance(a, dg.AssetsDefinition) and {s.group_name for s in a.specs} == {group}
    ]
    keys = {key for a in assets for key in a.keys}
    checks = [
        c for c in defs.asset_checks or [] if {spec.asset_key for spec in c.check_specs} <= keys
    ]
    return [*assets, *checks]


def _run(group: str, twin, tmp_path, poll_at: datetime, *extra, raise_on_error: bool = True):
    return dg.materialize(
        [*_group(group), *extra],
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


def test_live_group_loads_checks_and_publishes(twin, tmp_path):
    poll_at = truncate(twin.now(), 5)
    result = _run("live", twin, tmp_path, poll_at)
    assert result.success
    live = _metadata(result, "live_streams")
    assert live["poll_at"] == poll_at.isoformat()
    assert live["requests"] > 0 and live["raw_rows"] > 0 and live["loaded"] > 0
    assert live["quarantined"] == 0
    assert live["live_channels"] == live["loaded"] and live["total_viewers"] > 0
    for name in ("top_streams", "growing_streams", "featured_streams"):
        assert _metadata(result, name)["loaded"] > 0, name
    checks = _checks(result)
    assert set(checks) == {
        f"{name}:valid_core_stream_snapshots"
        for name in ("live_streams", "top_streams", "growing_streams", "featured_streams")
    } | {"live_streams:valid_marts_live_totals"}
    assert all(check.passed for check in checks.values())
    rows: Any = checks["live_streams:valid_core_stream_snapshots"].metadata["rows"].value
    assert rows > 0
    assert (tmp_path / "published" / "CURRENT").is_file()

    # Re-running the same tick is idempotent: nothing new stored, nothing loaded twice.
    again = _metadata(_run("live", twin, tmp_path, poll_at), "live_streams")
    assert again["raw_rows"] == 0 and again["loaded"] == 0 and again["duplicates"] > 0


def test_two_groups_back_to_back_share_one_warehouse(twin, tmp_path):
    poll_at = truncate(twin.now(), 60)
    live = _run("live", twin, tmp_path, poll_at)
    hourly = _run("hourly", twin, tmp_path, poll_at)
    assert live.success and hourly.success
    assert _metadata(hourly, "categories")["loaded"] > 0
    assert _metadata(hourly, "tracked_channels")["loaded"] > 0
    assert all(check.passed for check in _checks(hourly).values())
    leaderboards = _run("leaderboards", twin, tmp_path, poll_at)
    assert leaderboards.success
    assert all(check.passed for check in _checks(leaderboards).values())
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as conn:
        polls = conn.execute(
            "SELECT count(DISTINCT endpoint) FROM raw.api_responses WHERE poll_at = ?", [poll_at]
        ).fetchone()
    assert polls is not None and polls[0] >= 9


@dg.asset(key=["velora", "downstream_probe"], deps=[dg.AssetKey(["velora", "live_streams"])])
def downstream_probe() -> None:
    """Test-only consumer: must not run when live_streams' blocking check fails."""


def test_row_that_should_have_been_quarantined_fails_the_blocking_check(twin, tmp_path):
    poll_at = truncate(twin.now(), 5)
    assert _run("live", twin, tmp_path, poll_at).success
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as conn:
        conn.execute(
            "INSERT INTO core.stream_snapshots "
            "SELECT * REPLACE (-1 AS viewer_count, stream_id || '-bad' AS stream_id) "
            "FROM core.stream_snapshots WHERE source = 'live' LIMIT 1"
        )
    result = _run("live", twin, tmp_path, poll_at, downstream_probe, raise_on_error=False)
    assert not result.success
    failed = _checks(result)["live_streams:valid_core_stream_snapshots"]
    assert not failed.passed
    failures: Any = failed.metadata["failures"].value
    assert failures >= 1
    assert "viewer_count" in str(failed.metadata["summary"].value)
    assert result.asset_materializations_for_node("velora__downstream_probe") == []
