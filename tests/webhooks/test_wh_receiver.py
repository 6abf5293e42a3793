"""Receiver over real HTTP on loopback: rejections, duplicates, operator endpoints, SIGTERM-style shutdown."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from wh_helpers import ReceiverHandle, envelope, follow_body, landed_keys, running_receiver

from pipeline.webhooks.receiver import ReceiverConfig, idempotency_key
from pipeline.webhooks.secrets import sign

SECRET = "test-secret-1"


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[ReceiverHandle]:
    config = ReceiverConfig(landing_dir=tmp_path / "landing", env_secret=SECRET)
    with running_receiver(config) as handle:
        yield handle


def now_ms() -> int:
    return int(time.time() * 1000)


def test_signed_delivery_is_accepted_and_landed(receiver: ReceiverHandle, tmp_path: Path) -> None:
    response = receiver.post(follow_body(1), SECRET)
    assert response.status_code == 200
    assert response.json() == {"status": "accepted", "key": "evt_follow_1", "duplicate": False}
    assert landed_keys(tmp_path / "landing") == ["evt_follow_1"]


@pytest.mark.parametrize(
    ("case", "status", "reason"),
    [
        ("forged-signature", 401, "bad_signature"),
        ("wrong-secret", 401, "bad_signature"),
        ("missing-signature", 401, "missing_signature"),
        ("body-timestamp-older-than-a-day", 400, "stale_event"),
        ("oversized-declared", 413, "body_too_large"),
        ("oversized-chunked", 413, "body_too_large"),
        ("non-json", 400, "invalid_json"),
        ("signature-of-other-body", 401, "bad_signature"),
    ],
)
def test_rejections_are_counted_and_nothing_lands(
    receiver: ReceiverHandle, tmp_path: Path, case: str, status: int, reason: str
) -> None:
    body = follow_body(7)
    headers = {
        "Content-Type": "application/json",
        "X-Velora-Timestamp": str(now_ms()),
        "X-Velora-Signature": sign(body, SECRET),
    }
    content: bytes | Iterator[bytes] = body
    if case == "forged-signature":
        headers["X-Velora-Signature"] = "ab" * 32
    elif case == "wrong-secret":
        headers["X-Velora-Signature"] = sign(body, "not-the-secret")
    elif case == "missing-signature":
        del headers["X-Velora-Signature"]
    elif case == "body-timestamp-older-than-a-day":
        old = datetime.now(UTC) - timedelta(hours=24, minutes=1)
        content = envelope("evt_old", "channel.follow", {}, timestamp=old.isoformat())
        headers["X-Velora-Signature"] = sign(content, SECRET)
    elif case == "oversized-declared":
        content = b"{" + b" " * (1024 * 1024) + b"}"
        headers["X-Velora-Signature"] = sign(content, SECRET)
    elif case == "oversized-chunked":
        content = iter([b" " * 65536] * 20)  # no Content-Length: chunked, 1.25 MiB
    elif case == "non-json":
        content = b"follow=1&channel=c1"
        headers["X-Velora-Signature"] = sign(content, SECRET)
    elif case == "signature-of-other-body":
        headers["X-Velora-Signature"] = sign(follow_body(8), SECRET)
    response = receiver.client.post("/webhooks/velora", content=content, headers=headers)
    assert response.status_code == status
    assert response.json() == {"error": reason}
    metrics = receiver.client.get("/metrics", params={"format": "json"}).json()
    assert metrics["rejections"] == {reason: 1} and metrics["accepted"] == 0
    ring = receiver.client.get("/debug/rejections").json()["rejections"]
    assert ring[-1]["reason"] == reason
    assert "x-velora-signature" not in ring[-1]["headers"]
    assert len(ring[-1]["body_prefix"]) <= 256
    assert landed_keys(tmp_path / "landing") == []


def test_secret_never_appears_in_rejection_buffer_or_metrics(receiver: ReceiverHandle) -> None:
    body = follow_body(1)
    receiver.post(body, "wrong")
    dump = receiver.client.get("/debug/rejections").text + receiver.client.get("/metrics").text
    assert SECRET not in dump and sign(body, SECRET) not in dump


def test_duplicates_get_2xx_and_are_counted(receiver: ReceiverHandle, tmp_path: Path) -> None:
    with_id, without_id = follow_body(1), follow_body(2, with_id=False)
    results = [receiver.post(b, SECRET).json() for b in (with_id, with_id, without_id, without_id)]
    assert [r["duplicate"] for r in results] == [False, True, False, True]
    assert results[2]["key"].startswith("sha256:")
    metrics = receiver.client.get("/metrics", params={"format": "json"}).json()
    assert (metrics["accepted"], metrics["duplicates"]) == (4, 2)
    # A known delivery is acknowledged without being landed again.
    assert landed_keys(tmp_path / "landing") == [results[0]["key"], results[2]["key"]]


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        pytest.param({"id": "evt_1", "type": "x"}, "evt_1", id="envelope-id"),
        pytest.param({"id": 17, "type": "x"}, "17", id="numeric-id"),
        pytest.param({"id": "", "event": "x"}, None, id="empty-id-falls-back-to-hash"),
        pytest.param({"event": "x"}, None, id="no-id-hashes-raw-body"),
        pytest.param([1, 2], None, id="non-object-hashes-raw-body"),
    ],
)
def test_idempotency_key(doc: object, expected: str | None) -> None:
    import hashlib

    raw = json.dumps(doc).encode()
    assert idempotency_key(raw, doc) == (expected or "sha256:" + hashlib.sha256(raw).hexdigest())


def test_healthz_and_prometheus_metrics(receiver: ReceiverHandle) -> None:
    assert receiver.post(follow_body(1), SECRET).status_code == 200
    health = receiver.client.get("/healthz")
    assert health.status_code == 200
    doc = health.json()
    assert (
        doc["status"] == "ok"
        and doc["landing_dir_writable"]
        and doc["open_segment"].endswith(".open")
    )
    text = receiver.client.get("/metrics").text
    assert "velora_webhooks_accepted_total 1" in text
    assert 'velora_webhooks_fsync_ms_bucket{le="+Inf"} 1' in text
    assert "velora_webhooks_batch_size_count 1" in text


def test_wrong_method_is_rejected(receiver: ReceiverHandle) -> None:
    assert receiver.client.get("/webhooks/velora").status_code == 405


def test_shutdown_seals_the_open_segment(tmp_path: Path) -> None:
    config = ReceiverConfig(landing_dir=tmp_path / "landing", env_secret=SECRET)
    with running_receiver(config) as handle:
        assert handle.post(follow_body(1), SECRET).status_code == 200
    assert [p.suffix for p in (tmp_path / "landing").glob("seg-*")] == [".seg"]


def test_concurrent_deliveries_are_group_committed(
    receiver: ReceiverHandle, tmp_path: Path
) -> None:
    import asyncio

    async def burst() -> list[int]:
        async with httpx.AsyncClient(
            base_url=receiver.base_url, limits=httpx.Limits(max_connections=32)
        ) as client:

            async def one(i: int) -> int:
                body = follow_body(i)
                r = await client.post(
                    "/webhooks/velora",
                    content=body,
                    headers={
                        "X-Velora-Signature": sign(body, SECRET),
                        "X-Velora-Timestamp": str(now_ms()),
                    },
                )
                return r.status_code

            return await asyncio.gather(*(one(i) for i in range(300)))

    assert set(asyncio.run(burst())) == {200}
    metrics = receiver.client.get("/metrics", params={"format": "json"}).json()
    assert (
        metrics["accepted"] == 300 and metrics["batch_size"]["count"] < 300
    )  # batches were shared
    assert sorted(landed_keys(tmp_path / "landing")) == sorted(
        f"evt_follow_{i}" for i in range(300)
    )


def test_body_of_exactly_the_limit_is_accepted(receiver: ReceiverHandle, tmp_path: Path) -> None:
    prefix = b'{"id": "evt_big", "type": "channel.follow", "data": {"pad": "'
    suffix = b'"}}'
    body = prefix + b"x" * (1024 * 1024 - len(prefix) - len(suffix)) + suffix
    assert len(body) == 1024 * 1024
    assert receiver.post(body, SECRET).status_code == 200
    assert landed_keys(tmp_path / "landing") == ["evt_big"]
