"""The webhook receiver: an ASGI app that verifies, lands durably, then acknowledges.

``POST /webhooks/velora`` and ``POST /webhooks/velora/<webhook id>`` (each subscription's own
path, so the subscription a delivery arrived on is known) are handled by a lean raw-ASGI path
(it is the hot path); the operator endpoints (``/healthz``, ``/metrics``, ``/debug/rejections``)
are a small Starlette router. The receiver never opens DuckDB: it only appends to the landing log.

Replay protection rests on what Velora signs, the body: a delivery whose idempotency key was
already landed is acknowledged without landing it again (``DeliveryIndex``), and, optionally,
a body whose own ``timestamp`` is older than ``max_event_age_seconds`` is refused. The
``X-Velora-Timestamp`` header is not signed, so it refuses nothing: it is kept as a diagnostic.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime
from json.encoder import encode_basestring_ascii as _json_string
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, Router

from pipeline.webhooks.dedupe import DEFAULT_CAPACITY, DeliveryIndex
from pipeline.webhooks.framing import LandingRecord
from pipeline.webhooks.jetstream import JetStreamConfig, JetStreamSink
from pipeline.webhooks.landing import LandingError, LandingLog
from pipeline.webhooks.metrics import ReceiverMetrics
from pipeline.webhooks.secrets import SecretStore
from pipeline.webhooks.times import TimestampError, parse_time

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

WEBHOOK_PATH = "/webhooks/velora"
MAX_BODY_BYTES = 1024 * 1024
# Headers kept with each landed record (never the signature: it is useless once verified).
KEPT_HEADERS = ("content-type", "user-agent", "x-velora-event", "x-velora-timestamp")
SENSITIVE_HEADERS = {"x-velora-signature", "authorization", "cookie", "proxy-authorization"}
# The only headers the accept path reads, keyed by their raw ASGI name (ASGI servers lowercase
# header names). Decoding just these, not every header, is measurably cheaper per request; the
# full dict is built only for rejections.
_HOT_HEADERS = {
    name.encode("latin-1"): name
    for name in ("content-length", "x-velora-signature", "x-velora-timestamp", *KEPT_HEADERS)
}
BODY_PREVIEW_BYTES = 256
_WEBHOOK_ID = re.compile(r"[A-Za-z0-9_.-]{1,128}")
# Velora retries up to 2 h 36 min after the first attempt; both windows leave wide room for it.
DEFAULT_MAX_EVENT_AGE_SECONDS = 24 * 3600.0
DEFAULT_DEDUPE_RETENTION_SECONDS = 48 * 3600.0


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass(frozen=True)
class ReceiverConfig:
    landing_dir: Path
    secret_file: Path | None = None
    env_secret: str | None = None
    # Refuse a signed body whose own `timestamp` is older than this (0: never). Must not exceed
    # the dedupe retention, so every replay is either remembered or refused.
    max_event_age_seconds: float = DEFAULT_MAX_EVENT_AGE_SECONDS
    dedupe_retention_seconds: float = DEFAULT_DEDUPE_RETENTION_SECONDS
    dedupe_capacity: int = DEFAULT_CAPACITY
    max_body_bytes: int = MAX_BODY_BYTES
    max_segment_bytes: int = 64 * 1024 * 1024
    max_segment_age_seconds: float = 30.0
    rejection_buffer: int = 200
    path: str = WEBHOOK_PATH
    secrets_check_interval: float = 0.5  # how often the secrets file's stat is re-checked
    fsync_workers: int = 1  # >1: overlapping fdatasyncs in that many threads
    # Publish to NATS JetStream instead of the local landing log (pipeline.webhooks.jetstream).
    jetstream: JetStreamConfig | None = None
    now_ms: Callable[[], int] = wall_clock_ms  # injectable for tests of late retries and replays

    def __post_init__(self) -> None:
        if self.max_event_age_seconds < 0:
            raise ValueError("max_event_age_seconds must not be negative (0 turns it off)")
        if self.dedupe_retention_seconds <= 0:
            raise ValueError("dedupe_retention_seconds must be positive")
        if self.max_event_age_seconds > self.dedupe_retention_seconds:
            raise ValueError(
                f"the event age window ({self.max_event_age_seconds:g} s) must not exceed the "
                f"dedupe retention ({self.dedupe_retention_seconds:g} s): a replay older than "
                "the retention but inside the window would be landed again"
            )


class Rejection(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def idempotency_key(body: bytes, doc: object) -> str:
    """Envelope ``id`` when present, else the SHA-256 of the raw body."""
    if isinstance(doc, dict):
        event_id = doc.get("id")
        if isinstance(event_id, str | int) and not isinstance(event_id, bool) and str(event_id):
            return str(event_id)
    return "sha256:" + hashlib.sha256(body).hexdigest()


class WebhookReceiver:
    """ASGI callable. Starts the landing log on lifespan startup, seals it on shutdown."""

    def __init__(self, config: ReceiverConfig) -> None:
        self.config = config
        self.metrics = ReceiverMetrics()
        self.seen = DeliveryIndex(
            int(config.dedupe_retention_seconds * 1000), capacity=config.dedupe_capacity
        )
        self.secrets = SecretStore(
            config.secret_file, config.env_secret, check_interval=config.secrets_check_interval
        )
        self.rejections: deque[dict[str, object]] = deque(maxlen=config.rejection_buffer)
        self.landing: LandingLog | JetStreamSink = (
            JetStreamSink(config.jetstream)
            if config.jetstream is not None
            else LandingLog(
                config.landing_dir,
                max_segment_bytes=config.max_segment_bytes,
                max_segment_age_seconds=config.max_segment_age_seconds,
                fsync_workers=config.fsync_workers,
                on_batch=lambda b: self.metrics.observe_batch(b.records, b.fsync_seconds),
            )
        )
        self._started = False
        self.router = Router(
            routes=[
                Route("/healthz", self._healthz, methods=["GET"]),
                Route("/metrics", self._metrics, methods=["GET"]),
                Route("/debug/rejections", self._debug_rejections, methods=["GET"]),
            ]
        )

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        if not self._started:
            self._started = True
            if not isinstance(self.landing, LandingLog):
                return  # JetStream dedupes by Nats-Msg-Id across receivers and restarts
            self.landing.start()  # recovers segments a crash left open, so they count below
            remembered = self.seen.rebuild(self.config.landing_dir, self.config.now_ms())
            log.info("remembering %d landed deliveries for deduplication", remembered)
            if self.landing.recovery and self.landing.recovery.sealed:
                log.warning(
                    "sealed %d segments left open by a crash", len(self.landing.recovery.sealed)
                )

    def stop(self) -> None:
        if self._started:
            self.landing.close()
            self._started = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        path = scope["path"] if kind == "http" else ""
        if path == self.config.path:
            await self._webhook(scope, receive, send, None)
        elif path.startswith(self.config.path + "/"):
            await self._webhook(scope, receive, send, path[len(self.config.path) + 1 :])
        elif kind == "http":
            await self.router(scope, receive, send)  # type: ignore[arg-type]
        elif kind == "lifespan":
            await self._lifespan(receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    self.start()
                except Exception as exc:  # surfaced by uvicorn as a failed startup
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if isinstance(self.landing, JetStreamSink):
                    await self.landing.aclose()
                self.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return

    # -- hot path ----------------------------------------------------------------------------
    async def _webhook(
        self, scope: Scope, receive: Receive, send: Send, webhook_id: str | None
    ) -> None:
        headers = _hot_headers(scope["headers"])
        body = b""
        try:
            if webhook_id is not None and not _WEBHOOK_ID.fullmatch(webhook_id):
                raise Rejection(404, "unknown_path")
            if scope["method"] != "POST":
                raise Rejection(405, "method_not_allowed")
            if "x-velora-signature" not in headers:
                # Not lowercased by the server (or really missing): fall back to the full,
                # case-folded dict so a non-conforming server is not mistaken for a bad sender.
                headers = _all_headers(scope["headers"])
            body = await self._read_body(headers, receive)
            record, doc = self._verify(headers, body, webhook_id)
            self._check_event_age(doc, record.received_at_ms)
            # Already durable in the log: a retry or a replay, acknowledged, not landed again.
            duplicate = self.seen.seen(record.key, record.received_at_ms)
        except Rejection as rejection:
            self._reject(scope, _all_headers(scope["headers"]), body, rejection)
            await _respond(send, rejection.status, {"error": rejection.reason})
            return
        except _ClientGone:
            return
        if not duplicate:
            try:
                await self.landing.append_async(record)
            except LandingError as exc:
                self.metrics.landing_failures += 1
                log.error("delivery %s not landed: %s", record.key, exc)
                await _respond(send, 503, {"error": "landing_unavailable"})
                return
            self.seen.add(record.key, record.received_at_ms, self.config.now_ms())
        self.metrics.accepted += 1
        self.metrics.accepted_bytes += len(body)
        if duplicate:
            self.metrics.duplicates += 1
        await _send_json(send, 200, _accepted_body(record.key, duplicate))

    async def _read_body(self, headers: dict[str, str], receive: Receive) -> bytes:
        limit = self.config.max_body_bytes
        declared = headers.get("content-length")
        if declared is not None:
            try:
                if int(declared) > limit:
                    raise Rejection(413, "body_too_large")
            except ValueError:
                raise Rejection(400, "bad_content_length") from None
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _ClientGone()
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:  # chunked upload past the limit: stop reading now
                raise Rejection(413, "body_too_large")
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    def _verify(
        self, headers: dict[str, str], body: bytes, webhook_id: str | None
    ) -> tuple[LandingRecord, object]:
        """Signature first (over the raw body), then JSON; returns the record and the parsed doc."""
        signature = headers.get("x-velora-signature", "").strip()
        if not signature:
            raise Rejection(401, "missing_signature")
        now_ms = self.config.now_ms()
        self.metrics.observe_header_timestamp(headers.get("x-velora-timestamp"), now_ms)
        matched = self.secrets.match(body, signature, webhook_id=webhook_id)
        if matched is None:
            known = webhook_id is None or self.secrets.knows_webhook(webhook_id)
            raise Rejection(401, "bad_signature" if known else "unknown_webhook")
        try:
            doc = json.loads(body)
        except ValueError:  # includes bad UTF-8
            raise Rejection(400, "invalid_json") from None
        kept = {name: headers[name] for name in KEPT_HEADERS if name in headers}
        record = LandingRecord(
            received_at_ms=now_ms,
            key=idempotency_key(body, doc),
            headers=kept,
            body=body,
            webhook_id=matched.webhook_id,
            channels=matched.channels,
        )
        return record, doc

    def _check_event_age(self, doc: object, now_ms: int) -> None:
        """Refuse a signed body whose own timestamp is older than the window: no real retry is
        (Velora's schedule ends 2 h 36 min after the first attempt), a replay past the dedupe
        memory would be."""
        window = self.config.max_event_age_seconds
        if not window:
            return
        stamp = _body_timestamp(doc)
        if stamp is not None and now_ms - stamp > window * 1000:
            raise Rejection(400, "stale_event")

    def _reject(
        self, scope: Scope, headers: dict[str, str], body: bytes, rejection: Rejection
    ) -> None:
        self.metrics.rejections[rejection.reason] += 1
        client = scope.get("client")
        client_text = f"{client[0]}:{client[1]}" if client else "?"
        log.warning(
            "rejected webhook: reason=%s status=%d client=%s event=%s bytes=%s",
            rejection.reason,
            rejection.status,
            client_text,
            headers.get("x-velora-event", "-"),
            headers.get("content-length", len(body)),
        )
        self.rejections.append(
            {
                "at": datetime.now(UTC).isoformat(timespec="milliseconds"),
                "reason": rejection.reason,
                "status": rejection.status,
                "client": client_text,
                "method": scope.get("method"),
                "headers": {k: v for k, v in headers.items() if k not in SENSITIVE_HEADERS},
                "body_prefix": body[:BODY_PREVIEW_BYTES].decode("utf-8", "replace"),
                "body_bytes": len(body),
            }
        )

    # -- operator endpoints ------------------------------------------------------------------
    async def _healthz(self, request: Request) -> Response:
        if isinstance(self.landing, JetStreamSink):
            # connected lazily on the first delivery: healthy until a publish has failed
            healthy = self.landing.last_error is None
            body = {
                "status": "ok" if healthy else "degraded",
                "jetstream_url": self.landing.config.url,
                "jetstream_stream": self.landing.config.stream,
                "connected": self.landing.running,
                "published": self.landing.published,
                "last_landing_error": self.landing.last_error,
                "secrets_active": len(self.secrets.active_secrets()),
            }
            return JSONResponse(body, status_code=200 if healthy else 503)
        landing_dir = self.config.landing_dir
        writable = landing_dir.is_dir() and os.access(landing_dir, os.W_OK)
        healthy = writable and self.landing.running and self.landing.last_error is None
        body = {
            "status": "ok" if healthy else "degraded",
            "landing_dir": str(landing_dir),
            "landing_dir_writable": writable,
            "writer_running": self.landing.running,
            "open_segment": self.landing.open_segment,
            "last_landing_error": self.landing.last_error,
            "secrets_active": len(self.secrets.active_secrets()),
            "secrets_file_error": self.secrets.last_error,
        }
        return JSONResponse(body, status_code=200 if healthy else 503)

    async def _metrics(self, request: Request) -> Response:
        if request.query_params.get("format") == "json":
            return JSONResponse(self.metrics.snapshot())
        return PlainTextResponse(self.metrics.prometheus(), media_type="text/plain; version=0.0.4")

    async def _debug_rejections(self, request: Request) -> Response:
        return JSONResponse({"rejections": list(self.rejections)})


class _ClientGone(Exception):
    pass


def _body_timestamp(doc: object) -> int | None:
    """The envelope's signed ``timestamp`` in unix ms, or None when absent or unreadable."""
    try:
        stamp = parse_time(doc.get("timestamp")) if isinstance(doc, dict) else None
    except TimestampError:
        return None
    return None if stamp is None else int(stamp.timestamp() * 1000)


def _hot_headers(raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
    lookup = _HOT_HEADERS.get
    found: dict[str, str] = {}
    for name, value in raw:
        key = lookup(name)
        if key is not None:
            found[key] = value.decode("latin-1")  # a repeated header: the last one wins
    return found


def _all_headers(raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in raw}


def _accepted_body(key: str, duplicate: bool) -> bytes:
    # Built by hand: this runs once per accepted delivery (the hot path).
    tail = b',"duplicate":true}' if duplicate else b',"duplicate":false}'
    return b'{"status":"accepted","key":' + _json_string(key).encode() + tail


async def _respond(send: Send, status: int, payload: dict[str, object]) -> None:
    await _send_json(send, status, json.dumps(payload, separators=(",", ":")).encode())


async def _send_json(send: Send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def create_app(config: ReceiverConfig) -> WebhookReceiver:
    return WebhookReceiver(config)
