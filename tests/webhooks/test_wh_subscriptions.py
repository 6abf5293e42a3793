"""Each subscription's own receiver path, the channels it serves, and the loader's fallback.

The docs list no channel field for channel.subscribe / .subscription.gift / .subscription.end,
so a delivery that names none takes its channel from the subscription it arrived on.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from wh_helpers import NOW_ISO, envelope, running_receiver

from pipeline.webhooks.framing import scan_bytes
from pipeline.webhooks.loader import load_sealed_segments
from pipeline.webhooks.receiver import ReceiverConfig
from pipeline.webhooks.secrets import (
    SecretsFileError,
    WebhookSubscription,
    add_secret,
    read_secrets_file,
    read_subscriptions,
    record_subscription,
    remove_webhook_secrets,
    rotate_secret,
)

T = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
EVENTS = ("channel.subscribe", "channel.subscription.end")


def subscription(hook: str, channels: tuple[str, ...] | None) -> WebhookSubscription:
    return WebhookSubscription(hook, f"https://rx/webhooks/velora/{hook}", EVENTS, channels, T)


@pytest.fixture
def secrets(tmp_path: Path) -> Path:
    path = tmp_path / "secrets.json"
    add_secret(
        path, "s_one", webhook_id="wh_one", now=T, subscription=subscription("wh_one", ("c1",))
    )
    add_secret(path, "s_app", webhook_id="wh_app", now=T, subscription=subscription("wh_app", None))
    return path


def documented_end(event_id: str) -> bytes:
    """channel.subscription.end with exactly the changelog's fields: no channel at all."""
    return envelope(
        event_id,
        "channel.subscription.end",
        {
            "userId": "u_sub",
            "username": "subscriber",
            "displayName": "Subscriber",
            "tier": "1000",
            "isGift": True,
            "gifter": {"userId": "u_gifter", "username": "gifter", "displayName": "Gifter"},
            "reason": "expired",
            "endedAt": NOW_ISO,
            "expiresAt": NOW_ISO,
        },
    )


@pytest.mark.parametrize(
    ("path", "secret", "status", "webhook_id", "channels"),
    [
        pytest.param("/webhooks/velora/wh_one", "s_one", 200, "wh_one", ["c1"], id="own-path"),
        pytest.param("/webhooks/velora", "s_one", 200, "wh_one", ["c1"], id="old-path-by-secret"),
        pytest.param("/webhooks/velora/wh_app", "s_app", 200, "wh_app", None, id="app-wide"),
        pytest.param("/webhooks/velora/wh_one", "env", 200, "wh_one", ["c1"], id="env-secret"),
        pytest.param("/webhooks/velora/wh_app", "s_one", 401, None, None, id="other-hooks-secret"),
        pytest.param("/webhooks/velora/wh_gone", "s_one", 401, None, None, id="unknown-webhook"),
        pytest.param("/webhooks/velora/a%20b", "s_one", 404, None, None, id="malformed-id"),
    ],
)
def test_the_subscription_a_delivery_arrived_on_is_recorded_with_it(
    tmp_path: Path,
    secrets: Path,
    path: str,
    secret: str,
    status: int,
    webhook_id: str | None,
    channels: list[str] | None,
) -> None:
    config = ReceiverConfig(landing_dir=tmp_path / "landing", secret_file=secrets, env_secret="env")
    with running_receiver(config) as rx:
        response = rx.post(documented_end("evt_end_1"), secret, path=path)
    assert response.status_code == status, response.text
    records = [
        r
        for seg in (tmp_path / "landing").glob("seg-*")
        for _, r in scan_bytes(seg.read_bytes()).records
    ]
    if status != 200:
        assert records == []
        return
    assert [(r.webhook_id, r.channels) for r in records] == [
        (webhook_id, None if channels is None else tuple(channels))
    ]


def test_a_documented_delivery_naming_no_channel_is_typed_with_its_subscriptions_channel(
    tmp_path: Path, secrets: Path
) -> None:
    config = ReceiverConfig(landing_dir=tmp_path / "landing", secret_file=secrets)
    with running_receiver(config) as rx:
        assert (
            rx.post(documented_end("evt_a"), "s_one", path="/webhooks/velora/wh_one").status_code
            == 200
        )
        assert (
            rx.post(documented_end("evt_b"), "s_app", path="/webhooks/velora/wh_app").status_code
            == 200
        )
    db = tmp_path / "wh.duckdb"
    result = load_sealed_segments(tmp_path / "landing", db)
    assert result.quarantined == 0 and result.errors == []
    conn = duckdb.connect(str(db), read_only=True)
    try:
        ends = conn.execute(
            "SELECT event_key, channel_id, channel_source, subscriber_id, subscriber_display_name, "
            "gifter_id, gifter_username, reason FROM core.subscription_ends ORDER BY event_key"
        ).fetchall()
        events = conn.execute(
            "SELECT event_key, webhook_id, channel_source FROM core.webhook_events ORDER BY 1"
        ).fetchall()
    finally:
        conn.close()
    # One-channel subscription: the channel is known. App-wide: typed anyway, channel unknown.
    assert ends == [
        ("evt_a", "c1", "subscription", "u_sub", "Subscriber", "u_gifter", "gifter", "expired"),
        ("evt_b", None, None, "u_sub", "Subscriber", "u_gifter", "gifter", "expired"),
    ]
    assert events == [("evt_a", "wh_one", "subscription"), ("evt_b", "wh_app", None)]


def test_subscriptions_survive_rotation_and_go_with_delete(secrets: Path) -> None:
    rotate_secret(secrets, "s_one_v2", webhook_id="wh_one", grace=timedelta(hours=1), now=T)
    assert read_subscriptions(secrets)["wh_one"].channels == ("c1",)
    record_subscription(secrets, subscription("wh_one", ("c1", "c2")))
    assert read_subscriptions(secrets)["wh_one"].channels == ("c1", "c2")
    assert len(read_secrets_file(secrets)) == 3  # recording a subscription keeps every secret
    assert remove_webhook_secrets(secrets, "wh_one") == 2
    assert sorted(read_subscriptions(secrets)) == ["wh_app"]


def test_a_secrets_file_from_before_subscriptions_were_recorded_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(
        json.dumps({"secrets": [{"secret": "x", "created_at": "2026-01-01T00:00:00Z"}]})
    )
    assert read_subscriptions(path) == {} and [e.secret for e in read_secrets_file(path)] == ["x"]


@pytest.mark.parametrize(
    ("webhooks", "message"),
    [
        pytest.param({"id": "wh"}, "'webhooks' must be a list", id="not-a-list"),
        pytest.param([{"url": "u"}], "needs a string 'id'", id="no-id"),
        pytest.param(
            [{"id": "wh", "channels": "c1", "created_at": "2026-01-01T00:00:00Z"}],
            "channels must be a list",
            id="channels-not-a-list",
        ),
    ],
)
def test_a_bad_subscriptions_section_is_a_clear_error(
    tmp_path: Path, webhooks: object, message: str
) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"secrets": [], "webhooks": webhooks}))
    with pytest.raises(SecretsFileError, match=message):
        read_subscriptions(path)
