"""Webhook landing -> sensor -> load asset -> blocking checks, on a real landing log."""

import json
from datetime import UTC, datetime, timedelta

import dagster as dg
import pytest

from assets.definitions import defs
from assets.resources import WarehouseResource, WebhookLandingResource
from assets.webhook_defs import (
    WEBHOOK_EVENTS_KEY,
    newest_unseen_segment,
    velora_webhook_landing_sensor,
    webhook_defs,
)
from pipeline.webhooks.framing import LandingRecord
from pipeline.webhooks.landing import LandingLog

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _follow(n: int, *, followed_at: datetime) -> LandingRecord:
    body = {
        "id": f"evt_follow_{n}",
        "type": "channel.follow",
        "timestamp": followed_at.isoformat().replace("+00:00", "Z"),
        "data": {
            "broadcasterId": "chan_1",
            "userId": f"user_{n}",
            "username": f"fan{n}",
            "displayName": f"Fan {n}",
            "followedAt": followed_at.isoformat().replace("+00:00", "Z"),
        },
    }
    return LandingRecord(
        received_at_ms=int(followed_at.timestamp() * 1000),
        key=f"evt_follow_{n}",
        headers={"x-velora-event": "channel.follow"},
        body=json.dumps(body).encode(),
    )


def _land(landing_dir, records) -> None:
    log = LandingLog(landing_dir)
    log.start()
    try:
        for record in records:
            log.append(record)
    finally:
        log.close()  # seals the open segment


def _sensor(landing_dir, cursor):
    resources = {
        "webhook_landing": WebhookLandingResource(landing_dir=str(landing_dir)),
        "warehouse": WarehouseResource(path=str(landing_dir.parent / "never-opened.duckdb")),
    }
    with dg.build_sensor_context(cursor=cursor, resources=resources) as context:
        return velora_webhook_landing_sensor(context)


def _resources(tmp_path, landing_dir):
    return {
        "warehouse": WarehouseResource(
            path=str(tmp_path / "warehouse.duckdb"), data_dir=str(tmp_path)
        ),
        "webhook_landing": WebhookLandingResource(landing_dir=str(landing_dir), silence_minutes=30),
    }


def _webhook_assets_and_checks() -> tuple[list[dg.AssetsDefinition], list[dg.AssetsDefinition]]:
    defs = webhook_defs()
    assets = [a for a in defs.assets or [] if isinstance(a, dg.AssetsDefinition)]
    return assets, list(defs.asset_checks or [])


@pytest.mark.parametrize(
    ("pending", "cursor", "expected"),
    [
        ([], None, None),
        (["seg-1.seg", "seg-2.seg"], None, "seg-2.seg"),
        (["seg-1.seg", "seg-2.seg"], "seg-2.seg", None),
        (["seg-1.seg", "seg-3.seg"], "seg-2.seg", "seg-3.seg"),
        (["/data/landing/seg-5.seg"], "seg-4.seg", "seg-5.seg"),
    ],
    ids=[
        "nothing-landed",
        "first-tick",
        "already-requested",
        "newer-than-cursor",
        "paths-as-names",
    ],
)
def test_newest_unseen_segment(pending, cursor, expected):
    assert newest_unseen_segment(pending, cursor) == expected


def test_sensor_requests_a_load_once_per_new_segment(tmp_path):
    landing = tmp_path / "landing"
    assert isinstance(_sensor(landing, None), dg.SkipReason)  # no directory yet: nothing to do
    _land(landing, [_follow(1, followed_at=START)])
    first = _sensor(landing, None)
    assert isinstance(first, dg.SensorResult)
    [request] = first.run_requests or []
    segment = first.cursor
    assert segment and segment.endswith(".seg") and request.tags["velora/segment"] == segment
    assert isinstance(_sensor(landing, segment), dg.SkipReason)
    _land(landing, [_follow(2, followed_at=START + timedelta(minutes=1))])
    second = _sensor(landing, segment)
    assert isinstance(second, dg.SensorResult) and second.cursor and second.cursor > segment
    assert not (tmp_path / "never-opened.duckdb").exists()


def test_webhook_job_loads_typed_rows_checks_them_then_publishes(tmp_path):
    landing = tmp_path / "landing"
    _land(landing, [_follow(n, followed_at=START + timedelta(seconds=n)) for n in range(5)])
    # a redelivery of event 0 in a later segment: counted as a duplicate, not loaded twice
    _land(landing, [_follow(0, followed_at=START)])
    job = defs.resolve_job_def("velora_webhook_job")  # the job the landing sensor launches
    result = job.execute_in_process(resources=_resources(tmp_path, landing))
    assert result.success
    [materialization] = result.asset_materializations_for_node("velora__webhook_events")
    meta = {k: v.value for k, v in materialization.metadata.items()}
    assert meta["segments"] == 2 and meta["loaded"] == 5 and meta["duplicates"] == 1
    assert meta["loaded_core.follows"] == 5 and meta["quarantined"] == 0
    assert "snapshot" not in meta  # the load does not publish; the job's last step does
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert evaluations["valid_core_follows"].passed
    assert evaluations["valid_core_follows"].metadata["rows"].value == 5
    assert all(e.passed for name, e in evaluations.items() if name.startswith("valid_"))
    [published] = result.asset_materializations_for_node("velora__published_snapshot")
    snapshot = published.metadata["snapshot"].value
    assert published.metadata["rows_core.follows"].value == 5
    published_dir = tmp_path / "published"
    assert (published_dir / "CURRENT").read_text().strip() == snapshot
    assert sorted(p.name for p in published_dir.glob("warehouse-*.duckdb")) == [snapshot]

    assets, _ = _webhook_assets_and_checks()
    again = dg.materialize(assets, resources=_resources(tmp_path, landing))
    [rerun] = again.asset_materializations_for_node("velora__webhook_events")
    assert rerun.metadata["segments"].value == 0 and rerun.metadata["loaded"].value == 0


def test_materialize_key_matches_the_pinned_asset():
    assert dg.AssetKey(["velora", "webhook_events"]) == WEBHOOK_EVENTS_KEY


def test_with_jetstream_configured_the_sensor_and_the_job_use_the_stream(tmp_path, monkeypatch):
    """VELORA_WEBHOOK_JETSTREAM_URL switches the sensor (unacked messages) and the load asset
    (micro-batches, acked after the commit) from the landing log to JetStream."""
    import asyncio

    from pipeline.webhooks.jetstream import JetStreamConfig, JetStreamSink
    from pipeline.webhooks.nats_launcher import running_nats

    landing = tmp_path / "landing"  # stays empty: nothing lands on disk
    with running_nats(tmp_path / "nats") as (url, _):
        monkeypatch.setenv("VELORA_WEBHOOK_JETSTREAM_URL", url)
        assert isinstance(_sensor(landing, None), dg.SkipReason)  # an empty stream

        async def publish() -> None:
            sink = JetStreamSink(JetStreamConfig(url))
            for n in [0, 1, 2, 0]:  # event 0 twice: stored once (Nats-Msg-Id)
                await sink.append_async(_follow(n, followed_at=START + timedelta(seconds=n)))
            await sink.aclose()

        asyncio.run(publish())
        first = _sensor(landing, None)
        assert isinstance(first, dg.SensorResult) and len(first.run_requests or []) == 1
        job = defs.resolve_job_def("velora_webhook_job")
        result = job.execute_in_process(resources=_resources(tmp_path, landing))
        assert result.success
        [materialization] = result.asset_materializations_for_node("velora__webhook_events")
        assert materialization.metadata["loaded"].value == 3
        assert materialization.metadata["loaded_core.follows"].value == 3
        assert isinstance(_sensor(landing, first.cursor), dg.SkipReason)  # all acked
