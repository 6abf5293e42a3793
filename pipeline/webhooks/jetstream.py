"""Webhooks through NATS JetStream: the receivers publish here, ``jetstream_loader`` consumes.

The embedded default lands deliveries in the local landing log; with a JetStream URL configured
the receiver publishes each verified delivery instead, and several receivers can run behind one
load balancer. The contract, the same as the landing log's:

* a delivery is acknowledged (2xx) only after JetStream acked the publish (it is stored);
* each message is one landing record framed exactly as in a segment (``framing.encode_record``,
  CRC included), with ``Nats-Msg-Id`` = the delivery's idempotency key, so a retry that reaches
  another receiver inside the stream's duplicate window (longer than Velora's 2 h 36 min retry
  horizon) is stored once;
* the loader pulls micro-batches (up to ``batch`` messages or ``max_wait`` seconds), loads each
  batch in one transaction with the landing log's own loader, and acks only after the commit. A
  crash before the ack redelivers the batch, and the event keys make the second load a no-op.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pipeline.webhooks.framing import LandingRecord, encode_record
from pipeline.webhooks.landing import LandingError

if TYPE_CHECKING:
    from pipeline.config import Settings

DEFAULT_STREAM = "VELORA_WEBHOOKS"
DEFAULT_SUBJECT = "velora.webhooks"
DEFAULT_CONSUMER = "velora-loader"
# Velora retries for 2 h 36 min after the first attempt: dedupe a little longer than that.
DUPLICATE_WINDOW_SECONDS = 3 * 3600
PUBLISH_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class JetStreamConfig:
    url: str
    stream: str = DEFAULT_STREAM
    subject: str = DEFAULT_SUBJECT
    consumer: str = DEFAULT_CONSUMER
    # A batch fetched by a loader that died before acking comes back after this long.
    ack_wait_seconds: float = 30.0
    # Copies of the stream a NATS cluster keeps (at most 5); 1 on a single server.
    replicas: int = 1

    @property
    def servers(self) -> list[str]:
        """The seed servers of ``url`` (comma-separated for a cluster)."""
        return [server.strip() for server in self.url.split(",") if server.strip()]


def jetstream_config(settings: Settings) -> JetStreamConfig | None:
    """The JetStream path when ``VELORA_WEBHOOK_JETSTREAM_URL`` is set, else None (landing log)."""
    if not settings.webhook_jetstream_url:
        return None
    return JetStreamConfig(
        settings.webhook_jetstream_url,
        stream=settings.webhook_jetstream_stream,
        ack_wait_seconds=settings.webhook_jetstream_ack_wait_seconds,
        replicas=settings.webhook_jetstream_replicas,
    )


async def ensure_stream(js: Any, config: JetStreamConfig) -> None:
    """Create the stream (file storage, the duplicate window) or leave an existing one as is."""
    from nats.js.api import StorageType, StreamConfig  # noqa: PLC0415 - optional backend
    from nats.js.errors import NotFoundError  # noqa: PLC0415

    try:
        await js.stream_info(config.stream)
    except NotFoundError:
        await js.add_stream(
            StreamConfig(
                name=config.stream,
                subjects=[config.subject],
                storage=StorageType.FILE,
                num_replicas=config.replicas,
                duplicate_window=DUPLICATE_WINDOW_SECONDS,
            )
        )


class JetStreamSink:
    """The receiver's landing when JetStream is configured: ``append_async`` returns once the
    record is stored in the stream (or raises ``LandingError``, answered 503)."""

    def __init__(self, config: JetStreamConfig) -> None:
        self.config = config
        self._nc: Any = None
        self._js: Any = None
        self._lock: asyncio.Lock | None = None
        self.last_error: str | None = None
        self.published = 0

    def close(self) -> None:
        """The receiver's stop(): the connection is drained by ``aclose`` inside the loop."""
        return None

    @property
    def running(self) -> bool:
        return self._nc is not None and self._nc.is_connected

    async def _connect(self) -> Any:
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._js is None:
                import nats  # noqa: PLC0415 - optional backend

                # fail fast when the server is down: the sender gets a 503 and retries later
                self._nc = await nats.connect(
                    self.config.servers,
                    connect_timeout=2,
                    max_reconnect_attempts=3,
                    reconnect_time_wait=0.5,
                    allow_reconnect=True,
                )
                self._js = self._nc.jetstream(timeout=PUBLISH_TIMEOUT_SECONDS)
                await ensure_stream(self._js, self.config)
        return self._js

    async def append_async(self, record: LandingRecord) -> None:
        try:
            js = await self._connect()
            await js.publish(
                self.config.subject,
                encode_record(record),
                headers={"Nats-Msg-Id": record.key},
            )
        except Exception as exc:  # not stored: the sender gets a 503 and retries
            self.last_error = f"{type(exc).__name__}: {exc}"
            raise LandingError(f"JetStream publish failed: {self.last_error}") from exc
        self.last_error = None
        self.published += 1

    async def aclose(self) -> None:
        if self._nc is not None:
            await self._nc.drain()
            self._nc = self._js = None


__all__ = ["JetStreamConfig", "JetStreamSink", "ensure_stream", "jetstream_config"]
