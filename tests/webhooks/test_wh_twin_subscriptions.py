"""End to end on the twin, as a user would set it up: a broadcaster's own subscription whose
deliveries often name no channel, and retries that come hours late with the first header."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from wh_helpers import free_port, running_receiver, twin_receiver_config

from pipeline.twin import launcher as twin_launcher
from pipeline.webhooks.cli import DEFAULT_EVENTS, main
from pipeline.webhooks.framing import scan_bytes
from pipeline.webhooks.loader import load_sealed_segments
from pipeline.webhooks.receiver import ReceiverConfig
from pipeline.webhooks.secrets import add_secret, read_subscriptions

TWIN_START = datetime(2026, 6, 5, 18, 0, tzinfo=UTC)  # a Friday evening
SUBSCRIPTION_TABLES = {
    "channel.subscribe": "core.subscriptions",
    "channel.subscription.gift": "core.gifts",
    "channel.subscription.end": "core.subscription_ends",
}


def _count(conn: duckdb.DuckDBPyConnection, sql: str, *params: object) -> int:
    row = conn.execute(sql, list(params)).fetchone()
    assert row is not None
    return int(row[0])


def test_deliveries_naming_no_channel_take_the_channel_of_their_subscription(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    secrets = tmp_path / "secrets.json"
    with (
        twin_launcher.running_twin(
            clock="frozen", start=TWIN_START, creators=2000, allow_http_webhooks=True
        ) as twin,
        running_receiver(twin_receiver_config(tmp_path, secrets)) as rx,
    ):
        world = twin.world
        # the authorized creator with the most followers: the most subscriptions to see
        channel = max(
            (world.creator(c) for c in world.authorized_creator_ids),
            key=lambda c: world.follower_count(c.id, TWIN_START) if c else -1,
        )
        assert channel is not None
        # the broadcaster's own token: what a creator running us for their channel has
        for name, value in {
            "VELORA_API_BASE_URL": twin.base_url,
            "VELORA_CLIENT_ID": twin.config.client_id,
            "VELORA_ACCESS_TOKEN": twin.user_token(channel.username),
            "VELORA_WEBHOOK_SECRET_FILE": str(secrets),
        }.items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("VELORA_CLIENT_SECRET", raising=False)
        assert main(["subscribe", "--url", rx.url, "--events", *DEFAULT_EVENTS]) == 0
        assert f"serves: {channel.id}" in capsys.readouterr().out
        [subscription] = read_subscriptions(secrets).values()
        assert subscription.channels == (channel.id,)
        assert subscription.url == f"{rx.url}/{subscription.id}"  # its own receiver path
        start = twin.now()
        for _ in range(36):  # three hours
            twin.advance(300)
            twin.flush_webhooks()
        truth = twin.truth_events(start.isoformat(), twin.now().isoformat(), channel=channel.id)
        assert twin.deliveries()["failed"] == 0
    result = load_sealed_segments(tmp_path / "landing", tmp_path / "wh.duckdb")
    assert result.errors == [] and result.quarantined == 0
    conn = duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True)
    try:
        for kind, table in SUBSCRIPTION_TABLES.items():
            assert _count(conn, f"SELECT count(*) FROM {table}") == truth["totals"][kind], kind  # noqa: S608
        from_subscription = _count(
            conn, "SELECT count(*) FROM core.subscriptions WHERE channel_source = 'subscription'"
        )
        unknown = _count(conn, "SELECT count(*) FROM core.webhook_events WHERE channel_id IS NULL")
        others = _count(
            conn, "SELECT count(*) FROM core.webhook_events WHERE channel_id <> ?", channel.id
        )
        paths = _count(conn, "SELECT count(DISTINCT webhook_id) FROM core.webhook_events")
    finally:
        conn.close()
    # the twin left the channel out of about half of them; the subscription supplied it
    assert truth["totals"]["channel.subscribe"] > 10 and from_subscription > 0
    assert (unknown, others, paths) == (0, 0, 1)


def test_a_retry_hours_later_with_the_first_attempts_header_is_accepted_and_loaded_once(
    tmp_path: Path,
) -> None:
    """The receiver is down for Velora's first five attempts; the sixth comes 2 h 36 min after
    the first and carries the first attempt's X-Velora-Timestamp (the twin's reading of the docs).
    A 600 s window on that header refused it, and Velora then disabled the webhook."""
    secrets = tmp_path / "secrets.json"
    port = free_port()
    url = f"http://127.0.0.1:{port}/webhooks/velora"
    # the twin's clock is the wall clock minus three hours, so the header is hours old for us
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
    with twin_launcher.running_twin(
        clock="frozen", start=start, creators=500, allow_http_webhooks=True
    ) as twin:
        hook = twin.create_webhook(url, list(DEFAULT_EVENTS))
        add_secret(secrets, hook["secret"], webhook_id=hook["id"], now=datetime.now(UTC))
        for step in (120, 60, 300, 1800):  # attempts 1-5 fail: nobody listens
            twin.advance(step)
            twin.flush_webhooks()
        down = twin.deliveries()
        assert down["failed"] >= 5 and down["delivered"] == 0 and down["pending"] > 0
        # default receiver settings: the body window (24 h) is on, the header refuses nothing
        config = ReceiverConfig(landing_dir=tmp_path / "landing", secret_file=secrets)
        with running_receiver(config, port=port) as rx:
            twin.advance(7200)  # the last retry, 2 h after the 4th
            twin.flush_webhooks()
            after = twin.deliveries()
            metrics = rx.client.get("/metrics", params={"format": "json"}).json()
        status = twin.client.get(
            f"/api/developer/apps/{twin.config.client_id}/webhooks/{hook['id']}",
            headers={"Authorization": f"Bearer {twin.token()}"},
        ).json()["status"]
    assert after["pending"] == 0 and after["delivered"] > 0 and status == "active"
    assert metrics["rejections"] == {}
    records = [
        r
        for seg in (tmp_path / "landing").glob("seg-*")
        for _, r in scan_bytes(seg.read_bytes()).records
    ]
    late = [
        r
        for r in records
        if r.received_at_ms - int(r.headers["x-velora-timestamp"]) > 2.5 * 3600 * 1000
    ]
    assert late, "no delivery carried a header more than 2 h 30 min old"
    result = load_sealed_segments(tmp_path / "landing", tmp_path / "wh.duckdb")
    conn = duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True)
    try:
        distinct = _count(conn, "SELECT count(DISTINCT event_key) FROM core.webhook_events")
        rows = _count(conn, "SELECT count(*) FROM core.webhook_events")
    finally:
        conn.close()
    assert result.quarantined == 0 and rows == distinct == len({r.key for r in records})
