"""Silence alarm: tracked channels live per the API whose webhooks stopped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pipeline.warehouse import connect
from pipeline.webhooks.secrets import WebhookSubscription, add_secret, rotate_secret
from pipeline.webhooks.silence import capture_started_at, covered_by, find_silent_channels

T = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def snapshot(
    conn, at: datetime, user_id: str, viewers: int, started: datetime | None = None
) -> None:  # type: ignore[no-untyped-def]
    conn.execute(
        "INSERT INTO core.stream_snapshots (source, snapshot_at, stream_id, user_id, username, viewer_count, started_at, position, fetched_at) "
        "VALUES ('live', ?, ?, ?, ?, ?, ?, 1, ?)",
        [at, f"s_{user_id}", user_id, f"name_{user_id}", viewers, started, at],
    )


def tracked(conn, at: datetime, user_id: str) -> None:  # type: ignore[no-untyped-def]
    conn.execute(
        "INSERT INTO ops.tracked_channels (snapshot_at, user_id, username, reason) VALUES (?, ?, ?, 'configured')",
        [at, user_id, f"name_{user_id}"],
    )


def event(  # type: ignore[no-untyped-def]
    conn, key: str, channel: str, received: datetime, kind: str = "channel.follow"
) -> None:
    conn.execute(
        "INSERT INTO core.webhook_events (event_key, event_id, event_type, canonical_type, "
        "channel_id, channel_source, event_at, received_at, is_test, envelope_variant, payload, "
        "segment) VALUES (?, ?, ?, ?, ?, 'payload', ?, ?, false, 'id_type', '{}', 'seg')",
        [key, key, kind, kind, channel, received, received],
    )


def test_finds_live_tracked_channels_without_recent_webhooks(tmp_path: Path) -> None:
    conn = connect(tmp_path / "wh.duckdb")
    for user in ("quiet", "chatty", "never", "offline", "untracked"):
        if user != "untracked":
            tracked(conn, T, user)
    for user, viewers in (("quiet", 10), ("chatty", 20), ("never", 5), ("untracked", 99)):
        snapshot(conn, T, user, viewers)
    snapshot(conn, T - timedelta(hours=1), "offline", 50)  # live only in an older snapshot
    event(conn, "e1", "quiet", T - timedelta(minutes=45))
    event(conn, "e2", "chatty", T - timedelta(minutes=45))
    event(conn, "e3", "chatty", T - timedelta(minutes=5))
    event(conn, "e4", "untracked", T - timedelta(hours=5))
    # "never" has delivered nothing: judged only because a subscription names it.
    silent = find_silent_channels(conn, 30, covered_channels=["never"])
    assert [(s.channel_id, s.last_event_at is None) for s in silent] == [
        ("quiet", False),
        ("never", True),
    ]
    assert [s.channel_id for s in find_silent_channels(conn, 60, covered_channels=["never"])] == [
        "never"
    ]
    later = find_silent_channels(conn, 30, now=T + timedelta(hours=1))
    assert [s.channel_id for s in later] == ["chatty", "quiet"]
    with pytest.raises(ValueError, match="positive"):
        find_silent_channels(conn, 0)
    conn.close()


def test_empty_warehouse_has_no_silent_channels(tmp_path: Path) -> None:
    conn = connect(tmp_path / "wh.duckdb")
    assert find_silent_channels(conn, 30) == []
    conn.close()


@pytest.mark.parametrize(
    ("started_minutes_ago", "capture_minutes_ago", "silent"),
    [
        # live for 2 hours, capture running for a day: a real silence
        pytest.param(120, 24 * 60, True, id="long-live-long-capture"),
        # went live 10 minutes ago: it cannot have been silent for 30 minutes
        pytest.param(10, 24 * 60, False, id="stream-started-inside-window"),
        # subscribed 5 minutes ago (make demo just started): nobody can be judged yet
        pytest.param(120, 5, False, id="capture-started-inside-window"),
        # capture start unknown (no secrets file): judged as before
        pytest.param(120, None, True, id="capture-start-unknown"),
    ],
)
def test_only_channels_observable_for_the_whole_window_can_be_silent(
    tmp_path: Path, started_minutes_ago: int, capture_minutes_ago: int | None, silent: bool
) -> None:
    conn = connect(tmp_path / "wh.duckdb")
    tracked(conn, T, "quiet")
    snapshot(conn, T, "quiet", 10, started=T - timedelta(minutes=started_minutes_ago))
    since = None if capture_minutes_ago is None else T - timedelta(minutes=capture_minutes_ago)
    found = find_silent_channels(conn, 30, capture_since=since, covered_channels=["quiet"])
    assert [c.channel_id for c in found] == (["quiet"] if silent else [])
    conn.close()


def test_capture_starts_with_the_oldest_signing_secret(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.json"
    assert capture_started_at(secrets) is None  # no subscription yet
    add_secret(secrets, "whsec_a", webhook_id="wh_1", now=T)
    rotate_secret(
        secrets, "whsec_b", webhook_id="wh_1", grace=timedelta(hours=1), now=T + timedelta(days=1)
    )
    # a rotation does not restart the clock: capture has run since the first secret
    assert capture_started_at(secrets) == T


@pytest.mark.parametrize(
    ("history", "named", "judged"),
    [
        # Most top-N live channels never authorized the app: no webhook can come for them.
        pytest.param([], [], False, id="not-authorized-never-delivered"),
        pytest.param([], ["quiet"], True, id="named-by-a-subscription"),
        pytest.param(["channel.follow"], [], True, id="delivered-before"),
        pytest.param(
            ["channel.follow", "user.authorization.revoke"], [], False, id="authorization-revoked"
        ),
        pytest.param(
            ["user.authorization.revoke", "user.authorization.grant"],
            [],
            True,
            id="revoked-then-granted-again",
        ),
    ],
)
def test_only_channels_the_subscriptions_cover_are_judged(
    tmp_path: Path, history: list[str], named: list[str], judged: bool
) -> None:
    conn = connect(tmp_path / "wh.duckdb")
    tracked(conn, T, "quiet")
    snapshot(conn, T, "quiet", 10, started=T - timedelta(hours=3))
    for i, kind in enumerate(history):  # in order, all before the window
        event(conn, f"e{i}", "quiet", T - timedelta(hours=2, minutes=-i), kind)
    found = find_silent_channels(conn, 30, covered_channels=named)
    assert [c.channel_id for c in found] == (["quiet"] if judged else [])
    conn.close()


def test_covered_channels_come_from_the_recorded_subscriptions(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.json"
    one = WebhookSubscription(
        "wh_1", "https://x/webhooks/velora/wh_1", ("channel.follow",), ("c1",), T
    )
    app_wide = WebhookSubscription(
        "wh_2", "https://x/webhooks/velora/wh_2", ("channel.follow",), None, T
    )
    add_secret(secrets, "a", webhook_id="wh_1", now=T, subscription=one)
    add_secret(secrets, "b", webhook_id="wh_2", now=T, subscription=app_wide)
    assert covered_by(secrets) == {"c1"}
