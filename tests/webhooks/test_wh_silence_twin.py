"""The silence alarm on a real twin: the top live channels are tracked, but webhooks only come
for the channels that authorized the app, so only those may be judged silent."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from wh_helpers import running_receiver, twin_receiver_config

from pipeline.cadence import poll_tick
from pipeline.client import ClientConfig, VeloraClient
from pipeline.config import Settings
from pipeline.ingest import run_endpoint
from pipeline.twin import launcher as twin_launcher
from pipeline.warehouse import connect
from pipeline.webhooks.cli import DEFAULT_EVENTS
from pipeline.webhooks.loader import load_sealed_segments
from pipeline.webhooks.secrets import WebhookSubscription, add_secret
from pipeline.webhooks.silence import covered_by, find_silent_channels

TWIN_START = datetime(2026, 6, 5, 19, 0, tzinfo=UTC)  # a Friday evening: many channels live
BIG = 1_000_000_000


def test_unauthorized_top_channels_are_never_judged_silent(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.json"
    config = twin_receiver_config(tmp_path, secrets)
    settings = Settings(
        api_base_url="",
        data_dir=tmp_path,
        warehouse_path=tmp_path / "warehouse.duckdb",
        top_n_tracked=50,
    )
    with (
        twin_launcher.running_twin(
            clock="frozen", start=TWIN_START, rate_limit=BIG, allow_http_webhooks=True
        ) as twin,
        running_receiver(config) as rx,
    ):
        hook = twin.create_webhook(rx.url, list(DEFAULT_EVENTS))
        app_wide = WebhookSubscription(hook["id"], rx.url, DEFAULT_EVENTS, None, TWIN_START)
        add_secret(
            secrets, hook["secret"], webhook_id=hook["id"], now=TWIN_START, subscription=app_wide
        )
        for _ in range(12):  # an hour of events
            twin.advance(300)
            twin.flush_webhooks()
        poll = poll_tick(twin.now(), 5)
        client_config = ClientConfig(
            base_url=twin.base_url,
            client_id="twin-client",
            client_secret="twin-secret",
            rate_ceiling_per_minute=BIG,
            burst=BIG,
        )
        with VeloraClient(client_config) as client:
            for job in ("live_streams", "tracked_channels"):
                run_endpoint(
                    job,
                    client=client,
                    warehouse_path=settings.warehouse_path,
                    poll_at=poll,
                    settings=settings,
                )
        authorized = set(twin.world.authorized_creator_ids)
    load_sealed_segments(config.landing_dir, settings.warehouse_path)

    conn = connect(settings.warehouse_path)
    try:
        tracked_live = {
            row[0]
            for row in conn.execute(
                "SELECT t.user_id FROM ops.tracked_channels t JOIN core.stream_snapshots s "
                "ON s.user_id = t.user_id AND s.source = 'live' AND s.snapshot_at = ?",
                [poll],
            ).fetchall()
        }
        # The premise: most of the top 50 live channels never authorized the app.
        unauthorized = tracked_live - authorized
        assert len(tracked_live) == 50 and len(unauthorized) > 25
        # What the alarm judged before: every tracked live channel, and these can never deliver
        # (those live for less than the window are skipped either way).
        naive = find_silent_channels(conn, 30, covered_channels=tracked_live)
        assert len(unauthorized & {c.channel_id for c in naive}) > 10
        silent = find_silent_channels(conn, 30, covered_channels=covered_by(secrets))
    finally:
        conn.close()
    assert {c.channel_id for c in silent} <= authorized
