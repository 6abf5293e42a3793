"""End to end: the twin delivers signed webhooks to our receiver; the loader's counts equal the truth."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from wh_helpers import running_receiver, twin_receiver_config

from pipeline.warehouse import Warehouse, connect
from pipeline.warehouse.lake import LakeConfig
from pipeline.webhooks.loader import load_sealed_segments
from pipeline.webhooks.secrets import add_secret

twin_launcher = pytest.importorskip("pipeline.twin.launcher")

# Wire names as documented, aliases included, so the twin sends them and we map them back.
EVENTS = [
    "channel.follow",
    "channel.subscribe",
    "channel.gift",
    "channel.subscription.end",
    "channel.cheer",
    "channel.points.redeem",
    "channel.raid",
    "stream.online",
    "stream.offline",
]
TABLE_COUNTS = {
    "channel.follow": "SELECT count(*) FROM core.follows",
    "channel.subscribe": "SELECT count(*) FROM core.subscriptions",
    "channel.subscription.gift": "SELECT count(*) FROM core.gifts",
    "channel.subscription.end": "SELECT count(*) FROM core.subscription_ends",
    "channel.volts": "SELECT count(*) FROM core.volts_tips",
    "channel.points.redeem": "SELECT count(*) FROM core.points_redemptions",
    "channel.raid": "SELECT count(*) FROM core.raids",
    "stream.online": "SELECT count(*) FROM core.stream_status_events WHERE status = 'online'",
    "stream.offline": "SELECT count(*) FROM core.stream_status_events WHERE status = 'offline'",
}
TWIN_MINUTES = 180
TWIN_START = datetime(2026, 6, 5, 18, 0, tzinfo=UTC)  # a Friday evening


def test_twin_deliveries_match_truth(tmp_path: Path, lake_config: LakeConfig) -> None:
    # A fixed twin time makes the seeded world (and so the traffic mix) reproducible.
    secrets = tmp_path / "secrets.json"
    config = twin_receiver_config(tmp_path, secrets)
    with (
        twin_launcher.running_twin(
            clock="frozen", start=TWIN_START, creators=2000, allow_http_webhooks=True
        ) as twin,
        running_receiver(config) as rx,
    ):
        hook = twin.create_webhook(rx.url, EVENTS)
        add_secret(secrets, hook["secret"], webhook_id=hook["id"], now=datetime.now(UTC))
        window_start = twin.now()
        for _ in range(TWIN_MINUTES // 5):
            twin.advance(300)
            twin.flush_webhooks()
        window_end = twin.now()
        assert twin.test_event("channel.follow", hook["id"]) == 1
        twin.flush_webhooks()
        deliveries = twin.deliveries()
        assert deliveries["failed"] == 0 and deliveries["pending"] == 0
        # A replay of a captured delivery (fresh timestamp, valid signature) is acknowledged.
        captured = next((tmp_path / "landing").glob("seg-*"))
        from pipeline.webhooks.framing import scan_bytes

        first = scan_bytes(captured.read_bytes()).records[0][1]
        assert rx.post(first.body, hook["secret"]).json()["duplicate"] is True
        truth = twin.truth_events(window_start.isoformat(), window_end.isoformat())[
            "authorizedTotals"
        ]
        metrics = rx.client.get("/metrics", params={"format": "json"}).json()
    assert metrics["rejections"] == {}
    # Every event type occurs, so every normaliser meets the twin's payloads.
    assert all(truth.get(t, 0) > 0 for t in TABLE_COUNTS), truth

    # the same landing log into each backend: the lake has no primary key to fall back on
    for db in (tmp_path / "wh.duckdb", lake_config):
        _assert_loads_exactly_the_truth(tmp_path / "landing", db, metrics, truth)


def _assert_loads_exactly_the_truth(
    landing: Path, db: Warehouse, metrics: dict[str, Any], truth: dict[str, int]
) -> None:
    result = load_sealed_segments(landing, db)
    assert result.errors == [] and result.test_events == 1
    # The receiver acknowledges known deliveries without landing them again; only copies that
    # raced each other into the log are left for the loader to collapse.
    assert metrics["duplicates"] > 0
    assert result.records == metrics["accepted"] - metrics["duplicates"]
    assert result.inserted + result.duplicates == result.records
    conn = connect(db, read_only=True)
    try:
        loaded = {t: conn.execute(sql).fetchone()[0] for t, sql in TABLE_COUNTS.items()}  # type: ignore[index]
        raw = dict(
            conn.execute(
                "SELECT canonical_type, count(*) FROM core.webhook_events WHERE NOT is_test GROUP BY 1"
            ).fetchall()
        )
        dupes = conn.execute(
            "SELECT count(*) - count(DISTINCT event_key) FROM core.webhook_events"
        ).fetchone()
    finally:
        conn.close()
    expected = {t: truth.get(t, 0) for t in TABLE_COUNTS}
    assert loaded == expected, json.dumps({"loaded": loaded, "truth": truth})
    assert {t: raw.get(t, 0) for t in TABLE_COUNTS} == expected
    assert dupes == (0,)
