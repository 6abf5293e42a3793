"""Late retries are never refused, replays never double-count (X-Velora-Timestamp is unsigned).

Velora retries immediately, then after 1, 5, 30 minutes and 2 hours: the last attempt comes
2 h 36 min after the first, and may carry the first attempt's X-Velora-Timestamp. Replay
protection rests on the signed body: the receiver's persisted delivery index and the window on
the body's own timestamp; the warehouse's primary key is the last line.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from wh_helpers import ReceiverHandle, landed_keys, running_receiver

from pipeline.webhooks.loader import load_sealed_segments
from pipeline.webhooks.receiver import ReceiverConfig

SECRET = "replay-secret"
HOUR_MS = 3600 * 1000
FIRST_ATTEMPT = datetime.now(UTC).replace(microsecond=0)
FIRST_MS = int(FIRST_ATTEMPT.timestamp() * 1000)


def body(event_id: str | None = "evt_sub_1") -> bytes:
    """A documented channel.subscribe, sent at the first attempt's time."""
    doc: dict[str, object] = {
        "timestamp": FIRST_ATTEMPT.isoformat().replace("+00:00", "Z"),
        "data": {"channelId": "c1", "userId": "u1", "username": "viewer", "tier": "1"},
    }
    doc.update(
        {"id": event_id, "type": "channel.subscribe"}
        if event_id
        else {"event": "channel.subscribe"}
    )
    return json.dumps(doc).encode()


def receiver_at(tmp_path: Path, now_ms: int, **config: object) -> ReceiverConfig:
    return ReceiverConfig(
        landing_dir=tmp_path / "landing",
        env_secret=SECRET,
        now_ms=lambda: now_ms,
        **config,  # type: ignore[arg-type]
    )


def rows(db: Path) -> tuple[int, int]:
    conn = duckdb.connect(str(db), read_only=True)
    try:
        events = conn.execute("SELECT count(*) FROM core.webhook_events").fetchone()
        subs = conn.execute("SELECT count(*) FROM core.subscriptions").fetchone()
    finally:
        conn.close()
    assert events is not None and subs is not None
    return events[0], subs[0]


def deliver(rx: ReceiverHandle, payload: bytes) -> dict[str, object]:
    response = rx.post(payload, SECRET, ts_ms=FIRST_MS)  # always the first attempt's header
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("event_id", ["evt_sub_1", None], ids=["id-envelope", "id-less-envelope"])
def test_a_retry_2h30_later_with_the_original_header_is_acknowledged_and_loaded_once(
    tmp_path: Path, event_id: str | None
) -> None:
    # The first attempts never reached us (receiver down); the 2 h 30 min retry carries the
    # first attempt's X-Velora-Timestamp, which a 600 s header window refused with 401.
    with running_receiver(receiver_at(tmp_path, FIRST_MS + 150 * 60 * 1000)) as rx:
        assert deliver(rx, body(event_id))["duplicate"] is False
        assert deliver(rx, body(event_id))["duplicate"] is True  # and its own retry, once more
        ages = rx.client.get("/metrics", params={"format": "json"}).json()["header_age_s"]
    assert ages["count"] == 2 and ages["p50"] == pytest.approx(9000, abs=1)
    assert len(landed_keys(tmp_path / "landing")) == 1
    db = tmp_path / "wh.duckdb"
    load_sealed_segments(tmp_path / "landing", db)
    assert rows(db) == (1, 1)


@pytest.mark.parametrize(
    ("config", "answer"),
    [
        # Default: a day-old body is past the signed-timestamp window, so it is refused.
        pytest.param({}, 400, id="refused-by-the-body-window"),
        # Window off: the persisted index (48 h) still knows it after the restart.
        pytest.param({"max_event_age_seconds": 0}, "duplicate", id="remembered-across-restart"),
        # Window off and memory shorter than a day: landed again, the primary key absorbs it.
        pytest.param(
            {"max_event_age_seconds": 0, "dedupe_retention_seconds": 3600},
            "landed",
            id="forgotten-then-absorbed-by-the-warehouse",
        ),
    ],
)
def test_a_replay_of_a_loaded_delivery_a_day_later_adds_no_row(
    tmp_path: Path, config: dict[str, object], answer: object
) -> None:
    db = tmp_path / "wh.duckdb"
    with running_receiver(receiver_at(tmp_path, FIRST_MS, **config)) as rx:
        deliver(rx, body())
    load_sealed_segments(tmp_path / "landing", db)
    assert rows(db) == (1, 1)
    # A restarted receiver, a day later, gets the captured (validly signed) delivery again.
    with running_receiver(receiver_at(tmp_path, FIRST_MS + 24 * HOUR_MS + 60_000, **config)) as rx:
        response = rx.post(body(), SECRET, ts_ms=FIRST_MS + 24 * HOUR_MS)
    if answer == 400:
        assert response.status_code == 400 and response.json() == {"error": "stale_event"}
    else:
        assert response.status_code == 200
        assert response.json()["duplicate"] is (answer == "duplicate")
    assert len(landed_keys(tmp_path / "landing")) == (2 if answer == "landed" else 1)
    load_sealed_segments(tmp_path / "landing", db)
    assert rows(db) == (1, 1)


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(lambda: str(FIRST_MS - 3 * HOUR_MS), id="three-hours-old"),
        pytest.param(lambda: str(FIRST_MS + HOUR_MS), id="an-hour-ahead"),
        pytest.param(lambda: None, id="missing"),
        pytest.param(lambda: "2026-11-28T08:15:00Z", id="not-a-number"),
    ],
)
def test_the_unsigned_header_never_refuses_a_signed_delivery(
    tmp_path: Path, header: Callable[[], str | None]
) -> None:
    with running_receiver(receiver_at(tmp_path, FIRST_MS)) as rx:
        value = header()
        extra = {} if value is None else {"X-Velora-Timestamp": value}
        headers = {"Content-Type": "application/json", **extra}
        from pipeline.webhooks.secrets import sign

        headers["X-Velora-Signature"] = sign(body(), SECRET)
        response = rx.client.post("/webhooks/velora", content=body(), headers=headers)
    assert response.status_code == 200
    assert landed_keys(tmp_path / "landing") == ["evt_sub_1"]


def test_age_window_may_not_outlast_the_dedupe_memory(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="must not exceed the dedupe retention"):
        receiver_at(tmp_path, FIRST_MS, max_event_age_seconds=7200, dedupe_retention_seconds=3600)


def test_deliveries_within_the_retention_are_remembered_from_every_sealed_segment(
    tmp_path: Path,
) -> None:
    now = FIRST_MS + 3 * HOUR_MS
    for i in range(3):  # three receiver lifetimes, three sealed segments
        with running_receiver(receiver_at(tmp_path, FIRST_MS + i * HOUR_MS)) as rx:
            deliver(rx, body(f"evt_{i}"))
    with running_receiver(receiver_at(tmp_path, now)) as rx:
        assert all(deliver(rx, body(f"evt_{i}"))["duplicate"] for i in range(3))
        assert rx.app.seen.seen("evt_0", now) and len(rx.app.seen) == 3
    assert len(landed_keys(tmp_path / "landing")) == 3
