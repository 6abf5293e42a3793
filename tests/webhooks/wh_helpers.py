"""Shared helpers: an in-process receiver on a free loopback port, signed requests."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from pipeline.serving import serving
from pipeline.webhooks.receiver import ReceiverConfig, WebhookReceiver
from pipeline.webhooks.secrets import sign


@dataclass
class ReceiverHandle:
    url: str
    base_url: str
    app: WebhookReceiver
    client: httpx.Client

    def post(
        self,
        body: bytes,
        secret: str | None,
        *,
        ts_ms: int | None = None,
        extra: dict[str, str] | None = None,
        path: str = "/webhooks/velora",
    ) -> httpx.Response:
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Velora-Signature"] = sign(body, secret)
        headers["X-Velora-Timestamp"] = str(ts_ms if ts_ms is not None else int(time.time() * 1000))
        headers.update(extra or {})
        return self.client.post(path, content=body, headers=headers)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_receiver(config: ReceiverConfig, port: int = 0) -> Iterator[ReceiverHandle]:
    """The receiver on loopback (``port=0``: a free one) until the block ends."""
    app = WebhookReceiver(config)
    with serving(app, port=port, name="webhook-receiver") as base:
        client = httpx.Client(base_url=base, timeout=10)
        try:
            yield ReceiverHandle(
                url=f"{base}/webhooks/velora", base_url=base, app=app, client=client
            )
        finally:
            client.close()


# Fixed for the session (so an id-less body hashes the same each time it is built) and recent
# (so it sits inside the receiver's event-age window, as a live delivery does).
NOW_ISO = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def twin_receiver_config(tmp_path: Path, secrets: Path) -> ReceiverConfig:
    """A receiver for a twin on a simulated clock: its body timestamps are months from the wall
    clock, so the event-age window is off (the window itself is tested in test_wh_replay.py)."""
    return ReceiverConfig(
        landing_dir=tmp_path / "landing",
        secret_file=secrets,
        secrets_check_interval=0,
        max_event_age_seconds=0,
    )


def envelope(
    event_id: str | None, event_type: str, data: dict[str, Any], *, timestamp: str = NOW_ISO
) -> bytes:
    doc: dict[str, Any] = {"timestamp": timestamp, "data": data}
    if event_id is None:
        doc["event"] = event_type
    else:
        doc["id"] = event_id
        doc["type"] = event_type
    return json.dumps(doc).encode()


def follow_body(i: int, *, with_id: bool = True) -> bytes:
    return envelope(
        f"evt_follow_{i}" if with_id else None,
        "channel.follow",
        {
            "broadcasterId": "c1",
            "follower": {"id": f"u{i}", "username": f"viewer{i}"},
            "followedAt": "2026-11-28T08:15:00.000Z",
        },
    )


def landed_keys(landing_dir: Path) -> list[str]:
    from pipeline.webhooks.framing import scan_bytes

    keys = []
    for path in sorted(landing_dir.glob("seg-*")):
        keys += [r.key for _, r in scan_bytes(path.read_bytes()).records]
    return keys
